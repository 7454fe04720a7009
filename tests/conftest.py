"""Shared fixtures: fake embeddings by default, a guard against loading the real model, corpus builders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from programme_assistant.answering.extractive import ExtractiveConfig
from programme_assistant.assistant import build_search, extractive_config
from programme_assistant.config import Settings
from programme_assistant.ingest import FolderSync
from programme_assistant.ingest.manifest import Manifest
from programme_assistant.retrieval import HybridSearch
from programme_assistant.retrieval.store import ChunkStore, make_chroma_client

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the benchmarks live beside the package, not in it; tests import their helpers
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from training_data import DEFAULT_TRAINING_SETS, OUTSIDE_SETS, SPENT_SETS  # noqa: E402

# The question sets the packaged learned models may name as trained on (ClapNQ's training half,
# training_data.DEFAULT_TRAINING_SETS, the other folder's development sets, OUTSIDE_SETS, and the spent development sets
# the refusal learns from, SPENT_SETS): the sets not yet run are never among them.
TRAINABLE_SETS = frozenset({"clapnq", *DEFAULT_TRAINING_SETS, *OUTSIDE_SETS, *SPENT_SETS})


# The fusion's optional second model (multilingual-e5-small, PA_PASSAGE_MODEL; off by default) is a real model:
# kept off for the fixtures built before a test's own environment (module-scoped ones) too.
__import__("os").environ["PA_PASSAGE_MODEL"] = "none"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch, request):
    """Each test gets its own index folder; the real model may only load in tests marked `slow`."""
    for key in list(__import__("os").environ):
        if key.startswith("PA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PA_INDEX_DIR", str(tmp_path / "index"))
    if "slow" not in request.keywords:
        from programme_assistant.retrieval import embeddings

        def _refuse(self):
            raise AssertionError("the real embedding model was loaded in a test not marked `slow`")

        monkeypatch.setattr(embeddings.SentenceTransformerEmbedder, "_load", _refuse)
        # the fusion's optional second model (multilingual-e5-small) is real too: a test turns it on with a fake
        # (Assistant.from_settings(passage_embedder=...))
        monkeypatch.setenv("PA_PASSAGE_MODEL", "none")
        monkeypatch.setattr(embeddings.E5Embedder, "model", property(_refuse))


class CountingFakeEmbedding(DeterministicFakeEmbedding):
    """Deterministic fake vectors that count what was embedded."""

    embedded: list[str] = []
    model_id: str = "fake-embedding"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return super().embed_documents(texts)


@pytest.fixture
def fake_embedder() -> CountingFakeEmbedding:
    return CountingFakeEmbedding(size=16, embedded=[])


# TEST_CHROMA_SERVER=host:port runs the store tests against a Chroma server (`chroma run`) instead of the
# embedded store: each test then gets a collection of its own there. .ci/run does both.
CHROMA_SERVER = __import__("os").environ.get("TEST_CHROMA_SERVER", "")


def store_settings() -> dict[str, object]:
    if not CHROMA_SERVER:
        return {}
    host, _, port = CHROMA_SERVER.rpartition(":")
    return {"chroma_host": host, "chroma_port": int(port), "collection": f"test-{__import__('uuid').uuid4().hex[:16]}"}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", chunk_size=300, chunk_overlap=60,
                    **store_settings())


def make_sync(settings: Settings, embedder, **kwargs) -> FolderSync:
    client = make_chroma_client(settings.index_dir, settings.chroma_host, settings.chroma_port)
    store = ChunkStore(client, settings.collection, embedder)
    manifest = Manifest(settings.index_dir / "manifest.sqlite")
    return FolderSync(store, manifest, embedder, chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap,
                      batch_size=settings.batch_size, max_file_mb=settings.max_file_mb, ignore=settings.ignore,
                      **kwargs)


_SEARCH_SETTINGS = {"k": "retrieval_k", "candidates": "retrieval_candidates", "mode": "retrieval_mode",
                    "passage_weight": "passage_model_weight"}


def make_search(store, settings: Settings | None = None, generation=None, **overrides) -> HybridSearch:
    """HybridSearch over ``store`` built as the app builds it (``assistant.build_search``) from Settings, with
    some of its options (HybridSearch's names: k, candidates, mode, lexical_weight, ...) overridden;
    ``passage_ranker``: the second model's ranking, when given."""
    ranker = overrides.pop("passage_ranker", None)
    update = {_SEARCH_SETTINGS.get(key, key): value for key, value in overrides.items()}
    return build_search((settings or Settings()).model_copy(update=update), store, generation=generation,
                        passage_ranker=ranker)


def make_extractive_config(settings: Settings | None = None, **overrides) -> ExtractiveConfig:
    """The extractive answerer's config as ``assistant.extractive_config`` builds it from Settings, some fields
    overridden."""
    from dataclasses import replace

    return replace(extractive_config(settings or Settings()), **overrides)


@pytest.fixture
def corpus(settings) -> Path:
    folder = settings.corpus_dir
    folder.mkdir(parents=True)
    return folder


def write_md(folder: Path, name: str, title: str, paragraphs: list[str], **front: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fm = "".join(f"{k}: {v}\n" for k, v in {"title": title, **front}.items())
    path.write_text(f"---\n{fm}---\n# {title}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def make_pdf(path: Path, pages: list[str], title: str = "A PDF") -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(title)
    c.setSubject("report")
    for text in pages:
        y = 800
        for line in text.splitlines():
            c.drawString(50, y, line)
            y -= 14
        c.showPage()
    c.save()
    return path


def make_docx(path: Path, title: str, sections: dict[str, list[str]]) -> Path:
    import docx

    path.parent.mkdir(parents=True, exist_ok=True)
    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.category = "guide"
    d.add_heading(title, level=0)
    for heading, paragraphs in sections.items():
        d.add_heading(heading, level=1)
        for p in paragraphs:
            d.add_paragraph(p)
    d.save(str(path))
    return path


# --- the app database: SQLite always, PostgreSQL when .ci/run (or you) started one -------------------------
# TEST_POSTGRES_URL: a server URL such as postgresql+psycopg://postgres@127.0.0.1:25432/assistant
# (scripts/postgres.sh start DIR PORT prints one). Each test gets a database of its own, dropped afterwards.
POSTGRES_URL = __import__("os").environ.get("TEST_POSTGRES_URL", "")
APP_DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_database(name: str):
    """A fresh database ``name`` on the TEST_POSTGRES_URL server; returns (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL: set TEST_POSTGRES_URL (scripts/postgres.sh start DIR PORT prints one)")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=APP_DATABASES)
def app_data(request, tmp_path):
    """The app's stores over SQLite, and over PostgreSQL when TEST_POSTGRES_URL is set."""
    from programme_assistant.appdata.state import AppData

    if request.param == "sqlite":
        data = AppData.sqlite(tmp_path / "app" / "feedback.sqlite")
        yield data
        data.close()
        return
    import uuid

    url, drop = postgres_database(f"pa_test_{uuid.uuid4().hex[:12]}")
    data = AppData.from_url(url)
    yield data
    data.close()
    drop()


def wait_for_lexical_hit(search, query: str, doc_id: str, seconds: float, what: str) -> float:
    """Seconds until ``search``'s lexical side ranks ``doc_id`` first for ``query`` (another process's sync
    becoming visible); fails with ``what`` after ``seconds``."""
    import time

    from programme_assistant.models import Filters

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        hits = search.lexical(query, 3, Filters())
        if hits and hits[0].chunk.doc_id == doc_id:
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"{what} within {seconds:g} s")

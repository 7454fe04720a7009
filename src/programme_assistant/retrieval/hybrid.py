"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by weighted reciprocal
rank fusion; metadata filters; glossary query expansion; near-duplicate passages collapsed.

``HybridSearch`` returns typed ``RetrievedChunk`` objects; ``ProgrammeRetriever`` exposes it as a LangChain
``BaseRetriever`` for use in LangChain chains.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from programme_assistant.models import Filters, RetrievedChunk, label_of, retrieved_from_metadata
from programme_assistant.retrieval.glossary import Glossary, parse_glossary
from programme_assistant.retrieval.lexical import LexicalIndex
from programme_assistant.retrieval.sources import SourceNamer
from programme_assistant.retrieval.store import ChunkStore
from programme_assistant.text.language import english_gloss, to_english
from programme_assistant.text.sentences import content_words

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass
class Snapshot:
    """The lexical view of the store at one point: chunk list, BM25 index, glossary."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    lexical: LexicalIndex | None = None
    glossary: Glossary = field(default_factory=lambda: Glossary([]))
    sources: SourceNamer | None = None
    key: tuple[int, str] = (-1, "")


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = content_words(text)
    return {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


class HybridSearch:
    """Dense + BM25 search with reciprocal rank fusion. The lexical side follows the store: when the store's
    sync generation changes (``generation()``), the BM25 index and glossary are rebuilt before the next query."""

    def __init__(self, store: ChunkStore, *, k: int, candidates: int, rrf_k: int, dense_weight: float,
                 lexical_weight: float, duplicate_threshold: float, mode: Mode, cross_language: bool,
                 named_sources: bool, generation: Callable[[], str] | None = None, named_passages: int = 2) -> None:
        """The numbers come from Settings (``retrieval_k``, ``retrieval_candidates``, ``rrf_k``, the two
        weights, ``duplicate_threshold``, ``retrieval_mode``, ``cross_language``, ``named_sources``; see
        config.py for why each value) through ``assistant.build_search``. ``generation`` says which sync the
        store is at; ``named_passages``: how many passages of a document the question names go first."""
        self.store = store
        self.k = k
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.duplicate_threshold = duplicate_threshold
        self.mode = mode
        self.cross_language = cross_language
        self.named_sources = named_sources
        self.named_passages = named_passages
        self._generation = generation or (lambda: "")
        self._snapshot = Snapshot()
        self._lock = threading.Lock()
        self._vectors: dict[str, Any] = {}  # query text -> embedding, oldest first
        self._vectors_lock = threading.Lock()

    # --- lexical snapshot ---------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        key = (self.store.count(), str(self._generation()))
        if self._snapshot.key != key:
            with self._lock:
                if self._snapshot.key != key:
                    self._snapshot = self._build_snapshot(key)
        return self._snapshot

    def _build_snapshot(self, key: tuple[int, str]) -> Snapshot:
        data = self.store.all_chunks()
        entries = []
        for text, meta in zip(data["documents"], data["metadatas"], strict=True):
            if "**" in text:
                entries.extend(parse_glossary(str(meta.get("doc_id", "")), text))
        # a passage in a lexicon language (Spanish, Italian, Catalan, French) is also searchable by its English
        # gloss, so that an English question meets a press note's words ("presentations" / "presentaciones")
        searchable = [f"{label_of(m)} {m.get('section', '')}\n{t}"
                      + (f"\n{english_gloss(t, str(m.get('language')))}" if self.cross_language else "")
                      for t, m in zip(data["documents"], data["metadatas"], strict=True)]
        lexical = LexicalIndex(searchable)
        sources = SourceNamer.from_chunks(data["metadatas"], data["documents"], label_of, lexical.idf)
        return Snapshot(ids=data["ids"], texts=data["documents"], metas=data["metadatas"], lexical=lexical,
                         glossary=Glossary(_dedupe_entries(entries)), sources=sources, key=key)

    @property
    def glossary(self) -> Glossary:
        return self.snapshot().glossary

    def expand(self, query: str) -> str:
        return self.snapshot().glossary.expand_query(query)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a stemmed token (``lexical.Tokenizer``) over the indexed chunks: how
        much finding that word tells passages apart. The extractive answerer weighs question words with it."""
        lexical = self.snapshot().lexical
        return lexical.idf(token) if lexical is not None else 1.0

    # --- search -------------------------------------------------------------------------------
    def _query_vector(self, text: str) -> Any:
        """The query's embedding, remembered for the last few queries: a question naming a document is
        searched twice (``_with_named_source``), and a conversation repeats its questions."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self.store.embedder.embed_query(text)
            with self._vectors_lock:
                self._vectors[text] = vector
                while len(self._vectors) > 64:
                    self._vectors.pop(next(iter(self._vectors)))
        return vector

    def dense(self, query: str, n: int, filters: Filters) -> list[RetrievedChunk]:
        if self.store.count() == 0:
            return []
        got = self.store.query(self._query_vector(query), k=min(n, self.store.count()),
                               where=filters.chroma_where())
        out = []
        for cid, text, meta, dist in zip(got["ids"], got["documents"], got["metadatas"], got["distances"],
                                         strict=True):
            r = retrieved_from_metadata(cid, text, meta)
            out.append(_with(r, dense_score=1.0 - float(dist)))
        return out

    def lexical(self, query: str, n: int, filters: Filters) -> list[RetrievedChunk]:
        snap = self.snapshot()
        if snap.lexical is None or not snap.ids:
            return []
        mask = None
        if not filters.empty:
            mask = np.array([filters.matches(m) for m in snap.metas], dtype=np.float32)
            if not mask.any():
                return []
        hits = snap.lexical.search(query, n, mask)
        return [_with(retrieved_from_metadata(snap.ids[h.position], snap.texts[h.position], snap.metas[h.position]),
                      lexical_score=h.score) for h in hits]

    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[RetrievedChunk]:
        filters = filters or Filters()
        k = k or self.k
        results = self._with_definition(query, self._fused(query, filters, k), filters, k)
        return self._with_named_source(query, results, filters, k)

    def _with_named_source(self, query: str, results: list[RetrievedChunk], filters: Filters,
                           k: int) -> list[RetrievedChunk]:
        """A question naming a document ("according to the Italian press note") gets that document's best
        passages first (``sources.py``); the other results follow."""
        snap = self.snapshot()
        if not self.named_sources or snap.sources is None or filters.doc_ids:
            return results
        named = snap.sources.named(query)
        if named is None or not filters.empty and not any(
                filters.matches(m) for m in snap.metas if m.get("doc_id") == named.doc_id):
            return results
        own = self._fused(query, Filters(doc_ids=(named.doc_id,)), self.named_passages)
        if not own:
            return results
        ids = {r.chunk.chunk_id for r in own}
        top = max((r.score for r in results), default=0.0)
        return [_with(r, score=top) for r in own] + [r for r in results if r.chunk.chunk_id not in ids][:k - len(own)]

    def _fused(self, query: str, filters: Filters, k: int) -> list[RetrievedChunk]:
        expanded = self.expand(query)
        # a question in another language: the English model reads its gloss, BM25 both (see crosslingual.py)
        english = to_english(query) if self.cross_language else None
        dense_query = self.expand(english) if english else expanded
        lexical_query = f"{expanded} {self.expand(english)}" if english else expanded
        dense = self.dense(dense_query, self.candidates, filters) if self.mode != "bm25" else []
        lexical = self.lexical(lexical_query, self.candidates, filters) if self.mode != "dense" else []
        fused: dict[str, RetrievedChunk] = {}
        scores: dict[str, float] = {}
        for weight, ranked in ((self.dense_weight, dense), (self.lexical_weight, lexical)):
            for rank, item in enumerate(ranked):
                cid = item.chunk.chunk_id
                scores[cid] = scores.get(cid, 0.0) + weight / (self.rrf_k + rank + 1)
                prev = fused.get(cid)
                fused[cid] = item if prev is None else _with(
                    prev, dense_score=prev.dense_score if prev.dense_score is not None else item.dense_score,
                    lexical_score=prev.lexical_score if prev.lexical_score is not None else item.lexical_score)
        ranked_ids = sorted(scores, key=lambda c: -scores[c])
        results: list[RetrievedChunk] = []
        kept_shingles: list[set[tuple[str, ...]]] = []
        for cid in ranked_ids:
            item = fused[cid]
            sh = _shingles(item.chunk.text)
            if any(len(sh & other) / max(1, min(len(sh), len(other))) >= self.duplicate_threshold
                   for other in kept_shingles):
                continue  # a near-duplicate of a better-ranked passage
            kept_shingles.append(sh)
            results.append(_with(item, score=scores[cid]))
            if len(results) == k:
                break
        if self.mode == "dense" and results:  # keep the dense similarity as the score for single-mode runs
            results = [_with(r, score=r.dense_score or 0.0) for r in results]
        return results

    def _with_definition(self, query: str, results: list[RetrievedChunk], filters: Filters,
                         k: int) -> list[RetrievedChunk]:
        """A definition question about a glossary term ("What does S3 stand for?") gets the passage holding
        the term's glossary entry first: the corpus's own definition is the best answer there is."""
        snap = self.snapshot()
        entry = snap.glossary.defined_term(query)
        if entry is None:
            return results
        marker = f"**{entry.term}**"
        for cid, text, meta in zip(snap.ids, snap.texts, snap.metas, strict=True):
            if meta.get("doc_id") == entry.doc_id and marker in text and filters.matches(meta):
                rest = [r for r in results if r.chunk.chunk_id != cid]
                top = max((r.score for r in results), default=0.0)
                return [_with(retrieved_from_metadata(cid, text, meta), score=top)] + rest[:k - 1]
        return results


def _with(item: RetrievedChunk, **changes: Any) -> RetrievedChunk:
    from dataclasses import replace

    return replace(item, **changes)


def _dedupe_entries(entries: list[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for e in entries:
        seen.setdefault(e.term, e)
    return list(seen.values())


class ProgrammeRetriever(BaseRetriever):
    """LangChain retriever over ``HybridSearch``; chunk metadata and scores ride along on each Document."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    search: HybridSearch
    filters: Filters = Filters()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        docs = []
        for r in self.search.search(query, self.filters):
            docs.append(Document(page_content=r.chunk.text, id=r.chunk.chunk_id, metadata={
                "chunk_id": r.chunk.chunk_id, "doc_id": r.chunk.doc_id, "title": r.title, "date": r.date,
                "doc_type": r.doc_type, "section": r.chunk.section, "page": r.chunk.page, "score": r.score,
                "dense_score": r.dense_score, "lexical_score": r.lexical_score}))
        return docs

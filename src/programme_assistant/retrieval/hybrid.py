"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by weighted reciprocal
rank fusion; metadata filters; glossary query expansion; near-duplicate passages collapsed.

``HybridSearch`` returns typed ``RetrievedChunk`` objects; ``ProgrammeRetriever`` exposes it as a LangChain
``BaseRetriever`` for use in LangChain chains.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from programme_assistant.models import Filters, RetrievedChunk, retrieved_from_metadata
from programme_assistant.retrieval.glossary import Glossary
from programme_assistant.retrieval.lexical import Vocabulary
from programme_assistant.retrieval.passage_ranker import PassageRanker
from programme_assistant.retrieval.passages import PassageIndex, StoredPassage
from programme_assistant.retrieval.sources import SourceNamer
from programme_assistant.retrieval.store import ChunkStore
from programme_assistant.text.language import to_english
from programme_assistant.text.sentences import content_words, question_words, same_question

Mode = Literal["hybrid", "dense", "bm25"]
# How many query embeddings and searches ``HybridSearch`` remembers (a few KB each).
VECTORS_KEPT = 64
RESULTS_KEPT = 64


@dataclass
class Snapshot:
    """What the lexical side knows of the store at one point: the vocabulary (IDF, spelling variants), the
    glossary and the documents' names. The passages themselves are read from the index when a question needs
    them."""

    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary({}, 0))
    glossary: Glossary = field(default_factory=lambda: Glossary([]))
    sources: SourceNamer | None = None
    # the documents' FAQ entries: a question heading's content words -> (doc_id, section)
    questions: dict[frozenset[str], list[tuple[str, str]]] = field(default_factory=dict)
    key: Any = None


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = content_words(text)
    return {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}


class HybridSearch:
    """Dense + BM25 search with reciprocal rank fusion. The lexical side (``passages.PassageIndex``) follows the
    store: a write through this process's store is seen at the next question; another process's sync is seen
    when the store's state (passage count and index version) is next compared, at most ``refresh_s`` later."""

    def __init__(self, store: ChunkStore, *, k: int, candidates: int, rrf_k: int, dense_weight: float,
                 lexical_weight: float, duplicate_threshold: float, mode: Mode, cross_language: bool,
                 named_sources: bool, generation: Callable[[], str] | None = None, named_passages: int = 2,
                 index: PassageIndex | None = None, refresh_s: float = 1.0,
                 passage_ranker: PassageRanker | None = None, passage_weight: float = 0.0) -> None:
        """The numbers come from Settings (``retrieval_k``, ``retrieval_candidates``, ``rrf_k``, the two
        weights, ``duplicate_threshold``, ``retrieval_mode``, ``cross_language``, ``named_sources``,
        ``lexical_refresh_s``; see config.py for why each value) through ``assistant.build_search``.
        ``generation`` says which sync the store is at; ``named_passages``: how many passages of a document the
        question names go first; ``index``: the lexical index (None: one in memory, caught up from the store);
        ``passage_ranker``: a second model's ranking of the candidates (``passage_ranker.py``), fused with
        ``passage_weight`` in hybrid mode."""
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
        self.index = index if index is not None else PassageIndex(None, cross_language=cross_language)
        self.refresh_s = refresh_s
        self.passage_ranker = passage_ranker
        self.passage_weight = passage_weight
        self._generation = generation or (lambda: "")
        self._snapshot = Snapshot()
        self._checked = 0.0
        self._seen_writes = -1
        self._lock = threading.Lock()
        self._vectors: dict[str, Any] = {}  # query text -> embedding, oldest first
        self._vectors_lock = threading.Lock()
        # (query, filters, k, index state) -> the passages found, oldest first (``search``)
        self._results: dict[tuple[Any, ...], tuple[RetrievedChunk, ...]] = {}
        self._results_lock = threading.Lock()

    # --- lexical snapshot ---------------------------------------------------------------------
    def _fresh(self) -> bool:
        return (self._snapshot.key is not None and self.store.writes == self._seen_writes
                and time.monotonic() - self._checked < self.refresh_s)

    def snapshot(self) -> Snapshot:
        """The lexical view, compared with the store when this process wrote to it or ``refresh_s`` passed."""
        if not self._fresh():
            with self._lock:
                if not self._fresh():
                    self._refresh()
        return self._snapshot

    def _refresh(self) -> None:
        self._checked = time.monotonic()
        self._seen_writes = self.store.writes
        state = self.index.ensure(self.store)  # None while another process's sync writes the index: read it as is
        key = (state, str(self._generation()), self.index.stamp())
        if key != self._snapshot.key:
            self._snapshot = self._load(key)

    def _load(self, key: Any) -> Snapshot:
        vocabulary = self.index.vocabulary()
        entries = self.index.glossary_entries()
        sources = SourceNamer.from_words(self.index.document_words(), vocabulary.idf, self.index.document_terms)
        questions: dict[frozenset[str], list[tuple[str, str]]] = {}
        for doc_id, section in self.index.question_sections():
            words = question_words(section.split(" > ")[-1])
            if len(words) >= 2:
                questions.setdefault(words, []).append((doc_id, section))
        return Snapshot(vocabulary=vocabulary, glossary=Glossary(_dedupe_entries(entries)), sources=sources,
                        questions=questions, key=key)

    def passages_of_type(self, doc_type: str) -> tuple[list[str], list[dict[str, Any]]]:
        """Texts and metadata of the stored passages of one document type (the welcome panel's FAQ headings)."""
        self.snapshot()
        passages = self.index.passages_of_type(doc_type)
        return [p.text for p in passages], [p.meta for p in passages]

    def passages(self) -> tuple[list[str], list[dict[str, Any]]]:
        """Texts and metadata of every stored passage, in stored order."""
        self.snapshot()
        passages = self.index.all_passages()
        return [p.text for p in passages], [p.meta for p in passages]

    @property
    def glossary(self) -> Glossary:
        return self.snapshot().glossary

    def expand(self, query: str) -> str:
        return self.snapshot().glossary.expand_query(query)

    def idf(self, token: str) -> float:
        """Inverse document frequency of a stemmed token (``lexical.Tokenizer``) over the indexed chunks: how
        much finding that word tells passages apart. The extractive answerer weighs question words with it."""
        return self.snapshot().vocabulary.idf(token)

    # --- search -------------------------------------------------------------------------------
    def _query_vector(self, text: str) -> Any:
        """The query's embedding, remembered for the last few queries: a question naming a document is
        searched twice (``_with_named_source``), and a conversation repeats its questions."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self.store.embedder.embed_query(text)
            _remember(self._vectors, self._vectors_lock, text, vector, VECTORS_KEPT)
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
        tokens = self.snapshot().vocabulary.query_tokens(self.index.tokenizer(query))
        return [_with(retrieved_from_metadata(h.passage.chunk_id, h.passage.text, h.passage.meta),
                      lexical_score=h.score) for h in self.index.search(tokens, n, filters)]

    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[RetrievedChunk]:
        """The ``k`` best passages for ``query`` (default ``self.k``). The last few searches are remembered while the
        index stays as it is: the follow-up judge searches the reading the rewriter then hands on
        (``assistant.build_standalone_judge``), and a conversation repeats its questions. The store is asked how
        many passages it holds each time: a store that is down or that another process changed is not hidden by
        what was remembered."""
        filters = filters or Filters()
        k = k or self.k
        key = (query, filters, k, self.snapshot().key, self.store.count())
        found = self._results.get(key)
        if found is None:
            results = self._with_definition(query, self._fused(query, filters, k), filters, k)
            results = self._with_faq_entry(query, results, filters, k)
            found = tuple(self._with_named_source(query, results, filters, k))
            _remember(self._results, self._results_lock, key, found, RESULTS_KEPT)
        return list(found)

    def _with_faq_entry(self, query: str, results: list[RetrievedChunk], filters: Filters,
                        k: int) -> list[RetrievedChunk]:
        """A question that a document's FAQ asks in the same words ("What were the 2023 webinars?") gets the
        entry's answer first: the corpus's own answer to that very question (``same_question``)."""
        words = question_words(query)
        if len(words) < 2:
            return results
        questions = self.snapshot().questions
        found = questions.get(words)
        if found is None:
            near = [key for key in questions if same_question(key, words)]
            found = questions[near[0]] if len(near) == 1 else None
        if not found:
            return results
        doc_id, section = found[0]
        return _put_first(self.index.first_in_section(doc_id, section, filters), results, k)

    def _with_named_source(self, query: str, results: list[RetrievedChunk], filters: Filters,
                           k: int) -> list[RetrievedChunk]:
        """A question naming a document ("according to the Italian press note") gets that document's best
        passages first (``sources.py``); the other results follow."""
        snap = self.snapshot()
        if not self.named_sources or snap.sources is None or filters.doc_ids:
            return results
        named = snap.sources.named(query)
        if named is None or not filters.empty and not self.index.has_passage(named.doc_id, filters):
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
        rankings = [(self.dense_weight, dense), (self.lexical_weight, lexical)]
        if self.passage_ranker is not None and self.mode == "hybrid" and self.passage_weight > 0:
            # the second model reads the question as asked: it is multilingual, no gloss needed
            candidates = list({r.chunk.chunk_id: r for r in [*dense, *lexical]}.values())
            rankings.append((self.passage_weight, self.passage_ranker.rank(query, candidates)))
        fused: dict[str, RetrievedChunk] = {}
        scores: dict[str, float] = {}
        for weight, ranked in rankings:
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
        return _put_first(self.index.first_passage(entry.doc_id, f"**{entry.term}**", filters), results, k)


def _remember(memory: dict[Any, Any], lock: threading.Lock, key: Any, value: Any, kept: int) -> None:
    """``value`` kept under ``key`` in ``memory`` (oldest first), the oldest dropped past ``kept`` entries."""
    with lock:
        memory[key] = value
        while len(memory) > kept:
            memory.pop(next(iter(memory)))


def _put_first(passage: StoredPassage | None, results: list[RetrievedChunk], k: int) -> list[RetrievedChunk]:
    """``passage`` first, with the best score of ``results``, then the others (without it) up to ``k``; the
    results as they are when there is no such passage."""
    if passage is None:
        return results
    rest = [r for r in results if r.chunk.chunk_id != passage.chunk_id]
    top = max((r.score for r in results), default=0.0)
    return [_with(retrieved_from_metadata(passage.chunk_id, passage.text, passage.meta), score=top)] + rest[:k - 1]


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

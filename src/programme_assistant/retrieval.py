"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by weighted reciprocal
rank fusion; metadata filters; glossary query expansion; near-duplicate passages collapsed.

``HybridSearch`` returns typed ``RetrievedChunk`` objects; ``ProgrammeRetriever`` exposes it as a LangChain
``BaseRetriever`` for use in LangChain chains.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from programme_assistant.crosslingual import english_gloss, to_english
from programme_assistant.glossary import Glossary, parse_glossary
from programme_assistant.lexical import LexicalIndex
from programme_assistant.models import Chunk, RetrievedChunk
from programme_assistant.sentences import content_words
from programme_assistant.sources import SourceNamer
from programme_assistant.store import ChunkStore

Mode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Filters:
    """Metadata filters. Dates are ISO strings (inclusive); empty means no filter."""

    doc_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def parse(cls, pairs: list[str]) -> Filters:
        """From ``key=value`` strings: type=report, language=en, doc=..., from=2023-01-01, to=2023-12-31."""
        from programme_assistant.errors import ConfigError

        values: dict[str, list[str]] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key not in {"type", "language", "doc", "from", "to"}:
                raise ConfigError(f"bad filter {pair!r}",
                                  "use type=, language=, doc=, from=YYYY-MM-DD or to=YYYY-MM-DD")
            values.setdefault(key, []).extend(v.strip() for v in value.split(",") if v.strip())
        return cls(doc_types=tuple(values.get("type", [])), languages=tuple(values.get("language", [])),
                   doc_ids=tuple(values.get("doc", [])), date_from=(values.get("from") or [None])[0],
                   date_to=(values.get("to") or [None])[0])

    @staticmethod
    def _date_int(iso: str, end: bool) -> int:
        digits = iso.replace("-", "")
        return int((digits + ("1231" if end else "0101"))[:8]) if len(digits) < 8 else int(digits[:8])

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": list(self.doc_types)}})
        if self.languages:
            clauses.append({"language": {"$in": list(self.languages)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.date_from:
            clauses.append({"date_int": {"$gte": self._date_int(self.date_from, end=False)}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": self._date_int(self.date_to, end=True)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, meta: dict[str, Any]) -> bool:
        if self.doc_types and meta.get("doc_type") not in self.doc_types:
            return False
        if self.languages and meta.get("language") not in self.languages:
            return False
        if self.doc_ids and meta.get("doc_id") not in self.doc_ids:
            return False
        date_int = int(meta.get("date_int") or 0)
        if self.date_from and date_int < self._date_int(self.date_from, end=False):
            return False
        return not (self.date_to and (date_int == 0 or date_int > self._date_int(self.date_to, end=True)))

    @property
    def empty(self) -> bool:
        return not (self.doc_types or self.languages or self.doc_ids or self.date_from or self.date_to)


_MONTHS = ("January February March April May June July August September October November December").split()
_TYPE_WORDS = {"news": "news article item announcement", "report": "report summary", "minutes": "minutes notes",
               "guide": "guide pack briefing", "faq": "faq guide onboarding"}
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "it": "Italian", "ca": "Catalan", "fr": "French",
                   "de": "German", "ja": "Japanese", "pt": "Portuguese", "nl": "Dutch", "sl": "Slovenian"}


def source_label(title: str, doc_type: str, date: str | None, language: str, doc_id: str) -> str:
    """What a question may call a document by: "the Italian press note", "the December 2022 news item", "the
    mission report". Its title, the words of its file path, its kind, language and month. BM25 indexes it with
    every chunk and the extractive answerer matches questions against it."""
    date = date or ""
    month = _MONTHS[int(date[5:7]) - 1] if re.match(r"\d{4}-(0[1-9]|1[0-2])", date) else ""
    path_words = re.sub(r"[/_.-]+", " ", doc_id.rsplit(".", 1)[0])
    return " ".join(p for p in (title, path_words, _TYPE_WORDS.get(doc_type, doc_type),
                                _LANGUAGE_NAMES.get(language, ""), month, date[:4]) if p)


def _label_of(meta: dict[str, Any]) -> str:
    return source_label(str(meta.get("title", "")), str(meta.get("doc_type", "")), str(meta.get("date") or ""),
                        str(meta.get("language", "")), str(meta.get("doc_id", "")))


def _retrieved(chunk_id: str, text: str, meta: dict[str, Any]) -> RetrievedChunk:
    page = int(meta.get("page", -1))
    section = str(meta.get("section") or "")
    chunk = Chunk(chunk_id=chunk_id, doc_id=str(meta.get("doc_id", "")), text=text, start=int(meta.get("start", 0)),
                  end=int(meta.get("end", len(text))), index=int(meta.get("chunk_index", 0)),
                  heading_path=tuple(section.split(" > ")) if section else (), page=page if page >= 0 else None)
    return RetrievedChunk(chunk=chunk, title=str(meta.get("title", "")), date=str(meta.get("date") or "") or None,
                          doc_type=str(meta.get("doc_type", "other")), language=str(meta.get("language", "")),
                          source_path=str(meta.get("source_path", "")), url=str(meta.get("url") or "") or None)


@dataclass
class _Snapshot:
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

    def __init__(self, store: ChunkStore, *, k: int = 6, candidates: int = 30, rrf_k: int = 60,
                 dense_weight: float = 1.0, lexical_weight: float = 1.0, duplicate_threshold: float = 0.7,
                 mode: Mode = "hybrid", generation: Any = None, cross_language: bool = True,
                 named_sources: bool = True, named_passages: int = 2) -> None:
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
        self._snapshot = _Snapshot()
        self._lock = threading.Lock()
        self._vectors: dict[str, Any] = {}  # query text -> embedding, oldest first
        self._vectors_lock = threading.Lock()

    # --- lexical snapshot ---------------------------------------------------------------------
    def snapshot(self) -> _Snapshot:
        key = (self.store.count(), str(self._generation()))
        if self._snapshot.key != key:
            with self._lock:
                if self._snapshot.key != key:
                    self._snapshot = self._build_snapshot(key)
        return self._snapshot

    def _build_snapshot(self, key: tuple[int, str]) -> _Snapshot:
        data = self.store.all_chunks()
        entries = []
        for text, meta in zip(data["documents"], data["metadatas"], strict=True):
            if "**" in text:
                entries.extend(parse_glossary(str(meta.get("doc_id", "")), text))
        # a passage in a lexicon language (Spanish, Italian, Catalan, French) is also searchable by its English
        # gloss, so that an English question meets a press note's words ("presentations" / "presentaciones")
        searchable = [f"{_label_of(m)} {m.get('section', '')}\n{t}"
                      + (f"\n{english_gloss(t, str(m.get('language')))}" if self.cross_language else "")
                      for t, m in zip(data["documents"], data["metadatas"], strict=True)]
        lexical = LexicalIndex(searchable)
        sources = SourceNamer.from_chunks(data["metadatas"], data["documents"], _label_of, lexical.idf)
        return _Snapshot(ids=data["ids"], texts=data["documents"], metas=data["metadatas"], lexical=lexical,
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
            r = _retrieved(cid, text, meta)
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
        return [_with(_retrieved(snap.ids[h.position], snap.texts[h.position], snap.metas[h.position]),
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
                return [_with(_retrieved(cid, text, meta), score=top)] + rest[:k - 1]
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

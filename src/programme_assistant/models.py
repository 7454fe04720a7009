"""Typed objects for each pipeline stage, with stable ids.

SourceDocument (a loaded file) -> Chunk (a span of its text) -> RetrievedChunk (a chunk with scores)
-> Citation / Answer (what the user sees). Beside them: the sync's report (FileReport, SyncReport), the
metadata filters (Filters), the mapping between a chunk and its store metadata (``chunk_metadata`` /
``retrieved_from_metadata``), the name a question may call a document by (``source_label``), and what the
index holds as the UI shows it (DocumentRow, Overview, GlossaryRow, FilterChoices, IndexStatus).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from programme_assistant.text.dates import month_of

DOC_TYPES = ("news", "report", "minutes", "guide", "faq", "other")
DocType = Literal["news", "report", "minutes", "guide", "faq", "other"]


@dataclass(frozen=True)
class PageSpan:
    """Page ``number`` (1-based) covers ``text[start:end]`` of its document."""

    number: int
    start: int
    end: int


@dataclass
class SourceDocument:
    """One file of the corpus, as text plus metadata.

    ``text`` is normalised: headings are Markdown heading lines (``# ...``) whatever the file
    format, paragraphs are separated by blank lines. Chunk offsets point into this text.
    """

    doc_id: str  # path relative to the corpus folder, POSIX separators: stable across runs
    text: str
    title: str
    source_path: str
    content_hash: str
    date: str | None = None  # ISO 8601 (YYYY-MM-DD, or YYYY-MM / YYYY when only that is known)
    doc_type: str = "other"
    language: str = "en"
    url: str | None = None
    publisher: str | None = None
    tags: list[str] = field(default_factory=list)
    pages: list[PageSpan] = field(default_factory=list)  # empty unless the format has pages
    notes: list[str] = field(default_factory=list)  # warnings worth reporting (e.g. encoding fallback)

    def page_at(self, offset: int) -> int | None:
        for page in self.pages:
            if page.start <= offset < page.end:
                return page.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].start else None


@dataclass(frozen=True)
class Chunk:
    """A contiguous span ``document.text[start:end]`` with its place in the document."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    index: int  # position of the chunk within its document
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    # the header row of the table the chunk begins inside, when that row is in an earlier chunk ("| Region |
    # Strategy reference |"): the chunk's rows are read, embedded and shown to an LLM under their column names
    table_header: str = ""

    @property
    def section(self) -> str:
        return " > ".join(self.heading_path)


def chunk_id_for(doc_id: str, text: str, occurrence: int) -> str:
    """Stable id: the same text (as embedded: title, section and body) in the same document, at its n-th
    occurrence, always gets the same id.

    Offsets are deliberately not part of the id: editing one paragraph of a file shifts the offsets
    of every later chunk, and their embeddings can then be kept instead of recomputed.
    """
    digest = hashlib.sha256(f"{doc_id}\x1f{occurrence}\x1f{text}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk found for a query, with its metadata and the scores that ranked it."""

    chunk: Chunk
    title: str
    date: str | None
    doc_type: str
    language: str
    source_path: str
    url: str | None = None
    score: float = 0.0  # the fused score used for ranking
    dense_score: float | None = None  # cosine similarity, when dense search found it
    lexical_score: float | None = None  # BM25 score, when lexical search found it


@dataclass
class Citation:
    """One numbered source of an answer: the passage, and the exact sentence in it that supports the claim."""

    number: int  # the [n] marker in the answer text
    chunk_id: str
    doc_id: str
    title: str
    date: str | None
    doc_type: str
    section: str
    page: int | None
    source_path: str
    url: str | None
    passage: str  # the chunk's text
    quote: str  # the supporting sentence, verbatim from the passage
    quote_start: int  # character span of ``quote`` in the document's text
    quote_end: int
    support: float = 1.0  # how well the quote supports the cited answer sentence (0..1)


@dataclass
class Answer:
    """What every answerer returns, and what the CLI, UI, HTTP API and evals consume."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    standalone_question: str = ""  # the question after rewriting a follow-up (the trace)
    retrieved: list[RetrievedChunk] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)  # e.g. best passage/sentence scores
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage: rewrite, retrieve, answer
    unsupported: list[str] = field(default_factory=list)  # answer sentences no cited passage supports
    nearest: list[dict[str, str]] = field(default_factory=list)  # for refusals: the closest documents
    answerer: str = "extractive"

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["retrieved"] = [
            {"chunk_id": r.chunk.chunk_id, "doc_id": r.chunk.doc_id, "title": r.title, "score": r.score,
             "dense_score": r.dense_score, "lexical_score": r.lexical_score, "section": r.chunk.section,
             "page": r.chunk.page}
            for r in self.retrieved
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An Answer back from ``to_dict`` (a stored conversation turn). The retrieved passages are not rebuilt:
        what a reader needs again is the text, the citations with their quotes, and the refusal."""
        names = {f.name for f in fields(Citation)}
        return cls(
            question=str(data.get("question", "")),
            text=str(data.get("text", "")),
            citations=[Citation(**{k: v for k, v in c.items() if k in names}) for c in data.get("citations", [])],
            refused=bool(data.get("refused", False)),
            standalone_question=str(data.get("standalone_question", "")),
            evidence=dict(data.get("evidence", {})),
            timings=dict(data.get("timings", {})),
            unsupported=list(data.get("unsupported", [])),
            nearest=list(data.get("nearest", [])),
            answerer=str(data.get("answerer", "extractive")),
        )


# --- the sync's report ----------------------------------------------------------------------------------
SyncStatus = Literal["added", "updated", "unchanged", "deleted", "failed", "skipped"]


@dataclass
class FileReport:
    """What a sync did with one file."""

    doc_id: str
    status: SyncStatus
    chunks: int = 0  # chunks the file has in the index after the run
    added: int = 0  # chunks newly embedded and stored
    removed: int = 0  # chunks deleted
    reused: int = 0  # chunks kept (embedding reused) in a changed file
    reason: str = ""
    fix: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    folder: str
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    embedded_chunks: int = 0
    total_chunks: int = 0
    repaired: list[str] = field(default_factory=list)  # what the run fixed from an interrupted one
    rebuilt: str = ""  # why the whole index was rebuilt, when it was
    prepared_sentences: int = 0  # answer candidates embedded ahead of questions (the answerer's vector cache)
    prepare_seconds: float = 0.0
    stopped: str = ""  # why the run stopped before the end (the index could not be written), and what to do
    stopped_fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.stopped and not any(f.status == "failed" for f in self.files)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("added", "updated", "unchanged", "deleted", "failed", "skipped")}
        for f in self.files:
            out[f.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["counts"] = self.counts()
        data["chunks_per_second"] = round(self.embedded_chunks / self.embed_seconds, 1) if self.embed_seconds else None
        return data


# --- filters ------------------------------------------------------------------------------------------------
def date_int(iso: str, end: bool = False) -> int:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as the int YYYYMMDD stored with each chunk; a partial date is
    the first day of its period, or with ``end`` its last day (31 for a month: only ordering matters)."""
    digits = iso.replace("-", "")
    if len(digits) >= 8:
        return int(digits[:8])
    if len(digits) == 6:
        return int(digits + ("31" if end else "01"))
    return int(digits[:4] + ("1231" if end else "0101"))


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

    def chroma_where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_types:
            clauses.append({"doc_type": {"$in": list(self.doc_types)}})
        if self.languages:
            clauses.append({"language": {"$in": list(self.languages)}})
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.date_from:
            clauses.append({"date_int": {"$gte": date_int(self.date_from)}})
        if self.date_to:
            clauses.append({"date_int": {"$lte": date_int(self.date_to, end=True)}})
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
        stored = int(meta.get("date_int") or 0)
        if self.date_from and stored < date_int(self.date_from):
            return False
        return not (self.date_to and (stored == 0 or stored > date_int(self.date_to, end=True)))

    @property
    def empty(self) -> bool:
        return not (self.doc_types or self.languages or self.doc_ids or self.date_from or self.date_to)

    @property
    def reversed(self) -> bool:
        """The range ends before it starts (no document can match)."""
        return bool(self.date_from and self.date_to and date_int(self.date_to, end=True) < date_int(self.date_from))


# --- a chunk <-> its metadata in the store ------------------------------------------------------------------
def chunk_metadata(chunk: Chunk, doc: SourceDocument) -> dict[str, Any]:
    """The store's metadata for a chunk (no None values: Chroma rejects them). Read back by
    ``retrieved_from_metadata`` and matched by ``Filters``."""
    date = doc.date or ""
    return {
        "doc_id": chunk.doc_id,
        "title": doc.title,
        "date": date,
        # YYYYMMDD as an int so date ranges can be filtered with $gte/$lte; 0 when undated
        "date_int": date_int(date) if date else 0,
        "doc_type": doc.doc_type,
        "language": doc.language,
        "source_path": doc.source_path,
        "url": doc.url or "",
        "section": chunk.section,
        "page": chunk.page if chunk.page is not None else -1,
        "start": chunk.start,
        "end": chunk.end,
        "chunk_index": chunk.index,
        "table_header": chunk.table_header,
    }


def retrieved_from_metadata(chunk_id: str, text: str, meta: dict[str, Any]) -> RetrievedChunk:
    """A stored chunk (id, text and ``chunk_metadata``) as a RetrievedChunk with no scores yet."""
    page = int(meta.get("page", -1))
    section = str(meta.get("section") or "")
    chunk = Chunk(chunk_id=chunk_id, doc_id=str(meta.get("doc_id", "")), text=text, start=int(meta.get("start", 0)),
                  end=int(meta.get("end", len(text))), index=int(meta.get("chunk_index", 0)),
                  heading_path=tuple(section.split(" > ")) if section else (), page=page if page >= 0 else None,
                  table_header=str(meta.get("table_header") or ""))
    return RetrievedChunk(chunk=chunk, title=str(meta.get("title", "")), date=str(meta.get("date") or "") or None,
                          doc_type=str(meta.get("doc_type", "other")), language=str(meta.get("language", "")),
                          source_path=str(meta.get("source_path", "")), url=str(meta.get("url") or "") or None)


# --- what a question may call a document ----------------------------------------------------------------------
_TYPE_WORDS = {"news": "news article item announcement", "report": "report summary", "minutes": "minutes notes",
               "guide": "guide pack briefing", "faq": "faq guide onboarding"}
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "it": "Italian", "ca": "Catalan", "fr": "French",
                   "de": "German", "ja": "Japanese", "pt": "Portuguese", "nl": "Dutch", "sl": "Slovenian"}


def source_label(title: str, doc_type: str, date: str | None, language: str, doc_id: str) -> str:
    """What a question may call a document by: "the Italian press note", "the December 2022 news item", "the
    mission report". Its title, the words of its file path, its kind, language and month. BM25 indexes it with
    every chunk and the extractive answerer matches questions against it."""
    date = date or ""
    path_words = re.sub(r"[/_.-]+", " ", doc_id.rsplit(".", 1)[0])
    return " ".join(p for p in (title, path_words, _TYPE_WORDS.get(doc_type, doc_type),
                                _LANGUAGE_NAMES.get(language, ""), month_of(date) or date[:4]) if p)


def label_of(meta: dict[str, Any]) -> str:
    """``source_label`` of a stored chunk's document, from its metadata."""
    return source_label(str(meta.get("title", "")), str(meta.get("doc_type", "")), str(meta.get("date") or ""),
                        str(meta.get("language", "")), str(meta.get("doc_id", "")))


# --- what the index holds, as the UI shows it -------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    title: str
    doc_type: str
    date: str
    language: str
    chunks: int
    status: str  # 'indexed', or 'interrupted' for a file whose last write did not complete
    updated_at: str

    @property
    def year(self) -> str:
        return self.date[:4] if self.date[:4].isdigit() else ""


@dataclass(frozen=True)
class Overview:
    documents: int
    chunks: int
    by_type: dict[str, int]
    by_language: dict[str, int]
    by_year_and_type: list[tuple[str, str, int]]  # (year, type, count), years ascending
    first_date: str
    last_date: str
    last_sync: str


@dataclass(frozen=True)
class GlossaryRow:
    term: str
    meaning: str
    definition: str
    doc_id: str
    # the corpus sentence that says what the term is or does here ("" when none does), and where it is
    explanation: str = ""
    source_doc_id: str = ""
    source_title: str = ""
    source_start: int = -1
    source_end: int = -1


@dataclass(frozen=True)
class Milestone:
    """A dated event of the programme, as a document states it (a timeline's line), with where it says so."""

    date: str  # ISO, as precise as the document: YYYY, YYYY-MM or YYYY-MM-DD
    text: str
    doc_id: str
    title: str  # the document's
    start: int  # the line's span in the document's text (-1: the document itself, not a line of it)
    end: int


@dataclass(frozen=True)
class FilterChoices:
    doc_types: list[str]
    languages: list[str]


@dataclass(frozen=True)
class IndexStatus:
    """What ``/api/health`` reports: the index's size, the models and the last sync."""

    documents: int
    chunks: int
    last_sync: str | None
    embedding_model: str
    answerer: str
    llm_model: str | None
    retrieval_mode: str

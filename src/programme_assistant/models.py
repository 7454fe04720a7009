"""Typed objects for each pipeline stage, with stable ids.

SourceDocument (a loaded file) -> Chunk (a span of its text) -> RetrievedChunk (a chunk with scores)
-> Citation / Answer (what the user sees).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

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
        from dataclasses import asdict

        data = asdict(self)
        data["retrieved"] = [
            {"chunk_id": r.chunk.chunk_id, "doc_id": r.chunk.doc_id, "title": r.title, "score": r.score,
             "dense_score": r.dense_score, "lexical_score": r.lexical_score, "section": r.chunk.section,
             "page": r.chunk.page}
            for r in self.retrieved
        ]
        return data

"""What the corpus holds, as plain data for the UI: the document list, counts per type and year, the timeline,
the glossary, the filter choices and the starter questions. No Gradio here, and no retrieval: these read the
sync manifest and the stored chunks the assistant already has.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

# A Markdown heading that is a question (the FAQ entries of a corpus).
_QUESTION_HEADING = re.compile(r"^#{1,6}[ \t]+(.{8,120}\?)[ \t]*$", re.MULTILINE)


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


def documents(assistant: Any) -> list[DocumentRow]:
    """Every document in the index, newest first (undated last)."""
    if assistant.folder_sync is None:
        return []
    rows = [
        DocumentRow(
            r.doc_id,
            r.title or r.doc_id,
            r.doc_type or "other",
            r.date or "",
            r.language or "",
            len(r.chunk_ids),
            "indexed" if r.status == "complete" else "interrupted",
            r.updated_at,
        )
        for r in assistant.folder_sync.manifest.records().values()
    ]
    return sorted(rows, key=lambda d: (d.date == "", _neg(d.date), d.title.lower()))


def _neg(date: str) -> str:
    """Sort key that puts later ISO dates first."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in date)


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


def overview(assistant: Any) -> Overview:
    docs = documents(assistant)
    dated = sorted(d.date for d in docs if d.date)
    per_year = Counter((d.year or "undated", d.doc_type) for d in docs)
    last_sync = ""
    chunks = 0
    if assistant.folder_sync is not None:
        last_sync = assistant.folder_sync.manifest.get_meta("last_sync") or ""
        chunks = assistant.folder_sync.store.count()
    return Overview(
        documents=len(docs),
        chunks=chunks,
        by_type=dict(Counter(d.doc_type for d in docs).most_common()),
        by_language=dict(Counter(d.language for d in docs).most_common()),
        by_year_and_type=sorted((y, t, n) for (y, t), n in per_year.items()),
        first_date=dated[0] if dated else "",
        last_date=dated[-1] if dated else "",
        last_sync=last_sync,
    )


def timeline(assistant: Any) -> list[DocumentRow]:
    """Dated documents, oldest first."""
    return sorted((d for d in documents(assistant) if d.date), key=lambda d: (d.date, d.title.lower()))


@dataclass(frozen=True)
class GlossaryRow:
    term: str
    meaning: str
    definition: str
    doc_id: str


def is_acronym(term: str) -> bool:
    """FPI, DG REGIO, CoP, Clust-ER, S3, IURC2: each word has a capital after its first letter, or a digit.
    Bold list labels such as "Online" or "European Commission" are not."""
    words = term.split()
    return 0 < len(words) <= 3 and all(re.search(r"(?<=.)[A-Z]|\d", w) for w in words)


def glossary(assistant: Any, query: str = "") -> list[GlossaryRow]:
    """The corpus glossary's acronyms (acronym, full name, explanation), alphabetical; filtered by ``query``."""
    rows = [GlossaryRow(e.term, e.expansion, e.definition, e.doc_id) for e in assistant.search.glossary.entries
            if is_acronym(e.term)]
    needle = query.strip().lower()
    if needle:
        rows = [r for r in rows if needle in f"{r.term} {r.meaning} {r.definition}".lower()]
    return sorted(rows, key=lambda r: r.term.lower())


@dataclass(frozen=True)
class FilterChoices:
    doc_types: list[str]
    languages: list[str]


def filter_choices(assistant: Any) -> FilterChoices:
    docs = documents(assistant)
    return FilterChoices(doc_types=sorted({d.doc_type for d in docs}), languages=sorted({d.language for d in docs}))


def starter_questions(assistant: Any, configured: list[str], count: int) -> list[str]:
    """The welcome panel's questions: the configured ones, else the corpus's own FAQ headings, spread over the
    list so they cover different topics; else one question per glossary acronym."""
    if configured:
        return configured[:count]
    if count <= 0:
        return []
    snapshot = assistant.search.snapshot()
    faq_chunks = sorted(
        (
            (str(m.get("date", "")), str(m.get("doc_id", "")), int(m.get("chunk_index", 0)), text)
            for text, m in zip(snapshot.texts, snapshot.metas, strict=True)
            if m.get("doc_type") == "faq"
        ),
        key=lambda c: (_neg(c[0]), c[1], c[2]),
    )
    questions = list(dict.fromkeys(q.strip() for *_, text in faq_chunks for q in _QUESTION_HEADING.findall(text)))
    if not questions:
        questions = [f"What does {e.term} stand for?" for e in snapshot.glossary.entries]
    if len(questions) <= count:
        return questions
    step = len(questions) / count
    return [questions[round(i * step)] for i in range(count)]

"""What the index holds, as plain data: the document list, counts per type and year, the timeline, the
glossary's acronyms, the filter choices and the starter questions. Built from the sync manifest's records and
the stored chunks; the Assistant hands these to the UI and the API.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from programme_assistant.ingest.explanations import Explanation
from programme_assistant.ingest.manifest import FileRecord
from programme_assistant.models import DocumentRow, FilterChoices, GlossaryRow, Overview
from programme_assistant.retrieval.glossary import GlossaryEntry

# A Markdown heading that is a question (the FAQ entries of a corpus).
_QUESTION_HEADING = re.compile(r"^#{1,6}[ \t]+(.{8,120}\?)[ \t]*$", re.MULTILINE)


def _neg(date: str) -> str:
    """Sort key that puts later ISO dates first."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in date)


def document_rows(records: Mapping[str, FileRecord]) -> list[DocumentRow]:
    """Every document in the index, newest first (undated last)."""
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
        for r in records.values()
    ]
    return sorted(rows, key=lambda d: (d.date == "", _neg(d.date), d.title.lower()))


def overview(docs: list[DocumentRow], chunks: int, last_sync: str) -> Overview:
    dated = sorted(d.date for d in docs if d.date)
    per_year = Counter((d.year or "undated", d.doc_type) for d in docs)
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


def timeline(docs: list[DocumentRow]) -> list[DocumentRow]:
    """Dated documents, oldest first."""
    return sorted((d for d in docs if d.date), key=lambda d: (d.date, d.title.lower()))


def is_acronym(term: str) -> bool:
    """FPI, DG REGIO, CoP, Clust-ER, S3, IURC2: each word has a capital after its first letter, or a digit.
    Bold list labels such as "Online" or "European Commission" are not."""
    words = term.split()
    return 0 < len(words) <= 3 and all(re.search(r"(?<=.)[A-Z]|\d", w) for w in words)


def glossary_rows(entries: Iterable[GlossaryEntry], query: str = "",
                  explanations: Mapping[str, Explanation] | None = None) -> list[GlossaryRow]:
    """The corpus glossary's acronyms (acronym, full name, definition line, and the corpus sentence that
    explains it when ``explanations`` has one), alphabetical; filtered by ``query``."""
    explanations = explanations or {}
    rows = []
    for e in entries:
        if not is_acronym(e.term):
            continue
        x = explanations.get(e.term)
        rows.append(GlossaryRow(e.term, e.expansion, e.definition, e.doc_id, *(
            (x.text, x.doc_id, x.title, x.start, x.end) if x else ())))
    needle = query.strip().lower()
    if needle:
        rows = [r for r in rows if needle in f"{r.term} {r.meaning} {r.definition} {r.explanation}".lower()]
    return sorted(rows, key=lambda r: r.term.lower())


def filter_choices(docs: list[DocumentRow]) -> FilterChoices:
    return FilterChoices(doc_types=sorted({d.doc_type for d in docs}), languages=sorted({d.language for d in docs}))


def starter_questions(texts: list[str], metas: list[dict[str, Any]], entries: Iterable[GlossaryEntry],
                      configured: list[str], count: int) -> list[str]:
    """The welcome panel's questions: the configured ones, else the corpus's own FAQ headings (from the stored
    chunks' ``texts`` and ``metas``), spread over the list so they cover different topics; else one question
    per glossary acronym."""
    if configured:
        return configured[:count]
    if count <= 0:
        return []
    faq_chunks = sorted(
        (
            (str(m.get("date", "")), str(m.get("doc_id", "")), int(m.get("chunk_index", 0)), text)
            for text, m in zip(texts, metas, strict=True)
            if m.get("doc_type") == "faq"
        ),
        key=lambda c: (_neg(c[0]), c[1], c[2]),
    )
    questions = list(dict.fromkeys(q.strip() for *_, text in faq_chunks for q in _QUESTION_HEADING.findall(text)))
    if not questions:
        questions = [f"What does {e.term} stand for?" for e in entries]
    if len(questions) <= count:
        return questions
    step = len(questions) / count
    return [questions[round(i * step)] for i in range(count)]

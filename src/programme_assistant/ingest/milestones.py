"""The programme's milestones, read from its own documents: the dated lines of a timeline.

A document is a timeline when its title, file name or type says so ("timeline", "chronology", "milestones",
"key dates", "calendar", "roadmap", in any folder of any programme). Its milestones are its lines that start
with a date, as a list item (``- 2022-07-13 — First exchange meeting``, ``* 13 July 2022: ...``) or as a table
row whose first cell is a date. Dates may be ISO (``2022``, ``2022-07``, ``2022-07-13``) or written out
(``13 July 2022``, ``13–19 November 2022``, ``July 2022``, ``Nov. 2022``); each is kept as precise as written.

A programme whose folder has no timeline still gets one: its dated documents, each by its date and title.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from programme_assistant.models import DocumentRow, Milestone, SourceDocument
from programme_assistant.text.dates import MONTH_ABBREVIATIONS, MONTHS
from programme_assistant.text.tables import TABLE_RULE, table_cells

TIMELINE_WORDS = re.compile(r"time[ _-]?line|chronolog|milestone|key[ _-]dates|calendar|road[ _-]?map", re.IGNORECASE)
MIN_MILESTONES = 3  # fewer dated lines than this: the document is not used as the timeline

_MONTH = "|".join(sorted((*MONTHS, *MONTH_ABBREVIATIONS), key=len, reverse=True))
_MONTH_NUMBER = {m.lower(): i + 1 for i, m in enumerate(MONTHS)} | {
    a.lower(): (MONTHS.index(next(m for m in MONTHS if m.startswith(a[:3]))) + 1) for a in MONTH_ABBREVIATIONS}
_ISO = r"(?P<iso>(?:19|20)\d{2}(?:-[01]\d(?:-[0-3]\d)?)?)"
_WRITTEN = (rf"(?P<day>[0-3]?\d)?(?:\s*[–-]\s*[0-3]?\d)?\s*(?P<month>{_MONTH})\.?\s+(?P<year>(?:19|20)\d{{2}})")
_DATE = re.compile(rf"(?:{_ISO}|{_WRITTEN})(?![\w-])", re.IGNORECASE)
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])?[ \t]*(?:\*\*|__)?")
_SEPARATOR = re.compile(r"^(?:\*\*|__)?[ \t]*[—–:|-]+[ \t]*")


def is_timeline(title: str, doc_id: str, doc_type: str) -> bool:
    return bool(TIMELINE_WORDS.search(f"{title} {doc_id} {doc_type}"))


def iso_date(m: re.Match[str]) -> str:
    """A matched date as ISO, as precise as written ("13 July 2022" -> "2022-07-13", "July 2022" -> "2022-07")."""
    if m.group("iso"):
        return m.group("iso")
    month = _MONTH_NUMBER[m.group("month").lower().rstrip(".")]
    day = f"-{int(m.group('day')):02d}" if m.group("day") else ""
    return f"{m.group('year')}-{month:02d}{day}"


def _valid(iso: str) -> bool:
    parts = [int(p) for p in iso.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _clean(text: str) -> str:
    return " ".join(re.sub(r"\*\*|__|`", "", text).split()).strip(" —–-:|")


def milestones_of(doc: SourceDocument) -> list[Milestone]:
    """The dated lines of a document, in the document's order, with their spans in its text."""
    found: list[Milestone] = []
    offset = 0
    for line in doc.text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip() or line.lstrip().startswith("#") or TABLE_RULE.match(line):
            continue
        if line.strip().startswith("|"):  # a table row: the first cell is the date, the others the event
            cells = table_cells(line)
            date = _DATE.fullmatch(cells[0].strip("* _")) if cells else None
            text = " — ".join(c for c in (_clean(c) for c in cells[1:]) if c)
        else:
            item = _ITEM.match(line)
            at = item.end() if item else 0
            date = _DATE.match(line, at)
            rest = line[date.end():] if date else ""
            separator = _SEPARATOR.match(rest)
            if date is None or separator is None:
                continue  # a sentence that starts with a date is prose, not a timeline line
            text = _clean(rest[separator.end():])
        if date is None or len(text) < 3 or not _valid(iso_date(date)):
            continue  # "2022-13-40" is a number, not a date
        found.append(Milestone(iso_date(date), text, doc.doc_id, doc.title, line_start, line_start + len(line)))
    return found


def from_documents(docs: Iterable[DocumentRow]) -> list[Milestone]:
    """Without a timeline: each dated document by its date and title."""
    return [Milestone(d.date, d.title, d.doc_id, d.title, -1, -1) for d in docs if d.date and _valid(d.date[:10])]


def in_order(milestones: Iterable[Milestone]) -> list[Milestone]:
    """Oldest first; a line of the same date keeps its place in its document."""
    return sorted(milestones, key=lambda m: m.date)

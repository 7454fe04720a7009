"""Markdown table lines, read alike by the answer candidates and the source cards."""

from __future__ import annotations

import re

# the rule under a header row: "|---|:---:|"
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def table_cells(line: str) -> list[str]:
    """"| AZTI | Basque Country |" -> ["AZTI", "Basque Country"] (empty cells kept, in place)."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def header_above(text: str, start: int) -> str:
    """The header row of the Markdown table that ``text[start:]`` begins inside ("| Region | Strategy reference |"),
    or "": the first of the table rows just above ``start``, when a header rule follows it."""
    first = start
    while first < len(text) and text[first] in " \t":
        first += 1
    if not text.startswith("|", first):
        return ""
    # walk back line by line from ``start`` (blank lines right above it skipped), without copying the document
    end = start
    while end > 0 and text[end - 1] == "\n":
        end -= 1
    rows: list[str] = []
    while end > 0:
        line_start = text.rfind("\n", 0, end) + 1
        line = text[line_start:end].strip()
        if not line.startswith("|"):
            break
        rows.append(line)
        end = line_start - 1
    rows.reverse()
    return rows[0] if len(rows) >= 2 and TABLE_RULE.match(rows[1]) else ""


def looks_like_header(cells: list[str]) -> bool:
    """Whether a table's first row names its columns: every cell short (four words at most) and without a number
    ("Dates | Group A | Group B"; not "13 November | Start of the visit")."""
    return all(c and len(c.split()) <= 4 and not re.search(r"\d", c) for c in cells)

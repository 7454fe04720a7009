"""Markdown table lines, read alike by the answer candidates and the source cards."""

from __future__ import annotations

import re

# the rule under a header row: "|---|:---:|"
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def table_cells(line: str) -> list[str]:
    """"| AZTI | Basque Country |" -> ["AZTI", "Basque Country"] (empty cells kept, in place)."""
    return [c.strip() for c in line.strip().strip("|").split("|")]

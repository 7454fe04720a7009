"""Regular-expression classes for upper- and lower-case letters of every script that has case.

Python's ``re`` has no ``\\p{Lu}``: ``[A-Z][a-z]+`` reads "Ozoliņš" as "Ozoli" and "Ōsaka" not at all. These
classes hold every code point that ``str.isupper`` / ``str.islower`` call a cased letter, as ranges.
"""

from __future__ import annotations

from collections.abc import Callable


def _letter_class(test: Callable[[str], bool]) -> str:
    """``[...]`` of every letter ``test`` accepts, written as ranges of consecutive code points."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):  # the Basic Multilingual Plane: every script in use
        char = chr(code)
        if char.isalpha() and test(char):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    parts = [f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges]
    return "[" + "".join(parts) + "]"


# "Ö", "Š", "Ł", "Α": a capital letter; "ņ", "š", "é", "ß": a small one.
UPPER = _letter_class(str.isupper)
LOWER = _letter_class(str.islower)

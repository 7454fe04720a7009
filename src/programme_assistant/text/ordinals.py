"""Ordinal words, and the ordinal that points back at an item of the conversation ("that second one")."""

from __future__ import annotations

import re

from programme_assistant.text.sentences import fold

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth")
WORD_ORDINALS = (*ORDINALS, "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
                 "nineteenth", "twentieth", "thirtieth")
_ORDINAL = rf"(?:{'|'.join(WORD_ORDINALS)}|last|\d{{1,2}}(?:st|nd|rd|th))"
# an ordinal that names an item of the conversation, not of the documents: "that second one", "their 2nd stop",
# "the first of those", "the third of the two", "that last one"
POINTING_BACK = re.compile(rf"\b(?:that|their|those|these|this)\s+({_ORDINAL})\b"
                           rf"|\b({_ORDINAL})\s+(?:ones?\b|of\s+(?:them|those|these|the\s+two)\b)")


def pointing_back(question: str) -> int | None:
    """The position an ordinal of the question points back at ("the second one" -> 2, "their 3rd stop" -> 3,
    "that last stop" -> -1), or None."""
    m = POINTING_BACK.search(fold(question))
    if m is None:
        return None
    word = m.group(1) or m.group(2)
    return -1 if word == "last" else position(word)


def position(ordinal: str) -> int:
    """The position an ordinal word or number names: "third" -> 3, "3rd" -> 3."""
    return WORD_ORDINALS.index(ordinal) + 1 if ordinal in WORD_ORDINALS else int(re.sub(r"\D", "", ordinal))

"""Sentence spans, content words, accent folding and stop words: how every stage cuts up and compares text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from programme_assistant.text.dates import MONTH_ABBREVIATIONS

_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=(?:[\"'“‘(\[¿¡]|\*{1,2}|_{1,2})?[A-Z0-9À-ÖØ-Þ])|\n+")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]|" + "|".join(MONTH_ABBREVIATIONS) + r"|Dr|Mr|Mrs|Ms|St|No|Nos|nr|approx|ca|"
    r"e\.g|i\.e|cf|vs|etc|Inc|Ltd|Co|Art|Fig|p|pp|Vol|Sr|Jr|Prof|Gen|Dept)\.)$"
)
# "webinar no. 5", "nos. 3 and 4": a number's abbreviation, in any case, before a number
_NUMBER_ABBREVIATION = re.compile(r"\b(?:no|nos|nr|num)\.$", re.IGNORECASE)
# "6.", "2.1.", "iv.": the number of a paragraph or agenda item ("**6. Budget.** The committee ..."), not a sentence
_ENUMERATOR = re.compile(r"[\W_]*(?:\d{1,3}(?:\.\d{1,3})*|[ivx]{1,5})\.", re.IGNORECASE)
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing done down during each few for from further had has have having he her
here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or
other our ours out over own same she should so some such than that the their theirs them then there these they
this those through to too under until up very was we were what when where which while who whom why will with
would you your yours yes did does say says said tell told give given get got please know let lets
el la los las de del que y en un una por con para es se al lo como mas pero sus le ya o este esta son fue
il lo gli le di da che e non per una sono nel della dei delle
le la les des du et en un une est que qui dans pour par sur au aux ce cette quel quelle quels quelles
els les del dels que i en un una per amb es va
""".split())


# Japanese kana's voicing marks (が = か + U+3099) are letters of their own, not accents: "どこ" (where) is not "とこ"
_KANA_MARKS = "\u3099\u309a"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in _KANA_MARKS).lower()
    return unicodedata.normalize("NFC", folded) if "\u3099" in folded or "\u309a" in folded else folded


def _closes_later(before: str, after: str) -> bool:
    """Whether a full stop fell inside brackets that the next piece closes: "Maputo (Eng. Celeste Mucavele),
    Windhoek ..." is one sentence, whatever the abbreviation ("Eng.", "Bros.", "Hon."); a stop right before the
    closing bracket ("(see section 2.) Then ...") is the end of one."""
    depth = before.count("(") - before.count(")")
    if depth <= 0:
        return False
    inner = depth
    for ch in after:
        inner += (ch == "(") - (ch == ")")
        if inner < depth:
            return True
    return False


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line in ``text``, trimmed of surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for m in _BOUNDARY.finditer(text):
        spans.append((cursor, m.start()))
        cursor = m.end()
    spans.append((cursor, len(text)))
    merged: list[tuple[int, int]] = []
    for s, e in spans:  # "13 Nov. 2022", "Dr. Smith", "webinar no. 5", "6. Budget": not the end of a sentence
        before = text[merged[-1][0]:merged[-1][1]] if merged else ""
        if merged and text[merged[-1][1]:s].strip() == "" and "\n" not in text[merged[-1][1]:s] \
                and (_ABBREVIATION.search(before) or _ENUMERATOR.fullmatch(before.strip())
                     or (_NUMBER_ABBREVIATION.search(before) and text[s:e].lstrip()[:1].isdigit())
                     or _closes_later(text[merged[-1][0]:s], text[s:e])):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    spans = merged
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


_LABEL = re.compile(r"\b([A-Z][a-z]+)[ \t]+([A-Z0-9])\b(?![\w'’-])")


def join_labels(text: str) -> str:
    """"Group B", "Phase 2", "Annex A" -> "Group_B": the one letter is what tells such things apart. A function
    word before the letter names nothing: "When I cite it", "Should I", "If I" keep the pronoun apart (joined,
    "when_i" was a word no passage holds, the heaviest of its question)."""
    return _LABEL.sub(_joined, text)


def label_head(word: str) -> str | None:
    """The head word of a label ``join_labels`` made ("group_b" -> "group"); None for any other word."""
    return word.split("_", 1)[0] if "_" in word else None


def _joined(match: re.Match[str]) -> str:
    head, letter = match.group(1), match.group(2)
    return match.group() if fold(head) in STOPWORDS else f"{head}_{letter}"


def content_words(text: str) -> list[str]:
    """Lower-cased, accent-folded words that carry meaning (no stop words, no 1-letter tokens)."""
    # a statement's words are kept: the answerer reads the same candidates for every question about them
    return list(_kept_content_words(text) if len(text) <= CACHED_TEXT_CHARS else _content_words(text))


# Texts up to this long (a statement, a question) have their words kept, the last 16,384 of them (a few MB).
CACHED_TEXT_CHARS = 600


def _content_words(text: str) -> tuple[str, ...]:
    words = (fold(m.group()) for m in _WORD.finditer(join_labels(text)))
    return tuple(w for w in words if len(w) > 1 and w not in STOPWORDS)


_kept_content_words = lru_cache(maxsize=16384)(_content_words)


def question_words(text: str) -> frozenset[str]:
    """A question's content words: "What were the 2023 webinars?" -> {"2023", "webinars"}."""
    return frozenset(content_words(text))


def same_question(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two questions' words (``question_words``) ask the same: the same words, at least two; or, from four
    words on, all but one."""
    return len(a) >= 2 and (a == b or (min(len(a), len(b)) >= 4 and len(a ^ b) <= 1))


CLAUSE_START = r"(?:when|where|which|who|whom|what|why|how|did|does|do|was|were|is|are|has|have|had)\b"
PART_BREAK = re.compile(rf"\s*(?:[,;]\s*(?:and\s+)?|\s+and\s+)(?={CLAUSE_START})", re.IGNORECASE)

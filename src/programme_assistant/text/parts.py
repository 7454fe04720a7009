"""The questions a question is made of: its clauses ("Where did Group B meet, and when did the Expo run?"), and the
items of a series it asks the same thing of ("Where were the third and the fourth meetings held?" asks where the
third was held and where the fourth was). The answerer quotes the best statement for each part
(``ExtractiveAnswerer.composition``), so that an answer does not stop at one of them."""

from __future__ import annotations

import re
from functools import lru_cache

from programme_assistant.text.ordinals import WORD_ORDINALS, position
from programme_assistant.text.sentences import CLAUSE_START, PART_BREAK, content_words, sentence_spans

_ORDINAL = rf"(?:very\s+)?(?:{'|'.join(WORD_ORDINALS)}|last|final|\d{{1,2}}(?:st|nd|rd|th))"
# "the second and the third meetings", "the first, second and third calls", "both the first and the last visits":
# ordinals joined by "and" before the words they share
_ORDINALS_JOINED = re.compile(
    rf"\b(?P<det>(?:both\s+)?the\s+)?(?P<items>{_ORDINAL}(?:\s*,\s*(?:the\s+)?{_ORDINAL})*\s*,?\s+and\s+"
    rf"(?:the\s+)?{_ORDINAL})\b(?=\s+[\w-])", re.IGNORECASE)
_ONE_ORDINAL = re.compile(_ORDINAL, re.IGNORECASE)
# "Group A and Group B", "Groups A and B", "Phase 1, 2 and 3": the letters or numbers that tell a series' items apart
_LABELS_JOINED = re.compile(
    r"\b(?P<head>[A-Z][a-z]+)\s+(?P<items>[A-Z0-9](?:\s*,\s*(?:(?P=head)\s+)?[A-Z0-9])*\s*,?\s+and\s+"
    r"(?:(?P=head)\s+)?[A-Z0-9])(?![\w'’-])")
_LABEL_HEAD_PLURAL = re.compile(r"\b(?P<head>[A-Z][a-z]+)s\s+(?=[A-Z0-9](?:\s*,\s*[A-Z0-9])*\s*,?\s+and\s+[A-Z0-9]\b)")
_ONE_LABEL = re.compile(r"(?<![\w'’-])[A-Z0-9](?![\w'’-])")
# a word that opens a question or a clause of one: a piece without any is a lead-in ("For colleagues in Europe, what
# were the times?"), not a question of its own
_CLAUSE_WORD = re.compile(rf"\b{CLAUSE_START}", re.IGNORECASE)


def distributed(question: str) -> list[str]:
    """The question asked of each item of a series it names joined by "and": "Where were the third and the fourth
    meetings held?" -> ["Where were the third meetings held?", "Where were the fourth meetings held?"]; "Which
    prefectures did Groups A and B visit?" -> one question for "Group A", one for "Group B". One question when it
    names no such series, or an item twice over ("the fourth and final meeting" is one meeting). "or" joins
    alternatives, not items asked about each ("Was it in Group A or Group B?"): left alone."""
    return [text for text, _ in _distributed(question)]


def series_items(question: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each part of ``question`` that asks about one item of a series (``distributed``) -> (its item, the series'
    other items): "Where were the third and the fourth meetings held?" -> {"Where were the third meetings held?":
    ("third", ("fourth",)), ...}. Parts that name no series are not in it."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for piece in _clause_pieces(question):
        pairs = _distributed(piece)
        items = [item for _, item in pairs if item is not None]
        for text, item in pairs:
            if item is not None:
                found[text] = (item, tuple(i for i in items if i != item))
    return found


def names_item(text: str, item: str) -> bool:
    """The text names that item of a series: an ordinal in words, figures or as a number ("third", "3rd",
    "no. 3"; "last" or "final" for either), or a label ("Group A", "group_a")."""
    return _item_pattern(item).search(text) is not None


@lru_cache(maxsize=256)
def _item_pattern(item: str) -> re.Pattern[str]:
    word = re.sub(r"^very\s+", "", item.strip(), flags=re.IGNORECASE).lower()
    if word in ("last", "final"):
        return re.compile(r"\b(?:last|final)\b", re.IGNORECASE)
    if _ONE_ORDINAL.fullmatch(word):
        n = position(word)
        words = [WORD_ORDINALS[n - 1]] if n <= len(WORD_ORDINALS) else []
        forms = [*words, rf"{n}(?:st|nd|rd|th)", rf"no\.?\s*{n}"]
        return re.compile(rf"\b(?:{'|'.join(forms)})\b", re.IGNORECASE)
    head, _, letter = item.partition(" ")
    return re.compile(rf"\b{re.escape(head)}[ _]{re.escape(letter)}(?![\w'’-])", re.IGNORECASE)


def _distributed(question: str) -> list[tuple[str, str | None]]:
    match = _ORDINALS_JOINED.search(question)
    if match is not None:
        items = [m.group() for m in _ONE_ORDINAL.finditer(match.group("items"))]
        # "the fourth and final meeting", "its second and last call": a second name of the same item
        same_item = (len(items) == 2 and re.search(r"\band\s+(?:last|final)\b", match.group("items"), re.IGNORECASE)
                     and not re.match(r"(?:very\s+)?first$", items[0], re.IGNORECASE))
        if not same_item and len({i.lower() for i in items}) == len(items):
            det = "the " if match.group("det") else ""
            return [(f"{question[:match.start()]}{det}{item}{question[match.end():]}", item) for item in items]
    singular = _LABEL_HEAD_PLURAL.sub(lambda m: f"{m.group('head')} ", question)
    match = _LABELS_JOINED.search(singular)
    if match is not None:
        head = match.group("head")
        items = _ONE_LABEL.findall(match.group("items"))
        if len(set(items)) == len(items):
            return [(f"{singular[:match.start()]}{head} {item}{singular[match.end():]}", f"{head} {item}")
                    for item in items]
    return [(question, None)]


def _pieces(sentence: str) -> list[str]:
    return [p.strip() for p in PART_BREAK.split(sentence) if p and p.strip()]


def has_lead_in(question: str) -> bool:
    """The question opens with words that set its scene and ask nothing, before a comma ("According to the mission
    report from the November 2022 trip, what is Aichi's specialisation?", "Adding up the Americas and Asia, how
    many ...?"): their years, ordinals and nouns are not what is asked."""
    return any(len(pieces) > 1 and not _CLAUSE_WORD.search(pieces[0])
               for pieces in (_pieces(question[s:e]) for s, e in sentence_spans(question)))


def question_clauses(question: str) -> list[str]:
    """"Where did Group B meet, and when did the Expo run?" -> ["Where did Group B meet", "when did the Expo
    run?"]: the questions a question is made of (one when it is simple), each clause asked of each item of a
    series it names (``distributed``), short ones too ("..., and where?"). A statement before the question ("Kyoto
    later agreed a deal. When was that?"), and a lead-in without a question word ("For colleagues in Europe, when
    ...?"), stay with the clause after it."""
    return [part for piece in _clause_pieces(question) for part in distributed(piece)] or [question]


def _clause_pieces(question: str) -> list[str]:
    sentences = [question[s:e] for s, e in sentence_spans(question)] or [question]
    parts: list[str] = []
    carry = ""
    for sentence in sentences:
        if not sentence.rstrip().endswith("?"):
            carry = f"{carry} {sentence}".strip()
            continue
        pieces = _pieces(sentence)
        while len(pieces) > 1 and not _CLAUSE_WORD.search(pieces[0]):
            pieces[:2] = [f"{pieces[0]}, {pieces[1]}"]  # a lead-in goes with the question after it
        if carry and pieces:
            pieces[0] = f"{carry} {pieces[0]}"
            carry = ""
        parts.extend(pieces)
    if carry:
        parts.append(carry)
    return parts


def question_parts(question: str) -> list[str]:
    """The clauses of ``question`` (``question_clauses``) that an answer can be looked for by, those of two content
    words or more ("and where?" alone finds nothing); the question itself when none is."""
    return [p for p in question_clauses(question) if len(content_words(p)) >= 2] or [question]

"""Refusal rules: when the passages are about the question but do not hold what it asks for.

Each rule reads the question and the top candidates of the extractive answerer:

- **documented absence** (``documented_absence``): a top candidate about the question says the thing asked
  for was not published, not signed, or is still to be decided ("No overall budget figure has been
  published"); the answer is a refusal quoting it.
- **unmet requirement** (``unmet_requirement``): a one-part question names a year or a position ("the fifth
  meeting"), asks for a person holding a role, a kind of place ("which hotel"), a count, an amount, a clock
  time, an e-mail address or a phone number, and none of the top candidates holds one.

Settings turn them off (``PA_EXTRACTIVE_ABSENCE_WINDOW=0``, ``PA_EXTRACTIVE_REQUIREMENT_WINDOW=0``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from programme_assistant.answering.question import QuestionFocus, answer_signal
from programme_assistant.text.sentences import STOPWORDS, fold, question_parts


class Scored(Protocol):
    """What the rules read of a scored candidate."""

    passage: int
    text: str
    context: str
    score: float
    lexical: float


S = TypeVar("S", bound=Scored)


_ABSENCE = re.compile(
    r"\bno\b[^.;:]{0,80}?\b(?:was|were|has been|have been|had been|is|are)\s+(?:\w+\s+)?(?:published|signed|given|"
    r"recorded|available|made public|released|announced|disclosed|agreed|minuted|kept)\b"
    r"|\b(?:not|never)\s+(?:been\s+|yet\s+)?(?:published|signed|given|recorded|available|made public|released|"
    r"announced|disclosed|minuted|documented|known)\b"
    r"|\bdoes not (?:give|state|record|mention|include|say|list|name|contain)\b"
    r"|\bwill be (?:communicated|announced|made available|decided|confirmed)\b"
    r"|\b(?:still|yet) to be (?:signed|published|decided|confirmed|announced|agreed|set|fixed)\b"
    r"|\bno (?:\w+[ -]){0,3}(?:figure|figures|record|records|data|information|details|date)\b(?:[^.;:]{0,40}\b"
    r"(?:published|given|available|recorded))?", re.IGNORECASE)


# "What is the name of the Governor of Aichi?", "Who was the DG REGIO Deputy Director-General?": a question
# asking which person holds a role, answered only by a person's name, not by the role restated
_PERSON_TITLES = (r"governor|director|director-general|deputy|minister|mayor|president|vice-president|ambassador"
                  r"|commissioner|chair|chairman|chairwoman|chairperson|secretary|secretary-general|rector|ceo"
                  r"|head|spokesperson|spokesman|spokeswoman|prefect|consul|manager|coordinator")
_ASKS_FOR_PERSON = re.compile(
    rf"\bname of (?:the |its |their )?(?:[\w-]+ ){{0,3}}?(?:{_PERSON_TITLES})\b"
    rf"|^who (?:is|was|were|are) (?:the |its |their )?(?:[\w-]+ ){{0,3}}?(?:{_PERSON_TITLES})\b", re.IGNORECASE)
# capitalised words that make a name an organisation's or a place's, not a person's
_NOT_PERSON = frozenset(
    "prefecture government region regional agency office centre center commission delegation ministry university "
    "association council bureau city science park plaza house building innovation cooperation programme program "
    "strategy partnership alliance cluster corridor valley airport institute foundation network group company "
    "chamber department directorate service team helpdesk summit expo island station hall room hotel union "
    "european japan japanese eu country meeting webinar visit report policy dialogue forum conference session "
    "agreement plan urban rural development research technology energy health level high-level directorate "
    "directorate-general exchange open world state states national international".split())
# a run of capitalised words, each whole ("High-Level" is one word, never "Level"), possessives trimmed
_TITLECASE_RUN = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Za-z]+)*(?:\s+[A-Z][a-z]+(?:-[A-Za-z]+)*)+(?![\w-])")


def asks_for_person(question: str) -> bool:
    """The question asks for the name of the person holding a role ("the name of the Governor of Aichi")."""
    return bool(_ASKS_FOR_PERSON.search(question.strip()))


def has_person_name(sentence: str, question: str) -> bool:
    """The sentence holds something that can be a person's name: two or more capitalised words in a row, none of
    them said by the question or naming an organisation or place ("Prefecture", "Bureau", "Park")."""
    asked = set(re.findall(r"[\w-]+", fold(question)))
    for m in _TITLECASE_RUN.finditer(sentence):
        words = [fold(re.sub(r"['’]s$", "", w)) for w in m.group().split()]
        if m.start() == 0:
            words = words[1:]  # a sentence's first word is capitalised anyway
        run = 0  # "Deputy Director-General Normunds Popens": the role is asked, the two words after it are a name
        for w in words:
            run = 0 if (w in asked or w in _NOT_PERSON or w in STOPWORDS) else run + 1
            if run >= 2:
                return True
    return False


# "Which hotel did they stay in?": kinds of place or thing that a document answering the question names as such
# ("stayed at the Hotel Granvia", "the Granvia hotel"); passages about the trip that never say "hotel" do not
# answer it. Kinds whose instances often go without the word (a building: "Keihanna Plaza") are not listed.
_NAMED_KINDS = ("hotel|hotels|restaurant|restaurants|airline|airlines|flight|flights|train|trains|museum|museums"
                "|newspaper|newspapers|bank|banks|university|universities|hospital|hospitals|school|schools"
                "|caterer|caterers|interpreter|interpreters|translator|translators")
_ASKS_FOR_KIND = re.compile(rf"^(?:which|what|in which|at which|on which|with which) ({_NAMED_KINDS})\b",
                            re.IGNORECASE)


def asked_kind(question: str) -> str | None:
    """The kind of thing a "which hotel / which airline ..." question asks for (singular), or None."""
    m = _ASKS_FOR_KIND.search(question.strip())
    if not m:
        return None
    kind = m.group(1).lower()
    return kind[:-3] + "y" if kind.endswith("ies") else kind.rstrip("s") if kind.endswith("s") else kind


def mentions_kind(sentence: str, kind: str) -> bool:
    stem = kind[:-1] if kind.endswith("y") else kind
    return bool(re.search(rf"\b{re.escape(stem)}\w{{0,3}}\b", sentence, re.IGNORECASE))


def _last_sentence(question: str) -> str:
    """What a question asks about is in its last sentence: "I read it was 2012. When was it?" does not ask
    about 2012."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", question.strip()) if p]
    return sentences[-1] if sentences else question


def named_years(question: str) -> set[str]:
    """Years the question itself asks about (in its last sentence)."""
    return set(re.findall(r"\b(?:19|20)\d\d\b", _last_sentence(question)))


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth")
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def named_ordinals(question: str) -> set[str]:
    """Ordinals the question asks about (in its last sentence), as words ("the fifth exchange meeting", "the
    5th webinar" -> {"fifth"}); "first" is left out, being said of almost anything ("the first cycle")."""
    last = fold(_last_sentence(question))
    found = set(re.findall(rf"\b({'|'.join(_ORDINALS[1:])})\b", last))
    for number in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", last):
        if 2 <= int(number) <= len(_ORDINALS):
            found.add(_ORDINALS[int(number) - 1])
    return found


def mentions_ordinal(text: str, ordinal: str) -> bool:
    """The text names that position: "fifth", "5th", "no. 5", "No 5", "#5"."""
    n = _ORDINALS.index(ordinal) + 1
    return bool(re.search(rf"\b{ordinal}\b|\b{n}{_ORDINAL_SUFFIX.get(n, 'th')}\b|\bno\.?\s*{n}\b|#\s*{n}\b",
                          fold(text)))


def has_several_parts(question: str) -> bool:
    """"When was that, and did they stop in Catalonia?": two questions in one."""
    return len(question_parts(question)) > 1


def states_absence(sentence: str) -> bool:
    """The sentence says that something was not published, not signed, is not recorded or is still to be
    decided: the documents' own word that what a question asks for does not exist in them."""
    return bool(_ABSENCE.search(sentence))


def unmet_requirement(question: str, english: str | None, focus: QuestionFocus, top: Sequence[Scored],
                      dates: Sequence[str], titles: Sequence[str], required_types: Sequence[str]) -> str | None:
    """What a one-part question requires and none of the ``top`` candidates has: the year it names ("the 2024
    study visit", where the passages only know 2022); the position it names ("the fifth meeting"); for "what
    is the name of the Governor", a person's name (not the role restated); for "which hotel / airline /
    university", a passage saying that word; for a question expecting one of ``required_types`` (count, money,
    time, email, phone), one of those. ``dates`` and ``titles``: the date and title of passage n at n-1.
    Returns the name of the unmet requirement, or None."""
    if focus.yes_no or has_several_parts(question):
        return None
    asked = f"{question} {english}" if english else question
    for year in named_years(question):
        if not any(year in f"{s.text} {s.context} {(dates[s.passage - 1] or '')[:4]}" for s in top):
            return "unmet_year"
    for ordinal in named_ordinals(question):  # "the fifth exchange meeting", where the passages know four
        if not any(mentions_ordinal(f"{s.text} {s.context} {titles[s.passage - 1]}", ordinal) for s in top):
            return "unmet_ordinal"
    if asks_for_person(question) and not any(has_person_name(s.text, asked) for s in top):
        return "unmet_person_name"
    kind = asked_kind(question) or (asked_kind(english) if english else None)
    if kind and not any(mentions_kind(f"{s.text} {s.context}", kind) for s in top):
        return "unmet_kind"
    if focus.expects in required_types:
        required = QuestionFocus("counted") if focus.expects == "count" else focus
        if not any(answer_signal(required, s.text, asked) == 1.0 for s in top):
            return "unmet_answer_type"
    return None


def documented_absence(question: str, focus: QuestionFocus, scored: Sequence[S], window: int,
                       keep_ratio: float, min_lexical: float) -> S | None:
    """A top candidate (among the first ``window`` within ``keep_ratio`` of the best), about the question's
    subject (at least ``min_lexical`` coverage), saying that what is asked was not published, not signed or is
    still to be decided ("No overall budget figure has been published"). Not for yes/no questions: there such a
    sentence is the answer ("Does the archive give a budget?" "No, ..."); nor for questions of several parts,
    whose other parts may well be answered."""
    if focus.yes_no or has_several_parts(question):
        return None  # a part documented as absent does not make the other parts unanswerable
    for s in scored[:window]:
        if s.score < keep_ratio * scored[0].score:
            break
        if s.lexical >= min_lexical and states_absence(s.text):
            return s
    return None

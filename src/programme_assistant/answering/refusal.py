"""Refusal rules: when the passages are about the question but do not hold what it asks for.

Each rule reads the question and the top candidates of the extractive answerer:

- **documented absence** (``documented_absence``): a top candidate about the question says the thing asked
  for was not published, not signed, or is still to be decided ("No overall budget figure has been
  published"); the answer is a refusal quoting it.
- **requirement rules** (``unmet_requirement``), each a named object in ``RULES``: a one-part question names a
  year the passages contradict (``year``), a position among positions they number (``ordinal``), asks for a
  count, an amount, a clock time, an e-mail address, a phone number or a postal address none holds
  (``answer_type``), asks for the name of a person holding an office (an office-holder noun generated from
  WordNet: ``text/data/role_nouns.txt``) and none names a person (``person_name``); and, off by default because
  it was written after two golden questions, a kind of place (``kind``).

``PA_REFUSAL_RULES`` chooses the rules (names of ``RULE_NAMES``); ``PA_EXTRACTIVE_ABSENCE_WINDOW=0`` and
``PA_EXTRACTIVE_REQUIREMENT_WINDOW=0`` turn the two families off as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol, TypeVar

from programme_assistant.answering.question import QuestionFocus, answer_signal
from programme_assistant.text.dates import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from programme_assistant.text.letters import LOWER, UPPER
from programme_assistant.text.ordinals import ORDINALS, POINTING_BACK, WORD_ORDINALS, position
from programme_assistant.text.parts import has_lead_in, question_clauses
from programme_assistant.text.sentences import STOPWORDS, fold


class Scored(Protocol):
    """What the rules read of a scored candidate."""

    passage: int
    text: str
    context: str
    score: float
    lexical: float


S = TypeVar("S", bound=Scored)
ROLE_NOUNS_FILE = "role_nouns.txt"


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
# asking which person holds an office, answered only by a person's name, not by the office restated. The office
# is the last word of the noun phrase after "name of (the)" or "who is / was (the)", up to a preposition or a
# relative word; it must be one of the office-holder nouns generated from WordNet (``text/data/role_nouns.txt``,
# ``make role-nouns``), so "who was the host?" (which an organisation answers) is left alone.
_ROLE_PHRASE = (r"(?P<phrase>(?:[\w'’-]+ ){0,4}?[\w'’-]+?)(?:['’]s)?"
                r"(?= (?:of|to|at|in|for|from|on|who|that|which|when|during|with|by)\b|\s*[?.,!;:]|\s*$)")
_ASKS_FOR_PERSON = (
    re.compile(rf"\bname of (?:the |its |their |his |her |this |that )?{_ROLE_PHRASE}", re.IGNORECASE),
    re.compile(rf"^(?:and |so |then )?who(?:['’]s| is| was) (?:the |its |their |his |her |this |that )?{_ROLE_PHRASE}",
               re.IGNORECASE))
# capitalised words that make a name an organisation's or a place's, not a person's
_NOT_PERSON = frozenset(
    "prefecture government region regional agency office centre center commission delegation ministry university "
    "association council bureau city science park plaza house building innovation cooperation programme program "
    "strategy partnership alliance cluster corridor valley airport institute foundation network group company "
    "chamber department directorate service team helpdesk summit expo island station hall room hotel union "
    "european japan japanese eu country meeting webinar visit report policy dialogue forum conference session "
    "agreement plan urban rural development research technology energy health level high-level directorate "
    "directorate-general exchange open world state states national international".split())
# a run of capitalised words, each whole ("High-Level" is one word, never "Level"), possessives trimmed; in any
# script with case ("Mr Andris Ozoliņš", "Ms Hanane Aït Lahcen", "Dr Ölçer")
_CAPITALISED = rf"{UPPER}{LOWER}+(?:-[^\W\d_]+)*"
_TITLECASE_RUN = re.compile(rf"(?<![\w'’-]){_CAPITALISED}(?:\s+{_CAPITALISED})+(?![\w-])")


@lru_cache(maxsize=1)
def role_nouns() -> frozenset[str]:
    """The office-holder nouns ("governor", "ambassador", "mayor"), from ``text/data/role_nouns.txt``."""
    text = resources.files("programme_assistant.text").joinpath("data", ROLE_NOUNS_FILE).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def is_office(word: str) -> bool:
    """"Governor", "Director-General" (one of its parts), "vice-president": a word for a person holding an office."""
    word = fold(word)
    nouns = role_nouns()
    return word in nouns or ("-" in word and any(part in nouns for part in word.split("-")))


def asked_office(question: str) -> str | None:
    """The office whose holder's name the question asks for ("the name of the Governor of Aichi" -> "Governor",
    "who was the EU Ambassador to Japan that ..." -> "Ambassador"), or None: not who did something ("who opened
    the webinar?")."""
    last = _last_sentence(question)
    for pattern in _ASKS_FOR_PERSON:
        for m in pattern.finditer(last):
            word = m.group("phrase").split()[-1]
            if is_office(word):
                return word
    return None


def asks_for_person(question: str) -> bool:
    """The question asks for the name of the person holding an office (``asked_office``)."""
    return asked_office(question) is not None


def stating_office(question: str, top: Sequence[S]) -> S | None:
    """The best of ``top`` that names the office the question asks about ("... received by the Governor of
    Aichi"): what a refusal can quote to show the documents give the office and not the person."""
    office = asked_office(question)
    if office is None:
        return None
    return next((s for s in top if re.search(rf"(?<![\w-]){re.escape(office)}(?![\w-])", s.text, re.IGNORECASE)),
                None)


# "Late May", "Monday Morning": the calendar's capitalised words are not names
_CALENDAR = frozenset(fold(w) for w in (*MONTHS, *WEEKDAYS))


def lowercase_words(texts: Sequence[str]) -> frozenset[str]:
    """The words the texts write in lower case somewhere ("hydrogen"): ordinary words, which a capitalised title
    ("the Basque Hydrogen Corridor") does not make a name. A person's names are capitalised wherever they occur."""
    return frozenset(fold(w) for text in texts for w in re.findall(r"(?<![\w'’-])[a-z][\w-]*", text))


def has_person_name(sentence: str, question: str, ordinary: frozenset[str] = frozenset()) -> bool:
    """The sentence holds something that can be a person's name (``person_names``)."""
    return bool(person_names(sentence, question, ordinary))


def person_names(sentence: str, question: str = "", ordinary: frozenset[str] = frozenset()) -> list[str]:
    """What in the sentence can be a person's name, in order: two or more capitalised words in a row, none of them
    said by the question or among the ``ordinary`` words (``lowercase_words`` of the passages), or one such word
    right after an office ("Governor Omura", "President Macron"). A run of capitalised words ending in a word that
    names an organisation or a place ("Prefecture", "Bureau", "Park", "Valley") is that body's or place's name, not
    a person's ("European Commissioner Elisa Ferreira" still holds one). Each name is given as the run of
    capitalised words that holds it ("Dr Helena Mascarenhas")."""
    asked = set(re.findall(r"[\w-]+", fold(question)))
    found = []
    for m in _TITLECASE_RUN.finditer(sentence):
        words = [fold(re.sub(r"['’]s$", "", w)) for w in m.group().split()]
        if m.start() == 0:
            words = words[1:]  # a sentence's first word is capitalised anyway
        if words and words[-1] in _NOT_PERSON:
            continue  # "Zero Emission Valley", "Keihanna Science Park": a place's or a body's name
        run = 0  # "Deputy Director-General Normunds Popens": the role is asked, the two words after it are a name
        after_office = False
        for w in words:
            named = not (w in asked or w in _NOT_PERSON or w in STOPWORDS or w in ordinary or w in _CALENDAR)
            run = run + 1 if named else 0
            if run >= 2 or (named and after_office):
                found.append(re.sub(r"['’]s$", "", m.group()))
                break
            after_office = is_office(w)
    return found


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
    about 2012. A full stop before a number ends an abbreviation, not a sentence: "webinar no. 3"."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+(?!\d)", question.strip()) if p]
    return sentences[-1] if sentences else question


def named_years(question: str) -> set[str]:
    """Years the question itself asks about (in its last sentence)."""
    return set(re.findall(r"\b(?:19|20)\d\d\b", _last_sentence(question)))


_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


_MONTH_NAMES = "|".join(m.lower() for m in (*MONTHS, *MONTH_ABBREVIATIONS))
_DATE_ORDINAL = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?|{'|'.join(WORD_ORDINALS)})\s+(?:of\s+)?(?:{_MONTH_NAMES})\b"
    rf"|\b(?:{_MONTH_NAMES})\.?\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?|{'|'.join(WORD_ORDINALS)})\b")


def named_ordinals(question: str) -> set[str]:
    """Ordinals the question asks about (in its last sentence), as words ("the fifth exchange meeting", "the
    5th webinar" -> {"fifth"}); "first" is left out, being said of almost anything ("the first cycle"), and so
    are the days of dates ("5th February", "May the second") and an ordinal that points back at what was said
    before ("that second one", "the third of them": an item of the conversation, which the documents need not
    number)."""
    last = POINTING_BACK.sub(" ", _DATE_ORDINAL.sub(" ", fold(_last_sentence(question))))
    found = set(re.findall(rf"\b({'|'.join(ORDINALS[1:])})\b", last))
    for number in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", last):
        if 2 <= int(number) <= len(ORDINALS):
            found.add(ORDINALS[int(number) - 1])
    return found


# "webinar no. 1", "Meeting #2", "session number 3": a thing and the number of its position; "no" without a full
# stop is the word ("no 5-star hotels")
_NUMBERED = re.compile(r"\b([a-z][\w-]*?)s?\s+(?:no\.|nr\.|#|number\s+)\s*(\d{1,2})\b"
                       r"((?:\s*(?:,|and|or|&)\s*(?:no\.|nr\.|#|number\s+)?\s*\d{1,2}\b)*)")


def numbered_positions(text: str) -> set[tuple[str, int]]:
    """(thing, position) pairs the text numbers: "webinars no. 1 and no. 2" -> {("webinar", 1), ("webinar", 2)};
    the thing in the singular, its last letters cut so that "meetings" and "meeting" match."""
    found = set()
    for m in _NUMBERED.finditer(fold(text)):
        thing = m.group(1)
        if thing in STOPWORDS:  # "peaked at number 2"
            continue
        for number in (m.group(2), *re.findall(r"\d{1,2}", m.group(3))):
            found.add((thing, int(number)))
    return found


def _thing_positions(text: str, thing: str) -> set[int]:
    """The positions of ``thing`` the text names, numbered ("webinar no. 3", "webinar #3") or as ordinals ("the
    third webinar", "the 3rd R2R webinar")."""
    folded = fold(text)
    positions = {n for t, n in numbered_positions(folded) if t == thing}
    words = "|".join(ORDINALS)
    ordinal_before = rf"\b({words}|\d{{1,2}}(?:st|nd|rd|th))\s+(?:[\w-]+\s+){{0,2}}?{re.escape(thing)}s?\b"
    for m in re.finditer(ordinal_before, folded):
        positions.add(position(m.group(1)))
    return positions


def mentions_ordinal(text: str, ordinal: str) -> bool:
    """The text names that position: "fifth", "5th", "no. 5", "No 5", "#5"."""
    n = ORDINALS.index(ordinal) + 1
    return bool(re.search(rf"\b{ordinal}\b|\b{n}{_ORDINAL_SUFFIX.get(n, 'th')}\b|\bno\.?\s*{n}\b|#\s*{n}\b",
                          fold(text)))


def has_several_parts(question: str) -> bool:
    """"When was that, and did they stop in Catalonia?", "How many took place in Japan, and where?": two questions
    in one; or a question after a lead-in ("According to the report on the November 2022 trip, what ...?"), whose
    year, ordinal or noun a rule would read as what is asked. The rules read simple questions."""
    return len(question_clauses(question)) > 1 or has_lead_in(question)


# What leaves a matter open, in the wider words of other programmes' documents ("has not yet been decided", "its
# exact date has not been fixed", "venue to be confirmed", "could not give a figure", "remains open"): not a rule of
# its own (session 31 measured such a list as a veto and left it out: a sentence can leave open something other than
# what was asked), but a feature of the learned refusal (``answerability.question_features``), weighed by training.
_OPEN = re.compile(
    r"\b(?:not|never)\s+(?:yet\s+)?(?:been\s+)?(?:decided|determined|fixed|set(?!\s+(?:up|out|off|aside)\b)|"
    r"scheduled|finali[sz]ed|settled|confirmed|defined|chosen|named|quantified|costed|estimated|agreed|known|"
    r"available|clear)\b"
    r"|\bno\b[^.;:]{0,80}?\b(?:was|were|has been|have been|had been|is|are)\s+(?:yet\s+)?(?:decided|determined|"
    r"fixed|set|scheduled|finali[sz]ed|settled|confirmed|defined|chosen|named|agreed)\b"
    r"|\b(?:has|have|had|is|are)\s+yet\s+to\s+be\b"
    r"|\bto be (?:confirmed|decided|determined|announced|fixed|defined|agreed|scheduled|set)\b"
    r"|\b(?:could|can|did|would)\s*(?:not|n['’]t)\s+(?:give|provide|say|state|confirm|disclose|quote|name)\b"
    r"|\b(?:was|were|is|are)\s+(?:not\s+)?unable\s+to\s+(?:give|provide|say|state|confirm|disclose|quote|name)\b"
    r"|\bremains?\s+(?:open|unclear|unknown|undecided|to be seen)\b"
    r"|\b(?:unknown|undecided|unclear)\b"
    r"|\bonly be (?:possible|known|decided|assessed|evaluated)\b", re.IGNORECASE)


def leaves_open(sentence: str) -> bool:
    """The sentence says that something is not known, not decided or not given (``states_absence``, or in wider
    words: "has not been decided", "to be confirmed", "could not give a figure")."""
    return states_absence(sentence) or bool(_OPEN.search(sentence))


def states_absence(sentence: str) -> bool:
    """The sentence says that something was not published, not signed, is not recorded or is still to be
    decided: the documents' own word that what a question asks for does not exist in them."""
    return bool(_ABSENCE.search(sentence))


@dataclass(frozen=True)
class Requirement:
    """What a requirement rule reads: the question (and its English gloss), what it asks for, the top candidates,
    and the date and title of passage n at n-1."""

    question: str
    english: str | None
    focus: QuestionFocus
    top: Sequence[Scored]
    dates: Sequence[str]
    titles: Sequence[str]

    @property
    def asked(self) -> str:
        return f"{self.question} {self.english}" if self.english else self.question


class RequirementRule(Protocol):
    """A named rule: ``unmet`` says the question requires something that no top candidate holds."""

    name: str

    def unmet(self, r: Requirement) -> bool: ...


_RELATIVE_YEAR = re.compile(r"\b(?:last|this|next|previous|past|following|same|that) year\b"
                            r"|\bthe year (?:before|after)\b|\ba year (?:earlier|later|before|after)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class NamedYear:
    """"What did the 2024 study visit cover?" where the passages speak of other years and never of 2024. A
    passage stating no year, or a relative one ("last year"), does not refute the year: the rule then keeps
    quiet."""

    name: str = "year"

    def unmet(self, r: Requirement) -> bool:
        years = named_years(r.question)
        if not years:
            return False
        seen = [f"{s.text} {s.context} {(r.dates[s.passage - 1] or '')[:4]}" for s in r.top]
        if any(_RELATIVE_YEAR.search(f"{s.text} {s.context}") for s in r.top):
            return False
        stated = {y for text in seen for y in _ANY_YEAR.findall(text)}
        return bool(stated) and not any(year in text for year in years for text in seen)


@dataclass(frozen=True)
class NamedPosition:
    """"What was agreed at the fifth meeting?" where the passages number their meetings (first, 4th, no. 3) and
    never the fifth. Dates are not positions ("on 5th February"), and passages that number nothing do not
    refute a position ("Koch's second postulate" in a list without ordinals). A position given as a number
    ("webinar no. 1", "meeting #2") is checked against the positions the passages give that same thing ("webinar
    no. 3", "the fifth webinar"), so "no. 1" is read as well, which the word "first" (said of almost anything) is
    not."""

    name: str = "ordinal"

    def unmet(self, r: Requirement) -> bool:
        texts = [f"{s.text} {s.context} {r.titles[s.passage - 1]}" for s in r.top]
        numbered = numbered_positions(_last_sentence(r.question))
        if numbered:  # "webinar no. 1": the passages number webinars (no. 3, the fifth) but never the first
            things = {thing for thing, _ in numbered}
            named = {thing: set().union(*(_thing_positions(t, thing) for t in texts)) for thing in things}
            # refused only when no position asked for is named ("webinars no. 3 and no. 1" gets what is known)
            return all(named[thing] and position not in named[thing] for thing, position in numbered)
        ordinals = named_ordinals(r.question)
        if not ordinals:
            return False
        if any(mentions_ordinal(t, o) for o in ordinals for t in texts):
            return False
        return any(mentions_ordinal(t, other) for other in ORDINALS[1:] if other not in ordinals for t in texts)


@dataclass(frozen=True)
class AnswerTypePresent:
    """A question asking for a count, an amount, a clock time, an e-mail address, a phone number or a postal
    address, where no top candidate holds one ("how many people came" needs a number of people; "the street
    address of the office" needs a street and a number, not "in the Raval")."""

    types: tuple[str, ...] = ("count", "money", "time", "email", "phone", "address")
    name: str = "answer_type"

    def unmet(self, r: Requirement) -> bool:
        if r.focus.expects not in self.types:
            return False
        required = QuestionFocus("counted") if r.focus.expects == "count" else r.focus
        return not any(answer_signal(required, s.text, r.asked) == 1.0 for s in r.top)


@dataclass(frozen=True)
class PersonName:
    """"What is the name of the Governor?" answered only by a person's name. The offices are WordNet's
    (``make role-nouns``); a hand list written after one golden question came before them."""

    name: str = "person_name"

    def unmet(self, r: Requirement) -> bool:
        if not asks_for_person(r.question):
            return False
        ordinary = lowercase_words([f"{s.text} {s.context}" for s in r.top])
        return not any(has_person_name(s.text, r.asked, ordinary) for s in r.top)


@dataclass(frozen=True)
class KindNamed:
    """"Which hotel ...?" needs a passage saying "hotel". Off by default: its list of kinds was written after
    two golden questions."""

    name: str = "kind"

    def unmet(self, r: Requirement) -> bool:
        kind = asked_kind(r.question) or (asked_kind(r.english) if r.english else None)
        return bool(kind) and not any(mentions_kind(f"{s.text} {s.context}", kind) for s in r.top)


RULES: dict[str, RequirementRule] = {rule.name: rule for rule in (
    NamedYear(), NamedPosition(), AnswerTypePresent(), PersonName(), KindNamed())}
# "absence" is the documented-absence rule (``documented_absence``), switched with the others.
RULE_NAMES = (*RULES, "absence")


def unmet_requirement(r: Requirement, rules: Sequence[str]) -> str | None:
    """The name of the first of ``rules`` whose requirement no top candidate meets ("unmet_<name>"), or None.
    Questions asking whether something is so, and questions of several parts, are left alone."""
    if r.focus.yes_no or has_several_parts(r.question):
        return None
    for name in rules:
        rule = RULES.get(name)
        if rule is not None and rule.unmet(r):
            return f"unmet_{rule.name}"
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
    return _first_saying(scored, window, keep_ratio, min_lexical, states_absence)


def left_open(scored: Sequence[S], window: int, keep_ratio: float, min_lexical: float) -> S | None:
    """Among the first ``window`` candidates within ``keep_ratio`` of the best, one about the question's subject (at
    least ``min_lexical`` coverage) saying the matter is open (``leaves_open``): what a refusal quotes when the
    learned refusal has judged the question unanswered, so that the user reads the documents' own word."""
    return _first_saying(scored, window, keep_ratio, min_lexical, leaves_open)


def _first_saying(scored: Sequence[S], window: int, keep_ratio: float, min_lexical: float,
                  says: Callable[[str], bool]) -> S | None:
    """The first of the ``window`` best candidates, within ``keep_ratio`` of the best and covering at least
    ``min_lexical`` of the question, whose text ``says``."""
    for s in scored[:window]:
        if s.score < keep_ratio * scored[0].score:
            break
        if s.lexical >= min_lexical and says(s.text):
            return s
    return None

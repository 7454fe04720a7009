"""Follow-up questions -> standalone queries.

``ContextualRewriter`` is the default (no LLM): when a question leans on the conversation, it carries over the
subject words of the previous standalone question that the new question does not already say. Whether it leans on
it is judged by a learned model of how well the question alone finds a passage (``followup.py``), or by the rule
(a pronoun, "and ...", "what about ...", or too few words of its own). ``LLMRewriter`` has a chat
model write the standalone query from the conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from programme_assistant.answering.prompts import REWRITE_SYSTEM_PROMPT, rewrite_prompt
from programme_assistant.answering.refusal import person_names
from programme_assistant.text.dates import MONTHS
from programme_assistant.text.language import detect_language
from programme_assistant.text.letters import LOWER, UPPER
from programme_assistant.text.ordinals import pointing_back
from programme_assistant.text.sentences import content_words, fold

History = list[tuple[str, str]]  # (user question, assistant answer), oldest first

# A question opening with "and ...", "what about ..." carries on the conversation (every one of the 25 in the eval
# sets is a follow-up turn, none opens a conversation)
_CONTINUES = re.compile(r"^(and|also|what about|how about|and what about|same for|y|e|et|ed|und|tambien|anche|aussi)\b",
                        re.IGNORECASE)
# A pronoun that points back at the previous turn's subject: its names are carried even when the follow-up names
# something of its own ("When did it open its office in Madrid?", "¿Qué destacó Kioto de esa etapa?" are still
# about what was asked before).
_PRONOUNS_BACK = ("they", "them", "their", "theirs", "it", "its", "he", "she", "his", "her", "this", "that", "these",
                  "those", "there", "ellos", "ellas", "eso", "esa", "ese", "alli", "loro", "quello", "quella", "li",
                  "ils", "elles", "cela", "ceux", "ells", "aquell", "aquesta")
_REFERS_BACK = re.compile(rf"\b({'|'.join(_PRONOUNS_BACK)})\b", re.IGNORECASE)
# Any word that points back at the conversation: those pronouns, "ones", "the same", "then"
_POINTER = re.compile(rf"\b({'|'.join(_PRONOUNS_BACK)}|ones?|the same|then)\b", re.IGNORECASE)
# A question with fewer content words than this is too short to stand alone in a conversation.
MIN_OWN_WORDS = 3


_NAME = re.compile(rf"(?<![.?!]\s)(?<!^)\b{UPPER}[\w'’-]*{LOWER}[\w'’-]*\b")  # any script with case: "Évora"
_POSSESSIVE = re.compile(r"['’]s$")  # "Osaka's" is Osaka


_MONTHS = frozenset(m.lower() for m in MONTHS)


def names_in(text: str) -> set[str]:
    """Content words of the capitalised names in ``text`` (not its first word, not months): "Kyoto"."""
    return {w for m in _NAME.finditer(text.strip()) for w in content_words(_POSSESSIVE.sub("", m.group()))
            if w not in _MONTHS}


# Catalan "i" ("and"): read as such only in a question that is not English, where "I" is the speaker ("I've just
# joined the team. What is IURC?" opens a conversation; "I on es van retrobar?" follows one)
_CATALAN_AND = re.compile(r"^i\b")


# An acknowledgement of the answer before ("ok, and ...", "Thanks. Who ...?"): it only follows an earlier turn.
_ACKNOWLEDGES = re.compile(r"^(?:ok(?:ay)?|fine|thanks|thank you|great|alright|all right|got it|i see|perfect|right"
                           r"|d'accord|merci|vale|gracias|grazie|d'acord|gracies)(?:\s*[,.!:;—–-]|\s+(?:and|so|then|now)\b)"
                           r"|^ok(?:ay)?\b", re.IGNORECASE)


# names listed in an answer: "Osaka and Oita", "Aichi, Hiroshima and Osaka"
_NAME_WORDS = rf"{UPPER}[\w'’-]+(?:\s(?:de\s|of\s|the\s)?{UPPER}[\w'’-]+)*"
_ENUMERATION = re.compile(rf"\b{_NAME_WORDS}(?:,\s+{_NAME_WORDS})*,?\s+(?:and|or)\s+{_NAME_WORDS}")


def nth_named(answer: str, position: int | None, asked: str = "") -> str | None:
    """The name at ``position`` (1-based, -1 the last) in the list of names the answer gives ("Group B went to
    Osaka and Oita" -> 2: "Oita"), or None. Of several lists, the one whose clause shares the most words with
    ``asked`` (the question it answered: "Where did Group B go?" -> "Group B to Osaka and Oita"), else the first."""
    if position is None:
        return None
    wanted = set(content_words(asked))
    best: tuple[int, list[str]] | None = None
    for m in _ENUMERATION.finditer(answer):
        names = [n.strip() for n in re.split(r",\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+", m.group()) if n.strip()]
        if len(names) < 2 or (position != -1 and position > len(names)):
            continue
        clause = re.split(r"[.;:!?]\s|,\s(?=[A-Z])", answer[:m.start()])[-1]
        shared = len(wanted & set(content_words(clause)))
        if best is None or shared > best[0]:
            best = (shared, names)
    if best is None:
        return None
    return best[1][position if position == -1 else position - 1]


# "he", "she" and their forms: a person, who in a follow-up of a "who" question is the person its answer named
_PERSONAL = re.compile(r"\b(?:he|she|him|his|her|hers)\b", re.IGNORECASE)
_ASKS_WHO = re.compile(r"^\W*(?:(?:and|so|then|ok|okay|thanks)\W+)?who(?:['’]s)?\b", re.IGNORECASE)
# a title before a name marks it as a person's ("Dr Helena Mascarenhas", not "Port Louis"); some say which pronoun
_TITLED = re.compile(r"^(?:Mr|Ms|Mrs|Miss|Dr|Prof|Professor|Sir|Dame)\.?\s", re.IGNORECASE)
_TITLE_PRONOUNS = {"mr": "he", "sir": "he", "ms": "she", "mrs": "she", "miss": "she", "dame": "she"}
_PRONOUN_OF = {"he": "he", "him": "he", "his": "he", "she": "she", "her": "she", "hers": "she"}


def person_answered(question: str, asked: str, answer: str) -> str | None:
    """The person a follow-up's "he" or "she" is, when the turn before asked who ("Who runs the Secretariat?") and
    its answer names a person ("... led by the Programme Director, Dr Helena Mascarenhas"): that name, or None. When
    the answer gives titles, the titled names whose title agrees with the pronoun ("Mr" for "he", "Ms" for "she",
    "Dr" for either); else any name it gives. Of several, the one in the same clause as a name the turn before asked
    about ("Who represents Durban?" -> "..., Durban (Mr Sipho Mthembu)"), else the first. Not when the follow-up
    names a person of its own ("Did Dr Ziani go with her?")."""
    personal = _PERSONAL.search(question)
    if not (personal and _ASKS_WHO.match(asked)) or person_names(question):
        return None
    pronoun = _PRONOUN_OF[fold(personal.group())]
    names = [n for n in person_names(answer, asked) if not set(content_words(n)) & set(content_words(question))]
    titled = [n for n in names if _TITLED.match(n)]
    if titled:  # "What did he present?" is not about "Ms Shikongo", whom the answer named first
        names = [n for n in titled if _TITLE_PRONOUNS.get(fold(n.split()[0]).rstrip("."), pronoun) == pronoun]
    if not names:
        return None
    # of a list ("Windhoek (Ms Ndapewa Shikongo), ..., Durban (Mr Sipho Mthembu)"), the one beside what was asked
    # about ("Who represents Durban ...?"); else the first
    wanted = names_in(asked)
    return max(names, key=lambda n: len(wanted & set(content_words(_clause_of(answer, n)))))


# where a clause of an answer ends: a comma, a semicolon or a sentence's end
_CLAUSE_END = re.compile(r"[;,]\s+|(?<=[.!?])\s+")


def _clause_of(text: str, part: str) -> str:
    """The clause of ``text`` (between commas, semicolons or sentence ends) that holds ``part``, with it."""
    at = text.find(part)
    if at < 0:
        return ""
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, at)), default=0)
    end = _CLAUSE_END.search(text, at + len(part))
    return text[start:end.start() if end else len(text)]


def carries_on(question: str) -> bool:
    """Whether the question opens as a continuation: "and ...", "what about ...", the Catalan "i ...", or an
    acknowledgement of the answer before ("ok, and ...", "fine, ...")."""
    folded = fold(question).strip().lstrip("¿¡\"'«“‘( ")  # "¿Y en qué seminario ...?" opens with "y"
    if _CONTINUES.match(folded) or _ACKNOWLEDGES.match(folded):
        return True
    return bool(_CATALAN_AND.match(folded)) and detect_language(question, among_lexicon=True) != "en"


def points_back(question: str) -> bool:
    """Whether the question points back at the conversation: it carries on (``carries_on``) or has a pronoun."""
    return carries_on(question) or bool(_POINTER.search(fold(question)))


class QueryRewriter(Protocol):
    def rewrite(self, question: str, history: History) -> str: ...


class ContextualRewriter:
    """Deterministic rewrite: previous subject words carried into a dependent follow-up.

    It keeps no state: the standalone form of each earlier turn is worked out again from the conversation it is
    given (the last ``max_turns`` questions), so two conversations never see each other's words and memory does
    not grow with use."""

    def __init__(self, max_turns: int = 8, stands_alone: Callable[[str, str], bool] | None = None,
                 asks_definition: Callable[[str], bool] | None = None) -> None:
        """``stands_alone(question, carried)``: the learned judge of whether a question stands alone
        (``followup.StandaloneJudge``), given also the question as it would be searched leaning on the conversation
        (``carried``: ``leaning_on`` the earlier turn; the question itself when there is nothing to carry); without
        it, the rule decides: a question pointing back (``points_back``) or with fewer than ``MIN_OWN_WORDS`` content
        words leans on the conversation. A question that carries on ("And ...", "What
        about ...": ``carries_on``) leans on it whatever the judge says. ``asks_definition``: whether a question asks
        what a term the documents define means (``Glossary.defined_term``): one that does and does not point back
        ("What is KICK?" after another subject) stands alone, whatever the judge or the rule says."""
        self.max_turns = max_turns
        self.stands_alone = stands_alone
        self.asks_definition = asks_definition

    def is_dependent(self, question: str, carried: str | None = None) -> bool:
        """Whether the question leans on the conversation; ``carried``: the question read leaning on it (the judge
        compares the two readings)."""
        if carries_on(question):
            return True  # "And at their second stop, ...?" however long: the judge weighs its length against it
        pointing = bool(_POINTER.search(fold(question)))  # points_back, now that it does not carry on
        if self.asks_definition is not None and not pointing and self.asks_definition(question):
            return False  # what a defined term means does not depend on the conversation
        if self.stands_alone is not None:
            return not self.stands_alone(question, carried or question)
        return pointing or len(content_words(question)) < MIN_OWN_WORDS

    def rewrite(self, question: str, history: History) -> str:
        previous: str | None = None  # the standalone form of the turn before, once there is one
        asked = answer = ""  # the turn before as the user asked it, and its answer
        for earlier, earlier_answer in history[-self.max_turns:]:
            previous = self._standalone(earlier, previous, answer, asked)
            asked, answer = earlier, earlier_answer
        return self._standalone(question, previous, answer, asked)

    def _standalone(self, question: str, previous: str | None, answer: str = "", asked: str = "") -> str:
        if previous is None:
            return question
        # "What did she do before taking up that job?" after "Who runs the Secretariat?": the person the answer named,
        # whether or not the question otherwise leans on the conversation
        person = person_answered(question, asked, answer) if answer else None
        # judged on the user's own words, and on what they find read with the earlier turn's
        dependent = self.is_dependent(question, leaning_on(question, previous))
        if person is not None:
            question = f"{question.rstrip()} ({person})"
        if not dependent:
            return question
        # "what did they see in the second one?" after an answer naming "Osaka and Oita": the second of them
        item = nth_named(answer, pointing_back(question), previous) if answer else None
        if item is not None and not set(content_words(item)) & set(content_words(question)):
            question = f"{question.rstrip()} ({item})"
        return leaning_on(question, previous)


def leaning_on(question: str, previous: str) -> str:
    """``question`` with the words of ``previous`` it leans on carried after it (``with_context``): a follow-up's
    earlier turn, or a later part of a question of several parts after its first ("How many had enrolled at the
    start, and how many by the end of 2024?")."""
    own = set(content_words(question))
    # slot words (single letters, numbers) of the previous turn are what the follow-up replaces
    words = re.findall(r"\b\w+\b", re.sub(r"['’]s\b", "", question))
    has_slot = any(_is_slot(w, i, words) for i, w in enumerate(words))
    # a follow-up naming its own place or body instead of pointing back ("And Oita's?") replaces the names of
    # the previous turn; one that points back ("When did it open its office in Madrid?") keeps them
    replaced = names_in(previous) if names_in(question) and not _REFERS_BACK.search(fold(question)) else set()
    carried = [w for w in dict.fromkeys(content_words(previous))
               if w not in own and _POSSESSIVE.sub("", w) not in replaced
               and not (has_slot and (w.isdigit() or len(w) <= 1))]
    return with_context(question, carried)


def _is_slot(word: str, position: int, words: Sequence[str]) -> bool:
    """A word that fills the slot of a name ("Group B", "webinar 5", "And B?"): a number, or a capital letter that is
    not the speaker's "I" nor an opening conjunction ("Y ...", "I de quantes ...?", "E poi?"); a lower-case letter
    is a word ("a", "y", "e", "i", "o")."""
    if word.isdigit():
        return True
    return len(word) == 1 and word.isupper() and word != "I" and (position > 0 or len(words) == 1)


def with_context(question: str, carried: Sequence[str]) -> str:
    """The standalone query: the question, with the earlier turn's words it leans on after it in brackets
    ("And the second stop? (return visit june 2023)"); ``asked_part`` takes them off again."""
    return f"{question.rstrip()} ({' '.join(carried)})" if carried else question


_CARRIED = re.compile(r"\s\(([^\W_A-Z][^()A-Z]*)\)$")


def asked_part(standalone: str) -> str:
    """What the user asked, without the words ``with_context`` carried from the conversation: those help find the
    passages, but a requirement the question makes (a year, a position) is the user's own."""
    return _CARRIED.sub("", standalone)


# Labels small models put before the query, despite being asked not to.
_PREFIX = re.compile(r"^\s*(?:standalone\s+)?(?:search\s+)?(?:query|question|rewritten\s+\w+)\s*:\s*", re.I)
_QUOTES = "\"'“”‘’`*"


def clean_query(reply: str) -> str:
    """The first non-empty line of ``reply`` without a "Query:" style label or surrounding quotes."""
    for line in reply.splitlines():
        query = _PREFIX.sub("", line.strip()).strip().strip(_QUOTES).strip()
        if query:
            return query
    return ""


class LLMRewriter:
    """Rewrites a follow-up into a standalone query; the first question of a conversation is kept as is.

    Only the last ``max_turns`` exchanges are shown to the model: a follow-up refers to recent turns, and a
    shorter prompt is faster and leaves a small model less to get lost in.
    """

    def __init__(self, chat_model: BaseChatModel, max_turns: int = 3) -> None:
        self.chat_model = chat_model
        self.max_turns = max_turns

    def rewrite(self, question: str, history: list[tuple[str, str]]) -> str:
        if not history:
            return question
        messages = [SystemMessage(REWRITE_SYSTEM_PROMPT),
                    HumanMessage(rewrite_prompt(question, history[-self.max_turns:]))]
        return clean_query(self.chat_model.invoke(messages).text) or question

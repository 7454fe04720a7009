"""Follow-up questions -> standalone queries.

``ContextualRewriter`` is the deterministic default (no LLM): when a question leans on the conversation
(a pronoun, "and ...", "what about ...", or too few words of its own), it carries over the subject words of
the previous standalone question that the new question does not already say. The LLM rewriter lives in
``rewrite_llm.py``.
"""

from __future__ import annotations

import re
from typing import Protocol

from programme_assistant.sentences import content_words, fold

History = list[tuple[str, str]]  # (user question, assistant answer), oldest first

_DEPENDENT = re.compile(
    r"^(and|also|what about|how about|and what about|same for|y|e|et|i|ed|und|tambien|anche|aussi)\b"
    r"|\b(they|them|their|theirs|it|its|that|those|these|this|there|he|she|his|her|ones?|the same|then"
    r"|ellos|ellas|eso|esa|ese|alli|loro|quello|quella|li|ils|elles|cela|ceux|ells|aquell|aquesta)\b",
    re.IGNORECASE,
)
# A question with fewer content words than this is too short to stand alone in a conversation.
MIN_OWN_WORDS = 3


_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*[a-z][\w'’-]*\b")


_MONTHS = frozenset("january february march april may june july august september october november december".split())


def _names(text: str) -> set[str]:
    """Content words of the capitalised names in ``text`` (not its first word, not months): "Kyoto"."""
    return {w for m in _NAME.finditer(text.strip()) for w in content_words(re.sub(r"['’]s$", "", m.group()))
            if w not in _MONTHS}


class QueryRewriter(Protocol):
    def rewrite(self, question: str, history: History) -> str: ...


class ContextualRewriter:
    """Deterministic rewrite: previous subject words carried into a dependent follow-up."""

    def __init__(self) -> None:
        self._standalone: dict[str, str] = {}  # remembers earlier rewrites, so chains keep their subject

    def is_dependent(self, question: str) -> bool:
        return bool(_DEPENDENT.search(fold(question))) or len(content_words(question)) < MIN_OWN_WORDS

    def rewrite(self, question: str, history: History) -> str:
        if not history or not self.is_dependent(question):
            self._standalone[question] = question
            return question
        previous = history[-1][0]
        previous = self._standalone.get(previous, previous)
        own = set(content_words(question))
        # slot words (single letters, numbers) of the previous turn are what the follow-up replaces
        has_slot = any(len(w) == 1 or w.isdigit() for w in re.findall(r"\b\w+\b", re.sub(r"['’]s\b", "", question)))
        # a follow-up naming its own place or body ("And Oita's?") replaces the names of the previous turn
        replaced = _names(previous) if _names(question) else set()
        carried = [w for w in dict.fromkeys(content_words(previous))
                   if w not in own and w not in replaced and not (has_slot and (w.isdigit() or len(w) <= 1))]
        rewritten = f"{question.rstrip()} ({' '.join(carried)})" if carried else question
        self._standalone[question] = rewritten
        return rewritten

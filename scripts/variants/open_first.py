"""Session 42: when the statement an answer would open with says the matter is open or not known
(``refusal.leaves_open``: "Her successor has not yet been appointed", "The outcome is not yet known"), and it covers
the question's subject (``absence_min_lexical``), the answer is a refusal quoting it, as the documented-absence rule
does for the narrower words of ``states_absence``. Not for yes/no questions, nor for questions of several parts
(as ``refusal.documented_absence``). WHICH=first (default): only the answer's first statement is read; WHICH=any: any
statement of the answer."""

import os

from programme_assistant.answering import extractive as ex
from programme_assistant.answering.prompts import ABSENCE_LEAD
from programme_assistant.answering.refusal import has_several_parts, leaves_open
from programme_assistant.answering.rewrite import asked_part

WHICH = os.environ.get("WHICH", "first")
A = ex.ExtractiveAnswerer


def apply(assistant):
    quote = A._quote

    def quoting(self, question, scoring, passages, evidence):
        answer = quote(self, question, scoring, passages, evidence)
        asked = asked_part(question)
        if answer.refused or scoring.focus.yes_no or has_several_parts(asked):
            return answer
        reordered = self.reordered(question, scoring)  # the reader's cache: no second pass
        parts, languages, _ = self.composition(question, passages)
        chosen = self._select(reordered.sentences, parts, languages, self.gate(reordered))  # what _quote chose
        first = chosen[:1] if WHICH == "first" else chosen
        for s in first:
            if s.lexical >= self.config.absence_min_lexical and leaves_open(s.text):
                return self._quoting_refusal(question, ABSENCE_LEAD, s, passages, {**evidence, "open_first": 1.0})
        return answer

    A._quote = quoting
    return lambda: setattr(A, "_quote", quote)

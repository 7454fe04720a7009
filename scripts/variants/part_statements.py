"""Session 41: where a question of several parts finds each part's statement (``ExtractiveAnswerer.composition``).
RESERVE=1: each part is scored over the passages and the reserve after them (the 20 retrieved), not the six, and a
part's statement from the reserve is cited from its passage; READER=1: each part's statements are put in the answer
reader's order (read against the part) before its first is taken. Both measured, neither kept
(docs/answer-selection.md, session 41)."""

import os

from programme_assistant.answering import extractive as ex
from programme_assistant.text.parts import question_parts

RESERVE = os.environ.get("RESERVE", "1") == "1"
READER = os.environ.get("READER", "0") == "1"
A = ex.ExtractiveAnswerer


def apply(assistant):
    answer, quote, score = A.answer, A._quote, A.score

    def answering(self, question, passages, reserve=()):
        self._every = [*passages, *reserve]
        try:
            return answer(self, question, passages, reserve)
        finally:
            self._every = None

    def quoting(self, question, scoring, passages, evidence):
        every = list(passages)
        if RESERVE and getattr(self, "_every", None) and len(question_parts(question)) > 1:
            held = {p.chunk.chunk_id for p in passages}
            for p in self._every:
                if p.chunk.chunk_id not in held:
                    held.add(p.chunk.chunk_id)
                    every.append(p)
        # the product's own quoting, over the passages the parts may now be cited from (the scoring's indices are the
        # passages', which lead the list)
        return quote(self, question, scoring, every, evidence)

    def scoring_read(self, question, passages):  # composition alone calls score: each part's statements
        return self.reordered(question, self.scoring(question, passages)).sentences

    A.answer, A._quote = answering, quoting
    if READER:
        A.score = scoring_read

    def undo():
        A.answer, A._quote, A.score = answer, quote, score
    return undo

"""Words carried from the previous turn (the rewriter's trailing '(...)') weigh F in the answer's lexical score."""

import os
import re

from programme_assistant.answering import extractive as ex

F = float(os.environ.get("F", "0.3"))
SEM = os.environ.get("SEM", "0") == "1"
orig_w = ex.ExtractiveAnswerer._weights
orig_scoring = ex.ExtractiveAnswerer.scoring


def apply(a):
    def scoring(self, question, passages):
        m = re.search(r"\(([^()]*)\)\s*$", question)
        self._carried = set(self.tokenizer(m.group(1))) - set(self.tokenizer(question[: m.start()])) if m else set()
        return orig_scoring(self, question, passages)

    def _weights(self, q_terms, cand_terms):
        w = orig_w(self, q_terms, cand_terms)
        c = getattr(self, "_carried", set())
        return {t: v * (F if t in c else 1.0) for t, v in w.items()}

    ex.ExtractiveAnswerer.scoring = scoring
    ex.ExtractiveAnswerer._weights = _weights

    def undo():
        ex.ExtractiveAnswerer.scoring = orig_scoring
        ex.ExtractiveAnswerer._weights = orig_w

    return undo

"""A question not in English (a lexicon language) is refused by the hand-set score under T (0.44 for all now)."""

import os
from dataclasses import replace

from programme_assistant.answering import extractive as ex
from programme_assistant.text.language import detect_language

T = float(os.environ.get("T", "0.35"))
orig = ex.ExtractiveAnswerer.answer


def apply(a):
    def answer(self, question, passages, reserve=()):
        lang = detect_language(question, among_lexicon=True)
        if lang and lang != "en":
            saved = self.config
            self.config = replace(saved, refusal_threshold=T)
            try:
                return orig(self, question, passages, reserve)
            finally:
                self.config = saved
        return orig(self, question, passages, reserve)

    ex.ExtractiveAnswerer.answer = answer
    return lambda: setattr(ex.ExtractiveAnswerer, "answer", orig)

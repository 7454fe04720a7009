"""score += B * coverage of the question's focus words (content words that are not names/numbers/dates)."""

import os
import re
from dataclasses import replace

from programme_assistant.answering import extractive as ex

B = float(os.environ.get("B", "0.1"))
NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w'’-]*|[\w-]*\d[\w-]*)\b")
orig = ex.ExtractiveAnswerer.scoring


def apply(a):
    def scoring(self, question, passages):
        res = orig(self, question, passages)
        if not res.sentences or res.english:
            return res
        q = re.sub(r"\s*\([^()]*\)\s*$", "", question)
        names = set(self.tokenizer(" ".join(m.group() for m in NAME.finditer(q.strip()))))
        focus = {t for t in self.tokenizer(q) if t not in names and t in res.weights}
        if not focus:
            return res
        tot = sum(res.weights[t] for t in focus)

        def cov(s):
            terms = set(self.tokenizer(s.text))
            return sum(res.weights[t] for t in focus & terms) / tot

        sents = [replace(s, score=s.score + B * cov(s)) for s in res.sentences]
        sents.sort(key=lambda s: -s.score)
        return replace(res, sentences=sents)

    ex.ExtractiveAnswerer.scoring = scoring
    return lambda: setattr(ex.ExtractiveAnswerer, "scoring", orig)

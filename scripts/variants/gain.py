"""score += W * (sim(q, title — ctx: cand) - sim(q, title)): what a candidate adds to its document's topic."""

import os
from dataclasses import replace

import numpy as np

from programme_assistant.answering import extractive as ex

W = float(os.environ.get("W", "0.3"))
orig = ex.ExtractiveAnswerer.scoring


def apply(a):
    def scoring(self, question, passages):
        res = orig(self, question, passages)
        if not res.sentences:
            return res
        q = np.asarray(self.embedder.embed_query(res.english or question), dtype=np.float32)
        titles = [p.title for p in passages]
        tv = self._vectors(titles) @ q
        texts = [
            f"{titles[s.passage - 1]} — {s.context}: {s.text}" if s.context else f"{titles[s.passage - 1]}: {s.text}"
            for s in res.sentences
        ]
        cv = self._vectors(texts) @ q
        sents = [replace(s, score=s.score + W * float(cv[i] - tv[s.passage - 1])) for i, s in enumerate(res.sentences)]
        sents.sort(key=lambda s: -s.score)
        return replace(res, sentences=sents)

    ex.ExtractiveAnswerer.scoring = scoring
    return lambda: setattr(ex.ExtractiveAnswerer, "scoring", orig)

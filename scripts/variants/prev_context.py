"""A candidate is also read after the statement before it in its paragraph ("Four fields were highlighted for such
pilots" after the sentence naming the pilots): sim = max(sim, sim(prev + cand)); score += 0.6*W*(new - old)."""

import os
from dataclasses import replace

import numpy as np

from programme_assistant.answering import extractive as ex

W = float(os.environ.get("W", "1.0"))
orig = ex.ExtractiveAnswerer.scoring


def apply(a):
    def scoring(self, question, passages):
        res = orig(self, question, passages)
        if not res.sentences:
            return res
        by = {(s.passage, s.block, s.order): s for s in res.sentences}
        q = np.asarray(self.embedder.embed_query(res.english or question), dtype=np.float32)
        texts, idx = [], []
        for i, s in enumerate(res.sentences):
            p = by.get((s.passage, s.block, s.order - 1))
            if p is not None and p.kind == "sentence" and s.kind == "sentence":
                texts.append(f"{p.text} {s.text}")
                idx.append(i)
        if not texts:
            return res
        sims = self._vectors(texts) @ q
        new = list(res.sentences)
        for i, v in zip(idx, sims, strict=True):
            s = new[i]
            gain = max(0.0, float(v) - s.features["sim"])
            new[i] = replace(s, score=s.score + 0.6 * W * gain)
        new.sort(key=lambda s: -s.score)
        return replace(res, sentences=new)

    ex.ExtractiveAnswerer.scoring = scoring
    return lambda: setattr(ex.ExtractiveAnswerer, "scoring", orig)

"""Second semantic query: the question without its names, numbers and dates (the 'focus');
score += 0.6*L*(sim_focus - sim)."""

import os
import re
from dataclasses import replace

import numpy as np

from programme_assistant.answering import extractive as ex

L = float(os.environ.get("L", "0.5"))
NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b(?:[A-Z][\w'’-]*|[\w-]*\d[\w-]*)\b")
MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"


def focus(q):
    f = re.sub(rf"\b(?:\d{{1,2}}\s+)?(?:{MONTHS})(?:\s+\d{{4}})?\b", " ", q, flags=re.I)
    f = NAME.sub(" ", f.strip())
    f = re.sub(r"\s+", " ", f).strip()
    return f


orig = ex.ExtractiveAnswerer.scoring


def apply(a):
    def scoring(self, question, passages):
        res = orig(self, question, passages)
        if not res.sentences or res.english:
            return res
        fq = focus(re.sub(r"\s*\([^()]*\)\s*$", "", question))
        if len(fq.split()) < 3 or fq == question:
            return res
        q = np.asarray(self.embedder.embed_query(fq), dtype=np.float32)
        plain = self._vectors([s.text for s in res.sentences]) @ q
        ctx = self._vectors([f"{s.context}: {s.text}" if s.context else s.text for s in res.sentences]) @ q
        fs = np.maximum(plain, ctx)
        sents = [
            replace(s, score=s.score + 0.6 * L * (float(fs[i]) - s.features["sim"]))
            for i, s in enumerate(res.sentences)
        ]
        sents.sort(key=lambda s: -s.score)
        return replace(res, sentences=sents)

    ex.ExtractiveAnswerer.scoring = scoring
    return lambda: setattr(ex.ExtractiveAnswerer, "scoring", orig)


if __name__ == "__main__":
    for q in [
        "What was the main message of the DG ENER opening at the hydrogen webinar on 27 April 2023?",
        "Which fields did the IURC2 launch at KICK single out for pilot actions in Japan?",
        "Was R2R planning an extra study visit focused on advanced air mobility?",
        "is there a fee to attend the april 2023 webinar on smart specialisation for start-ups and open innovation?",
    ]:
        print(focus(q))

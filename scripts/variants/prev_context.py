"""A candidate is also read after the statement before it in its paragraph ("Four fields were highlighted for such
pilots" after the sentence naming the pilots): sim = max(sim, sim(prev + cand)); score += 0.6*W*(new - old)."""

import os

import numpy as np
from answer_variants import patch_scoring

W = float(os.environ.get("W", "1.0"))


def rescore(answerer, question, passages, scoring):
    by_place = {(s.passage, s.block, s.order): s for s in scoring.sentences}
    texts, places = [], []
    for i, s in enumerate(scoring.sentences):
        before = by_place.get((s.passage, s.block, s.order - 1))
        if before is not None and before.kind == "sentence" and s.kind == "sentence":
            texts.append(f"{before.text} {s.text}")
            places.append(i)
    if not texts:
        return None
    q = np.asarray(answerer.embedder.embed_query(scoring.english or question), dtype=np.float32)
    scores = [s.score for s in scoring.sentences]
    for i, v in zip(places, answerer._vectors(texts) @ q, strict=True):
        scores[i] += 0.6 * W * max(0.0, float(v) - scoring.sentences[i].features["sim"])
    return scores


def apply(a):
    return patch_scoring(rescore)

"""score += W * (sim(q, title — ctx: cand) - sim(q, title)): what a candidate adds to its document's topic."""

import os

import numpy as np
from answer_variants import patch_scoring

W = float(os.environ.get("W", "0.3"))


def rescore(answerer, question, passages, scoring):
    q = np.asarray(answerer.embedder.embed_query(scoring.english or question), dtype=np.float32)
    titles = [p.title for p in passages]
    title_sims = answerer._vectors(titles) @ q
    texts = [
        f"{titles[s.passage - 1]} — {s.context}: {s.text}" if s.context else f"{titles[s.passage - 1]}: {s.text}"
        for s in scoring.sentences
    ]
    sims = answerer._vectors(texts) @ q
    return [s.score + W * float(v - title_sims[s.passage - 1]) for s, v in zip(scoring.sentences, sims, strict=True)]


def apply(a):
    return patch_scoring(rescore)

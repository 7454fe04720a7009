"""Reorder by a leave-one-set-out logistic regression over ranker.FEATURES (trained on the other sample sets'
candidates, from dump_candidates.py); final score = best hand * p / max p, so the refusal threshold decision is
unchanged. MIX=0.5: the mean of the learned and hand scores, each divided by its best."""

import os
import pickle
import tempfile
from dataclasses import replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from programme_assistant.answering import extractive as ex
from programme_assistant.answering.ranker import FEATURES

D = pickle.load(open(os.environ.get("CANDS", os.path.join(tempfile.gettempdir(), "pa-candidates.pkl")), "rb"))
SETS = ["golden", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8"]
TOPN = int(os.environ.get("TOPN", "30"))
C = float(os.environ.get("C", "1"))
MIX = float(os.environ.get("MIX", "1"))  # 1: pure learned ratio; 0: hand
Q = [d for d in D if d["answerable"] and d["facts"] and d["set"] in SETS and not d["refused"]]
models = {}
for test in SETS + ["all"]:
    tr = [d for d in Q if d["set"] != test]
    X = np.array([[c["feats"].get(k, 0.0) for k in FEATURES] for d in tr for c in d["cands"][:TOPN]])
    y = np.array([float(bool(c["gold"])) for d in tr for c in d["cands"][:TOPN]])
    sc = StandardScaler().fit(X)
    m = LogisticRegression(C=C, max_iter=3000, class_weight="balanced").fit(sc.transform(X), y)
    models[test] = (sc, m)
orig = ex.ExtractiveAnswerer.scoring


def scoring(self, question, passages):
    res = orig(self, question, passages)
    if not res.sentences:
        return res
    sc, m = models.get(getattr(self, "_set", None), models["all"])
    X = np.array([[s.features.get(k, 0.0) for k in FEATURES] for s in res.sentences])
    p = m.predict_proba(sc.transform(X))[:, 1]
    hand = np.array([s.features["hand"] for s in res.sentences])
    hmax, pmax = hand.max(), p.max()
    final = hmax * (MIX * p / pmax + (1 - MIX) * hand / hmax)
    sents = [replace(s, score=float(f)) for s, f in zip(res.sentences, final, strict=True)]
    sents.sort(key=lambda s: -s.score)
    return replace(res, sentences=sents)


def apply(a):
    ex.ExtractiveAnswerer.scoring = scoring
    ans = a.answerer
    type(ans)._set = property(lambda self: getattr(a, "variant_set", None))
    return lambda: setattr(ex.ExtractiveAnswerer, "scoring", orig)

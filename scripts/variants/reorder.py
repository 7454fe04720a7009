"""Reorder by a leave-one-set-out logistic regression over ranker.FEATURES (trained on the other sample sets'
candidates, from dump_candidates.py); final score = best hand * p / max p, so the refusal threshold decision is
unchanged. MIX=0.5: the mean of the learned and hand scores, each divided by its best."""

import os
import pickle
import tempfile

import numpy as np
from answer_variants import patch_scoring
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

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


def apply(a):
    def rescore(answerer, question, passages, scoring):
        # a model not trained on the set being answered (answer_variants.py says which)
        sc, m = models.get(getattr(a, "variant_set", None), models["all"])
        X = np.array([[s.features.get(k, 0.0) for k in FEATURES] for s in scoring.sentences])
        p = m.predict_proba(sc.transform(X))[:, 1]
        hand = np.array([s.features["hand"] for s in scoring.sentences])
        return hand.max() * (MIX * p / p.max() + (1 - MIX) * hand / hand.max())

    return patch_scoring(rescore)

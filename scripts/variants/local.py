"""Each question word's weight also multiplied by (1 - the share of the candidates holding it) ** G: words every
candidate holds (the passages' topic) count less."""

import os

from programme_assistant.answering.extractive import ExtractiveAnswerer

G = float(os.environ.get("G", "1.0"))
orig = ExtractiveAnswerer._weights


def _weights(self, q_terms, cand_terms):
    w = orig(self, q_terms, cand_terms)
    n = len(cand_terms) or 1
    return {t: v * (1 - sum(t in c for c in cand_terms) / n) ** G for t, v in w.items()}


def apply(a):
    ExtractiveAnswerer._weights = _weights
    return lambda: setattr(ExtractiveAnswerer, "_weights", orig)

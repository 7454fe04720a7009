"""Disagreement: a statement of another document that states a different number of the same kind about the same thing
as the best one is added when it scores R of the best (not only keep_ratio)."""

import os

from programme_assistant.answering import extractive as ex

R = float(os.environ.get("R", "0.6"))
orig = ex.ExtractiveAnswerer._select


def apply(a):
    def _select(self, scored, first=None, languages=None):
        chosen_first = list(first or [])
        if scored:
            best = scored[0]
            for s in scored[1:]:
                if s.score < R * best.score:
                    break
                if s.doc_id != best.doc_id and ex._differ(s, best):
                    if s not in chosen_first:
                        chosen_first.append(s)
                    break
        return orig(self, scored, chosen_first, languages)

    ex.ExtractiveAnswerer._select = _select
    return lambda: setattr(ex.ExtractiveAnswerer, "_select", orig)

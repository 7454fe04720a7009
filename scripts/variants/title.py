"""A candidate is also read under its document's title (and heading): sims = max(plain, heading, title+heading)."""

import os

from programme_assistant.answering import extractive as ex

MODE = os.environ.get("TMODE", "title_ctx")
orig_in_context = ex.ExtractiveAnswerer._in_context
orig_scoring = ex.ExtractiveAnswerer.scoring
STATE = {}


def apply(a):
    def _in_context(cands, read):
        titles = STATE.get("titles")
        if titles is None:
            return orig_in_context(cands, read)
        out = []
        for c, r in zip(cands, read, strict=True):
            t = titles[c.passage - 1]
            if MODE == "title_ctx":
                out.append(f"{t} — {c.context}: {r}" if c.context else f"{t}: {r}")
            else:
                out.append(f"{t}: {r}")
        return out

    def scoring(self, question, passages):
        STATE["titles"] = [p.title for p in passages]
        try:
            return orig_scoring(self, question, passages)
        finally:
            STATE["titles"] = None

    ex.ExtractiveAnswerer._in_context = staticmethod(_in_context)
    ex.ExtractiveAnswerer.scoring = scoring

    def undo():
        ex.ExtractiveAnswerer._in_context = staticmethod(orig_in_context)
        ex.ExtractiveAnswerer.scoring = orig_scoring

    return undo

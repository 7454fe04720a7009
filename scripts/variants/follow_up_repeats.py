"""Follow-ups whose answer does not repeat the previous answer: its statements dropped from the candidates
(MODE=drop), their score multiplied by PEN (pen), or kept only as the best statement (noadd); base: as now. Every
follow-up of golden and held-out 1-9 is asked with the earlier turns answered first, over answer_variants.py's index
(run it first); prints the eval's figures for them.

    MODE=drop python scripts/variants/follow_up_repeats.py
"""

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from programme_assistant.answering import extractive as ex
from programme_assistant.assistant import Assistant
from programme_assistant.config import Settings
from programme_assistant.evaluation.cases import load_golden, normalise
from programme_assistant.evaluation.runner import aggregate, score_case
from programme_assistant.text.sentences import sentence_spans

MODE = os.environ.get("MODE", "base")
PEN = float(os.environ.get("PEN", "0.85"))
ALL = os.environ.get("ALL", "0") == "1"
a = Assistant.from_settings(Settings(index_dir=Path(tempfile.gettempdir()) / "pa-answer-variants.index"))


def strip(t):
    return re.sub(r"\s*\[\d+\]", "", t)


SAID = {"s": set()}
orig_scoring = ex.ExtractiveAnswerer.scoring


def said_of(sent):
    return (
        any(normalise(sent.text[x:y]).strip() in SAID["s"] for x, y in sentence_spans(sent.text))
        or normalise(sent.text) in SAID["s"]
    )


def scoring(self, question, passages):
    res = orig_scoring(self, question, passages)
    if not SAID["s"] or MODE == "base":
        return res
    if MODE == "drop":
        kept = [s for s in res.sentences if not said_of(s)]
        return replace(res, sentences=kept) if kept else res
    if MODE == "pen":
        ss = [replace(s, score=s.score * PEN) if said_of(s) else s for s in res.sentences]
        ss.sort(key=lambda s: -s.score)
        return replace(res, sentences=ss)
    return res


ex.ExtractiveAnswerer.scoring = scoring
orig_select = ex.ExtractiveAnswerer._select


def _select(self, scored, first=None, languages=None):
    chosen = orig_select(self, scored, first, languages)
    if MODE == "noadd" and SAID["s"]:
        chosen = [c for i, c in enumerate(chosen) if i == 0 or not said_of(c)]
    return chosen


ex.ExtractiveAnswerer._select = _select
res = []
for s in "golden heldout heldout2 heldout3 heldout4 heldout5 heldout6 heldout7 heldout8 heldout9".split():
    for c in load_golden(Path(__file__).resolve().parents[2] / "evals" / f"{s}.jsonl"):
        if not c.history:
            continue
        hist = []
        said = set()
        for t in c.history:
            SAID["s"] = set(said) if hist else set()
            p = a.ask(t, history=hist)
            hist.append((t, p.text))
            last = {normalise(strip(p.text[x:y])).strip() for x, y in sentence_spans(p.text)}
            said = (said | last) if ALL else last
        SAID["s"] = said
        ans = a.ask(c.question, history=hist)
        SAID["s"] = set()
        res.append(score_case(c, ans))
g = aggregate(res)
print(
    MODE,
    PEN,
    "ALL" if ALL else "",
    "n",
    g["cases"],
    {
        k: g.get(k)
        for k in [
            "fact_recall",
            "citation_precision",
            "answer_precision",
            "answer_chars_median",
            "refusal_recall",
            "wrong_refusal_rate",
        ]
    },
)

"""score += B * coverage of the question's focus words (content words that are not names/numbers/dates)."""

import os
from pathlib import Path

from answer_variants import load_variant, patch_scoring

B = float(os.environ.get("B", "0.1"))
FOCUS = load_variant(str(Path(__file__).with_name("focus.py")))


def rescore(answerer, question, passages, scoring):
    if scoring.english:
        return None
    q = FOCUS.own_question(question)
    names = set(answerer.tokenizer(" ".join(m.group() for m in FOCUS.NAME.finditer(q.strip()))))
    words = {t for t in answerer.tokenizer(q) if t not in names and t in scoring.weights}
    if not words:
        return None
    total = sum(scoring.weights[t] for t in words)
    return [
        s.score + B * sum(scoring.weights[t] for t in words & set(answerer.tokenizer(s.text))) / total
        for s in scoring.sentences
    ]


def apply(a):
    return patch_scoring(rescore)

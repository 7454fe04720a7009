"""Fit the extractive answerer's sentence ranker (``make train-ranker``) and write it to
``src/programme_assistant/answering/data/ranker.json``.

Training questions (``training_data.py``: the sample corpus's golden, held-out and held-out 2 sets, and ClapNQ
dev's training half, all through the product's own pipeline), each with the candidates the answerer scored and a
label per candidate: for the sample corpus, the candidate holds one of the case's required facts and comes from
an expected or supporting document; for ClapNQ, it is one of the selected gold sentences of the gold document.
Unanswerable questions have no positive. Held-out 6 and the multilingual sets are never read.

A logistic regression (scikit-learn, balanced classes) over the candidate features (``ranker.FEATURES``,
standardised) of each question's ``--top`` candidates by the hand-set score, sample-corpus candidates weighted
``--sample-weight``. Five-fold cross-validation grouped by question reports precision@1 (the top
candidate is a positive) beside the hand-set score, per source. The refusal threshold is calibrated on the
out-of-fold probabilities: the highest that refuses at most ``--max-wrong-refusals`` of the answerable training
questions.

    python scripts/train_ranker.py [--clapnq DIR] [--out FILE] [--C 0.05] [--features FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "ranker.json"


@dataclass
class Question:
    source: str  # "clapnq" or a sample set's name
    qid: str
    answerable: bool
    rows: list[dict[str, float]]
    labels: list[int]
    hand: list[float]


def log(message: str) -> None:
    print(f"[train-ranker] {message}", file=sys.stderr, flush=True)


def _tokens(text: str) -> set[str]:
    from programme_assistant.evaluation.cases import normalise

    return {t for t in normalise(text).replace("``", " ").replace("\'\'", " ").split() if any(c.isalnum() for c in t)}


def matches_gold(candidate: str, gold: list[set[str]]) -> bool:
    words = _tokens(candidate)
    for g in gold:
        if g and words and len(words & g) / len(g) >= 0.8 and len(words & g) / len(words) >= 0.5:
            return True
    return False


def answering(asked: Any) -> list[bool]:
    """Whether each of ``asked``'s scored statements answers it: the question is answerable, the statement comes
    from a document allowed to answer, and it matches a gold sentence (ClapNQ) or holds a required fact (the sample
    sets). The labels of this script and of ``train_answer_model.py``."""
    from programme_assistant.evaluation.cases import normalise

    gold = [_tokens(g) for g in asked.gold_sentences]
    facts = [normalise(f) for f in asked.facts]
    return [asked.answerable and s.doc_id in asked.allowed_docs and (
        matches_gold(s.text, gold) if asked.source == "clapnq" else any(f in normalise(s.text) for f in facts))
        for s in asked.scoring.sentences]


def collect(settings: object, benchmarks_dir: Path, top: int, outside: bool = False) -> list[Question]:
    """Each training question's ``top`` candidates by the hand-set score, with their labels (with ``outside``, the
    other folders' development sets too: ``training_data.OUTSIDE_TRAINING``)."""
    from training_data import training_questions

    out: list[Question] = []
    for asked in training_questions(settings, benchmarks_dir, outside=outside):
        sentences = asked.scoring.sentences
        if not sentences:
            continue
        chosen = sorted(range(len(sentences)), key=lambda i: -sentences[i].features["hand"])[:top]
        answers = answering(asked)
        labels = [int(answers[i]) for i in chosen]
        out.append(Question(asked.source, asked.qid, asked.answerable, [sentences[i].features for i in chosen],
                            labels, [sentences[i].features["hand"] for i in chosen]))
    return out


def candidates(settings: object, benchmarks_dir: Path, top: int, features: Path | None,
               outside: bool = False) -> list[Question]:
    """``collect``'s training questions, read from the ``features`` file when it exists (asking them takes
    minutes), else asked and written there."""
    if features and features.exists():
        log(f"training candidates read from {features}")
        return pickle.loads(features.read_bytes())
    questions = collect(settings, benchmarks_dir, top, outside)
    if features:
        features.write_bytes(pickle.dumps(questions))
    return questions


def precision_at_1(questions: list[Question], scores: list[np.ndarray]) -> float:
    usable = [(q, s) for q, s in zip(questions, scores, strict=True) if q.answerable and any(q.labels)]
    return sum(q.labels[int(np.argmax(s))] for q, s in usable) / max(1, len(usable))


def calibrate(questions: list[Question], scores: list[np.ndarray], max_wrong: float) -> tuple[float, dict]:
    best_answerable = sorted(float(np.max(s)) for q, s in zip(questions, scores, strict=True)
                             if q.answerable and any(q.labels))
    unanswerable = [float(np.max(s)) for q, s in zip(questions, scores, strict=True) if not q.answerable]
    cut = int(max_wrong * len(best_answerable))
    threshold = best_answerable[cut] if best_answerable else 0.5
    refused = sum(u < threshold for u in unanswerable) / max(1, len(unanswerable))
    return threshold, {"answerable_questions": len(best_answerable), "unanswerable_questions": len(unanswerable),
                       "train_wrong_refusals": round(cut / max(1, len(best_answerable)), 3),
                       "train_unanswerable_refused": round(refused, 3)}


def main(argv: list[str] | None = None) -> int:
    from training_data import TRAINING_SETS, add_arguments, training_settings, write_model

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, out=DEFAULT_OUT, c=0.05, max_wrong=0.02,
                  max_wrong_help="share of answerable training questions the calibrated threshold may refuse")
    parser.add_argument("--top", type=int, default=20, help="candidates per question learned from (by hand score)")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from programme_assistant.answering.ranker import FEATURES, LinearRanker

    settings, embedding_model = training_settings()
    questions = candidates(settings, args.clapnq, args.top, args.features)

    names = FEATURES
    x = np.array([[row.get(n, 0.0) for n in names] for q in questions for row in q.rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    y = np.array([label for q in questions for label in q.labels])
    groups = np.array([i for i, q in enumerate(questions) for _ in q.rows])
    weight = np.array([1.0 if q.source == "clapnq" else args.sample_weight for q in questions for _ in q.rows])
    log(f"{len(questions)} questions, {len(y)} candidates, {int(y.sum())} positive")

    def fit(rows: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=args.C, class_weight="balanced", max_iter=5000).fit(
            xs[rows], y[rows], sample_weight=weight[rows])

    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(xs, y, groups):
        oof[test] = fit(train).predict_proba(xs[test])[:, 1]
    model = fit(np.arange(len(y)))

    per_q: list[np.ndarray] = []
    start = 0
    for q in questions:
        per_q.append(oof[start:start + len(q.rows)])
        start += len(q.rows)
    report: dict[str, dict[str, float]] = {}
    for source in dict.fromkeys(q.source for q in questions):
        chosen = [i for i, q in enumerate(questions) if q.source == source]
        qs = [questions[i] for i in chosen]
        report[source] = {
            "questions": len(qs),
            "cv_precision_at_1": round(precision_at_1(qs, [per_q[i] for i in chosen]), 3),
            "hand_precision_at_1": round(precision_at_1(qs, [np.array(q.hand) for q in qs]), 3),
        }
    threshold, calibration = calibrate(questions, per_q, args.max_wrong_refusals)
    coef = model.coef_[0]
    ranker = LinearRanker(names, coef, float(model.intercept_[0]), mean, scale, threshold, {
        "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "training": "ClapNQ dev (questions whose id hashes even) + evals/" + ", ".join(TRAINING_SETS) + "; "
                    "held-out 14 onwards and the multilingual sets unread",
        "cross_validation": report, "calibration": calibration, "C": args.C, "top": args.top,
        "sample_weight": args.sample_weight, "max_wrong_refusals": args.max_wrong_refusals,
        "embedding_model": embedding_model,
    })
    write_model(ranker, args.out, {"cross_validation": report, "threshold": round(threshold, 4), **calibration},
                "standardised")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

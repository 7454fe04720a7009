"""Fit the learned correction of the extractive answerer's hand-set score (``make train-correction``) and write it
to ``src/programme_assistant/answering/data/correction.json``.

The answerer ranks a question's candidate statements by a hand-set mix of signals (``ExtractiveConfig``: the
answer model's similarity, coverage of the question's words, the kind of thing asked for, the passage's rank...).
Its composition (how far below the best a statement may score and still join it, when the answer is refused)
reads that score's scale. The correction keeps the scale and learns what to add to it: a weighted sum of the
candidate's standardised features (``ranker.FEATURES`` without the hand score itself),

    score = hand + w . (x - mean) / scale

fitted listwise: for each training question, the softmax over its ``--top`` candidates (by hand score) of
``score / --temperature`` should put its weight on the candidates that answer it (``train_ranker.answering``: a
required fact, or ClapNQ's gold sentence, from a document allowed to answer), with an L2 penalty ``--l2`` keeping
the correction small. The hand score enters with a fixed weight of one: the correction can only move a candidate
a little past its neighbours, not replace the score. Full-batch L-BFGS (torch), a few seconds.

Training questions: ``training_data.py`` (golden, held-out 1-13, ClapNQ dev's training half), answered with the
answer model; held-out 14 onwards and the multilingual sets are never read. With ``--cross-fit DIR`` each half of
them is answered with the answer model trained without it (``make cross-fit-models``), so that the correction learns
from similarities as the answer model gives them to questions it never read (``training_data.cross_fitted``).
Measured in session 29 and left out: the half-data models' similarities are not the packaged model's either (new
questions +0.006, answers 40 characters longer; docs/answer-selection.md). Five folds grouped by question report
precision@1 (the best candidate answers) beside the hand score's, per source. The file records the embedding and
answer models: the answerer uses it only with those (``assistant.build_correction``).

    python scripts/train_correction.py [--cross-fit DIR] [--clapnq DIR] [--out FILE] [--features FILE] [--l2 0.1]
                                       [--temperature 0.05]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "correction.json"


def log(message: str) -> None:
    print(f"[train-correction] {message}", file=sys.stderr, flush=True)


def fit_correction(features: list[np.ndarray], hands: list[np.ndarray], labels: list[np.ndarray],
                   weights: list[float], l2: float, temperature: float) -> np.ndarray:
    """The correction's weights over standardised ``features`` (one matrix per question), so that the softmax of
    ``(hand + x @ w) / temperature`` over each question's candidates favours its positives. Questions with no
    positive, or with nothing but positives, say nothing about the order and are skipped."""
    import torch

    data = [(torch.tensor(x, dtype=torch.float64), torch.tensor(h, dtype=torch.float64),
             torch.tensor(y.astype(bool)), wt)
            for x, h, y, wt in zip(features, hands, labels, weights, strict=True) if y.any() and not y.all()]
    w = torch.zeros(features[0].shape[1], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([w], max_iter=300, line_search_fn="strong_wolfe")
    total = sum(wt for *_, wt in data) or 1.0

    def closure() -> Any:
        optimiser.zero_grad()
        loss = torch.zeros((), dtype=torch.float64)
        for x, h, y, wt in data:
            s = (h + x @ w) / temperature
            loss = loss - wt * (torch.logsumexp(s[y], 0) - torch.logsumexp(s, 0))
        loss = loss / total + l2 * (w ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return w.detach().numpy()


def precision_at_1(scores: list[np.ndarray], labels: list[np.ndarray]) -> float:
    usable = [(s, y) for s, y in zip(scores, labels, strict=True) if y.any()]
    return sum(int(y[int(np.argmax(s))]) for s, y in usable) / max(1, len(usable))


def main(argv: list[str] | None = None) -> int:
    from training_data import (
        CROSS_FIT_FOLDS,
        OUTSIDE_SETS,
        TRAINING_SETS,
        add_data_arguments,
        answer_model_id,
        cross_fitted,
        fold_features,
        from_outside,
        is_paraphrase,
        training_settings,
        use_paraphrases,
        write_model,
    )

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser, DEFAULT_OUT)
    parser.add_argument("--features", type=Path, help="keep the training candidates in this file and reuse them on "
                        "the next run (asking the training questions takes minutes)")
    parser.add_argument("--top", type=int, default=15, help="candidates per question learned from (by hand score)")
    parser.add_argument("--l2", type=float, default=0.1, help="L2 penalty on the correction's weights")
    parser.add_argument("--temperature", type=float, default=0.05, help="softmax temperature of the score")
    parser.add_argument("--sample-weight", type=float, default=3.0, help="weight of a sample-corpus question")
    parser.add_argument("--outside", action="store_true",
                        help="add the development sets of other programmes' folders (training_data.OUTSIDE_TRAINING)")
    parser.add_argument("--cross-fit", type=Path, metavar="DIR", help="ask each fold of the training questions "
                        "through the answer model trained without it (DIR: make cross-fit-models)")
    args = parser.parse_args(argv)
    use_paraphrases(args.paraphrases)

    from sklearn.model_selection import KFold
    from train_ranker import candidates

    from programme_assistant.answering.ranker import CORRECTION_FEATURES, LinearRanker

    settings, embedding_model = training_settings()
    fold_models: list[str] = []
    if args.cross_fit:
        asked, fold_models = cross_fitted(args.cross_fit, lambda fold_settings, k: candidates(
            fold_settings, args.clapnq, args.top, fold_features(args.features, k), args.outside))
    else:
        asked = candidates(settings, args.clapnq, args.top, args.features, args.outside)
    # a features file may hold the other folders' questions and the paraphrases when these options do not ask for them
    questions = [q for q in asked if q.rows and (args.outside or not from_outside(q.source))
                 and (args.paraphrases or not is_paraphrase(q.source))]
    names = CORRECTION_FEATURES
    raw = [np.array([[row.get(n, 0.0) for n in names] for row in q.rows], dtype=np.float64) for q in questions]
    stacked = np.concatenate(raw)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale == 0] = 1.0
    xs = [(x - mean) / scale for x in raw]
    hands = [np.array(q.hand, dtype=np.float64) for q in questions]
    labels = [np.array(q.labels, dtype=int) for q in questions]
    weights = [1.0 if q.source == "clapnq" else args.sample_weight for q in questions]
    log(f"{len(questions)} questions, {len(stacked)} candidates, "
        f"{sum(int(y.any()) for y in labels)} with an answering one")

    oof: list[np.ndarray] = [np.zeros(0)] * len(questions)
    for train, test in KFold(n_splits=5, shuffle=True, random_state=0).split(np.arange(len(questions))):
        w = fit_correction([xs[i] for i in train], [hands[i] for i in train], [labels[i] for i in train],
                           [weights[i] for i in train], args.l2, args.temperature)
        for i in test:
            oof[i] = hands[i] + xs[i] @ w
    report: dict[str, dict[str, float]] = {}
    for source in dict.fromkeys(q.source for q in questions):
        chosen = [i for i, q in enumerate(questions) if q.source == source]
        report[source] = {"questions": len(chosen),
                          "cv_precision_at_1": round(precision_at_1([oof[i] for i in chosen],
                                                                    [labels[i] for i in chosen]), 3),
                          "hand_precision_at_1": round(precision_at_1([hands[i] for i in chosen],
                                                                      [labels[i] for i in chosen]), 3)}
    w = fit_correction(xs, hands, labels, weights, args.l2, args.temperature)
    correction = LinearRanker(names, w, 0.0, mean, scale, 0.0, {
        "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "training": "ClapNQ dev (questions whose id hashes even) + evals/" + ", ".join(TRAINING_SETS) + "; "
                    "held-out 14 onwards and the multilingual sets unread",
        "outside": sorted(OUTSIDE_SETS) if args.outside else [], "paraphrases": args.paraphrases,
        "kind": "correction of the hand score (score = hand + weights . standardised features)",
        "cross_validation": report, "top": args.top, "l2": args.l2, "temperature": args.temperature,
        "sample_weight": args.sample_weight, "embedding_model": embedding_model,
        "answer_model": answer_model_id(settings), "retrieval_mode": settings.retrieval_mode,
        "cross_fit": {"folds": CROSS_FIT_FOLDS, "fold_answer_models": fold_models} if fold_models else None,
    })
    write_model(correction, args.out, {"cross_validation": report}, "standardised, in hand-score units", digits=3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

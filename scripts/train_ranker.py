"""Fit the extractive answerer's sentence ranker (``make train-ranker``) and write it to
``src/programme_assistant/answering/data/ranker.json``.

Training questions, each with the candidates the answerer would see and a label per candidate:
- ClapNQ dev (../shared/benchmarks/clapnq-dev), the half of its questions whose id hashes even (the other half
  is kept for evaluation): the passages are the 4 documents BM25 ranks first for the question; a candidate is
  positive when it is one of ClapNQ's selected gold sentences. Unanswerable questions have no positive.
- The golden set (evals/golden.jsonl) over the sample corpus: the passages our hybrid search returns; a candidate
  is positive when it holds one of the case's required facts. Unanswerable cases have no positive.
The held-out sets (evals/heldout*.jsonl) are never read.

A logistic regression (scikit-learn, balanced classes) is fitted on standardised features, over each question's
10 best candidates by the hand-set score, golden candidates weighted 3 (both chosen by cross-validation). Five-fold
cross-validation grouped by question reports precision@1 (the top candidate is a positive) beside the hand-set
score, per source. The refusal threshold is calibrated on the out-of-fold probabilities: the highest threshold
that refuses at most 2% of the answerable training questions.

    python scripts/train_ranker.py [--clapnq DIR] [--out FILE] [--max-wrong-refusals 0.05]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "ranker.json"


@dataclass
class Question:
    source: str  # "clapnq" or "golden"
    qid: str
    answerable: bool
    rows: list[dict[str, float]]
    labels: list[int]
    hand: list[float]


def log(message: str) -> None:
    print(f"[train-ranker] {message}", file=sys.stderr, flush=True)


def is_train(qid: str) -> bool:
    """ClapNQ's training half: questions whose id hashes even; the odd half is for evaluation."""
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0


def _tokens(text: str) -> set[str]:
    from programme_assistant.evaluation.cases import normalise

    return {t for t in normalise(text).replace("``", " ").replace("''", " ").split() if any(c.isalnum() for c in t)}


def matches_gold(candidate: str, gold: list[set[str]]) -> bool:
    words = _tokens(candidate)
    for g in gold:
        if g and words and len(words & g) / len(g) >= 0.8 and len(words & g) / len(words) >= 0.5:
            return True
    return False


def clapnq_questions(data: Path, embedder: object, settings: object) -> list[Question]:
    from programme_assistant.answering.extractive import ExtractiveAnswerer
    from programme_assistant.assistant import extractive_config
    from programme_assistant.models import Chunk, RetrievedChunk
    from programme_assistant.retrieval.lexical import LexicalIndex

    docs = [json.loads(line) for line in (data / "documents.jsonl").read_text(encoding="utf-8").splitlines() if line]
    questions = [json.loads(line) for line in (data / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line]
    index = LexicalIndex([f"{d['title']}\n{d['text']}" for d in docs])
    answerer = ExtractiveAnswerer(embedder, extractive_config(settings), idf=index.idf)  # type: ignore[arg-type]
    out: list[Question] = []
    chosen = [q for q in questions if is_train(q["id"])]
    log(f"ClapNQ: {len(chosen)} training questions of {len(questions)}")
    for n, q in enumerate(chosen, start=1):
        hits = index.search(q["question"], 4)
        passages = []
        for h in hits:
            d = docs[h.position]
            chunk = Chunk(chunk_id=d["id"], doc_id=d["id"], text=d["text"], start=0, end=len(d["text"]), index=0)
            passages.append(RetrievedChunk(chunk=chunk, title=d["title"], date=None, doc_type="other", language="en",
                                           source_path=d["id"]))
        if not passages:
            continue
        gold = [_tokens(s) for s in (q.get("extra") or {}).get("selected_sentences") or [] if s.strip()]
        scored = answerer.score(q["question"], passages)
        labels = [int(bool(gold) and s.doc_id in q["doc_ids"] and matches_gold(s.text, gold)) for s in scored]
        out.append(Question("clapnq", q["id"], bool(q["doc_ids"]), [s.features for s in scored], labels,
                            [s.features["hand"] for s in scored]))
        if n % 50 == 0:
            log(f"ClapNQ: {n} questions")
    return out


def golden_questions(settings: object, embedder: object, index_dir: Path) -> list[Question]:
    from programme_assistant.assistant import Assistant
    from programme_assistant.evaluation.cases import load_golden, normalise

    assistant = Assistant.from_settings(settings.model_copy(update={"index_dir": index_dir}),  # type: ignore[attr-defined]
                                        embedder=embedder)  # type: ignore[arg-type]
    assistant.sync()
    cases = load_golden(ROOT / "evals" / "golden.jsonl")
    out: list[Question] = []
    for case in cases:
        history = [(h, "") for h in case.history]
        standalone = assistant.rewriter.rewrite(case.question, history)
        passages = assistant.search.search(standalone)
        scored = assistant.answerer.score(standalone, passages)  # type: ignore[attr-defined]
        facts = [normalise(f) for f in case.required_facts]
        allowed = set(case.expected_doc_ids) | set(case.supporting_doc_ids)
        labels = [int(case.answerable and s.doc_id in allowed and any(f in normalise(s.text) for f in facts))
                  for s in scored]
        out.append(Question("golden", case.id, case.answerable, [s.features for s in scored], labels,
                            [s.features["hand"] for s in scored]))
    log(f"golden: {len(out)} cases")
    return out


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clapnq", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "clapnq-dev")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--max-wrong-refusals", type=float, default=0.02,
                        help="share of answerable training questions the calibrated threshold may refuse")
    parser.add_argument("--top", type=int, default=10, help="candidates per question learned from (by hand score)")
    parser.add_argument("--golden-weight", type=float, default=3.0, help="weight of a golden-set candidate")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--features", type=Path, help="keep the extracted features in this JSON file and reuse "
                        "them on the next run (they take minutes to compute)")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from programme_assistant.answering.ranker import FEATURES, LinearRanker
    from programme_assistant.assistant import build_embedder
    from programme_assistant.config import Settings

    if args.features and args.features.exists():
        questions = [Question(**q) for q in json.loads(args.features.read_text())]
        log(f"features read from {args.features}")
    else:
        settings = Settings(answer_ranker="hand")
        embedder = build_embedder(settings)
        with tempfile.TemporaryDirectory(prefix="pa-train-") as tmp:
            questions = golden_questions(settings, embedder, Path(tmp) / "index")
        if args.clapnq.is_dir():
            questions += clapnq_questions(args.clapnq, embedder, settings)
        else:
            log(f"no ClapNQ data at {args.clapnq}: training on the golden set alone")
        if args.features:
            args.features.write_text(json.dumps([q.__dict__ for q in questions]))

    names = FEATURES
    x = np.array([[row.get(n, 0.0) for n in names] for q in questions for row in q.rows])
    y = np.array([label for q in questions for label in q.labels])
    groups = np.array([i for i, q in enumerate(questions) for _ in q.rows])
    # what the model learns from: each question's ``--top`` candidates by the hand-set score (the ones the
    # answer is chosen among; the far tail is easy and would swamp the loss), golden questions weighted
    # ``--golden-weight`` (the programme's own kind of document, against twice as many ClapNQ questions)
    focus = np.zeros(len(y), dtype=bool)
    weight = np.ones(len(y))
    start = 0
    for q in questions:
        top = np.argsort(-np.asarray(q.hand))[:args.top]
        focus[start + top] = True
        if q.source == "golden":
            weight[start:start + len(q.rows)] = args.golden_weight
        start += len(q.rows)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    log(f"{len(questions)} questions, {len(y)} candidates ({int(focus.sum())} learned from), {int(y.sum())} positive")

    def fit(rows: np.ndarray) -> LogisticRegression:
        chosen = rows & focus
        return LogisticRegression(C=args.C, class_weight="balanced", max_iter=3000).fit(
            xs[chosen], y[chosen], sample_weight=weight[chosen])

    oof = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(xs, y, groups):
        mask = np.zeros(len(y), dtype=bool)
        mask[train] = True
        oof[test] = fit(mask).predict_proba(xs[test])[:, 1]
    model = fit(np.ones(len(y), dtype=bool))

    per_q: list[np.ndarray] = []
    start = 0
    for q in questions:
        per_q.append(oof[start:start + len(q.rows)])
        start += len(q.rows)
    report: dict[str, dict[str, float]] = {}
    for source in ("golden", "clapnq"):
        chosen = [i for i, q in enumerate(questions) if q.source == source]
        if not chosen:
            continue
        qs = [questions[i] for i in chosen]
        report[source] = {
            "questions": len(qs),
            "cv_precision_at_1": round(precision_at_1(qs, [per_q[i] for i in chosen]), 3),
            "hand_precision_at_1": round(precision_at_1(qs, [np.array(q.hand) for q in qs]), 3),
        }
    threshold, calibration = calibrate(questions, per_q, args.max_wrong_refusals)
    ranker = LinearRanker(names, model.coef_[0], float(model.intercept_[0]), mean, scale, threshold, {
        "trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "training": "ClapNQ dev (questions whose id hashes even) + evals/golden.jsonl; held-out sets unread",
        "cross_validation": report, "calibration": calibration, "C": args.C, "top": args.top,
        "golden_weight": args.golden_weight, "max_wrong_refusals": args.max_wrong_refusals,
    })
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(ranker.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"cross_validation": report, "threshold": round(threshold, 4), **calibration}, indent=2))
    top = sorted(zip(names, model.coef_[0], strict=True), key=lambda t: -abs(t[1]))[:12]
    print("largest weights (standardised):", ", ".join(f"{n} {w:+.2f}" for n, w in top))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

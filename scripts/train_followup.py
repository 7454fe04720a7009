"""Fit the follow-up rewriter's learned judge of whether a question stands alone (``make train-followup``) and
write it to ``src/programme_assistant/answering/data/followup.json``.

Training questions come from the training sets (``training_data.FOLLOWUP_SETS``: golden and held-out 1 to 5, or
``PA_TRAINING_SETS``), asked of the sample corpus through the product's own search: the turns of a follow-up case
after its first (the question and its later history turns) lean on the conversation (label 0); the questions that
open a case without history stand alone (label 1). Each is described by ``followup.followup_features`` of the
passages it finds on its own. A logistic regression (scikit-learn, balanced classes) on standardised features;
five-fold stratified cross-validation reports how many of each kind it misjudges out of fold. The threshold is
0.5 (balanced classes: the two mistakes weigh alike). The sets never trained on (``--evaluate``, default
held-out 6-13) are reported too, against the rule.

    python scripts/train_followup.py [--out FILE] [--evaluate heldout6,heldout7,...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "followup.json"
EVALUATE = ",".join(f"heldout{n}" for n in range(6, 14))


def questions(names: list[str]) -> list[tuple[str, str, int]]:
    """(set, question, label) of every training question: 0 leaning on the conversation, 1 standing alone."""
    from programme_assistant.evaluation.cases import load_golden

    out = []
    for name in names:
        for case in load_golden(ROOT / "evals" / f"{name}.jsonl"):
            if case.category == "follow_up" and case.history:
                out += [(name, q, 0) for q in [*case.history[1:], case.question]]
            elif not case.history:
                out.append((name, case.question, 1))
    return out


def rows_of(search: Any, asked: list[tuple[str, str, int]]) -> tuple[list[dict[str, float]], np.ndarray]:
    from programme_assistant.answering.followup import followup_features

    rows = [followup_features(q, search.search(q)) for _, q, _ in asked]
    return rows, np.array([label for _, _, label in asked])


def report(name: str, labels: np.ndarray, stands: np.ndarray) -> str:
    leaning, alone = labels == 0, labels == 1
    return (f"{name}: {int(leaning.sum())} follow-up turns, {float(np.mean(stands[leaning])):.3f} judged standing "
            f"alone; {int(alone.sum())} opening questions, {float(np.mean(~stands[alone])):.3f} judged leaning on "
            f"the conversation")


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.preprocessing import StandardScaler
    from training_data import FOLLOWUP_SETS

    from programme_assistant.answering.followup import FOLLOWUP_FEATURES
    from programme_assistant.answering.rewrite import ContextualRewriter
    from programme_assistant.assistant import Assistant, build_embedder
    from programme_assistant.config import Settings
    from programme_assistant.retrieval.embeddings import model_id_of

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--evaluate", default=EVALUATE, help="sets never trained on, reported (comma-separated)")
    args = parser.parse_args(argv)

    settings = Settings(followup_model="rule")  # the questions are asked alone: no judge needed, none read
    embedding_model = model_id_of(build_embedder(settings))
    with tempfile.TemporaryDirectory(prefix="pa-followup-") as tmp:
        assistant = Assistant.from_settings(settings.model_copy(update={"index_dir": Path(tmp) / "index"}))
        assistant.sync()
        train = questions(list(FOLLOWUP_SETS))
        rows, y = rows_of(assistant.search, train)
        evaluate = questions([s for s in args.evaluate.split(",") if s]) if args.evaluate else []
        eval_rows, eval_y = rows_of(assistant.search, evaluate) if evaluate else ([], np.zeros(0))

    X = np.array([[r[n] for n in FOLLOWUP_FEATURES] for r in rows])
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    out_of_fold = cross_val_predict(model, scaler.transform(X), y, cv=folds, method="predict_proba")[:, 1]
    model.fit(scaler.transform(X), y)
    print(report("training sets, out of fold", y, out_of_fold >= 0.5))

    rule = ContextualRewriter()  # no judge: the rule decides

    def rule_stands(question: str) -> bool:
        return not rule.is_dependent(question)

    print(report("training sets, the rule", y, np.array([rule_stands(q) for _, q, _ in train])))
    if evaluate:
        E = np.array([[r[n] for n in FOLLOWUP_FEATURES] for r in eval_rows])
        p = model.predict_proba(scaler.transform(E))[:, 1]
        print(report("sets never trained on", eval_y, p >= 0.5))
        print(report("sets never trained on, the rule", eval_y, np.array([rule_stands(q) for _, q, _ in evaluate])))

    data = {
        "features": list(FOLLOWUP_FEATURES), "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6), "mean": [round(float(m), 6) for m in scaler.mean_],
        "scale": [round(float(s), 6) for s in scaler.scale_], "threshold": 0.5,
        "meta": {"trained": dt.date.today().isoformat(), "training_sets": list(FOLLOWUP_SETS),
                 "questions": {"leaning": int((y == 0).sum()), "standing": int((y == 1).sum())},
                 "embedding_model": embedding_model, "retrieval_mode": settings.retrieval_mode,
                 "script": "scripts/train_followup.py"},
    }
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fit the follow-up rewriter's learned judge of whether a question stands alone (``make train-followup``) and
write it to ``src/programme_assistant/answering/data/followup.json``.

Training questions come from three folders' spent sets (``TRAINING``: the sample corpus's golden set, held-out
1-45 and the multilingual sets; the SAWKA's sets 1-10 in ``evals/outside-c``; the DMRCP's 1-4 in ``evals/outside``),
each asked of its folder's own index through the product's own search. The turns of a follow-up case after its
first lean on the conversation (label 0), read with the turn before (the rewriter's standalone form of the history,
by the rule); a question that opens a case stands alone (label 1), read after each of two other opening questions
of the same folder, picked at random (a fixed seed): a user changing the subject. Each is described by
``followup.followup_features``: the passages it finds alone, and the best dense similarity of what it finds read
with the earlier turn's carried words (``rewrite.leaning_on``).

A logistic regression (scikit-learn, balanced classes) on standardised features. Five folds grouped by question
(an opening read after two others is one question) give out-of-fold probabilities; the threshold is the lowest at
which at most ``MAX_FOLLOWUPS_ALONE`` of the training follow-up turns are read alone out of fold (a follow-up read
alone loses its subject; an opening read with the conversation's words is often still answered, session 44).
Folders never trained on (``EVALUATE``: the AIETN's, the BSDSP's and the IMUHR's spent sets) are reported, against
the rule and the judge packaged before (``--before``).

    python scripts/train_followup.py [--out FILE] [--index FOLDER=PATH ...] [--no-evaluate]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "followup.json"
# at most this share of the training follow-up turns read alone, out of fold (the judge packaged before: 0.20 of the
# five folders' follow-ups)
MAX_FOLLOWUPS_ALONE = 0.2
OPENINGS_AFTER = 2  # each opening question is read after this many other opening questions of its folder
SEED = 45


def _sets(folder: str, pattern: str, leave_out: tuple[str, ...] = ()) -> tuple[str, tuple[Path, ...]]:
    files = sorted(p for p in (ROOT / folder).glob(pattern) if p.stem not in leave_out)
    return folder, tuple(files)


def training_folders() -> list[tuple[str, tuple[Path, ...]]]:
    """(corpus folder's parent, question files) of the training folders: the sample corpus's spent sets (every set
    in evals/ but the unrun ones and the topic-switch set, whose questions are held-out 6-13's), the SAWKA's and the
    DMRCP's."""
    from eval_sets import NOT_A_SET, UNRUN

    return [_sets("evals", "*.jsonl", UNRUN + NOT_A_SET), _sets("evals/outside-c", "questions*.jsonl"),
            _sets("evals/outside", "questions*.jsonl")]


def evaluation_folders() -> list[tuple[str, tuple[Path, ...]]]:
    """Folders never trained on: the AIETN's, the BSDSP's (its sets 1-11) and the IMUHR's (1-5)."""
    return [_sets("evals/outside-b", "questions*.jsonl"),
            ("evals/outside-d", tuple(ROOT / f"evals/outside-d/questions{n}.jsonl" for n in ["", *range(2, 12)])),
            ("evals/outside-e", tuple(ROOT / f"evals/outside-e/questions{n}.jsonl" for n in ["", 2, 3, 4, 5]))]


def corpus_of(folder: str) -> Path:
    return ROOT / ("corpus" if folder == "evals" else f"{folder}/corpus")


def readings(files: tuple[Path, ...], seed: int = SEED) -> list[tuple[str, str, int]]:
    """(question, its reading leaning on the turn before, label) of every question of ``files``: 0 a follow-up turn
    read with the real turn before, 1 an opening question read after another opening question."""
    from programme_assistant.answering.rewrite import ContextualRewriter, leaning_on
    from programme_assistant.evaluation.cases import load_golden

    rule = ContextualRewriter()  # the earlier turns' standalone forms, as the rule writes them
    follow_ups, openings = [], []
    for path in files:
        for case in load_golden(path):
            if case.category == "follow_up" and case.history:
                turns = [*case.history, case.question]
                for i in range(1, len(turns)):
                    previous = rule.rewrite(turns[i - 1], [(t, "") for t in turns[:i - 1]])
                    follow_ups.append((turns[i], leaning_on(turns[i], previous), 0))
            elif not case.history:
                openings.append(case.question)
    rng = random.Random(seed)
    asked = list(follow_ups)
    for question in openings:
        others = [o for o in openings if o != question]
        for before in rng.sample(others, min(OPENINGS_AFTER, len(others))):
            asked.append((question, leaning_on(question, before), 1))
    return asked


def rows_of(search: Callable[[str], Any], asked: list[tuple[str, str, int]]) -> tuple[list[dict[str, float]],
                                                                                     np.ndarray]:
    from programme_assistant.answering.followup import reading_features

    found = functools.cache(search)  # a question is read after several others, and a turn's reading may repeat
    rows = [reading_features(q, c, found) for q, c, _ in asked]
    return rows, np.array([label for _, _, label in asked])


def report(name: str, labels: np.ndarray, stands: np.ndarray) -> str:
    leaning, alone = labels == 0, labels == 1
    return (f"{name}: {int(leaning.sum())} follow-up turns, {int(stands[leaning].sum())} "
            f"({float(np.mean(stands[leaning])):.3f}) read alone; {int(alone.sum())} opening questions after another, "
            f"{int((~stands[alone]).sum())} ({float(np.mean(~stands[alone])):.3f}) read with its words")


def lowest_threshold(probabilities: np.ndarray, labels: np.ndarray, max_alone: float = MAX_FOLLOWUPS_ALONE) -> float:
    """The lowest threshold (of 0.01 steps) at which at most ``max_alone`` of the follow-ups (label 0) are read
    alone (probability at or above it)."""
    leaning = probabilities[labels == 0]
    for t in np.arange(0.01, 1.0, 0.01):
        if np.mean(leaning >= t) <= max_alone:
            return round(float(t), 2)
    return 0.99


def folder_rows(folders: list[tuple[str, tuple[Path, ...]]], settings: Any, indexes: dict[str, Path],
                tmp: Path) -> tuple[list[dict[str, float]], np.ndarray, list[str], list[tuple[str, str, int]]]:
    from programme_assistant.assistant import Assistant

    rows, labels, groups, asked_all = [], [], [], []
    for folder, files in folders:
        index = indexes.get(folder) or tmp / folder.replace("/", "-")
        assistant = Assistant.from_settings(settings.model_copy(update={"index_dir": index,
                                                                        "corpus_dir": corpus_of(folder)}))
        if folder not in indexes:
            assistant.sync()
        asked = readings(files)
        r, y = rows_of(assistant.search.search, asked)
        rows += r
        labels += list(y)
        groups += [f"{folder}:{q}" for q, _, _ in asked]
        asked_all += asked
        print(f"[train-followup] {folder}: {len(files)} sets, {int((y == 0).sum())} follow-up turns, "
              f"{int((y == 1).sum())} openings read after another", file=sys.stderr, flush=True)
    return rows, np.array(labels), groups, asked_all


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict
    from sklearn.preprocessing import StandardScaler

    from programme_assistant.answering.followup import FOLLOWUP_FEATURES, load_followup_model
    from programme_assistant.answering.ranker import LinearRanker
    from programme_assistant.answering.rewrite import ContextualRewriter
    from programme_assistant.assistant import build_embedder
    from programme_assistant.config import Settings
    from programme_assistant.retrieval.embeddings import model_id_of

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--index", action="append", default=[], metavar="FOLDER=PATH",
                        help="an index already synced from FOLDER's corpus (evals, evals/outside-c, ...), reused")
    parser.add_argument("--before", type=Path, default=DEFAULT_OUT, help="the judge to compare with (the packaged)")
    parser.add_argument("--no-evaluate", action="store_true", help="skip the folders never trained on")
    args = parser.parse_args(argv)
    indexes = {k: Path(v).resolve() for k, v in (i.split("=", 1) for i in args.index)}

    settings = Settings(followup_model="rule")  # the questions are read by the features alone: no judge needed
    embedding_model = model_id_of(build_embedder(settings))
    before = load_followup_model(args.before) if args.before.is_file() else None
    with tempfile.TemporaryDirectory(prefix="pa-followup-") as tmp:
        rows, y, groups, train = folder_rows(training_folders(), settings, indexes, Path(tmp))
        evaluate = ([] if args.no_evaluate else folder_rows(evaluation_folders(), settings, indexes, Path(tmp)))

    X = np.array([[r[n] for n in FOLLOWUP_FEATURES] for r in rows])
    scaler = StandardScaler().fit(X)
    model = LogisticRegression(class_weight="balanced", max_iter=1000)
    out_of_fold = cross_val_predict(model, scaler.transform(X), y, cv=GroupKFold(n_splits=5), groups=groups,
                                    method="predict_proba")[:, 1]
    threshold = lowest_threshold(out_of_fold, y)
    model.fit(scaler.transform(X), y)
    print(f"threshold {threshold} (at most {MAX_FOLLOWUPS_ALONE} of the follow-up turns read alone, out of fold)")
    print(report("training folders, out of fold", y, out_of_fold >= threshold))
    rule = ContextualRewriter()  # no judge: the rule decides

    def rule_stands(asked: list[tuple[str, str, int]]) -> np.ndarray:
        return np.array([not rule.is_dependent(q) for q, _, _ in asked])

    print(report("training folders, the rule", y, rule_stands(train)))
    judge = LinearRanker(tuple(FOLLOWUP_FEATURES), model.coef_[0], float(model.intercept_[0]), scaler.mean_,
                         scaler.scale_, threshold, {})
    if evaluate:
        eval_rows, eval_y, _, eval_asked = evaluate
        print(report("folders never trained on", eval_y, np.array(judge.probabilities(eval_rows)) >= threshold))
        if before is not None:
            print(report("folders never trained on, the judge before", eval_y,
                         np.array(before.probabilities(eval_rows)) >= before.threshold))
        print(report("folders never trained on, the rule", eval_y, rule_stands(eval_asked)))

    data = {
        "features": list(FOLLOWUP_FEATURES), "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6), "mean": [round(float(m), 6) for m in scaler.mean_],
        "scale": [round(float(s), 6) for s in scaler.scale_], "threshold": threshold,
        "meta": {"trained": dt.date.today().isoformat(),
                 "training_sets": [str(p.relative_to(ROOT)) for _, files in training_folders() for p in files],
                 "questions": {"leaning": int((y == 0).sum()), "standing": int((y == 1).sum())},
                 "max_followups_alone": MAX_FOLLOWUPS_ALONE, "openings_after": OPENINGS_AFTER, "seed": SEED,
                 "embedding_model": embedding_model, "retrieval_mode": settings.retrieval_mode,
                 "script": "scripts/train_followup.py"},
    }
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

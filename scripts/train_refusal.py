"""Fit the extractive answerer's learned refusal (``make train-refusal``) and write it to
``src/programme_assistant/answering/data/refusal.json``.

Training questions, each labelled answerable or not (``training_data.py``: the sample corpus's golden set and
held-out sets 1 to 13, with ``--outside`` other programmes' development sets, and ClapNQ dev's training half, whose
unanswerable questions come with passages on their topic), go through the product's own pipeline and are
described by ``answerability.question_features``. Each answerable one is also asked without the documents that
answer it (``training_data.answer_removed``): what is left is on its topic but does not say what it asks, the kind
of question hardest to refuse; those are labelled unanswerable (source ``<set>-removed``).
Held-out 14 onwards and the multilingual sets are not read without ``--spent``. With ``--spent`` (measured in
session 59 and left out) the spent development sets' questions in English join them (``training_data.SPENT_TRAINING``:
held-out 14-49 and the other folders' sets no learned part was trained on, each run once already), weighted
``--spent-weight``, without answer-removed copies, with ClapNQ's questions weighted ``--external-weight 4`` so that
they keep about their share of the fit. Fitted with them, the refusal separates the questions of a folder left out
of its fit better on each of the five folders and on both halves of held-out 14-49 (area under the ROC curve
0.77-0.84 -> 0.84-0.90; at its own threshold 547 -> 604 of 1,077 unanswerable questions refused for 200 -> 146 of
2,687 answerable ones), but it refuses more of golden's and ClapNQ's answerable questions (golden 4 -> 7 of 116,
over ``evals/thresholds.toml``'s ceiling; ClapNQ 0.040 -> 0.080), held-out 50 and 51 gain nothing, and it reads the
answerability reader for most questions (``docs/answer-selection.md``, session 59). With ``--cross-fit DIR``
each half of the training questions is asked with the answer model trained without it (``make cross-fit-models``),
so that the features and the threshold see similarities as new questions get them (``training_data.cross_fitted``).
Measured in session 29 and left out: new questions' wrong refusals 72 -> 117 of 795 for 17 more unanswerable ones
refused (docs/answer-selection.md).
The packaged file is fitted with ``--outside`` (``make train-refusal``): the questions of other programmes' folders
(``training_data.OUTSIDE_TRAINING``) join the training questions, after the answer model and the correction were
fitted the same way (session 32). Fitted without them on the code of sessions 30-32, the refusal answers new
questions worse than the file it replaced (session 30: fact recall -0.011, 23 more wrong refusals); measure a refit
with ``scripts/answer_variants.py`` against the packaged file before replacing it.

A logistic regression (scikit-learn, balanced classes, sample-corpus questions weighted ``--sample-weight``) on
standardised features. Five-fold stratified cross-validation gives out-of-fold probabilities; the threshold is
the one that refuses ``--max-wrong-refusals`` of the answerable training questions out of fold, and the report
gives, per source, the share of unanswerable questions refused and of answerable ones wrongly refused there.

    python scripts/train_refusal.py [--outside] [--spent [--spent-weight 6]] [--external-weight 1] [--cross-fit DIR]
                                    [--clapnq DIR] [--out FILE] [--max-wrong-refusals 0.05] [--features FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "refusal.json"


@dataclass
class Question:
    source: str  # "clapnq" or a sample set's name
    qid: str
    answerable: bool
    features: dict[str, float]


def log(message: str) -> None:
    print(f"[train-refusal] {message}", file=sys.stderr, flush=True)


def collect(settings: object, benchmarks_dir: Path, removed: bool = True,
            external_sets: tuple[str, ...] = ("clapnq-dev",), cut: bool = False,
            outside: bool = False, reader: object | None = None,
            fold_readers: tuple[object, ...] = (), spent: bool = False) -> list[Question]:
    """Each training question's features; with ``reader`` (a ``reader.PairScorer``: the answerability reader), its
    logits for the best candidates too (``answerability.READER_FEATURES``), a ClapNQ question's read by the reader of
    ``fold_readers`` trained without its fold (``reader_of``); with ``spent``, the spent development sets' questions in
    English after them (``training_data.spent_questions``)."""
    from itertools import chain

    from training_data import spent_questions, training_questions

    from programme_assistant.answering.answerability import question_features, read_reader_features

    out = []
    for q in chain(training_questions(settings, benchmarks_dir, removed, external_sets, cut, outside),
                   spent_questions(settings) if spent else ()):
        row = question_features(q.scoring.sentences, q.scoring.weights, q.scoring.focus.expects, q.passages,
                                attribute_missing=q.scoring.attribute_missing)
        if reader is not None:
            row.update(read_reader_features(reader_of(q.source, q.qid, reader, fold_readers), q.standalone,
                                            q.scoring.sentences))
        out.append(Question(q.source, q.qid, q.answerable, row))
    return out


def reader_of(source: str, qid: str, reader: object, fold_readers: tuple[object, ...]) -> object:
    """The answerability reader a training question's features are read with: a ClapNQ question's (``source``
    ``clapnq``, ``clapnq-removed``) is the one of ``fold_readers`` trained without its fold, when there are any (a
    reader trained on ClapNQ's training half, ``train_answerability_reader.py --with-clapnq``, session 52: its logits
    for the questions it learned from are better than a new question's, and the refusal would lean on them too much);
    every other question's is ``reader``."""
    if not fold_readers or source.split("-")[0] != "clapnq":
        return reader
    from train_answerability_reader import clapnq_fold

    return fold_readers[clapnq_fold(qid)]


def fold_answerability_readers(value: str | None, reader: object | None) -> tuple[tuple[object, ...], list[str]]:
    """``--fold-readers``: the readers trained without each ClapNQ fold (``train_answerability_reader.py
    --without-fold K``), in fold order, and their digests. Required when ``reader`` was trained on ClapNQ; each file
    must say it left out its own fold."""
    from train_answerability_reader import CLAPNQ_FOLDS

    trained_on_clapnq = reader is not None and any(
        str(k).startswith("clapnq") for k in (reader.change.meta.get("questions") or {}))
    if value is None:
        if trained_on_clapnq:
            raise SystemExit("the answerability reader was trained on ClapNQ's training half: pass --fold-readers "
                             "with the readers trained without each fold (train_answerability_reader.py --with-clapnq "
                             "--without-fold K), or --reader with one trained without --with-clapnq")
        return (), []
    if reader is None:
        raise SystemExit("--fold-readers needs an answerability reader: drop it, or drop --reader none")
    paths = [Path(p) for p in value.split(",") if p.strip()]
    if len(paths) != CLAPNQ_FOLDS:
        raise SystemExit(f"--fold-readers {value}: give {CLAPNQ_FOLDS} files, in fold order: the reader trained "
                         "--without-fold 0 first")
    readers = []
    for k, path in enumerate(paths):
        fold_reader, _ = answerability_reader(str(path))
        left_out = fold_reader.change.meta.get("without_clapnq_fold")
        if left_out != k:
            raise SystemExit(f"--fold-readers: {path} was trained without ClapNQ fold {left_out}, not {k}: give the "
                             f"file written by train_answerability_reader.py --without-fold {k} in place {k}")
        readers.append(fold_reader)
    return tuple(readers), [r.change.digest for r in readers]


def answerability_reader(value: str) -> tuple[object | None, str | None]:
    """``--reader``: the answerability reader (``packaged``, a file written by ``make train-answerability-reader``, or
    ``none``) and the digest of its file (None for none)."""
    if value == "none":
        return None, None
    from programme_assistant.answering.answerability import answerability_reader_path
    from programme_assistant.answering.reader import CrossEncoderReader
    from programme_assistant.retrieval.embeddings import packaged_model_path

    path = answerability_reader_path() if value == "packaged" else Path(value)
    reader = CrossEncoderReader(str(packaged_model_path()), path, max_tokens=64, fix="run make "
                                "train-answerability-reader, or pass --reader none to fit without it")
    return reader, reader.change.digest


def refusal_rates(questions: list[Question], probabilities: np.ndarray, threshold: float) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for source in dict.fromkeys(q.source for q in questions):
        idx = [i for i, q in enumerate(questions) if q.source == source]
        un = [probabilities[i] >= threshold for i in idx if not questions[i].answerable]
        an = [probabilities[i] >= threshold for i in idx if questions[i].answerable]
        out[source] = {"questions": len(idx), "unanswerable_refused": round(float(np.mean(un)), 3) if un else None,
                       "answerable_refused": round(float(np.mean(an)), 3) if an else None}
    return out


def question_weights(sources: list[str], sample_weight: float, spent_weight: float,
                     external_weight: float) -> np.ndarray:
    """Each training question's weight in the fit, by its source: a spent development set's (``--spent``)
    ``spent_weight``; a programme's training set's, or its answer-removed copy's, ``sample_weight``; ClapNQ's (or
    PubMedQA's) ``external_weight``."""
    from training_data import OUTSIDE_SETS, SPENT_SETS, TRAINING_SETS

    programme_sets = {*TRAINING_SETS, *OUTSIDE_SETS}  # questions about a programme's folder, not ClapNQ's
    return np.array([spent_weight if source in SPENT_SETS
                     else sample_weight if source.split("-")[0] in programme_sets
                     else external_weight for source in sources])


def fit_refusal(x: np.ndarray, y: np.ndarray, weight: np.ndarray, strata: np.ndarray, c: float,
                max_wrong: float) -> tuple[Any, np.ndarray, np.ndarray, float, np.ndarray]:
    """A logistic regression (balanced classes, ``weight`` per question) on standardised features ``x``, labels ``y``
    (1: should be refused). Five folds stratified by ``strata`` give out-of-fold probabilities; the threshold is the
    one that refuses ``max_wrong`` of the answerable (``y == 0``) questions out of fold. Returns the model fitted on
    all questions, the feature means and scales, the threshold and the out-of-fold probabilities."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale

    def fit(rows: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(
            xs[rows], y[rows], sample_weight=weight[rows])

    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(xs, strata):
        oof[test] = fit(train).predict_proba(xs[test])[:, 1]
    answerable = np.sort(oof[y == 0])
    threshold = float(answerable[min(len(answerable) - 1, int((1 - max_wrong) * len(answerable)))])
    return fit(np.arange(len(y))), mean, scale, threshold, oof


def main(argv: list[str] | None = None) -> int:
    from training_data import (
        CROSS_FIT_FOLDS,
        OUTSIDE_SETS,
        SPENT_SETS,
        TRAINING_SETS,
        add_arguments,
        answer_model_id,
        cross_fitted,
        fold_features,
        from_outside,
        is_paraphrase,
        training_settings,
        use_paraphrases,
        use_wider,
        write_model,
    )

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, out=DEFAULT_OUT, c=1.0, max_wrong=0.05,
                  max_wrong_help="share of answerable training questions (out of fold) the threshold may refuse")
    parser.add_argument("--no-removed", dest="removed", action="store_false",
                        help="leave out the answer-removed questions (training_data.answer_removed)")
    parser.add_argument("--cut", action="store_true",
                        help="add answer-cut questions (training_data.answer_cut; measured worse: the features do not "
                             "see a missing sentence, and golden refusals fall)")
    parser.add_argument("--pubmedqa", action="store_true",
                        help="add PubMedQA-L's training half (measured worse: its easy questions set the threshold, "
                             "and the sample corpus's wrong refusals double)")
    parser.add_argument("--outside", action="store_true",
                        help="add the development sets of other programmes' folders (training_data.OUTSIDE_TRAINING)")
    parser.add_argument("--reader", default="packaged", metavar="packaged|FILE|none",
                        help="the answerability reader whose logits for the best candidates are features too "
                        "(answerability.READER_FEATURES; default: the packaged one; none: without them)")
    parser.add_argument("--fold-readers", metavar="FILE0,FILE1",
                        help="the answerability readers trained without each ClapNQ fold (train_answerability_reader.py"
                        " --without-fold K): ClapNQ's training questions are read by the one that never saw them")
    parser.add_argument("--cross-fit", type=Path, metavar="DIR", help="ask each fold of the training questions "
                        "through the answer model trained without it (DIR: make cross-fit-models)")
    parser.add_argument("--spent", action="store_true",
                        help="add the spent development sets' questions in English (training_data.SPENT_TRAINING: "
                        "held-out 14-49 and the other folders' sets not trained on), without answer-removed copies "
                        "(measured in session 59 and left out: docs/answer-selection.md)")
    parser.add_argument("--spent-weight", type=float, default=6.0,
                        help="the weight of each spent development set's question (default 6: twice a training set's "
                        "programme question; the best of 1, 3, 6 and 12 on each folder left out, session 59)")
    parser.add_argument("--external-weight", type=float, default=1.0,
                        help="the weight of each ClapNQ (or PubMedQA) question and its answer-removed copy (default 1; "
                        "4 with --spent keeps about ClapNQ's share of the fit)")
    parser.add_argument("--wider", action="store_true",
                        help="describe each training question by the passages the product judges it on: the wider "
                        "reading of the retrieved passages and the reserve after them (training_data.judged_reading; "
                        "measured worse in session 57: more refusals both ways, docs/answer-selection.md)")
    args = parser.parse_args(argv)
    use_paraphrases(args.paraphrases)
    use_wider(args.wider)

    from programme_assistant.answering.answerability import QUESTION_FEATURES, READER_FEATURES, READER_TOP
    from programme_assistant.answering.ranker import LinearRanker

    settings, embedding_model = training_settings()
    reader, reader_digest = answerability_reader(args.reader)
    fold_readers, fold_digests = fold_answerability_readers(args.fold_readers, reader)
    external = ("clapnq-dev", "pubmedqa-l") if args.pubmedqa else ("clapnq-dev",)

    def asked(ask_settings: object, features: Path | None) -> list[Question]:
        if features and features.exists():
            log(f"features read from {features}")
            return [Question(**q) for q in json.loads(features.read_text())]
        found = collect(ask_settings, args.clapnq, args.removed, external, args.cut, args.outside, reader,
                        fold_readers, args.spent)
        if features:
            features.write_text(json.dumps([q.__dict__ for q in found]))
        return found

    fold_models: list[str] = []
    if args.cross_fit:
        questions, fold_models = cross_fitted(args.cross_fit, lambda fold_settings, k: asked(
            fold_settings, fold_features(args.features, k)))
    else:
        questions = asked(settings, args.features)

    # a features file may hold more than these options ask for: keep what they ask for
    questions = [q for q in questions if (args.pubmedqa or not q.source.startswith("pubmedqa"))
                 and (args.cut or not q.source.endswith("-cut"))
                 and (args.removed or not q.source.endswith("-removed"))
                 and (args.outside or not from_outside(q.source))
                 and (args.spent or q.source not in SPENT_SETS)
                 and (args.paraphrases or not is_paraphrase(q.source))]
    names = (*QUESTION_FEATURES, *READER_FEATURES) if reader is not None else QUESTION_FEATURES
    if reader is not None and any(n not in q.features for q in questions for n in READER_FEATURES):
        raise SystemExit(f"{args.features} was written without the answerability reader's features: remove it, or "
                         "pass --reader none")
    x = np.array([[q.features.get(n, 0.0) for n in names] for q in questions])
    y = np.array([int(not q.answerable) for q in questions])  # 1: should be refused
    weight = question_weights([q.source for q in questions], args.sample_weight, args.spent_weight,
                              args.external_weight)
    strata = np.array([f"{q.source}-{int(q.answerable)}" for q in questions])
    model, mean, scale, threshold, oof = fit_refusal(x, y, weight, strata, args.C, args.max_wrong_refusals)
    cv = refusal_rates(questions, oof, threshold)
    meta = {"trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "training": "ClapNQ dev (questions whose id hashes even) + evals/" + ", ".join(TRAINING_SETS) + ", and "
                        "each answerable one asked without its answering documents as unanswerable (-removed)"
                        + ("; the spent development sets' questions in English (held-out 14-49 and the other folders'"
                           " sets in meta spent); held-out 50 onwards and the multilingual sets unread" if args.spent
                           else "; held-out 14 onwards and the multilingual sets unread"),
            "outside": sorted(OUTSIDE_SETS) if args.outside else [], "paraphrases": args.paraphrases,
            "spent": sorted(SPENT_SETS) if args.spent else [],
            "spent_weight": args.spent_weight if args.spent else None, "external_weight": args.external_weight,
            "reading": "wider" if args.wider else "retrieved",
            "pubmedqa": args.pubmedqa, "removed": args.removed, "cut": args.cut,
            "cross_validation": cv, "C": args.C, "sample_weight": args.sample_weight,
            "max_wrong_refusals": args.max_wrong_refusals, "embedding_model": embedding_model,
            "answer_model": answer_model_id(settings),
            "cross_fit": {"folds": CROSS_FIT_FOLDS, "fold_answer_models": fold_models} if fold_models else None,
            "retrieval_mode": settings.retrieval_mode, "answerability_reader": reader_digest,
            "fold_answerability_readers": fold_digests}
    if reader is not None:
        meta["reader_top"] = READER_TOP  # the product reads as many (answerability.load_refusal_model checks it)
        # the product holds the reader's features to this range (answerability.clip_reader) and
        # does not read the reader when the other features decide whatever it says within it (probability_bounds)
        meta["reader_range"] = {n: [math.floor(x[:, i].min() * 1e4) / 1e4, math.ceil(x[:, i].max() * 1e4) / 1e4]
                                for i, n in enumerate(names) if n in READER_FEATURES}
    model_file = LinearRanker(names, model.coef_[0], float(model.intercept_[0]), mean, scale, threshold, meta)
    write_model(model_file, args.out, {"threshold": round(threshold, 4), "cross_validation": cv},
                "standardised; + means refuse")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

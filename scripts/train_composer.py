"""Fit the learned composer of extractive answers (``make train-composer``) and write it to
``src/programme_assistant/answering/data/composer.json``.

The composer (``answering/composer.py``) decides which statements join the best one in an answer. Each training
question (``training_data.py``: golden and held-out 1-13 on the sample corpus; with ``--outside`` the other
programmes' development sets; ClapNQ dev's training half) is asked through the product's pipeline as it answers
(the learned correction on, the packaged answer model), and its answer is composed as the answerer composes it
(``ExtractiveAnswerer._select``: the statements after the best in its paragraph, then the ``composer.WINDOW`` best
after it, with the answerer's own limits and checks). Each statement offered is one example, labelled by whether it
holds a required fact (ClapNQ: a gold sentence) the answer so far lacks; the answer so far is the best statement
and the offers that did (teacher forcing). A logistic regression (scikit-learn) over ``composer.JOIN_FEATURES``.

The threshold: five folds grouped by question; each fold's questions are composed again with the model fitted on
the other four, at each threshold of a grid, and the threshold kept is the one whose answers to the programmes'
questions (not ClapNQ's, which want longer answers) have the highest mean fact recall plus half their mean precision
(the share of an answer's statements that hold a fact; ``objective``), every question counting once. The summary
gives those figures beside the score ratios' (the rule the answerer keeps by default), per source.

    python scripts/train_composer.py [--outside] [--clapnq DIR] [--out FILE] [--offers FILE] [--C 1.0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "composer.json"
# the features of a statement the composer and the answerer's composition read (the rest are dropped from the
# kept data to keep it small)
KEPT_FEATURES = ("new_share", "faq_entry", "lexical_in_text", "hand")
# how many of a question's best statements are kept (besides those of the best's passage: its paragraph's next ones)
KEPT = 30


def log(message: str) -> None:
    print(f"[train-composer] {message}", file=sys.stderr, flush=True)


@dataclass
class Composing:
    """One answerable training question, as the composition sees it."""

    source: str
    qid: str
    scored: list  # the statements (extractive.ScoredSentence), best first, slimmed
    first: list  # the best statement for each part of a question of several parts
    languages: list[str] | None  # each passage's language, when the question's is known
    weights: dict[str, float]
    facts: list[str]
    gold: list[str]


def holds(text: str, item: Composing) -> frozenset[int]:
    """The required facts and gold sentences of ``item`` that ``text`` holds (``training_data.held``)."""
    from training_data import held

    return held(text, item.facts, item.gold)


def slim(s: Any) -> Any:
    keep = {k: v for k, v in s.features.items() if k in KEPT_FEATURES or k.startswith("expects_")}
    return replace(s, features=keep)


def collect(settings: Any, clapnq: Path, outside: bool) -> list[Composing]:
    from training_data import training_questions

    found = []
    for asked in training_questions(settings, clapnq, removed=False, outside=outside):
        scored = asked.scoring.sentences
        if not asked.answerable or not scored or not (asked.facts or asked.gold_sentences):
            continue
        best = scored[0]
        kept = [s for i, s in enumerate(scored) if i < KEPT or s.passage == best.passage]
        first, languages, _ = asked.answerer.composition(asked.standalone, asked.passages)
        found.append(Composing(asked.source, asked.qid, [slim(s) for s in kept], [slim(s) for s in first],
                               languages, asked.scoring.weights, asked.facts, asked.gold_sentences))
    return found


def compose(answerer: Any, item: Composing, gate: Any) -> list:
    return answerer._select(item.scored, item.first, item.languages, gate)


def figures(item: Composing, chosen: list) -> tuple[float, float, int]:
    """Fact recall, precision (share of statements holding a fact) and length of an answer of ``chosen``."""
    found = [holds(s.text, item) for s in chosen]
    total = len(item.facts) + len(item.gold)
    recall = len(frozenset().union(*found)) / total if total else 0.0
    return recall, sum(bool(h) for h in found) / max(1, len(chosen)), sum(len(s.text) for s in chosen)


def offers(answerer: Any, item: Composing) -> tuple[list[dict[str, float]], list[int]]:
    """Each statement offered to join the answer, its features and label (teacher forcing: it joins when it holds
    something the answer so far lacks)."""
    from programme_assistant.answering.composer import join_features
    from programme_assistant.answering.extractive import differs_from

    rows, labels = [], []

    def gate(s: Any, chosen: list, rank: int, continues: bool) -> bool:
        have = frozenset().union(*(holds(c.text, item) for c in chosen))
        adds = bool(holds(s.text, item) - have)
        rows.append(join_features(s, chosen, rank, continues, item.weights, differs_from(s, chosen)))
        labels.append(int(adds))
        return adds

    compose(answerer, item, gate)
    return rows, labels


def objective(figures: dict[str, float]) -> float:
    """What the threshold is chosen for: an answer's facts first, its precision at half weight (a missing fact fails
    the question; a statement that holds none only lengthens the answer)."""
    return figures["fact_recall"] + 0.5 * figures["precision"]


def main(argv: list[str] | None = None) -> int:
    from training_data import (
        OUTSIDE_SETS,
        TRAINING_SETS,
        add_data_arguments,
        answer_model_id,
        from_outside,
        write_model,
    )

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser, DEFAULT_OUT)
    parser.add_argument("--outside", action="store_true",
                        help="add the development sets of other programmes' folders (training_data.OUTSIDE_TRAINING)")
    parser.add_argument("--offers", type=Path, help="keep the composed training questions in this file and reuse "
                        "them on the next run (they take minutes to compute)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args(argv)

    from sklearn.linear_model import LogisticRegression

    from programme_assistant.answering.composer import JOIN_FEATURES, learned_gate
    from programme_assistant.answering.extractive import ExtractiveAnswerer, differs_from
    from programme_assistant.answering.ranker import LinearRanker
    from programme_assistant.assistant import build_embedder, extractive_config
    from programme_assistant.config import Settings
    from programme_assistant.retrieval.embeddings import model_id_of

    # the pipeline as it answers (the learned correction moves the scores the composer reads), without a composer
    settings = Settings(refusal_model="off", composer="ratios")
    if args.offers and args.offers.exists():
        log(f"training questions read from {args.offers}")
        items = pickle.loads(args.offers.read_bytes())
    else:
        items = collect(settings, args.clapnq, args.outside)
        if args.offers:
            args.offers.write_bytes(pickle.dumps(items))
    items = [i for i in items if args.outside or not from_outside(i.source)]
    log(f"{len(items)} answerable training questions")

    # the composition reads no index and no model: only the answerer's config and tokenizer
    answerer = ExtractiveAnswerer(build_embedder(settings), extractive_config(settings))
    data = [offers(answerer, item) for item in items]
    names = JOIN_FEATURES
    x = np.array([[r[n] for n in names] for rows, _ in data for r in rows])
    y = np.array([label for _, labels in data for label in labels])
    group = np.array([q for q, (rows, _) in enumerate(data) for _ in rows])
    log(f"{len(y)} offers, {int(y.sum())} add a fact")
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale

    def fit(rows: np.ndarray) -> Any:
        return LogisticRegression(C=args.C, max_iter=5000).fit(xs[rows], y[rows])

    def as_model(model: Any, threshold: float) -> LinearRanker:
        return LinearRanker(names, model.coef_[0], float(model.intercept_[0]), mean, scale, threshold, {})

    grid = [0.01, 0.02, 0.03, 0.04, *(round(t, 3) for t in np.arange(0.05, 0.951, 0.025))]
    fold_of = np.arange(len(items)) % 5
    out_of_fold: dict[float, list[tuple[float, float, int]]] = {t: [None] * len(items) for t in grid}  # type: ignore
    for k in range(5):
        train = np.isin(group, np.flatnonzero(fold_of != k))
        model = fit(np.flatnonzero(train))
        for q in np.flatnonzero(fold_of == k):
            for t in grid:
                gate = learned_gate(as_model(model, t), items[q].weights, differs_from)
                out_of_fold[t][q] = figures(items[q], compose(answerer, items[q], gate))
    ratios = [figures(item, compose(answerer, item, answerer._ratio_gate)) for item in items]

    def summary(results: list[tuple[float, float, int]], subset: list[int]) -> dict[str, float]:
        chosen = [results[i] for i in subset]
        return {"fact_recall": round(float(np.mean([r for r, _, _ in chosen])), 4),
                "precision": round(float(np.mean([p for _, p, _ in chosen])), 4),
                "median_chars": float(np.median([n for _, _, n in chosen]))}

    every = list(range(len(items)))
    # the threshold is chosen on the programmes' questions: ClapNQ's (Wikipedia passages, gold sentences) want longer
    # answers, and would set it for them
    programme = [q for q in every if items[q].source != "clapnq"] or every
    threshold = max(grid, key=lambda t: objective(summary(out_of_fold[t], programme)))
    sources = list(dict.fromkeys(i.source for i in items))
    cv = {source: {"questions": len(idx), "ratios": summary(ratios, idx), "composer": summary(out_of_fold[threshold],
                                                                                              idx)}
          for source in sources for idx in [[q for q in every if items[q].source == source]]}
    cv["all"] = {"questions": len(items), "ratios": summary(ratios, every),
                 "composer": summary(out_of_fold[threshold], every)}
    cv["programmes"] = {"questions": len(programme), "ratios": summary(ratios, programme),
                        "composer": summary(out_of_fold[threshold], programme)}
    curve = {t: summary(out_of_fold[t], programme) for t in grid[:12]}
    model = fit(np.arange(len(y)))
    meta = {"trained": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "training": "ClapNQ dev (questions whose id hashes even) + evals/" + ", ".join(TRAINING_SETS)
                        + "; answerable questions; held-out 14 onwards and the multilingual sets unread",
            "outside": sorted(OUTSIDE_SETS) if args.outside else [], "C": args.C, "offers": int(len(y)),
            "cross_validation": cv, "embedding_model": model_id_of(build_embedder(settings)),
            "answer_model": answer_model_id(settings), "retrieval_mode": settings.retrieval_mode}
    write_model(replace(as_model(model, threshold), meta=meta), args.out,
                {"threshold": threshold, "cross_validation": cv, "curve": curve}, "standardised; + means joins")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

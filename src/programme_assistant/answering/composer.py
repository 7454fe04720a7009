"""Which statements join the best one in an extractive answer: the learned composer.

An answer starts with the best statement of the passages. Others may join it: the statements that follow it in its
paragraph (a sentence that introduces the answer brings the one that completes it), and others close to it in
score, from the same document or another (a list spread over documents, two sources that differ). Until session
33 ratios of the score decided which (``ExtractiveConfig.continuation_ratio``, ``keep_ratio``,
``other_document_ratio``); on the sample corpus's development sets three in four of the statements they added held
none of the question's facts, and answers were twice as long as the facts needed.

The composer learns it instead. Each statement offered to join is described by ``JOIN_FEATURES``: how it scores
beside the best and where it ranks, where it stands relative to the best (the next statement of its paragraph, the
same passage, the same document), how much of the question's weight it holds that the answer does not yet, whether
it holds the kind of thing the question asks for, how long it and the answer so far are, its kind (a table row, a
list item), whether it states other numbers than the best about the same thing. A logistic regression over them,
fitted by ``scripts/train_composer.py`` (``make train-composer``) on the training questions (``training_data.py``),
each offer labelled by whether it holds a required fact (or ClapNQ gold sentence) the answer so far lacks, gives
the probability that it adds one; the statement joins when that is at least the threshold, chosen out of fold on
the same questions for the answers' fact recall plus half their precision (the share of their statements that
hold a fact). Weights, scaling and threshold are data (``data/composer.json``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from programme_assistant.answering.ranker import EXPECTS, KINDS, LinearRanker

COMPOSER_FILE = "composer.json"
# How many of the best statements after the best one are offered to join it (besides those that follow it in its
# paragraph): the composer sees them in score order.
WINDOW = 8

JOIN_FEATURES: tuple[str, ...] = (
    "ratio", "gap", "best_score", "rank", "continues", "same_passage", "same_doc", "after_best", "order_gap",
    "new_cover", "held_cover", "lexical", "best_lexical", "in_text", "best_in_text", "signal", "best_signal",
    "signal_gain", "sim", "best_sim", "new_share", "best_new_share", "log_chars", "answer_chars", "answer_count",
    "best_ends_colon", "best_short", "differs",
    "faq_best", "question_words", *(f"kind_{k}" for k in KINDS), *(f"best_kind_{k}" for k in KINDS),
    "expects_any", *(f"expects_{e}" for e in EXPECTS),
)

# What a gate is told of each offer: the statement, the answer so far (best first), the statement's rank among
# the scored ones (1: the second best) and whether it follows the last chosen in its paragraph. It says whether the
# statement joins.
Gate = Callable[[Any, list[Any], int, bool], bool]


def join_features(s: Any, chosen: Sequence[Any], rank: int, continues: bool, weights: dict[str, float],
                  differs: bool) -> dict[str, float]:
    """The features of statement ``s`` (an ``extractive.ScoredSentence``) offered to join ``chosen`` (the answer so
    far, its best statement first). ``weights``: the question's words and their weights; ``differs``: ``s`` states
    other numbers or dates than one of ``chosen`` about the same thing (``extractive._differ``)."""
    best = chosen[0]
    total = sum(weights.values()) or 1.0
    held = set().union(*(c.matched for c in chosen))
    scale = abs(best.score) or 1.0
    same_passage = s.passage == best.passage
    row = {
        "ratio": max(-1.0, min(2.0, s.score / scale)), "gap": best.score - s.score, "best_score": best.score,
        "rank": min(rank, 20) / 20, "continues": float(continues), "same_passage": float(same_passage),
        "same_doc": float(s.doc_id == best.doc_id), "after_best": float(same_passage and s.order > best.order),
        "order_gap": min(abs(s.order - best.order), 10) / 10 if same_passage else 1.0,
        "new_cover": sum(weights.get(t, 0.0) for t in s.matched - held) / total,
        "held_cover": sum(weights.get(t, 0.0) for t in held) / total,
        "lexical": s.lexical, "best_lexical": best.lexical,
        "in_text": s.features.get("lexical_in_text", 0.0), "best_in_text": best.features.get("lexical_in_text", 0.0),
        "signal": s.answer_type, "best_signal": best.answer_type, "signal_gain": s.answer_type - best.answer_type,
        "sim": s.semantic, "best_sim": best.semantic,
        "new_share": s.features.get("new_share", 0.0), "best_new_share": best.features.get("new_share", 0.0),
        "log_chars": math.log1p(len(s.text)) / 7, "answer_chars": min(sum(len(c.text) for c in chosen), 1000) / 1000,
        "answer_count": float(len(chosen)),
        "best_ends_colon": float(best.text.rstrip().endswith(":")), "best_short": float(len(best.text) < 60),
        "differs": float(differs), "faq_best": best.features.get("faq_entry", 0.0),
        "question_words": math.log1p(len(weights)),
    }
    for kind in KINDS:
        row[f"kind_{kind}"] = float(s.kind == kind)
        row[f"best_kind_{kind}"] = float(best.kind == kind)
    for kind in EXPECTS:
        row[f"expects_{kind}"] = best.features.get(f"expects_{kind}", 0.0)
    # the question names no kind of answer (a list, an explanation): "which", "what were", "describe"
    row["expects_any"] = float(not any(row[f"expects_{kind}"] for kind in EXPECTS))
    return row


def load_composer(path: Path | None = None) -> LinearRanker:
    """The learned composer: from ``path`` (PA_COMPOSER_FILE), or the one packaged."""
    return LinearRanker.load(path, packaged=COMPOSER_FILE, known=JOIN_FEATURES, target="train-composer",
                             variable="PA_COMPOSER_FILE")


def learned_gate(model: LinearRanker, weights: dict[str, float], differs: Callable[[Any, list[Any]], bool],
                 threshold: float | None = None) -> Gate:
    """The gate of a fitted composer: a statement joins when the model's probability that it adds a fact is at
    least ``threshold`` (the model's own, calibrated when it was trained, unless given)."""
    cut = model.threshold if threshold is None else threshold

    def joins(s: Any, chosen: list[Any], rank: int, continues: bool) -> bool:
        row = join_features(s, chosen, rank, continues, weights, differs(s, chosen))
        return model.probabilities([row])[0] >= cut
    return joins

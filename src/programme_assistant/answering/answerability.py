"""Whether the passages answer the question at all: a learned refusal that holds outside the sample corpus.

The hand-set refusal (the best candidate's score under a threshold) refuses questions about nothing in the
documents, but not the ones that share a name with them ("What is the population of Osaka?") nor the ones
whose topic is there but not the thing asked for (a name, a number, a date the documents never give). This
model looks at the question as a whole: how much of the question's weight (its rare words) the passages hold,
in all of them and in the best candidates; the heaviest question word no passage holds; whether the best
candidates hold the kind of thing the question asks for, and the noun its question word names ("Which *room*
...?"); whether one of the best says the matter is open ("has not been decided", ``refusal.leaves_open``); how
close the best candidates and passages are; how many words the question has. A logistic regression
over ``QUESTION_FEATURES``, fitted by ``scripts/train_refusal.py`` (``make train-refusal``) on questions labelled
answerable or not (ClapNQ's training half, whose unanswerable questions come with passages on their topic, the
golden set and held-out sets 1 to 13, other programmes' development sets (``training_data.OUTSIDE_TRAINING``), and
each answerable one asked without its answering documents), gives the probability that the question is not
answered; its weights, the feature scaling and the threshold calibrated on the training questions are data
(``data/refusal.json``).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from programme_assistant.answering.candidates import read_in_context
from programme_assistant.answering.ranker import EXPECTS, LinearRanker
from programme_assistant.answering.refusal import leaves_open
from programme_assistant.errors import ConfigError
from programme_assistant.models import RetrievedChunk

if TYPE_CHECKING:
    from programme_assistant.answering.reader import PairScorer

REFUSAL_FILE = "refusal.json"
# How many of the best candidates count as "the best ones" (what an answer would be made of).
TOP = 5

QUESTION_FEATURES: tuple[str, ...] = (
    "best_score", "score_gap", "best_sim", "top_sim", "best_lexical", "best_lexical_in_text", "cover_all",
    "cover_top", "missing_max", "missing_share", "missing_top_max", "missing_words", "question_words",
    "log_question_words", "top_signal", "has_expectation", "top_signal_when_expected", "first_dense", "max_dense",
    "first_bm25", "max_bm25", "attribute_missing", "open_top", "open_lexical", *(f"expects_{e}" for e in EXPECTS),
)
# How many of the best candidates are read for a statement that leaves a matter open (``refusal.leaves_open``).
OPEN_TOP = 3
# What the answerability reader says of the best candidates (``reader_features``): a model that reads the question
# and a statement together, trained to say whether the statement answers it (``answerability_reader_path``). A
# refusal model whose features include these is used with that reader (``Settings.refusal_reader``).
READER_FEATURES: tuple[str, ...] = ("reader_max", "reader_top3")
# How many of the best candidates the answerability reader reads: each is a pass of a six-layer model (about 10 ms
# on one core). Three separate as well as eight on the five folders' development sets (session 51: AUC beside the
# rest of the refusal, each folder fitted on the other four, .857 against .861; one, .821).
READER_TOP = 3
ANSWERABILITY_READER_FILE = "answerability_reader.npz"
# A question that does not read as English (``text.language.reads_as_english``) is judged by a refusal fitted on the
# same training questions with another answerability reader's features: one trained from multilingual-e5-small on the
# same synthetic questions (``make train-answerability-reader-multilingual``, then ``make train-refusal-multilingual``;
# session 58). The packaged reader is all-MiniLM-L6-v2, trained on English text: it reads a German or Japanese question
# as unknown word pieces. On the development sets' questions in other languages the multilingual reader alone tells
# the answered from the unanswered far better (area under the ROC curve .670 -> .789), and beside the other features
# a little better (.783 -> .808); on English questions it does as well as the packaged pair, but reads twice as long.
MULTILINGUAL_READER_FILE = "answerability_reader_multilingual.npz"
MULTILINGUAL_REFUSAL_FILE = "refusal_multilingual.json"


def answerability_reader_path(packaged: str = ANSWERABILITY_READER_FILE) -> Path:
    """The packaged answerability reader (``make train-answerability-reader``), or another packaged file:
    ``MULTILINGUAL_READER_FILE``, the reader of questions in other languages than English."""
    return Path(str(resources.files("programme_assistant.answering") / "data" / packaged))


@dataclass(frozen=True)
class LearnedRefusal:
    """A learned refusal and the answerability reader its features read (None when it reads none, or when the reader
    cannot be built: then its other features decide, ``ExtractiveAnswerer._reader_row``)."""

    model: LinearRanker
    reader: PairScorer | None = None


def reader_features(logits: Sequence[float]) -> dict[str, float]:
    """The answerability reader's logits for the best candidates as features: the highest, and the mean of the three
    highest (no candidate: both 0)."""
    ranked = sorted((float(v) for v in logits), reverse=True)
    if not ranked:
        return dict.fromkeys(READER_FEATURES, 0.0)
    return {"reader_max": ranked[0], "reader_top3": statistics.fmean(ranked[:3])}


def reader_texts(sentences: Sequence) -> list[str]:
    """What the answerability reader reads: the ``READER_TOP`` best candidates by the hand-set score (the order the
    other features read, with or without the learned correction), each under its heading."""
    best = sorted(sentences, key=lambda s: -s.features.get("hand", s.score))[:READER_TOP]
    return [read_in_context(s.context, s.text) for s in best]


def read_reader_features(reader: PairScorer, question: str, sentences: Sequence) -> dict[str, float]:
    """What the answerability ``reader`` says of the best candidates (``reader_texts``), as features
    (``reader_features``): the product and the refusal's training read them alike."""
    texts = reader_texts(sentences)
    return reader_features(reader.logits(question, texts) if texts else [])


def reader_range(model: LinearRanker) -> dict[str, tuple[float, float]]:
    """The range of each answerability-reader feature over the refusal model's training questions
    (``scripts/train_refusal.py`` writes it in the model's meta as ``reader_range``; empty for a model without
    it). The model reads a value outside it as its nearest end (``clip_reader``)."""
    ranges = (model.meta or {}).get("reader_range") or {}
    return {n: (float(lo), float(hi)) for n, (lo, hi) in ranges.items() if n in READER_FEATURES}


def clip_reader(model: LinearRanker, row: dict[str, float]) -> dict[str, float]:
    """``row``'s reader features held to their training range (``reader_range``): a logit beyond any the model was
    fitted on moves it no further than the farthest one it saw."""
    ranges = reader_range(model)
    return {n: min(max(v, ranges[n][0]), ranges[n][1]) if n in ranges else v for n, v in row.items()}


def probability_bounds(model: LinearRanker, row: dict[str, float]) -> tuple[float, float] | None:
    """The lowest and the highest probability the refusal ``model`` can give a question whose other features are
    ``row``, whatever the answerability reader says within its training range (``reader_range``): the reader need
    not be read when both are on the same side of the threshold. None when the model has no range for every reader
    feature. The probability is monotone in each feature, so the bounds are at the ends of the ranges, each feature's
    end chosen by its weight's sign."""
    ranges = reader_range(model)
    reads = [n for n in model.names if n in READER_FEATURES]
    if any(n not in ranges for n in reads):
        return None
    weight = dict(zip(model.names, model.weights, strict=True))
    low = {**row, **{n: ranges[n][0] if weight[n] > 0 else ranges[n][1] for n in reads}}
    high = {**row, **{n: ranges[n][1] if weight[n] > 0 else ranges[n][0] for n in reads}}
    lowest, highest = model.probabilities([low, high])
    return lowest, highest


def uses_reader(model: LinearRanker | None) -> bool:
    """Whether a refusal model reads the answerability reader's features."""
    return model is not None and any(n in READER_FEATURES for n in model.names)


def question_features(sentences: Sequence, weights: dict[str, float], expects: str,
                      passages: Sequence[RetrievedChunk], attribute_missing: bool = False) -> dict[str, float]:
    """The features of a question and what was found for it. ``sentences``: the scored candidates, best first
    (``ExtractiveAnswerer.scoring``), each with its feature row and the question words it holds; ``weights``:
    each question word's weight; ``attribute_missing``: the question names the kind of thing it asks for and no
    best candidate holds that word (``Scoring.attribute_missing``)."""
    total = sum(weights.values()) or 1.0
    heaviest = max(weights.values(), default=1.0) or 1.0
    hands = sorted((s.features.get("hand", s.score) for s in sentences), reverse=True) or [0.0]
    sims = sorted((s.features.get("sim", s.semantic) for s in sentences), reverse=True) or [0.0]
    top = sorted(sentences, key=lambda s: -s.features.get("hand", s.score))[:TOP]
    held_all: set[str] = set().union(*(s.matched for s in sentences)) if sentences else set()
    held_top: set[str] = set().union(*(s.matched for s in top)) if top else set()
    missing = [w for t, w in weights.items() if t not in held_all]
    missing_top = [w for t, w in weights.items() if t not in held_top]
    dense = [p.dense_score or 0.0 for p in passages] or [0.0]
    bm25 = [p.lexical_score or 0.0 for p in passages] or [0.0]
    # the coverage of each of the best candidates that leaves a matter open (each read once)
    open_lexicals = [s.features.get("lexical", 0.0) for s in top[:OPEN_TOP] if leaves_open(s.text)]
    row = {
        "best_score": hands[0], "score_gap": hands[0] - (hands[1] if len(hands) > 1 else 0.0),
        "best_sim": sims[0], "top_sim": statistics.fmean(sims[:TOP]),
        "best_lexical": max((s.features.get("lexical", 0.0) for s in sentences), default=0.0),
        "best_lexical_in_text": max((s.features.get("lexical_in_text", 0.0) for s in sentences), default=0.0),
        "cover_all": sum(weights[t] for t in held_all if t in weights) / total,
        "cover_top": sum(weights[t] for t in held_top if t in weights) / total,
        "missing_max": max(missing, default=0.0) / heaviest, "missing_share": sum(missing) / total,
        "missing_top_max": max(missing_top, default=0.0) / heaviest,
        "missing_words": float(len(missing)), "question_words": float(len(weights)),
        "log_question_words": math.log1p(len(weights)),
        "top_signal": max((s.features.get("signal", 0.0) for s in top), default=0.0),
        "has_expectation": top[0].features.get("has_expectation", 0.0) if top else 0.0,
        "top_signal_when_expected": max((s.features.get("signal_when_expected", 0.0) for s in top), default=0.0),
        "first_dense": dense[0], "max_dense": max(dense),
        "first_bm25": math.log1p(max(0.0, bm25[0])), "max_bm25": math.log1p(max(0.0, max(bm25))),
        "attribute_missing": float(attribute_missing),
        # one of the three best says the matter is open ("has not been decided"), and how much of the question it
        # is about: the documents' own word that what is asked is not in them, or a matter beside the question
        "open_top": float(bool(open_lexicals)),
        "open_lexical": max(open_lexicals, default=0.0),
    }
    for kind in EXPECTS:
        row[f"expects_{kind}"] = float(expects == kind)
    return row


def load_refusal_model(path: Path | None = None, multilingual: bool = False) -> LinearRanker:
    """The learned refusal: from ``path`` (PA_REFUSAL_MODEL_FILE), or the one packaged; with ``multilingual``, the
    refusal of questions in other languages than English (PA_REFUSAL_MULTILINGUAL_FILE, ``MULTILINGUAL_REFUSAL_FILE``).
    A model reading the answerability reader must have been fitted on as many of the best statements as this version
    reads (``READER_TOP``; a file without ``reader_top`` in its meta was fitted on 8, session 50's)."""
    packaged, target, variable = ((MULTILINGUAL_REFUSAL_FILE, "train-refusal-multilingual",
                                   "PA_REFUSAL_MULTILINGUAL_FILE") if multilingual
                                  else (REFUSAL_FILE, "train-refusal", "PA_REFUSAL_MODEL_FILE"))
    model = LinearRanker.load(path, packaged=packaged, known=(*QUESTION_FEATURES, *READER_FEATURES),
                              target=target, variable=variable)
    fitted_on = int(model.meta.get("reader_top", 8))
    if uses_reader(model) and fitted_on != READER_TOP:
        raise ConfigError(f"{path or 'the packaged ' + packaged} was fitted on the answerability reader's "
                          f"{fitted_on} best statements; this version reads {READER_TOP}",
                          f"run make {target} with this version, or unset {variable}")
    return model

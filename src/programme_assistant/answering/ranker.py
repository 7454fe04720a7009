"""The learned sentence ranker: how likely a candidate is to answer the question, from features that separate
"answers the question" from "is about the question".

Each candidate (``candidates.py``) is described by ``FEATURES``: semantic similarity to the question (alone and
read under its heading), lexical coverage of the question's rare words, whether it holds the kind of thing the
question asks for (a date for "when", a number for "how many", ...), how much it says beyond the question's own
words, its kind (sentence, list item, key-value line, table row, whole list), its length and place, the rank of
its passage, and how it compares with the best candidate of the same question. A logistic regression over them,
fitted by ``scripts/train_ranker.py`` (``make train-ranker``) on questions with labelled sentences (ClapNQ's
selected sentences, the golden set's required facts), gives the probability; its weights, the feature scaling
and the refusal threshold calibrated on the training questions are data (``data/ranker.json``), not code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from programme_assistant.answering.candidates import Candidate
from programme_assistant.errors import ConfigError

RANKER_FILE = "ranker.json"
KINDS = ("sentence", "item", "field", "row", "list")
EXPECTS = ("date", "count", "place", "name", "time", "duration", "money", "yesno")

FEATURES: tuple[str, ...] = (
    "sim", "plain_sim", "sim_gap", "sim_rank", "lexical", "lexical_in_text", "lexical_gap", "signal", "has_expectation",
    "signal_when_expected", "defines", "source", "new_share", "restates", "self_reference", "inv_rank", "order",
    "first_in_passage", "log_chars", "ends_with_colon", "has_digit", "hand", "hand_gap", "hand_rank",
    "next_signal", "next_sim_gap",
    *(f"kind_{k}" for k in KINDS), *(f"expects_{e}" for e in EXPECTS),
)

# What the learned correction of the hand score reads (``scripts/train_correction.py``): every feature but the
# hand score and its rank and gap, which it corrects.
CORRECTION_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f not in ("hand", "hand_gap", "hand_rank"))
CORRECTION_FILE = "correction.json"


def candidate_features(cand: Candidate, *, sim: float, plain_sim: float, lexical: float, lexical_in_text: float,
                       signal: float, expects: str, defines: bool, source: float, new_share: float,
                       self_reference: bool) -> dict[str, float]:
    """The features of one candidate that do not depend on the other candidates."""
    row = {
        "sim": sim, "plain_sim": plain_sim, "lexical": lexical, "lexical_in_text": lexical_in_text, "signal": signal,
        "has_expectation": float(bool(expects) and expects != "yesno"),
        "signal_when_expected": signal if expects and expects != "yesno" else 0.0,
        "defines": float(defines), "source": source, "new_share": new_share, "restates": float(new_share < 0.3),
        "self_reference": float(self_reference), "inv_rank": 1.0 / cand.passage, "order": min(cand.order, 20) / 20,
        "first_in_passage": float(cand.order == 0), "log_chars": math.log1p(len(cand.text)) / 7,
        "ends_with_colon": float(cand.text.rstrip().endswith(":")),
        "has_digit": float(any(ch.isdigit() for ch in cand.text)),
    }
    for kind in KINDS:
        row[f"kind_{kind}"] = float(cand.kind == kind)
    for kind in EXPECTS:
        row[f"expects_{kind}"] = float(expects == kind)
    return row


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0.0] * len(values)
    for position, i in enumerate(order):
        ranks[i] = 1.0 / (1 + position)
    return ranks


def add_relative_features(rows: list[dict[str, float]], cands: Sequence[Candidate], hand: Sequence[float]) -> None:
    """Features that compare a candidate with the others of the same question: its gap to the best similarity,
    coverage and hand-set score, its rank by each, and what the next statement of its paragraph holds (a lead-in
    sentence is followed by the one that completes it)."""
    if not rows:
        return
    sims = [r["sim"] for r in rows]
    best_sim, best_lexical, best_hand = max(sims), max(r["lexical"] for r in rows), max(hand)
    sim_ranks, hand_ranks = _ranks(sims), _ranks(list(hand))
    following: dict[tuple[int, int, int], int] = {}
    for i, cand in enumerate(cands):
        following[(cand.passage, cand.block, cand.order)] = i
    for i, (row, cand) in enumerate(zip(rows, cands, strict=True)):
        row["sim_gap"] = row["sim"] - best_sim
        row["lexical_gap"] = row["lexical"] - best_lexical
        row["hand"] = hand[i]
        row["hand_gap"] = hand[i] - best_hand
        row["sim_rank"] = sim_ranks[i]
        row["hand_rank"] = hand_ranks[i]
        nxt = following.get((cand.passage, cand.block, cand.order + 1))
        row["next_signal"] = rows[nxt]["signal"] if nxt is not None else 0.0
        row["next_sim_gap"] = rows[nxt]["sim"] - best_sim if nxt is not None else -1.0


@dataclass(frozen=True)
class LinearRanker:
    """A logistic regression over standardised features: ``p = 1 / (1 + exp(-(w . (x - mean) / scale + b)))``."""

    names: tuple[str, ...]
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float  # refuse when the best candidate's probability is below this (calibrated when trained)
    meta: dict[str, Any]

    def matrix(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        return np.array([[row.get(n, 0.0) for n in self.names] for row in rows], dtype=np.float64)

    def margins(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """``w . (x - mean) / scale + b`` of each row: the log-odds of a classifier, or what a correction adds."""
        if not rows:
            return np.zeros(0)
        return ((self.matrix(rows) - self.mean) / self.scale) @ self.weights + self.bias

    def probabilities(self, rows: Sequence[dict[str, float]]) -> list[float]:
        return list(1.0 / (1.0 + np.exp(-self.margins(rows))))

    def to_json(self) -> dict[str, Any]:
        return {"features": list(self.names), "weights": [round(float(w), 6) for w in self.weights],
                "bias": round(self.bias, 6), "mean": [round(float(m), 6) for m in self.mean],
                "scale": [round(float(s), 6) for s in self.scale], "threshold": round(self.threshold, 4),
                "meta": self.meta}

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "ranker file",
                  known: Sequence[str] = FEATURES, target: str = "train-ranker") -> LinearRanker:
        """``known``: the features this version computes for the model (a file using others was written by
        another version). ``target``: the make target that writes such a file (named in the fixes)."""
        try:
            names = tuple(data["features"])
            ranker = cls(names, np.asarray(data["weights"], dtype=np.float64), float(data["bias"]),
                         np.asarray(data["mean"], dtype=np.float64), np.asarray(data["scale"], dtype=np.float64),
                         float(data["threshold"]), dict(data.get("meta") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{source} is not a ranker file ({exc})", f"run make {target} to write one") from exc
        if not (len(ranker.weights) == len(ranker.mean) == len(ranker.scale) == len(names)):
            raise ConfigError(f"{source} has {len(names)} features but {len(ranker.weights)} weights",
                              f"run make {target} to write it again")
        unknown = sorted(set(names) - set(known))
        if unknown:
            raise ConfigError(f"{source} uses features this version does not compute: {', '.join(unknown)}",
                              f"run make {target} with this version")
        return ranker

    @classmethod
    def load(cls, path: Path | None = None, *, packaged: str = RANKER_FILE, known: Sequence[str] = FEATURES,
             target: str = "train-ranker", variable: str = "PA_ANSWER_RANKER_FILE") -> LinearRanker:
        """From ``path`` (the setting ``variable``), or the model ``packaged`` with the package
        (``answering/data/``); ``target``: the make target writing such a file."""
        if path is not None:
            try:
                return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")), str(path), known, target)
            except (OSError, json.JSONDecodeError) as exc:
                raise ConfigError(f"cannot read the model file {path}: {exc}",
                                  f"point {variable} at a file written by make {target}") from exc
        text = resources.files("programme_assistant.answering").joinpath("data", packaged).read_text("utf-8")
        return cls.from_json(json.loads(text), f"the packaged {packaged}", known, target)


def load_correction(path: Path | None = None) -> LinearRanker:
    """The learned correction of the hand-set score: from ``path`` (PA_ANSWER_CORRECTION_FILE), or the one
    packaged."""
    return LinearRanker.load(path, packaged=CORRECTION_FILE, known=CORRECTION_FEATURES, target="train-correction",
                             variable="PA_ANSWER_CORRECTION_FILE")

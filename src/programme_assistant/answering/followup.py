"""Whether a question asked in a conversation stands alone: the learned judge of the follow-up rewriter.

The rewriter's rule ("a pronoun, 'and ...', or fewer than three content words of its own: it leans on the
conversation") misjudges both ways. It calls 44% of the questions that open a conversation dependent, for a pronoun
that points inside the question itself ("When was Casa Asia founded, and which bodies founded it?"), so after an
unrelated question they are searched with its words (held-out 6-13's opening questions: fact recall 0.668 asked
alone, 0.586 after an unrelated question); and it calls a follow-up without a pronoun ("who was in the room and
who joined online?") independent. How well the question alone finds a passage tells them apart: a question that opens a
conversation finds its passage (best dense similarity median 0.61), a follow-up that leans on the one before does
not (0.39).

A logistic regression over ``FOLLOWUP_FEATURES`` (the best dense similarity of the question's own passages, its
content words, whether it names something, whether it points back), fitted by ``scripts/train_followup.py``
(``make train-followup``) on the training sets' follow-up turns (leaning on the conversation) and opening
questions (standing alone), gives the probability that the question stands alone; its weights, scaling and
threshold are data (``data/followup.json``), with the embedding model and retrieval mode they were fitted with.
Very short questions ("What is KICK?") are judged to lean on the conversation, as by the rule: the opening
questions it learned from are longer. The rewriter lets a question asking what a defined term means stand alone
before asking the judge (``ContextualRewriter(asks_definition=...)``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from pathlib import Path

from programme_assistant.answering.ranker import LinearRanker
from programme_assistant.answering.rewrite import names_in, points_back
from programme_assistant.models import RetrievedChunk
from programme_assistant.text.sentences import content_words

FOLLOWUP_FILE = "followup.json"
# "KICK", "IURC", "R2R", "DG REGIO": a name in capitals (names_in reads capitalised words only)
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b")
FOLLOWUP_FEATURES: tuple[str, ...] = ("top_dense", "log_own_words", "names_something", "points_back")


def followup_features(question: str, passages: Sequence[RetrievedChunk]) -> dict[str, float]:
    """The features of a question and the passages it finds on its own."""
    return {
        "top_dense": max((p.dense_score or 0.0 for p in passages), default=0.0),
        "log_own_words": math.log1p(len(content_words(question))),
        "names_something": float(bool(names_in(question) or _ACRONYM.search(question))),
        "points_back": float(points_back(question)),
    }


def load_followup_model(path: Path | None = None) -> LinearRanker:
    """The learned judge: from ``path`` (PA_FOLLOWUP_MODEL_FILE), or the one packaged."""
    return LinearRanker.load(path, packaged=FOLLOWUP_FILE, known=FOLLOWUP_FEATURES, target="train-followup",
                             variable="PA_FOLLOWUP_MODEL_FILE")


class StandaloneJudge:
    """``judge(question)``: whether the question stands alone, by the model's probability against its threshold.
    ``search`` finds the question's own passages (the product's search). Each question is searched once per state
    of the index (``state``: a value that changes when a sync changes the index; the rewriter asks about every
    earlier turn of a conversation again)."""

    def __init__(self, model: LinearRanker, search: Callable[[str], list[RetrievedChunk]],
                 state: Callable[[], Hashable] = lambda: None, cache_size: int = 1024) -> None:
        self.model = model
        self.search = search
        self.state = state
        self._cached = lru_cache(maxsize=cache_size)(self._probability)

    def _probability(self, question: str, state: Hashable) -> float:
        return self.model.probabilities([followup_features(question, self.search(question))])[0]

    def probability(self, question: str) -> float:
        return self._cached(question, self.state())

    def __call__(self, question: str) -> bool:
        return self.probability(question) >= self.model.threshold

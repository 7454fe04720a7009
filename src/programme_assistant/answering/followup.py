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
The judge also reads the question as the rewriter would search it when it leans on the conversation (its words
with the earlier turn's carried after them): a follow-up read that way finds its passage better than alone ("What
did members do on the day before the meeting itself? (sixth steering board held)"), a question on a new subject
read that way finds a worse one, or one about the earlier subject ("What were the 2023 webinars? (prefectures
group_a visit)"). The best dense similarity of that reading is the model's fifth feature; a question with nothing
to carry is its own reading. Without it, the judge took short questions on a new subject for follow-ups (33 of 80
short opening questions of the spent sets, session 44); with it, trained on the sample corpus's spent sets and the
SAWKA's, its threshold is set out of fold to read at most a fifth of the training follow-ups alone
(``scripts/train_followup.py``, ``MAX_FOLLOWUPS_ALONE``). The rewriter lets a question asking what a defined term
means stand alone before asking the judge (``ContextualRewriter(asks_definition=...)``).
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
FOLLOWUP_FEATURES: tuple[str, ...] = ("top_dense", "log_own_words", "names_something", "points_back",
                                      "carried_top_dense")


def top_dense(passages: Sequence[RetrievedChunk]) -> float:
    """The best dense similarity among the passages a query found (0 when dense search found none)."""
    return max((p.dense_score or 0.0 for p in passages), default=0.0)


def followup_features(question: str, passages: Sequence[RetrievedChunk],
                      carried_passages: Sequence[RetrievedChunk] | None = None) -> dict[str, float]:
    """The features of a question, the passages it finds on its own, and those it finds read with the conversation's
    carried words (``carried_passages``; None: nothing to carry, the question is its own reading)."""
    alone = top_dense(passages)
    return {
        "top_dense": alone,
        "log_own_words": math.log1p(len(content_words(question))),
        "names_something": float(bool(names_in(question) or _ACRONYM.search(question))),
        "points_back": float(points_back(question)),
        "carried_top_dense": alone if carried_passages is None else top_dense(carried_passages),
    }


def reading_features(question: str, carried: str | None,
                     found: Callable[[str], Sequence[RetrievedChunk]]) -> dict[str, float]:
    """``followup_features`` of ``question`` and of its ``carried`` reading (None or the question itself: nothing is
    carried), each searched by ``found``."""
    other = found(carried) if carried and carried != question else None
    return followup_features(question, found(question), other)


def load_followup_model(path: Path | None = None) -> LinearRanker:
    """The learned judge: from ``path`` (PA_FOLLOWUP_MODEL_FILE), or the one packaged."""
    return LinearRanker.load(path, packaged=FOLLOWUP_FILE, known=FOLLOWUP_FEATURES, target="train-followup",
                             variable="PA_FOLLOWUP_MODEL_FILE")


class StandaloneJudge:
    """``judge(question, carried)``: whether the question stands alone, by the model's probability against its
    threshold. ``carried``: the question as the rewriter would search it if it leaned on the conversation (the
    earlier turn's words after it, ``rewrite.leaning_on``); None or the question itself when nothing is carried.
    ``search`` finds a query's passages (the product's search). Each query is searched once per state of the index
    (``state``: a value that changes when a sync changes the index; the rewriter asks about every earlier turn of a
    conversation again)."""

    def __init__(self, model: LinearRanker, search: Callable[[str], list[RetrievedChunk]],
                 state: Callable[[], Hashable] = lambda: None, cache_size: int = 1024) -> None:
        self.model = model
        self.search = search
        self.state = state
        self._found = lru_cache(maxsize=cache_size)(self._search)

    def _search(self, query: str, state: Hashable) -> tuple[RetrievedChunk, ...]:
        return tuple(self.search(query))

    def features(self, question: str, carried: str | None = None) -> dict[str, float]:
        state = self.state()
        return reading_features(question, carried, lambda query: self._found(query, state))

    def probability(self, question: str, carried: str | None = None) -> float:
        return self.model.probabilities([self.features(question, carried)])[0]

    def __call__(self, question: str, carried: str | None = None) -> bool:
        return self.probability(question, carried) >= self.model.threshold

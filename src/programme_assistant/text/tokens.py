"""The tokens BM25 indexes and the answerer weighs: folded, stop-worded, stemmed words."""

from __future__ import annotations

import re
from functools import lru_cache

from programme_assistant.text.sentences import CACHED_TEXT_CHARS, STOPWORDS, fold, join_labels

_TOKEN = re.compile(r"\w\w+", re.UNICODE)


class Tokenizer:
    """Folded, stop-worded, stemmed tokens. The English stemmer is applied to every language: it only trims
    English suffixes, which leaves names and most Romance words whole."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        # a statement's tokens are kept: the answerer reads the same candidates for every question about them
        self._kept = lru_cache(maxsize=16384)(self._stem)

    def words(self, text: str) -> list[str]:
        return [w for w in _TOKEN.findall(fold(join_labels(text))) if w not in STOPWORDS]

    def __call__(self, text: str) -> list[str]:
        """Stems; a label ("group_b") also yields its head word ("group"), so "the first session" still meets
        "Session 1" while "Group B" and "Group A" stay apart."""
        return list(self._kept(text) if len(text) <= CACHED_TEXT_CHARS else self._stem(text))

    def _stem(self, text: str) -> tuple[str, ...]:
        words = self.words(text)
        heads = [w.split("_", 1)[0] for w in words if "_" in w]
        return tuple(self._stemmer.stemWords(words + heads if heads else words))

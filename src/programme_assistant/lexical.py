"""BM25 over the stored chunks (bm25s), with accent folding, stemming and spelling-variant expansion."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from programme_assistant.sentences import STOPWORDS, fold, join_labels

_TOKEN = re.compile(r"\w\w+", re.UNICODE)


class Tokenizer:
    """Folded, stop-worded, stemmed tokens. The English stemmer is applied to every language: it only trims
    English suffixes, which leaves names and most Romance words whole."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def words(self, text: str) -> list[str]:
        return [w for w in _TOKEN.findall(fold(join_labels(text))) if w not in STOPWORDS]

    def __call__(self, text: str) -> list[str]:
        """Stems; a label ("group_b") also yields its head word ("group"), so "the first session" still meets
        "Session 1" while "Group B" and "Group A" stay apart."""
        words = self.words(text)
        heads = [w.split("_", 1)[0] for w in words if "_" in w]
        return self._stemmer.stemWords(words + heads if heads else words)


@dataclass
class LexicalHit:
    position: int  # index into the indexed chunk list
    score: float


class LexicalIndex:
    """A BM25 index over chunk texts; rebuilt from the store whenever the store changes."""

    def __init__(self, texts: list[str], tokenizer: Tokenizer | None = None) -> None:
        import bm25s

        self.tokenizer = tokenizer or Tokenizer()
        tokens = [self.tokenizer(t) or ["_empty_"] for t in texts]
        self.size = len(texts)
        self.doc_freq: Counter[str] = Counter(tok for toks in tokens for tok in set(toks))
        self.vocabulary: set[str] = set(self.doc_freq)
        self._sorted_vocab = sorted(self.vocabulary)
        self._bm25: Any = None
        if texts:
            self._bm25 = bm25s.BM25()
            self._bm25.index(tokens, show_progress=False)

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a (stemmed) token over the indexed chunks; a token found in
        no chunk gets the highest value, as the rarest word there is."""
        df = self.doc_freq.get(token, 0)
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def expand(self, tokens: list[str]) -> list[str]:
        """Add close spellings from the vocabulary (``Ljubjana`` <-> ``Ljubljana``) for long tokens."""
        out = list(tokens)
        for tok in tokens:
            if len(tok) < 6:
                continue
            for match in difflib.get_close_matches(tok, self._sorted_vocab, n=3, cutoff=0.84):
                if match != tok and match not in out:
                    out.append(match)
        return out

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        if self._bm25 is None or k <= 0:
            return []
        tokens = [t for t in self.expand(self.tokenizer(query)) if t in self.vocabulary]
        if not tokens:
            return []
        k = min(k, self.size)
        positions, scores = self._bm25.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        return [LexicalHit(int(p), float(s)) for p, s in zip(positions[0], scores[0], strict=True) if s > 0]

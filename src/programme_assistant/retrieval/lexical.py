"""BM25 over the stored chunks: the vocabulary side (IDF, spelling variants) shared by the index on disk
(``passages.PassageIndex``, what search uses) and the in-memory bm25s index (``LexicalIndex``: the reference the
index on disk is checked against, and the rebuild the benchmark compares with)."""

from __future__ import annotations

import difflib
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from programme_assistant.text.frequencies import expected_passages
from programme_assistant.text.tokens import Tokenizer


@dataclass
class LexicalHit:
    position: int  # index into the indexed chunk list
    score: float


_CUTOFF = 0.84  # difflib similarity for a spelling variant
# BM25's constants, as bm25s's defaults ("lucene" variant): the index on disk scores exactly as bm25s did
K1 = 1.5
B = 0.75


def bm25_idf(doc_freq: float, size: int) -> float:
    """BM25's (Lucene) inverse document frequency of a word found in ``doc_freq`` of ``size`` passages."""
    return math.log(1.0 + (size - doc_freq + 0.5) / (doc_freq + 0.5))


class Vocabulary:
    """The indexed words and how many passages hold each: IDF for the answerer, close spellings for queries."""

    def __init__(self, doc_freq: dict[str, int], size: int, average_length: float = 0.0) -> None:
        self.doc_freq = doc_freq
        self.size = size
        self.average_length = average_length  # tokens per passage
        self._by_length: dict[int, list[str]] | None = None
        self._variants: dict[str, list[str]] = {}

    @property
    def vocabulary(self) -> dict[str, int]:
        return self.doc_freq

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency of a (stemmed) token over the indexed chunks. A token found in no
        chunk is weighed by how many would hold it if they used it as often as general language does
        (``text.frequencies``): a rare word gets about the highest value, an everyday one ("stuff") a low one."""
        found = self.doc_freq.get(token, 0)
        if not found:
            return bm25_idf(expected_passages(token, self.size, self.average_length), self.size)
        return bm25_idf(found, self.size)

    def variants(self, token: str) -> list[str]:
        """Close spellings of a long token in the vocabulary (``Ljubjana`` -> ``ljubljana``; also a stem's
        near forms, which the golden set showed help: fact recall 0.698 with them, 0.661 without).

        Comparing a token with the whole vocabulary took half the search time at 335 chunks and grows with the
        corpus. Only words whose length allows the 0.84 similarity cutoff (2*min/(sum) >= 0.84) are compared,
        which gives the same matches, and results are remembered per index: questions repeat their words."""
        if len(token) < 6:
            return []
        if token not in self._variants:
            if self._by_length is None:
                self._by_length = {}
                for word in sorted(self.doc_freq):
                    self._by_length.setdefault(len(word), []).append(word)
            low = math.ceil(len(token) * _CUTOFF / (2 - _CUTOFF))
            high = math.floor(len(token) * (2 - _CUTOFF) / _CUTOFF)
            near = [w for n in range(low, high + 1) for w in self._by_length.get(n, [])]
            self._variants[token] = difflib.get_close_matches(token, near, n=3, cutoff=_CUTOFF)
        return self._variants[token]

    def expand(self, tokens: list[str]) -> list[str]:
        """Add close spellings from the vocabulary (``Ljubjana`` <-> ``Ljubljana``) for long tokens."""
        out = list(tokens)
        for tok in tokens:
            for match in self.variants(tok):
                if match != tok and match not in out:
                    out.append(match)
        return out

    def query_tokens(self, tokens: list[str]) -> list[str]:
        """A query's tokens with their close spellings, those found in the index (repeats kept: BM25 counts a
        word asked twice twice)."""
        return [t for t in self.expand(tokens) if t in self.doc_freq]


class LexicalIndex(Vocabulary):
    """A BM25 index (bm25s) over chunk texts, built in memory in one go."""

    def __init__(self, texts: list[str], tokenizer: Tokenizer | None = None) -> None:
        import bm25s

        self.tokenizer = tokenizer or Tokenizer()
        tokens = [self.tokenizer(t) or ["_empty_"] for t in texts]
        super().__init__(dict(Counter(tok for toks in tokens for tok in set(toks))), len(texts))
        self._bm25: Any = None
        if texts:
            self._bm25 = bm25s.BM25(k1=K1, b=B)
            self._bm25.index(tokens, show_progress=False)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        if self._bm25 is None or k <= 0:
            return []
        tokens = self.query_tokens(self.tokenizer(query))
        if not tokens:
            return []
        k = min(k, self.size)
        positions, scores = self._bm25.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        return [LexicalHit(int(p), float(s)) for p, s in zip(positions[0], scores[0], strict=True) if s > 0]

"""Synthetic chunks for the scaling benchmark, composed from real ones without running the model.

Embedding 50,000 texts with the model would take about half an hour on 2 cores, and measures the model, which
the ingest benchmark already does. The scaling benchmark measures the store and the search at size, so it needs
texts with a real vocabulary and vectors distributed like real ones, cheaply:

- each synthetic chunk joins the first part of one real chunk's sentences to the last part of another's;
- its vector is the two real vectors mixed in proportion to the characters taken from each, plus a little
  Gaussian noise, then normalised (so no two synthetic vectors are identical, but they stay in the region of
  the space that real chunks occupy);
- each carries one made-up reference code (``Ref. QX7K2M``), so the BM25 vocabulary grows with the corpus as a
  real one does (names, numbers), instead of staying at the size of the sample corpus's vocabulary.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CODE_ALPHABET = np.array(list(string.ascii_uppercase + string.digits))


@dataclass
class SyntheticChunks:
    texts: list[str]
    vectors: np.ndarray  # (n, dim), float32, unit length
    sources: list[tuple[int, int]]  # (first, second) base chunk each one was made from


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def compose_chunks(base_texts: Sequence[str], base_vectors: np.ndarray, n: int, seed: int = 0,
                   noise: float = 0.05) -> SyntheticChunks:
    """``n`` synthetic chunks from ``base_texts`` and their unit ``base_vectors`` (see the module doc)."""
    if len(base_texts) < 2 or len(base_texts) != len(base_vectors):
        raise ValueError("need at least two base chunks, each with its vector")
    rng = np.random.default_rng(seed)
    base = np.asarray(base_vectors, dtype=np.float32)
    sentences = [split_sentences(t) or [t] for t in base_texts]
    first = rng.integers(0, len(base_texts), size=n)
    second = (first + rng.integers(1, len(base_texts), size=n)) % len(base_texts)  # never the same chunk
    codes = rng.choice(_CODE_ALPHABET, size=(n, 6))
    texts: list[str] = []
    weights = np.empty(n, dtype=np.float32)
    for i in range(n):
        a, b = sentences[first[i]], sentences[second[i]]
        head = a[: max(1, (len(a) + 1) // 2)]
        tail = b[len(b) // 2:] or b
        head_text, tail_text = " ".join(head), " ".join(tail)
        texts.append(f"{head_text} {tail_text} Ref. {''.join(codes[i])}.")
        weights[i] = len(head_text) / max(1, len(head_text) + len(tail_text))
    mixed = weights[:, None] * base[first] + (1 - weights)[:, None] * base[second]
    mixed += rng.normal(0.0, noise / np.sqrt(base.shape[1]), size=mixed.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    return SyntheticChunks(texts, mixed.astype(np.float32),
                           [(int(x), int(y)) for x, y in zip(first, second, strict=True)])

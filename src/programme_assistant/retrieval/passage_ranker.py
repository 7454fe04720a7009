"""A second opinion on which passages answer a question: the fused candidates ranked again by another embedding
model (multilingual-e5-small by default, ``Settings.passage_model``).

all-MiniLM-L6-v2, the index's model, was trained mostly for sentence similarity; e5 was trained for question ->
passage search, so it ranks the passage that answers above the one that only shares the question's topic more
often. Its ranking joins the dense and BM25 rankings in the reciprocal rank fusion (``HybridSearch._fused``).

Passage vectors are computed when a sync stores the passages (``prepare``) and kept in a ``VectorCache`` beside
the index; a passage missing from it (an index synced before this existed) is embedded at its first question
and kept. A question costs one query embedding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from langchain_core.embeddings import Embeddings

from programme_assistant.models import RetrievedChunk
from programme_assistant.retrieval.vector_cache import MemoryVectorStore, VectorStore, fetch_vectors


class PassageRanker:
    def __init__(self, embedder: Embeddings, cache: VectorStore | None = None) -> None:
        """``embedder``: the second model (``embed_query`` for questions, ``embed_documents`` for passages);
        ``cache``: where passage vectors are kept (a ``VectorCache`` beside the index keeps them between
        processes; None: this process's memory only)."""
        self.embedder = embedder
        self.cache: VectorStore = cache if cache is not None else MemoryVectorStore()

    def _vectors(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], int]:
        """The vectors of ``texts`` (distinct), from the cache or embedded now; and how many were embedded."""
        return fetch_vectors(self.cache, self.embedder.embed_documents, texts)

    def prepare(self, passages: list[RetrievedChunk]) -> int:
        """Embed the passages a sync stored, ahead of any question. Returns how many were embedded."""
        if not passages:
            return 0
        return self._vectors(list(dict.fromkeys(p.chunk.text for p in passages)))[1]

    def rank(self, query: str, passages: Sequence[RetrievedChunk]) -> list[RetrievedChunk]:
        """``passages``, most similar to ``query`` first (ties keep their order)."""
        if not passages:
            return []
        found, _ = self._vectors(list(dict.fromkeys(p.chunk.text for p in passages)))
        question = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        scores = [float(found[p.chunk.text] @ question) for p in passages]
        order = sorted(range(len(passages)), key=lambda i: -scores[i])
        return [passages[i] for i in order]

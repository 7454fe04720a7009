"""The answer stage's passage prior read from a retrieval model (session 49, measured worse on every folder;
docs/answer-selection.md). The hand score's ``rank_weight / passage`` is read with each passage's rank by the
model's cosine to the question, among the passages given, instead of its retrieval rank (MODE=rank); or the score
gains W times the passage's cosine standardised over the passages given (MODE=bonus, W=0.05).

    PASSAGE_MODEL=build/passage-model MODE=rank python scripts/answer_variants.py --sets ... --cache C \\
        base scripts/variants/passage_model_prior.py

PASSAGE_MODEL: a sentence-transformers folder (``make train-passage-model`` writes build/passage-model).
"""

import os

import numpy as np
from answer_variants import patch_scoring

MODE = os.environ.get("MODE", "rank")
W = float(os.environ.get("W", "0.05"))
_vectors: dict[str, np.ndarray] = {}
_model = None


def _encode(texts):
    global _model
    if _model is None:
        from sentence_transformers import SentenceTransformer

        _model = SentenceTransformer(os.environ.get("PASSAGE_MODEL", "build/passage-model"), device="cpu",
                                     local_files_only=True)
    return _model.encode(texts, batch_size=32, normalize_embeddings=True)


def rescore(answerer, question, passages, scoring):
    texts = [p.chunk.text for p in passages]
    new = [t for t in dict.fromkeys(texts) if t not in _vectors]
    if new:
        _vectors.update(zip(new, _encode(new), strict=True))
    cos = np.array([_vectors[t] for t in texts]) @ _encode([question])[0]
    if MODE == "rank":
        rank = np.empty(len(cos), int)
        rank[np.argsort(-cos)] = np.arange(1, len(cos) + 1)
        rw = answerer.config.rank_weight
        return [s.score + rw * (1.0 / rank[s.passage - 1] - 1.0 / s.passage) for s in scoring.sentences]
    z = (cos - cos.mean()) / (cos.std() + 1e-6)
    return [s.score + W * z[s.passage - 1] for s in scoring.sentences]


def apply(assistant):
    return patch_scoring(rescore)

"""Sentence vectors kept beside the index, so answering does not embed candidate sentences per question.

A sync embeds the answer candidates of every new passage (``ExtractiveAnswerer.prepare``) and keeps their
vectors here; a question then only embeds itself. Keys are a hash of the model's name and the exact text read,
so vectors of two models never mix and an edited sentence is a new key. SQLite, one file per collection.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
# the models whose vectors of every stored passage were computed (``Assistant.sync`` after a model change)
MODELS = "CREATE TABLE IF NOT EXISTS prepared_models (model_id TEXT PRIMARY KEY)"


class VectorCache:
    def __init__(self, path: Path, model_id: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.model_id = model_id
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)
        self._db.execute(MODELS)
        self._lock = threading.Lock()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x1f{text}".encode()).hexdigest()[:32]

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vector of each of ``texts`` that has one."""
        keys = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        items = list(keys)
        with self._lock:
            for start in range(0, len(items), 500):
                part = items[start:start + 500]
                rows = self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                        part).fetchall()
                for key, blob in rows:
                    found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, texts: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
        rows = [(self._key(t), np.asarray(v, dtype=np.float32).tobytes()) for t, v in zip(texts, vectors, strict=True)]
        try:
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass  # a cache: a full disk or a read-only folder only means the vectors are computed again

    def prepared(self) -> bool:
        """Whether every stored passage's vectors were computed with this model (``mark_prepared``)."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM prepared_models WHERE model_id = ?",
                                    (self.model_id,)).fetchone() is not None

    def mark_prepared(self) -> None:
        try:
            with self._lock:
                self._db.execute("INSERT OR IGNORE INTO prepared_models (model_id) VALUES (?)", (self.model_id,))
        except sqlite3.Error:
            pass  # as put_many: the next sync tries again

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()


class VectorStore(Protocol):
    """Where vectors are kept between questions (``VectorCache``, or a test's dictionary)."""

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put_many(self, texts: Sequence[str], vectors: Sequence[np.ndarray]) -> None: ...


class MemoryVectorStore:
    """A ``VectorStore`` in this process's memory (no cache file), bounded: it starts again past ``limit`` texts."""

    def __init__(self, limit: int = 50000) -> None:
        self.limit = limit
        self._vectors: dict[str, np.ndarray] = {}

    def get_many(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        return {t: self._vectors[t] for t in texts if t in self._vectors}

    def put_many(self, texts: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
        if len(self._vectors) + len(texts) > self.limit:
            self._vectors.clear()
        self._vectors.update(zip(texts, vectors, strict=True))


def fetch_vectors(cache: VectorStore | None, embed: Callable[[list[str]], list[list[float]]],
                  texts: Sequence[str]) -> tuple[dict[str, np.ndarray], int]:
    """The vectors of ``texts`` (distinct): from ``cache``, the others embedded now with ``embed`` and kept there.
    Also says how many were embedded."""
    found = cache.get_many(texts) if cache is not None else {}
    missing = [t for t in texts if t not in found]
    if missing:
        vectors = [np.asarray(v, dtype=np.float32) for v in embed(missing)]
        if cache is not None:
            cache.put_many(missing, vectors)
        found.update(zip(missing, vectors, strict=True))
    return found, len(missing)

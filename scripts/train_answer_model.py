"""Fine-tune the extractive answerer's statement model (``make train-answer-model``) and write it to
``src/programme_assistant/answering/data/answer_model.npz``.

The answerer reads a statement's similarity to the question as its main sign that the statement answers it. The
packaged all-MiniLM-L6-v2 was trained for sentence similarity: it rates the sentence that restates the question
("A number of possible areas of collaboration were identified") as high as the one that answers it. Here the same
model is taught the difference, from the training questions of ``training_data.py`` (the sample corpus's golden
set and held-out sets 1-13, and ClapNQ dev's training half; held-out 14 onwards and the multilingual sets are
never read): for each answerable question, the statements of its passages that hold a required fact (or ClapNQ's
gold sentence) are positives, and the other statements the hand-set score ranks highest are hard negatives.

Loss: multiple-negatives ranking (the question against its positive, its hard negatives and the batch's other
statements, scale 20), one epoch, AdamW at 2e-5 with warm-up and linear decay, batch 16, seed 0; the word
embeddings stay frozen (training them changed no figure). Four to seven minutes on two cores (seven with another
job running), after the training questions are asked (a few more).

What is written is the change to the packaged model, not a model: each weight matrix's change in 8-bit integers
with a float16 scale per row, the small vectors (biases, layer norms) whole in float16; about 10 MB against the
model's 90. ``answering/answer_model.py`` adds it to the packaged weights when the answerer loads. (Keeping each
matrix's change at rank 32 instead, 2.5 MB, kept 72% of it and lost 40% of the gain: held-out 6-9 and the
multilingual sets' fact recall 0.640 against 0.655 for the whole change.)

    python scripts/train_answer_model.py [--clapnq DIR] [--out FILE] [--pairs FILE] [--save-model DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "answer_model.npz"


def log(message: str) -> None:
    print(f"[train-answer-model] {message}", file=sys.stderr, flush=True)


def collect(benchmarks_dir: Path, negatives: int = 6, mined_by: str = "same",
            outside: bool = False) -> list[dict[str, Any]]:
    """Each answerable training question with its answering statements and its hardest other statements, each
    as the answerer reads it (under its heading or list introduction). ``mined_by``: the statement model whose
    hand-set score chooses the hardest ("same": the packaged model; "fine-tuned": the answer model in use);
    ``outside``: the other folders' development sets too (``training_data.OUTSIDE_TRAINING``)."""
    from train_ranker import answering
    from training_data import training_questions, training_settings

    from programme_assistant.answering.extractive import read_in_context

    settings, _ = training_settings(answer_model=mined_by)  # by default chosen by the packaged model
    out = []
    for asked in training_questions(settings, benchmarks_dir, outside=outside):
        sentences = asked.scoring.sentences
        if not asked.answerable or not sentences:
            continue
        answers = answering(asked)
        positives = [read_in_context(s.context, s.text) for s, yes in zip(sentences, answers, strict=True) if yes]
        if not positives:
            continue
        others = sorted((s for s, yes in zip(sentences, answers, strict=True) if not yes),
                        key=lambda s: -s.features["hand"])
        out.append({"source": asked.source, "qid": asked.qid, "question": asked.standalone,
                    "positives": list(dict.fromkeys(positives)),
                    "negatives": [read_in_context(s.context, s.text) for s in others[:negatives]]})
    return out


def every_core() -> None:
    """Let torch train on every core: asking the training questions first loaded the embedding model, which sets
    torch's threads to one fewer than the cores, for one query at a time beside a server's other work."""
    import os

    import torch

    torch.set_num_threads(os.cpu_count() or 1)


class Schedule:
    """The training loop every training script here shares: ``epochs`` passes over ``items``, shuffled by the
    caller's ``rng`` before each (``batches``), in batches of ``batch``; AdamW (weight decay 0.01) whose rate rises
    over the first tenth of the steps and then falls linearly to 0; ``step`` takes one step on a batch's loss, its
    gradients' norm clipped to ``clip`` when given, and ``log``s the progress every ``every`` steps and at the last."""

    def __init__(self, params: Any, items: list[Any], *, batch: int, epochs: int, lr: float,
                 clip: float | None = None, log: Callable[[str], None] = log, every: int = 50) -> None:
        import torch

        self.items, self.batch, self.epochs = items, batch, epochs
        self.steps = epochs * -(-len(items) // batch)
        self.params = [p for p in params if p.requires_grad]
        self.clip, self.log, self.every = clip, log, every
        self.opt = torch.optim.AdamW(self.params, lr=lr, weight_decay=0.01)
        steps = self.steps
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.opt, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / steps))
        self.taken = 0
        self.started = time.monotonic()

    def batches(self, rng: random.Random) -> Iterator[list[Any]]:
        for _ in range(self.epochs):
            rng.shuffle(self.items)
            for b in range(0, len(self.items), self.batch):
                yield self.items[b:b + self.batch]

    def step(self, loss: Any) -> None:
        import torch

        self.opt.zero_grad()
        loss.backward()
        if self.clip is not None:
            torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.opt.step()
        self.sched.step()
        self.taken += 1
        if self.taken % self.every == 0 or self.taken == self.steps:
            self.log(f"step {self.taken}/{self.steps}, loss {loss.item():.3f}, "
                     f"{time.monotonic() - self.started:.0f} s")


def fine_tune(questions: list[dict[str, Any]], *, epochs: int = 1, lr: float = 2e-5, batch: int = 16,
              per_triple: int = 2, scale: float = 20.0, seed: int = 0) -> tuple[Any, Any]:
    """The packaged model and a fine-tuned copy (multiple-negatives ranking loss; see the module docstring)."""
    import torch
    from sentence_transformers import SentenceTransformer

    from programme_assistant.retrieval.embeddings import packaged_model_path

    every_core()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    base = SentenceTransformer(packaged_model_path(), device="cpu", local_files_only=True)
    model = SentenceTransformer(packaged_model_path(), device="cpu", local_files_only=True)
    from training_data import original_question

    triples = []
    for q in questions:
        # a question and its paraphrase (training_data.PARAPHRASES) share their statements: one group
        group = original_question(q.get("source", ""), q.get("qid", q["question"]))
        for positive in q["positives"][:3]:
            negs = q["negatives"]
            triples.append((q["question"], positive, rng.sample(negs, min(per_triple, len(negs))), group))
    for p in model[0].auto_model.embeddings.parameters():
        p.requires_grad = False
    schedule = Schedule(model.parameters(), triples, batch=batch, epochs=epochs, lr=lr, every=10)
    log(f"{len(questions)} questions, {len(triples)} (question, statement) pairs, {schedule.steps} steps")

    def embed(texts: list[str]) -> Any:
        return torch.nn.functional.normalize(model(model.tokenize(texts))["sentence_embedding"], dim=-1)

    model.train()
    for chunk in schedule.batches(rng):
        scores = embed([t[0] for t in chunk]) @ embed(
            [t[1] for t in chunk] + [n for t in chunk for n in t[2]]).T * scale
        for i, t in enumerate(chunk):  # another statement answering the same question is no negative
            for j, other in enumerate(chunk):
                if j != i and (other[0] == t[0] or other[3] == t[3]):
                    scores[i, j] = -1e4
        schedule.step(torch.nn.functional.cross_entropy(scores, torch.arange(len(chunk))))
    model.eval()
    return base, model


def weight_change(base: Any, tuned: Any) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The tuned model's change to the base weights: each matrix as 8-bit integers with one float16 scale per row
    (``<name>.q``, ``<name>.s``; change = q * s), vectors whole in float16. Also each matrix's relative error
    (Frobenius) from the rounding, for the report."""
    old = dict(base[0].auto_model.named_parameters())
    return parameter_change(old, dict(tuned[0].auto_model.named_parameters()))


def parameter_change(old: dict[str, Any], new: dict[str, Any], keep: Any = None
                     ) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """``weight_change`` of two sets of parameters by name (torch tensors); ``keep(name, delta)``, when given, may
    zero part of a change (in place) before it is rounded."""
    arrays: dict[str, np.ndarray] = {}
    errors: dict[str, float] = {}
    for name, p in new.items():
        delta = (p.detach() - old[name].detach()).numpy().astype(np.float32)
        if keep is not None:
            keep(name, delta)
        if not delta.any():
            continue
        if delta.ndim == 2:
            scale = np.abs(delta).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            scale = scale.astype(np.float16).astype(np.float32)
            q = np.clip(np.round(delta / scale), -127, 127).astype(np.int8)
            errors[name] = float(np.linalg.norm(delta - q * scale) / (np.linalg.norm(delta) or 1.0))
            arrays[f"{name}.q"], arrays[f"{name}.s"] = q, scale.astype(np.float16)
        else:
            arrays[name] = delta.astype(np.float16)
    return arrays, errors


def main(argv: list[str] | None = None) -> int:
    from training_data import add_data_arguments

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_arguments(parser, DEFAULT_OUT)
    parser.add_argument("--pairs", type=Path, help="keep the training statements in this JSON file and reuse it "
                        "on the next run (asking the training questions takes minutes)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fine-tuning's shuffling and initialisation "
                        "(another seed shows how much of a difference between two runs is chance)")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training pairs")
    parser.add_argument("--negatives-from", choices=("same", "fine-tuned"), default="same",
                        help="the model whose score chooses the hard negatives: the packaged one (same), or the "
                             "answer model in use (fine-tuned; PA_ANSWER_MODEL_FILE names another)")
    parser.add_argument("--outside", action="store_true",
                        help="add the development sets of other programmes' folders (training_data.OUTSIDE_TRAINING)")
    parser.add_argument("--save-model", type=Path, help="also save the whole fine-tuned model in this folder")
    parser.add_argument("--from-model", type=Path, help="write the change of a model an earlier run saved "
                        "(--save-model) instead of training again (with --pairs for the report)")
    args = parser.parse_args(argv)
    from training_data import use_paraphrases

    use_paraphrases(args.paraphrases)

    from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, model_id_of, packaged_model_path

    if args.from_model and not (args.pairs and args.pairs.exists()):
        parser.error("--from-model needs --pairs FILE from the run that trained it")
    from training_data import kept

    questions = kept(args.pairs, lambda: collect(args.clapnq, mined_by=args.negatives_from, outside=args.outside),
                     "training statements")
    from training_data import from_outside, is_paraphrase

    # a pairs file may hold the other folders' questions and the paraphrases when these options do not ask for them
    questions = [q for q in questions if (args.outside or not from_outside(q["source"]))
                 and (args.paraphrases or not is_paraphrase(q["source"]))]
    if args.from_model:
        from sentence_transformers import SentenceTransformer

        base = SentenceTransformer(packaged_model_path(), device="cpu", local_files_only=True)
        tuned = SentenceTransformer(str(args.from_model), device="cpu", local_files_only=True)
    else:
        base, tuned = fine_tune(questions, seed=args.seed, epochs=args.epochs)
    if args.save_model:
        tuned.save(str(args.save_model))
    arrays, errors = weight_change(base, tuned)
    sources: dict[str, int] = {}
    for q in questions:
        sources[q["source"]] = sources.get(q["source"], 0) + 1
    meta = {"base_model": model_id_of(SentenceTransformerEmbedder(packaged_model_path(), batch_size=1)),
            "trained": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "questions": sources, "max_relative_error": round(max(errors.values(), default=0.0), 4)}
    if not args.from_model:  # how it was trained here (a model --from-model names was trained by an earlier run)
        meta.update(seed=args.seed, epochs=args.epochs, negatives_from=args.negatives_from)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {json.dumps(meta)}")
    log(f"matrices' change rounded to 8 bits: relative error median {float(np.median(list(errors.values()))):.4f}, "
        f"max {max(errors.values(), default=0.0):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

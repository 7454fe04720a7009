"""A cross-encoder that reads the question and a statement together (session 35; measured, not in the product).

all-MiniLM-L6-v2 with the answer model's weight change (``--init answer``) or as packaged, mean-pooled over the pair
"question [SEP] statement", a linear head, trained listwise: each group is a question with one answering statement
and its six hardest other statements (``train_answer_model.py --pairs`` writes them), softmax cross-entropy on the
answering one; AdamW 3e-5, two epochs, four groups a step, 128 tokens. ``--synthetic`` adds the cases of
``evals/synthetic/`` (each asked of its folder through a fresh index, the statements matching its quoted answer as
positives). About 40 minutes on two cores.

    python scripts/variants/cross_encoder.py train --pairs PAIRS.json [--synthetic] [--init answer] --out CE.pt

As an ``answer_variants.py`` variant (CE_MODEL=CE.pt; CE_W, default 1; CE_N, default 8; CE_KEEP_VALUES=1 to keep
the score values and change only the order), the eight best candidates are rescored by
score + CE_W * std(scores) * z(cross-encoder logits).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))


def build(init: str = "packaged") -> tuple[Any, Any]:
    """The tokenizer and the (untrained-head) cross-encoder."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer

    from programme_assistant.answering.answer_model import WeightChange
    from programme_assistant.retrieval.embeddings import packaged_model_path

    path = packaged_model_path()
    st = SentenceTransformer(path, device="cpu", local_files_only=True)
    if init == "answer":
        WeightChange.load().apply(st)

    class CrossEncoder(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert, self.head = bert, torch.nn.Linear(bert.config.hidden_size, 1)

        def forward(self, enc: Any) -> Any:
            h = self.bert(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1)).squeeze(-1)

    return AutoTokenizer.from_pretrained(path), CrossEncoder(st[0].auto_model)


def synthetic_pairs(negatives: int = 6) -> list[dict[str, Any]]:
    """The synthetic cases as training pairs, asked as the answer model's pairs are (hand-set scores)."""
    from train_ranker import _tokens, matches_gold
    from training_data import SYNTHETIC, SYNTHETIC_FOLDERS, training_settings

    from programme_assistant.answering.extractive import read_in_context
    from programme_assistant.assistant import Assistant

    settings, _ = training_settings(answer_model="same")
    out = []
    for folder, corpus in SYNTHETIC_FOLDERS.items():
        path = SYNTHETIC / f"{folder}.jsonl"
        with tempfile.TemporaryDirectory(prefix="pa-ce-") as tmp:
            a = Assistant.from_settings(settings.model_copy(update={"index_dir": Path(tmp), "corpus_dir": corpus}))
            a.sync()
            for line in path.read_text(encoding="utf-8").splitlines():
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


def train(args: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tok, model = build(args.init)
    data = json.loads(args.pairs.read_text(encoding="utf-8")) + (synthetic_pairs() if args.synthetic else [])
    groups = [(q["question"], [p, *q["negatives"]]) for q in data if q["negatives"] for p in q["positives"][:3]]
    steps = args.epochs * -(-len(groups) // 4)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) * max(0.0, 1 - s / steps))
    print(f"{len(data)} questions, {len(groups)} groups, {steps} steps", flush=True)
    model.train()
    started, step = time.monotonic(), 0
    for _ in range(args.epochs):
        rng.shuffle(groups)
        for b in range(0, len(groups), 4):
            chunk = groups[b:b + 4]
            enc = tok([q for q, c in chunk for _ in c], [s for _, c in chunk for s in c], truncation="only_second",
                      max_length=128, padding=True, return_tensors="pt")
            logits, loss, i = model(enc), 0.0, 0
            for _, c in chunk:
                loss = loss + torch.nn.functional.cross_entropy(logits[i:i + len(c)].unsqueeze(0),
                                                                torch.zeros(1, dtype=torch.long))
                i += len(c)
            opt.zero_grad()
            (loss / len(chunk)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 25 == 0:
                print(f"step {step}/{steps}, {time.monotonic() - started:.0f} s", flush=True)
    torch.save({"init": args.init, "state": model.state_dict()}, args.out)


def apply(assistant: Any) -> Any:
    import torch
    from answer_variants import patch_scoring

    from programme_assistant.answering.extractive import read_in_context

    saved = torch.load(os.environ["CE_MODEL"])
    tok, model = build(saved["init"])
    model.load_state_dict(saved["state"])
    model.eval()
    w, n = float(os.environ.get("CE_W", "1")), int(os.environ.get("CE_N", "8"))

    def rescore(answerer: Any, question: str, passages: list, scoring: Any) -> list[float] | None:
        top = scoring.sentences[:n]
        if len(top) < 2:
            return None
        enc = tok([question] * len(top), [read_in_context(s.context, s.text) for s in top],
                  truncation="only_second", max_length=128, padding=True, return_tensors="pt")
        with torch.inference_mode():
            ce = model(enc).numpy()
        base = np.array([s.score for s in top])
        new = base + w * base.std() * (ce - ce.mean()) / (ce.std() + 1e-9)
        if os.environ.get("CE_KEEP_VALUES"):
            order, values = np.argsort(-new, kind="stable"), np.sort(base)[::-1]
            new = np.empty_like(base)
            new[order] = values
        return [*new.tolist(), *(s.score for s in scoring.sentences[n:])]

    return patch_scoring(rescore)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("train",))
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--init", choices=("packaged", "answer"), default="answer")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    train(parser.parse_args())

"""Fine-tune a retrieval model, question -> passage (``make train-passage-model``), for the fusion's second ranking
(``PA_PASSAGE_MODEL=<the folder it writes>``; an experiment, measured in docs/answer-selection.md, session 49).

The index's model, the packaged all-MiniLM-L6-v2, was trained for sentence similarity, not to find the passage that
answers a question. Here a copy of it is taught that, from the training questions of ``training_data.py`` (the sample
corpus's golden set and held-out sets 1-13 with their paraphrases, the DMRCP's sets 1-3 and the SAWKA's 1-2, and the
synthetic questions of ``evals/synthetic/`` with session 48's ``more/``; held-out 14 onwards, the multilingual sets and
the AIETN's, BSDSP's and IMUHR's folders are never read): for each answerable question, the passages of its folder
that hold a required fact (from a document allowed to answer it) or the synthetic question's quoted sentence are
positives, and the passages among the twenty the product's hybrid search returns that hold none are hard negatives.

Loss: multiple-negatives ranking (``train_answer_model.fine_tune``: the question against its positive, one hard
negative and the batch's other passages, scale 20), one epoch, AdamW at 2e-5 with warm-up and linear decay, batch 16,
word embeddings frozen. About 35 minutes on two cores, after the questions are asked (three more).

What is written is a sentence-transformers folder (``--out``, default ``build/passage-model``), not a packaged file:
measured in session 49, the model brings more required facts into the six passages on every folder, those never
trained on included, but the extractive answers hold no more of them; it is not shipped.

    python scripts/train_passage_model.py [--out DIR] [--pairs FILE] [--seed 0] [--epochs 1]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "build" / "passage-model"
DEPTH = 20  # passages searched per question; those holding no answer are the hard negatives
NEGATIVES = 8  # hard negatives kept per question (one is drawn per pair)
POSITIVES = 4  # answering passages kept per question


def log(message: str) -> None:
    print(f"[train-passage-model] {message}", file=sys.stderr, flush=True)


def _group(assistant: Any, chunks: list[tuple[str, str]], query: str, answers: Callable[[str], bool],
           allowed: set[str] | None) -> dict[str, Any]:
    """The question's answering passages (of ``allowed`` documents, when given) and its hard negatives."""
    found = assistant.search.search(query, k=DEPTH)
    positives = [text for text, doc in chunks if (not allowed or doc in allowed) and answers(text)]
    return {"question": query, "positives": list(dict.fromkeys(positives))[:POSITIVES],
            "negatives": [p.chunk.text for p in found if not answers(p.chunk.text)][:NEGATIVES]}


def folder_groups(corpus: Path, sets: tuple[tuple[str, Path], ...], synthetic: tuple[Path, ...]
                  ) -> Iterator[dict[str, Any]]:
    """The training groups of one folder: its sets' answerable cases (asked as the rewriter reads them, with their
    conversation) and its synthetic questions, through a fresh index of it."""
    from training_data import folder_assistant, training_settings, with_paraphrases

    from programme_assistant.evaluation.cases import load_golden, normalise

    settings, _ = training_settings(answer_model="same")
    with folder_assistant(settings, corpus) as assistant:
        stored = assistant.search.store.all_chunks()
        chunks = [(text, str(meta.get("doc_id", ""))) for text, meta in zip(stored["documents"], stored["metadatas"],
                                                                            strict=True)]
        plain = {text: normalise(text) for text, _ in chunks}

        def holds(needles: list[str]) -> Callable[[str], bool]:
            return lambda text: any(n in plain.get(text, normalise(text)) for n in needles)

        for name, path in with_paraphrases(sets):
            n = 0
            for case in load_golden(path):
                facts = [normalise(f) for f in case.required_facts if f.strip()]
                if not case.answerable or not facts:
                    continue
                query = assistant.rewriter.rewrite(case.question, [(h, "") for h in case.history])
                group = _group(assistant, chunks, query, holds(facts),
                               set(case.expected_doc_ids) | set(case.supporting_doc_ids))
                if group["positives"] and group["negatives"]:
                    n += 1
                    yield group | {"source": name, "qid": case.id}
            log(f"{name}: {n} questions with an answering passage")
        for path in synthetic:
            n = 0
            for line in path.read_text(encoding="utf-8").splitlines():
                case = json.loads(line)
                group = _group(assistant, chunks, case["question"], holds([normalise(case["answer"])[:60]]), None)
                if group["positives"] and group["negatives"]:
                    n += 1
                    yield group | {"source": f"synthetic-{path.parent.name}-{path.stem}", "qid": case["id"]}
            log(f"{path.relative_to(ROOT)}: {n} questions with an answering passage")


def collect() -> list[dict[str, Any]]:
    """Every training folder's groups: the sample corpus's training sets, then each OUTSIDE_TRAINING folder's."""
    from training_data import (
        OUTSIDE_TRAINING,
        SYNTHETIC,
        SYNTHETIC_FOLDERS,
        SYNTHETIC_MORE,
        TRAINING_SETS,
        use_paraphrases,
    )

    use_paraphrases(True)
    folders = [("corpus", ROOT / "corpus", tuple((n, ROOT / "evals" / f"{n}.jsonl") for n in TRAINING_SETS))]
    folders += [(Path(corpus).parent.name, ROOT / corpus, tuple((n, ROOT / p) for n, p in sets))
                for corpus, sets in OUTSIDE_TRAINING]
    out: list[dict[str, Any]] = []
    for name, corpus, sets in folders:
        assert name in SYNTHETIC_FOLDERS, name
        out += folder_groups(corpus, sets, (SYNTHETIC / f"{name}.jsonl", SYNTHETIC_MORE / f"{name}.jsonl"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the sentence-transformers folder written")
    parser.add_argument("--pairs", type=Path, help="keep the training groups in this JSON file and reuse it on the "
                        "next run (asking the training questions takes minutes)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fine-tuning's shuffling")
    parser.add_argument("--epochs", type=int, default=1, help="passes over the training pairs")
    args = parser.parse_args(argv)
    from train_answer_model import fine_tune
    from training_data import kept

    groups = kept(args.pairs, collect, "training passages")
    log(f"{len(groups)} questions with an answering passage and a hard negative")
    _, tuned = fine_tune(groups, epochs=args.epochs, lr=2e-5, batch=16, per_triple=1, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tuned.save(str(args.out))
    log(f"wrote {args.out}; use it with PA_PASSAGE_MODEL={args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

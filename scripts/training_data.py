"""The questions the answerer's learned models are fitted on, put through the product's own pipeline (rewriter,
hybrid search, the extractive answerer's scoring), shared by ``train_ranker.py`` and ``train_refusal.py``.

- The sample corpus (``corpus/``) with the golden, held-out and held-out 2 sets (``TRAINING_SETS``). Held-out 3,
  held-out 4 and the multilingual sets are never read here: they are for evaluation.
- ClapNQ dev (``../shared/benchmarks/clapnq-dev``), the half of its questions whose id hashes even (the odd half
  is for evaluation), over the index ``make bench-external`` builds (ClapNQ and PubMedQA documents together, kept
  in the system temp folder and built on first use in about five minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks.external builds the ClapNQ index
TRAINING_SETS = ("golden", "heldout", "heldout2")


@dataclass
class Asked:
    """One training question as the answerer saw it."""

    source: str  # "clapnq" or a sample set's name
    qid: str
    answerable: bool
    passages: list  # list[RetrievedChunk]
    scoring: Any  # extractive.Scoring
    facts: list[str]  # sample sets: the required facts
    allowed_docs: set[str]  # doc ids whose sentences may answer (expected + supporting / ClapNQ's gold)
    gold_sentences: list[str]  # ClapNQ: the selected gold sentences


def log(message: str) -> None:
    print(f"[training] {message}", file=sys.stderr, flush=True)


def is_train(qid: str) -> bool:
    """ClapNQ's training half: questions whose id hashes even."""
    return int(hashlib.sha256(qid.encode()).hexdigest(), 16) % 2 == 0


def _ask(assistant: Any, question: str, history: list[str]) -> tuple[list, Any]:
    standalone = assistant.rewriter.rewrite(question, [(h, "") for h in history])
    passages = assistant.search.search(standalone)
    return passages, assistant.answerer.scoring(standalone, passages)


def sample_questions(settings: Any) -> Iterator[Asked]:
    from programme_assistant.assistant import Assistant
    from programme_assistant.evaluation.cases import load_golden

    with tempfile.TemporaryDirectory(prefix="pa-training-") as tmp:
        assistant = Assistant.from_settings(settings.model_copy(update={"index_dir": Path(tmp) / "index"}))
        assistant.sync()
        for name in TRAINING_SETS:
            cases = load_golden(ROOT / "evals" / f"{name}.jsonl")
            for case in cases:
                passages, scoring = _ask(assistant, case.question, case.history)
                yield Asked(name, case.id, case.answerable, passages, scoring, list(case.required_facts),
                            set(case.expected_doc_ids) | set(case.supporting_doc_ids), [])
            log(f"{name}: {len(cases)} cases")


def clapnq_questions(settings: Any, data_dir: Path) -> Iterator[Asked]:
    from benchmarks import external
    from programme_assistant.assistant import Assistant

    docs, questions = [], []
    for name in external.SETS:
        d, q = external.load_set(data_dir, name)
        docs += d
        questions += q
    cache, bench_settings, _ = external.prepare_corpus(data_dir, docs, settings)
    assistant = Assistant.from_settings(bench_settings)
    log(f"ClapNQ index at {cache} (built on first use: a few minutes)")
    assistant.sync()
    chosen = [q for q in questions if q.set == "clapnq-dev" and is_train(q.id)]
    for q in chosen:
        passages, scoring = _ask(assistant, q.question, [])
        yield Asked("clapnq", q.id, q.answerable, passages, scoring, [],
                    {external.doc_path(external.BenchDocument(q.set, d, "", "")) for d in q.doc_ids},
                    [s for s in q.extra.get("selected_sentences") or [] if s.strip()])
    log(f"ClapNQ: {len(chosen)} training questions")


def training_questions(settings: Any, benchmarks_dir: Path) -> Iterator[Asked]:
    """The sample corpus's training sets, then ClapNQ's training half (when its data is there)."""
    yield from sample_questions(settings)
    if (benchmarks_dir / "clapnq-dev").is_dir():
        yield from clapnq_questions(settings, benchmarks_dir.resolve())
    else:
        log(f"no ClapNQ data under {benchmarks_dir}: the sample corpus alone")


def add_arguments(parser: argparse.ArgumentParser, *, out: Path, c: float, max_wrong: float,
                  max_wrong_help: str) -> None:
    """The options both training scripts take."""
    parser.add_argument("--clapnq", type=Path, default=ROOT.parent / "shared" / "benchmarks",
                        help="the folder holding clapnq-dev/ and pubmedqa-l/")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--max-wrong-refusals", type=float, default=max_wrong, help=max_wrong_help)
    parser.add_argument("--sample-weight", type=float, default=3.0, help="weight of a sample-corpus question")
    parser.add_argument("--C", type=float, default=c, help="inverse regularisation strength")
    parser.add_argument("--features", type=Path, help="keep the extracted training data in this file and reuse "
                        "it on the next run (it takes minutes to compute)")


def training_settings() -> tuple[Any, str]:
    """The settings the training questions are asked with (hand-set scores, no learned refusal), and the name of
    the embedding model, which the written model records: it applies only with that model."""
    from programme_assistant.assistant import build_embedder
    from programme_assistant.config import Settings
    from programme_assistant.retrieval.embeddings import model_id_of

    settings = Settings(answer_ranker="hand", refusal_model="off")
    return settings, model_id_of(build_embedder(settings))

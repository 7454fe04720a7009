"""The embedding models side by side in one run (issue #13): cold ingest of the sample corpus (chunks and answer
sentences), chunks per second, and the latency of a cited answer, for all-MiniLM-L6-v2 and multilingual-e5-small.

    python -m benchmarks.embedders [--questions 30]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REPO_ROOT,
    RESULTS_DIR,
    generic_questions,
    latency_summary,
    machine_info,
    markdown_table,
    time_each,
)
from benchmarks.perf import corpus_sentences

MODELS = {"all-MiniLM-L6-v2": None, "multilingual-e5-small": "multilingual-e5-small"}


def log(message: str) -> None:
    print(f"[bench-embedders {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(name: str, setting: str | None, n_questions: int, folder: Path) -> dict[str, Any]:
    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=folder / "index", embedding_model=setting)
    t0 = time.perf_counter()
    assistant = Assistant.from_settings(settings)
    getattr(assistant.search.store.embedder, "model", None)  # load the model outside the timed sync
    load_s = time.perf_counter() - t0
    report = assistant.sync()
    titles = [d.title for d in assistant.documents()]
    questions = generic_questions(titles, corpus_sentences(assistant.search.store), n_questions, seed=7)
    for q in questions[:3]:  # warm-up
        assistant.ask(q)
    latencies = time_each(assistant.ask, questions)
    row = {"model": name, "load_s": round(load_s, 1), "sync_s": round(report.seconds, 1),
           "chunks": report.total_chunks, "chunk_embed_s": round(report.embed_seconds, 1),
           "chunks_per_s": round(report.embedded_chunks / report.embed_seconds, 1) if report.embed_seconds else None,
           "sentences": report.prepared_sentences, "sentence_embed_s": round(report.prepare_seconds, 1),
           "answer": latency_summary(latencies)}
    log(json.dumps(row))
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args(argv)
    rows = []
    for name, setting in MODELS.items():
        with tempfile.TemporaryDirectory(prefix="pa-embedders-") as tmp:
            log(f"{name}: cold sync of the sample corpus, then {args.questions} questions")
            rows.append(measure(name, setting, args.questions, Path(tmp)))
    table = markdown_table(
        ["model", "model load, s", "cold sync, s", "chunks", "chunks/s", "answer sentences embedded (s)",
         "cited answer p50 / p95, ms"],
        [[r["model"], r["load_s"], r["sync_s"], r["chunks"], r["chunks_per_s"],
          f"{r['sentences']} ({r['sentence_embed_s']})", f"{r['answer']['p50_ms']} / {r['answer']['p95_ms']}"]
         for r in rows])
    base = rows[0]["sync_s"] or 1
    text = (f"Measured {time.strftime('%Y-%m-%d %H:%M:%S %z')}, {machine_info()}; sample corpus, one run.\n\n"
            f"{table}\n\n"
            f"Cold sync cost of each model against {rows[0]['model']}: "
            + ", ".join(f"{r['model']} {r['sync_s'] / base:.2f}x" for r in rows) + "\n")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "embedders-latest.md").write_text(text)
    (RESULTS_DIR / "embedders-latest.json").write_text(json.dumps(rows, indent=2) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`make bench`: how fast programme-assistant is, beside the model's own limit and a plain LangChain baseline,
measured in one run on this machine.

    python -m benchmarks.perf [--quick] [--corpus DIR] [--out DIR]

1. Ingest: our FolderSync on the sample corpus into a fresh index (a temporary folder), beside the raw
   ``model.encode`` of the very texts it embeds (same model, same batch size), measured before and after it:
   the limit on this machine.
   Then a no-change re-sync, and warm query latency (retrieval alone, and the whole answer) over generic
   questions made from the corpus's titles and sentences (never the golden set). Then other such questions asked
   of the product as configured and of the same index without the answer reader, in blocks: the reader's cost in
   the same run, and how many answers it changes.
2. Cold start: a new process builds the Assistant from Settings and answers one question; timed from the
   moment the process is started; its peak resident memory.
3. The plain LangChain baseline (``benchmarks.baseline``) in its own process, on the same documents and
   questions with the same model: its ingest time and query latency, and ours as ratios to it.
4. Scaling (``benchmarks.scaling``): synthetic chunks (``benchmarks.synthetic``: composed from the sample
   corpus's chunks and vectors, no model run) inserted into a fresh store in steps up to 1k, 10k and 50k
   chunks (``--sizes 1000,10000,50000,200000`` for 200k); after each step, today's BM25 rebuild beside the
   lexical index on disk (writing it, a new process opening it, a sync of a few changed documents) and the
   latency of dense, BM25 and hybrid search (questions embedded beforehand, so that the growth with size is not
   hidden by the model's time, which is measured apart).

Results: ``benchmarks/results/perf-latest.{json,md}`` (``--quick``: a temporary folder unless ``--out``).
Figures are as measured: other work on the machine slows every figure of a run alike, which is why the
comparisons are ratios within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import baseline, scaling
from benchmarks.common import (
    REPO_ROOT,
    RESULTS_DIR,
    fmt,
    generic_questions,
    latency_summary,
    machine_info,
    markdown_table,
    peak_rss_mb,
    ratio,
    time_each,
    write_results,
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- 1. ingest and warm queries -------------------------------------------------------------------
def load_corpus(settings: Any) -> list[Any]:
    """The corpus's documents as our loaders read them (the files FolderSync would index)."""
    from programme_assistant.ingest.sync import read_documents

    return list(read_documents(Path(settings.corpus_dir), settings.ignore))


def chunk_texts(settings: Any, docs: list[Any]) -> list[str]:
    """What FolderSync embeds for these documents: each chunk with its title and section line."""
    from programme_assistant.ingest.chunking import chunk_document, embedding_text

    return [embedding_text(d.title, c.heading_path, c.text)
            for d in docs for c in chunk_document(d, settings.chunk_size, settings.chunk_overlap)]


def stored_texts(store: Any) -> list[str]:
    """The texts FolderSync embedded, rebuilt from the store (to check the limit was measured on them)."""
    from programme_assistant.ingest.chunking import embedding_text

    data = store.all_chunks()
    return [embedding_text(str(m.get("title", "")), tuple(str(m["section"]).split(" > ")) if m.get("section") else (),
                           text) for text, m in zip(data["documents"], data["metadatas"], strict=True)]


def corpus_sentences(store: Any) -> list[str]:
    from programme_assistant.text.sentences import sentence_spans

    texts = store.all_chunks()["documents"]
    return [t[s:e] for t in texts for s, e in sentence_spans(t) if not t[s:e].lstrip().startswith("#")]


def raw_encode_seconds(model: Any, texts: list[str], batch_size: int, embedder: Any = None) -> float:
    """One ``model.encode`` call on all texts: the model at its fastest (it sorts the texts by length, so
    batches hold similar lengths and little padding), with nothing of ours around it. Run with the torch
    threads a sync uses (``embedder.batch()``), so that the limit and our sync are measured alike."""
    with getattr(embedder, "batch", contextlib.nullcontext)():
        t0 = time.perf_counter()
        model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                     show_progress_bar=False)
        return time.perf_counter() - t0


def measure_ingest_and_queries(settings: Any, n_questions: int, n_warmup: int) -> dict[str, Any]:
    from programme_assistant.assistant import Assistant, build_embedder

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    embedder = build_embedder(settings)
    model = embedder.model  # load now: ingest throughput measures embedding, not loading
    embedder.encode(["warm up"] * settings.batch_size)
    out["model_load_s"] = round(time.perf_counter() - t0, 3)
    assistant = Assistant.from_settings(settings, embedder=embedder)
    store = assistant.folder_sync.store
    texts = chunk_texts(settings, load_corpus(settings))

    # The limit is measured before and after our sync, so that a change in the machine's load during the run
    # shows up as a difference between the two instead of skewing the ratio.
    log(f"limit: raw model.encode of the {len(texts)} chunk texts, batch size {settings.batch_size}")
    raw_before = raw_encode_seconds(model, texts, settings.batch_size, embedder)
    log("ingest: our FolderSync into a fresh index")
    report = assistant.sync()
    if not report.ok:
        raise RuntimeError(f"the sample corpus did not sync cleanly: {report.counts()}")
    log("limit again, after the sync")
    raw_after = raw_encode_seconds(model, texts, settings.batch_size, embedder)
    if sorted(stored_texts(store)) != sorted(texts):
        raise RuntimeError("the sync embedded other texts than the ones the limit was measured on")
    chunks = report.embedded_chunks
    out["ours"] = {
        "files": len(report.files), "chunks": chunks, "ingest_s": round(report.seconds, 3),
        "embed_s": round(report.embed_seconds, 3),
        "chunks_per_s": round(chunks / report.seconds, 2),
        "embed_chunks_per_s": round(chunks / report.embed_seconds, 2) if report.embed_seconds else None,
    }
    raw_s = (raw_before + raw_after) / 2
    out["raw_encode"] = {"chunks": len(texts), "batch_size": settings.batch_size, "seconds": round(raw_s, 3),
                         "chunks_per_s": round(len(texts) / raw_s, 2),
                         "before_chunks_per_s": round(len(texts) / raw_before, 2),
                         "after_chunks_per_s": round(len(texts) / raw_after, 2)}

    log("no-change re-sync")
    again = assistant.sync()
    out["resync"] = {"seconds": round(again.seconds, 4), "counts": again.counts(),
                     "embedded_chunks": again.embedded_chunks}

    titles = [r.title for r in assistant.folder_sync.manifest.records().values()]
    sentences = corpus_sentences(store)
    questions = generic_questions(titles, sentences, n_questions + n_warmup, seed=7)
    warmup, measured = questions[:n_warmup], questions[n_warmup:]
    log(f"warm query latency over {len(measured)} generic questions ({len(warmup)} warm-up)")
    for q in warmup:
        assistant.ask(q)
    retrieval = time_each(assistant.search.search, measured)
    answers, stages, refused = [], {"retrieve": [], "answer": []}, 0
    for q in measured:
        tq = time.perf_counter()
        answer = assistant.ask(q)
        answers.append(time.perf_counter() - tq)
        refused += answer.refused
        for stage in stages:
            stages[stage].append(answer.timings.get(stage, 0.0))
    out["queries"] = {
        "questions": measured, "warmup": warmup, "mode": settings.retrieval_mode,
        "retrieval": latency_summary(retrieval), "answer": latency_summary(answers),
        "answer_stages": {k: latency_summary(v) for k, v in stages.items()}, "refused": refused,
    }
    # new questions for the comparison: the reader keeps what it read, so the ones above would read as free
    fresh = [q for q in generic_questions(titles, sentences, 2 * n_questions, seed=8)
             if q not in questions][:n_questions]
    out["queries"]["without_answer_reader"] = measure_without_answer_reader(settings, embedder, assistant, warmup,
                                                                            fresh)
    out["query_embedding"] = measure_query_embedding(embedder, measured)
    out["peak_rss_mb"] = peak_rss_mb()
    out["_assistant"] = assistant
    return out


def measure_without_answer_reader(settings: Any, embedder: Any, assistant: Any, warmup: list[str],
                                  measured: list[str]) -> dict[str, Any] | None:
    """The same questions answered by the product as configured and by the same index without the answer reader
    (``PA_ANSWER_READER=off``), in blocks (the first half asked of the product then without the reader, the second
    half the other way round) so that both see the machine alike: what the reader costs, and how many answers it
    changes. Also how often the learned refusal read the answerability reader (it is read only when the other
    features do not decide). ``measured`` must be questions ``assistant`` has not been asked: its readers keep what
    they read. None when the answer reader is off already."""
    from programme_assistant.assistant import Assistant

    if assistant.answerer.reordering is None:
        return None
    plain = Assistant.from_settings(settings.model_copy(update={"answer_reader": "off"}), embedder=embedder)
    for q in warmup:
        plain.ask(q)
    half = len(measured) // 2
    # by position, not by text: the generic questions repeat a title's question once the titles run out, and the
    # second ask of a question must keep its own timing
    answers: dict[int, dict[int, tuple[Any, float]]] = {0: {}, 1: {}}
    # in blocks, the first half asked of the product then of the index without the reader, the second half the
    # other way round (drift in the machine's speed falls on both alike). Question by question in turn, the
    # product's side read slower still (session 53, the same 30 questions: 111 and 125 ms at p50 in turn, 103 in
    # blocks). Either way both sides read slower than the same questions measured alone with one assistant in the
    # process (110 against 90 for another 30): the difference is the figure to read, not either side's level.
    first, second = range(half), range(half, len(measured))
    for side, positions in ((0, first), (1, first), (1, second), (0, second)):
        for i in positions:
            tq = time.perf_counter()
            answer = (assistant, plain)[side].ask(measured[i])
            answers[side][i] = answer, time.perf_counter() - tq
    with_reader, without, changed, read = [], [], 0, 0
    for i in range(len(measured)):
        (ours, seconds), (other, seconds_without) = answers[0][i], answers[1][i]
        with_reader.append(seconds)
        without.append(seconds_without)
        changed += ours.text != other.text
        read += bool(ours.evidence.get("answerability_read"))
    return {"with": latency_summary(with_reader), "without": latency_summary(without), "answers_changed": changed,
            "answerability_read": read, "questions": len(measured)}


def measure_query_embedding(embedder: Any, questions: list[str]) -> dict[str, Any]:
    """Embedding one question with every core (as a sync embeds) and with one thread (as questions run by
    default on 2 cores, ``PA_TORCH_THREADS``).

    A diagnostic: on a machine whose cores are busy with other work, torch's threads wait for one another
    (OpenMP's spinning wait by default), and one query can take many times longer with two threads than with
    one. A large gap here means the machine was contended and the latencies above include that wait."""
    import torch

    default = torch.get_num_threads()
    out: dict[str, Any] = {}
    try:
        for label, threads in (("all_cores", os.cpu_count() or 1), ("one_thread", 1)):
            torch.set_num_threads(threads)
            embedder.embed_query("warm up")
            out[label] = {"threads": threads, **latency_summary(time_each(embedder.embed_query, questions))}
    finally:
        torch.set_num_threads(default)
    return out


# --- 2. cold start ------------------------------------------------------------------------------
COLD_START = """
import json, sys, time
t0 = time.perf_counter()
from programme_assistant.assistant import Assistant
from programme_assistant.config import Settings
t1 = time.perf_counter()
assistant = Assistant.from_settings(Settings())
t2 = time.perf_counter()
answer = assistant.ask(sys.argv[1])
t3 = time.perf_counter()
answered_at = time.time()
from benchmarks.common import peak_rss_mb
print(json.dumps({"answered_at": answered_at, "imports_s": t1 - t0, "build_s": t2 - t1,
                  "first_ask_s": t3 - t2, "refused": answer.refused, "peak_rss_mb": peak_rss_mb()}))
"""


def measure_cold_start(settings: Any, question: str) -> dict[str, Any]:
    env = {**os.environ, "PA_INDEX_DIR": str(settings.index_dir), "PA_CORPUS_DIR": str(settings.corpus_dir),
           "PA_BATCH_SIZE": str(settings.batch_size)}
    started = time.time()
    done = subprocess.run([sys.executable, "-c", COLD_START, question], env=env, cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    exited = time.time()
    if done.returncode != 0:
        raise RuntimeError(f"cold-start process failed: {done.stderr[-2000:]}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    return {"to_first_answer_s": round(child["answered_at"] - started, 3),
            "process_wall_s": round(exited - started, 3),
            "imports_s": round(child["imports_s"], 3), "build_s": round(child["build_s"], 3),
            "first_ask_s": round(child["first_ask_s"], 3), "refused": child["refused"],
            "peak_rss_mb": round(child["peak_rss_mb"], 1), "question": question}


# --- report ---------------------------------------------------------------------------------------
def _pq(summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("n"):
        return "-"
    return f"{summary['p50_ms']:.0f} / {summary['p95_ms']:.0f}"


def _sum(*values: float | None) -> float | None:
    return None if any(v is None for v in values) else round(sum(v for v in values if v is not None), 2)


def render_scaling(scaling: dict[str, Any]) -> list[str]:
    """The scaling section's tables (``benchmarks.scaling.measure``'s result) as markdown lines."""
    lines: list[str] = []
    rows, lexical = [], []
    for step in scaling["steps"]:
        if "skipped" in step:
            rows.append([step["chunks"], step["skipped"], "-", "-", "-"])
            continue
        rows.append([step["chunks"], f"{step['insert_s']:.1f} ({step['insert_chunks_per_s']:.0f}/s)",
                     _pq(step["dense"]), _pq(step["bm25"]), _pq(step["hybrid"])])
        if "open_s" in step:
            opened = f"{step['open_s']}" + (f" ({step['open_store_s']} of it Chroma's)"
                                            if "open_store_s" in step else "")
            lexical.append([step["chunks"], step["bm25_rebuild_s"], step["rebuild_mb"], step["index_write_s"],
                            opened, step["open_rss_mb"], step["sync_changed_s"],
                            step["sync_lexical_s"], step["reader_sees_s"], step["index_mb"]])
    lines += ["", f"**Scaling** (synthetic chunks composed from the sample corpus's {scaling['base_chunks']} "
              f"chunks and vectors, see benchmarks/synthetic.py; search latency p50 / p95 in ms over "
              f"{scaling['queries']} questions, the question's embedding computed beforehand)", "",
              markdown_table(["chunks", "insert, s", "dense", "BM25", "hybrid"], rows)]
    if lexical:
        lines += ["", f"**Lexical index** (today's rebuild from the store beside the index on disk; a sync of "
                  f"{scaling.get('changed_passages', 24)} changed passages: store and index writes and the new "
                  f"index version; 'another search sees it': a second search over the same folder)", "",
                  markdown_table(["chunks", "today: rebuild, s", "today: rebuild holds, MB",
                                  "on disk: index the new chunks, s", "new process opens it, s",
                                  "that process, MB", "small sync, s", "of which index, s",
                                  "another search sees it, s", "index file, MB"], lexical)]
    return lines


def render_markdown(r: dict[str, Any]) -> str:
    ours, raw, base = r["ingest"]["ours"], r["ingest"]["raw_encode"], r.get("baseline") or {}
    q, cold = r["ingest"]["queries"], r.get("cold_start") or {}
    lines = [f"Measured {r['measured_at']} on {r['machine']['cpus']} CPUs (load average at start "
             f"{', '.join(str(x) for x in r['machine'].get('load_average', []))}); sample corpus: "
             f"{ours['files']} files. Query latencies are p50 / p95 over {q['answer']['n']} generic questions, warm.",
             "", "**Ours beside a plain LangChain pipeline** (same model, same documents, same questions)", ""]
    lines.append(markdown_table(["", "ours", "LangChain", "ours ÷ LangChain"], [
        ["chunks", ours["chunks"], base.get("chunks"), "-"],
        ["ingest time, s", ours["ingest_s"], base.get("ingest_s"),
         fmt(ratio(ours["ingest_s"], base.get("ingest_s")), 2)],
        ["ingest throughput, chunks/s", ours["chunks_per_s"], base.get("chunks_per_s"),
         fmt(ratio(ours["chunks_per_s"], base.get("chunks_per_s")), 2)],
        ["retrieval p50 / p95, ms (ours hybrid top-6; LangChain similarity_search top-4)", _pq(q["retrieval"]),
         _pq(base.get("query")), fmt(ratio(q["retrieval"].get("p50_ms"), (base.get("query") or {}).get("p50_ms")), 2)
         + " (p50)"],
        ["cited answer end to end p50 / p95, ms", _pq(q["answer"]), "no answer step",
         fmt(ratio(q["answer"].get("p50_ms"), (base.get("query") or {}).get("p50_ms")), 1) + " (p50)"],
        ["imports + model load, s", _sum(cold.get("imports_s"), r["ingest"]["model_load_s"]),
         _sum(base.get("imports_s"), base.get("model_load_s")),
         fmt(ratio(_sum(cold.get("imports_s"), r["ingest"]["model_load_s"]),
                   _sum(base.get("imports_s"), base.get("model_load_s"))), 2)],
        ["peak memory (ingest + queries), MB", r["ingest"]["peak_rss_mb"], base.get("peak_rss_mb"),
         fmt(ratio(r["ingest"]["peak_rss_mb"], base.get("peak_rss_mb")), 2)],
    ]))
    limit_rows = [
        [f"raw model.encode of the same texts in one call (the limit; before our sync {raw['before_chunks_per_s']}"
         f", after {raw['after_chunks_per_s']})", raw["chunks_per_s"], 1.0],
        ["our sync, embedding alone", ours["embed_chunks_per_s"],
         fmt(ratio(ours["embed_chunks_per_s"], raw["chunks_per_s"]), 2)],
        ["our sync, whole (scan, parse, chunk, embed, store, manifest)", ours["chunks_per_s"],
         fmt(ratio(ours["chunks_per_s"], raw["chunks_per_s"]), 2)],
    ]
    lines += ["", f"**Ingest against the model's limit** ({raw['chunks']} chunks, batch size {raw['batch_size']})",
              "", markdown_table(["", "chunks/s", "share of the limit"], limit_rows)]
    resync = r["ingest"]["resync"]
    other = [["no-change re-sync", f"{resync['seconds'] * 1000:.0f} ms ({resync['counts']['unchanged']} files "
              f"unchanged, {resync['embedded_chunks']} embedded)"],
             ["answer stages p50 / p95, ms", f"retrieve {_pq(q['answer_stages']['retrieve'])}, "
              f"answer {_pq(q['answer_stages']['answer'])}"]]
    bare = q.get("without_answer_reader")
    if bare:
        with_p50, without_p50 = bare["with"].get("p50_ms"), bare["without"].get("p50_ms")
        cost = None if with_p50 is None or without_p50 is None else with_p50 - without_p50
        other.append(["cited answer p50 / p95, ms: as configured beside without the answer reader, other "
                      "questions asked of both", f"{_pq(bare['with'])} beside {_pq(bare['without'])}: the reader costs "
                      f"{fmt(cost, 0)} ms at p50 "
                      f"and changes {bare['answers_changed']} of {bare['questions']} answers; the refusal read the "
                      f"answerability reader for {bare['answerability_read']}"])
    qe = r["ingest"].get("query_embedding")
    if qe:
        other.append(["embedding one question p50 / p95, ms (torch threads: every core, one)",
                      f"{qe['all_cores']['threads']} threads {_pq(qe['all_cores'])}, "
                      f"1 thread {_pq(qe['one_thread'])}"])
    if cold:
        other += [["cold start to first answer (new process, index on disk)",
                   f"{cold['to_first_answer_s']:.1f} s (imports {cold['imports_s']:.1f}, build "
                   f"{cold['build_s']:.1f}, first question incl. model load {cold['first_ask_s']:.1f})"],
                  ["peak memory of that process", f"{cold['peak_rss_mb']:.0f} MB"]]
    lines += ["", "**Other**", "", markdown_table(["", "measured"], other)]
    if r.get("scaling"):
        lines += render_scaling(r["scaling"])
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.perf", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer questions, scaling to 2k chunks only")
    p.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus", help="folder to ingest (default corpus/)")
    p.add_argument("--out", type=Path, help="results folder (default benchmarks/results; --quick: a temp folder)")
    p.add_argument("--questions", type=int, help="measured questions (default 30, --quick 10)")
    p.add_argument("--sizes", help="comma-separated scaling sizes (default 1000,10000,50000; --quick 1000,2000)")
    p.add_argument("--scaling-budget", type=float, default=480.0,
                   help="seconds the scaling steps may take; a step projected to pass it is skipped (default 480)")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--no-scaling", action="store_true")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from programme_assistant.config import Settings

    n_questions = args.questions or (10 if args.quick else 30)
    sizes = [int(s) for s in (args.sizes or ("1000,2000" if args.quick else "1000,10000,50000")).split(",")]
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="pa-bench-quick-")) if args.quick else RESULTS_DIR)
    started = time.perf_counter()
    results: dict[str, Any] = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": machine_info(),
                               "quick": args.quick}
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as tmp:
        work = Path(tmp)
        settings = Settings(corpus_dir=args.corpus.resolve(), index_dir=work / "index")
        results["settings"] = {"model": Path(settings.resolved_model_path()).name, "batch_size": settings.batch_size,
                               "chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap,
                               "retrieval_mode": settings.retrieval_mode, "retrieval_k": settings.retrieval_k}
        ingest = measure_ingest_and_queries(settings, n_questions, n_warmup=3)
        assistant = ingest.pop("_assistant")
        results["ingest"] = ingest
        log("cold start: a new process answers one question")
        results["cold_start"] = measure_cold_start(settings, ingest["queries"]["questions"][0])
        if not args.no_baseline:
            log("plain LangChain baseline (own process)")
            documents = [{"text": d.text, "metadata": {"doc_id": d.doc_id, "title": d.title}}
                         for d in load_corpus(settings)]
            results["baseline"] = baseline.measure(settings.resolved_model_path(), documents,
                                                   ingest["queries"]["questions"], ingest["queries"]["warmup"], work)
        if not args.no_scaling:
            questions = ingest["queries"]["warmup"] + ingest["queries"]["questions"][:20]
            results["scaling"] = scaling.measure(settings, assistant.folder_sync.store, assistant.folder_sync.embedder,
                                                 sizes, questions, n_warmup=3, budget_s=args.scaling_budget)
        del assistant
    results["total_s"] = round(time.perf_counter() - started, 1)
    markdown = render_markdown(results)
    json_path, md_path = write_results(out_dir, "perf-latest", results, markdown)
    print(markdown)
    print(f"\nwritten: {json_path} and {md_path} ({results['total_s']:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

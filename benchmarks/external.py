"""`make bench-external`: answer quality on question sets nobody here wrote, with BM25-only and dense-only
beside hybrid retrieval, in one run.

    python -m benchmarks.external [--data DIR] [--limit N] [--modes hybrid,dense,bm25] [--cache-dir DIR] [--out DIR]

Both sets of ``../shared/benchmarks`` (ClapNQ dev: Wikipedia passages, half of its questions unanswerable;
PubMedQA-L: abstracts without their conclusions) are indexed together, so each set's documents are distractors
for the other's questions. The files are read where they are and never copied into the repository.

How the documents enter the index: each is written as a Markdown file (YAML front matter with its title) into
a corpus folder inside the cache folder, and that folder is synced with our own FolderSync. The alternative,
building SourceDocuments in memory and calling the chunker and the store directly, would skip the loader, the
language detection and the manifest, i.e. it would measure a pipeline users never run. Writing 1,600 small
files takes under a second. The cache folder (keyed by the content of the data files, the chosen documents and
the index settings) keeps both the corpus folder and the index, so a re-run is an ordinary no-change sync: the
cache is verified by the same code that maintains a user's index, not trusted blindly.

For every question and retrieval mode: the ranking (``search(question, k=20)``, chunks mapped to their document
ids) is scored against the gold documents (hit@1/5, MRR@10, nDCG@10), then the question is asked through the
Assistant and the answer is scored against the reference answer (token F1; for ClapNQ also the share of the gold
passage's selected sentences that the answer contains) and for refusals (ClapNQ's unanswerable half should be
refused, no answerable question should be). Results: ``benchmarks/results/external-latest.{json,md}``; per-question
rows go to the cache folder (they are too large for the repository).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from benchmarks.common import (
    REPO_ROOT,
    RESULTS_DIR,
    CachedEmbeddings,
    fmt,
    latency_summary,
    machine_info,
    markdown_table,
    spaced,
    strip_markers,
    token_prf,
    write_results,
)
from programme_assistant.evaluation import fact_recall, hit_at, mrr_at, ndcg_at

SETS = ("clapnq-dev", "pubmedqa-l")
MODES = ("hybrid", "dense", "bm25")
# Chunks asked of the search to rank documents: enough to fill ten distinct documents for MRR@10 / nDCG@10.
RANKING_DEPTH = 20
# Bump when the way documents are written changes: the cached index is then rebuilt.
CORPUS_FORMAT = "1"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class BenchDocument:
    set: str
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class BenchQuestion:
    set: str
    id: str
    question: str
    answer: str | None  # None: the corpus does not answer it
    doc_ids: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def answerable(self) -> bool:
        return self.answer is not None


# --- data ---------------------------------------------------------------------------------------
def default_data_dir() -> Path:
    return REPO_ROOT.parent / "shared" / "benchmarks"


def load_set(data_dir: Path, name: str) -> tuple[list[BenchDocument], list[BenchQuestion]]:
    folder = data_dir / name
    docs = [BenchDocument(name, str(d["id"]), str(d.get("title") or ""), str(d["text"]))
            for d in _jsonl(folder / "documents.jsonl")]
    questions = [BenchQuestion(name, str(q["id"]), str(q["question"]), q.get("answer"),
                               tuple(str(i) for i in q.get("doc_ids") or ()), dict(q.get("extra") or {}))
                 for q in _jsonl(folder / "questions.jsonl")]
    return docs, questions


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SystemExit(f"{path} not found: pass the folder holding {', '.join(SETS)} with --data")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def select(docs: list[BenchDocument], questions: list[BenchQuestion],
           limit: int | None) -> tuple[list[BenchDocument], list[BenchQuestion]]:
    """Everything, or for a quick run the first ``limit`` questions of the set (half answerable, half not, when
    it has both), with their gold documents plus the set's first ``limit`` documents as distractors."""
    if limit is None:
        return docs, questions
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    if answerable and unanswerable:
        chosen = answerable[: (limit + 1) // 2] + unanswerable[: limit // 2]
    else:
        chosen = questions[:limit]
    wanted = {d for q in chosen for d in q.doc_ids} | {d.id for d in docs[:limit]}
    return [d for d in docs if d.id in wanted], chosen


def doc_path(doc: BenchDocument) -> str:
    """Where a document is written in the corpus folder (its doc_id there): ``<set>/<id>.md``."""
    if not _SAFE_ID.match(doc.id):
        raise ValueError(f"document id {doc.id!r} cannot be used as a file name")
    return f"{doc.set}/{doc.id}.md"


def bench_id(doc_id: str) -> str:
    """The benchmark's document id of one of our doc_ids (inverse of ``doc_path``)."""
    return PurePosixPath(doc_id).stem


def doc_markdown(doc: BenchDocument) -> str:
    """The file written for a document: front matter with its title (JSON strings are valid YAML), then its
    text. An untitled document (PubMedQA) gets no title, so ours falls back to the file name, i.e. its id."""
    front = f"title: {json.dumps(doc.title, ensure_ascii=False)}\n" if doc.title.strip() else ""
    return f"---\n{front}source: benchmark\n---\n{doc.text.strip()}\n"


def write_corpus(folder: Path, docs: list[BenchDocument]) -> int:
    """Make ``folder`` hold exactly ``docs``; files already right are left untouched. Returns files written."""
    wanted = {doc_path(d): doc_markdown(d) for d in docs}
    written = 0
    for rel, text in wanted.items():
        path = folder / rel
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # written whole or not at all: a sync reading the folder never meets half a file
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        written += 1
    for path in folder.rglob("*.md"):
        if path.relative_to(folder).as_posix() not in wanted:
            path.unlink()
    for path in folder.rglob(".*.partial"):  # left by a run killed while writing
        path.unlink()
    return written


def cache_key(data_files: list[Path], doc_ids: list[str], index_settings: dict[str, Any]) -> str:
    digest = hashlib.sha256(CORPUS_FORMAT.encode())
    for path in data_files:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update("\x1f".join(sorted(doc_ids)).encode())
    digest.update(json.dumps(index_settings, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def index_settings_of(settings: Any) -> dict[str, Any]:
    """What the cached index depends on besides the documents: the model and the chunking."""
    from programme_assistant.ingest.chunking import CHUNKER_VERSION

    return {"model": Path(settings.resolved_model_path()).name, "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap, "chunker": CHUNKER_VERSION}


def prepare_corpus(data_dir: Path, docs: list[BenchDocument], base: Any,
                   cache_dir: Path | None = None) -> tuple[Path, Any, int]:
    """The cache folder for ``docs`` (keyed by the data files, the documents and ``index_settings_of(base)``),
    its corpus folder written to hold exactly them, and ``base`` pointed at it (collection "external"). Returns
    the folder, the settings and how many files were written. ``make train-ranker`` / ``train-refusal`` use it
    too, so they ask over the very index this benchmark built."""
    key = cache_key([data_dir / n / "documents.jsonl" for n in SETS], [doc_path(d) for d in docs],
                    index_settings_of(base))
    cache = (cache_dir or Path(tempfile.gettempdir()) / "programme-assistant-bench") / f"external-{key}"
    settings = base.model_copy(update={"corpus_dir": cache / "corpus", "index_dir": cache / "index",
                                       "collection": "external"})
    with exclusive(cache):
        return cache, settings, write_corpus(settings.corpus_dir, docs)


@contextlib.contextmanager
def exclusive(cache: Path) -> Iterator[None]:
    """Hold the cache folder's lock (``<cache>/.lock``) while its corpus is written or synced. A benchmark and a
    training run started together (``make train-refusal`` and ``make bench-external`` share the folder) would
    otherwise both embed its 3,000 passages; with the lock the second waits, then finds the folder written and
    the index synced, and its own sync embeds nothing."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def synced_assistant(cache: Path, settings: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The Assistant over the cache folder's index (``kwargs`` to ``Assistant.from_settings``) and the report of
    syncing it with the folder's corpus, both under the folder's lock: two processes opening one new Chroma index
    at once fail ("table collections already exists"), and two syncing it would both embed it."""
    from programme_assistant.assistant import Assistant

    with exclusive(cache):
        assistant = Assistant.from_settings(settings, **kwargs)
        return assistant, assistant.sync()


# --- scoring ------------------------------------------------------------------------------------
def distinct_docs(doc_ids: list[str]) -> list[str]:
    """Benchmark document ids in ranking order, each once."""
    return list(dict.fromkeys(bench_id(d) for d in doc_ids))


def score_question(q: BenchQuestion, mode: str, ranked: list[str], context: list[str], answer_text: str,
                   refused: bool) -> dict[str, Any]:
    """One row: retrieval against the gold documents, overlap with the reference, refusal."""
    row: dict[str, Any] = {"set": q.set, "id": q.id, "mode": mode, "answerable": q.answerable,
                           "gold": list(q.doc_ids), "ranked": ranked[:10], "refused": refused,
                           "answer": answer_text}
    if q.doc_ids:
        gold = list(q.doc_ids)
        row.update(hit1=hit_at(ranked, gold, 1), hit5=hit_at(ranked, gold, 5), mrr10=mrr_at(ranked, gold, 10),
                   ndcg10=ndcg_at(ranked, gold, 10), context_hit=hit_at(context, gold, len(context) or 1))
    if q.answerable:
        if refused:
            row.update(f1=0.0, precision=0.0, recall=0.0)
        else:
            prf = token_prf(answer_text, q.answer or "")
            row.update(f1=prf["f1"], precision=prf["precision"], recall=prf["recall"])
        gold_sentences = list(dict.fromkeys(s for s in q.extra.get("selected_sentences") or [] if s.strip()))
        if gold_sentences:
            row["sentence_recall"] = 0.0 if refused else fact_recall(
                spaced(answer_text), [spaced(s) for s in gold_sentences])
    return row


def _mean(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if key in r]
    return round(statistics.mean(values), 3) if values else None


def training_half(question_id: str) -> bool:
    """The half of a set's questions (id hashing even) that ``make train-ranker`` / ``make train-refusal`` may
    learn from; the other half is reported on its own (``HELD_OUT``)."""
    return int(hashlib.sha256(question_id.encode()).hexdigest(), 16) % 2 == 0


HELD_OUT = " held-out half"


def summarise(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """{set: {mode: metrics}}: retrieval means over questions with gold documents, answer overlap over the
    answerable ones (a refusal scores 0), refusal rates over the unanswerable and the answerable ones; each set
    also as ``<set> held-out half``, the questions the learned models were not trained on."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: SETS.index(r["set"]) if r["set"] in SETS else len(SETS)):
        groups[(r["set"], r["mode"])].append(r)  # sets in SETS order, modes in the order they were run
    for r in [r for r in rows if not training_half(r["id"])]:
        groups[(r["set"] + HELD_OUT, r["mode"])].append(r)
    groups = dict(sorted(groups.items(), key=lambda kv: (SETS.index(kv[0][0].removesuffix(HELD_OUT))
                                                         if kv[0][0].removesuffix(HELD_OUT) in SETS else len(SETS),
                                                         kv[0][0].endswith(HELD_OUT))))
    out: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (name, mode), rs in groups.items():
        answerable = [r for r in rs if r["answerable"]]
        unanswerable = [r for r in rs if not r["answerable"]]
        answered = [r for r in answerable if not r["refused"]]
        m: dict[str, Any] = {"questions": len(rs), "answerable": len(answerable), "unanswerable": len(unanswerable)}
        for key in ("hit1", "hit5", "mrr10", "ndcg10", "context_hit", "f1", "recall", "sentence_recall"):
            m[key] = _mean(rs if key in ("hit1", "hit5", "mrr10", "ndcg10", "context_hit") else answerable, key)
        m["f1_answered"] = _mean(answered, "f1")
        m["wrong_refusal_rate"] = round(sum(r["refused"] for r in answerable) / len(answerable), 3) \
            if answerable else None
        m["unanswerable_refusal_rate"] = round(sum(r["refused"] for r in unanswerable) / len(unanswerable), 3) \
            if unanswerable else None
        if answerable and unanswerable:
            correct = sum(not r["refused"] for r in answerable) + sum(r["refused"] for r in unanswerable)
            m["refusal_accuracy"] = round(correct / len(rs), 3)
        timed = [r for r in rs if "ask_s" in r]
        if timed:
            m["retrieve"] = latency_summary([r["retrieve_s"] for r in timed])
            m["ask"] = latency_summary([r["ask_s"] for r in timed])
        out[name][mode] = m
    return dict(out)


def parse_reference(readme: str) -> dict[str, dict[str, tuple[float, float]]]:
    """The reference figures table of the benchmarks README: {set: {mode: (hit@5, MRR@10)}}."""
    header: list[str] | None = None
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        if cells[0] == "set" and any("hit@5" in c for c in cells):
            header = cells
            continue
        if header and cells[0] in SETS and len(cells) == len(header):
            for title, cell in zip(header[1:], cells[1:], strict=True):
                mode = next((m for m in MODES if m in title.lower()), None)
                numbers = re.findall(r"\d*\.\d+|\d+", cell)
                if mode and len(numbers) == 2:
                    out.setdefault(cells[0], {})[mode] = (float(numbers[0]), float(numbers[1]))
    return out


# --- the run ------------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[bench-external {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from programme_assistant.assistant import Assistant, build_embedder
    from programme_assistant.config import Settings

    data_dir = (args.data or default_data_dir()).resolve()
    docs: list[BenchDocument] = []
    questions: list[BenchQuestion] = []
    for name in SETS:
        d, q = select(*load_set(data_dir, name), args.limit)
        docs += d
        questions += q
    base = Settings()
    cache, settings, written = prepare_corpus(data_dir, docs, base, args.cache_dir)
    index_settings = index_settings_of(base)
    log(f"{len(docs)} documents, {len(questions)} questions; cache {cache} ({written} files written)")

    embedder = CachedEmbeddings(build_embedder(settings))
    result: dict[str, Any] = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": machine_info(),
                              "data": str(data_dir), "limit": args.limit, "cache": str(cache),
                              "modes": list(args.modes),
                              "documents": {n: sum(d.set == n for d in docs) for n in SETS},
                              "questions": {n: sum(q.set == n for q in questions) for n in SETS},
                              "settings": {**index_settings, "retrieval_k": base.retrieval_k,
                                           "answer_ranker": base.answer_ranker, "answerer": "extractive"
                                           if base.llm_provider == "none" else base.llm_provider}}
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for i, mode in enumerate(args.modes):
        mode_settings = settings.model_copy(update={"retrieval_mode": mode})
        if i > 0:
            assistant = Assistant.from_settings(mode_settings, embedder=embedder)
        else:
            log("syncing the corpus folder (cold: a few minutes of embedding; cached: seconds)")
            assistant, report = synced_assistant(cache, mode_settings, embedder=embedder)
            if not report.ok:
                raise SystemExit(f"sync failed: {[f for f in report.files if f.status == 'failed'][:3]}")
            result["ingest"] = {"seconds": round(report.seconds, 1), "embedded_chunks": report.embedded_chunks,
                                "chunks": report.total_chunks, "counts": report.counts(),
                                "from_cache": report.embedded_chunks == 0}
            log(f"index: {report.total_chunks} chunks, {report.embedded_chunks} embedded in {report.seconds:.0f} s")
        # per mode: the learned refusal was trained on hybrid retrieval's scores, so the other modes refuse without it
        result["settings"].setdefault("refusal", {})[mode] = refusal_settings(assistant.answerer)
        mode_started = time.perf_counter()
        for n, q in enumerate(questions, start=1):
            t0 = time.perf_counter()
            ranking = assistant.search.search(q.question, k=RANKING_DEPTH)
            t1 = time.perf_counter()
            answer = assistant.ask(q.question)
            t2 = time.perf_counter()
            row = score_question(q, mode, distinct_docs([r.chunk.doc_id for r in ranking]),
                                 distinct_docs([r.chunk.doc_id for r in answer.retrieved]),
                                 strip_markers(answer.text), answer.refused)
            row.update(retrieve_s=t1 - t0, ask_s=t2 - t1)
            rows.append(row)
            if n % 200 == 0:
                log(f"{mode}: {n}/{len(questions)} questions ({time.perf_counter() - mode_started:.0f} s)")
        log(f"{mode}: done in {time.perf_counter() - mode_started:.0f} s")
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["summary"] = summarise(rows)
    readme = data_dir / "README.md"
    result["reference"] = parse_reference(readme.read_text(encoding="utf-8")) if readme.is_file() else {}
    rows_path = cache / f"rows-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    rows_path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result["rows"] = str(rows_path)
    return result


def refusal_settings(answerer: object) -> dict[str, Any]:
    """What decides the answerer's refusals: its hand-set threshold (None: none) and whether the learned refusal is
    in force (an LLM answerer has neither)."""
    config = getattr(answerer, "config", None)
    return {"refusal_threshold": getattr(config, "refusal_threshold", None),
            "learned_refusal": getattr(answerer, "refusal_model", None) is not None}


# --- report ---------------------------------------------------------------------------------------
def describe_refusal(settings: dict[str, Any]) -> str:
    """What decided the refusals, per retrieval mode when they differ ("refusals by the learned refusal alone (hybrid);
    by the refusal threshold 0.44 (dense, bm25)"); a report written before session 39 has one threshold only."""
    if "refusal" not in settings:
        threshold = settings.get("refusal_threshold")
        return f"refusal threshold {threshold}" if threshold is not None else "no refusal threshold"
    modes: dict[str, list[str]] = {}
    for mode, decided in settings["refusal"].items():
        modes.setdefault(_refusal_phrase(decided["refusal_threshold"], decided["learned_refusal"]), []).append(mode)
    if len(modes) == 1:
        return f"refusals {next(iter(modes))}"
    return "refusals " + "; ".join(f"{phrase} ({', '.join(names)})" for phrase, names in modes.items())


def _refusal_phrase(threshold: float | None, learned: bool) -> str:
    if learned:
        return "by the learned refusal alone" if threshold is None else \
            f"by the learned refusal and the threshold {threshold}"
    return f"by the refusal threshold {threshold}" if threshold is not None else "by no threshold"


def render_markdown(r: dict[str, Any]) -> str:
    ingest = r.get("ingest", {})
    built = "from the cache" if ingest.get("from_cache") else f"embedded in {ingest.get('seconds')} s"
    limited = f"; limited to {r['limit']} questions per set" if r.get("limit") else ""
    sizes = ", ".join(f"{n}: {c} documents" for n, c in r["documents"].items())
    lines = [f"Measured {r['measured_at']} on {r['machine']['cpus']} CPUs. Both sets indexed together "
             f"({sizes}; {ingest.get('chunks')} chunks, {built}){limited}. "
             f"Answerer: {r['settings']['answerer']}, {describe_refusal(r['settings'])}.",
             "", "**Retrieval against the gold documents** (answerable questions; reference: each set indexed "
             "alone, from the benchmarks README)", ""]
    rows = []
    for name, modes in r["summary"].items():
        for mode, m in modes.items():
            ref = r.get("reference", {}).get(name, {}).get(mode)
            rows.append([name, mode, fmt(m["hit1"], 3), fmt(m["hit5"], 3), fmt(m["mrr10"], 3), fmt(m["ndcg10"], 3),
                         fmt(m["context_hit"], 3), f"{ref[0]:.3f} / {ref[1]:.3f}" if ref else "-"])
    lines.append(markdown_table(["set", "mode", "hit@1", "hit@5", "MRR@10", "nDCG@10", "gold in answer context",
                                 "reference hit@5 / MRR@10"], rows))
    lines += ["", "**Answers and refusals** (token F1 against the reference answer, a refusal scoring 0; "
              "gold-sentence recall: share of ClapNQ's selected gold sentences found in the answer)", ""]
    rows = []
    for name, modes in r["summary"].items():
        for mode, m in modes.items():
            ask = m.get("ask") or {}
            rows.append([name, mode, fmt(m["f1"], 3), fmt(m["f1_answered"], 3), fmt(m["sentence_recall"], 3),
                         fmt(m["wrong_refusal_rate"], 3), fmt(m["unanswerable_refusal_rate"], 3),
                         fmt(m.get("refusal_accuracy"), 3),
                         f"{ask['p50_ms']:.0f} / {ask['p95_ms']:.0f}" if ask.get("n") else "-"])
    lines.append(markdown_table(["set", "mode", "token F1", "F1 when answering", "gold-sentence recall",
                                 "wrong refusals (answerable)", "refused (unanswerable)", "refusal accuracy",
                                 "ask p50 / p95, ms *"], rows))
    lines += ["", f"\\* Indicative only (`make bench` measures latency): each question was embedded by the "
              f"ranking search just before it was asked, and the modes after the first "
              f"({', '.join(r.get('modes', []))} in that order) reuse the sentence embeddings the first computed. "
              "PubMedQA's reference answers are the abstracts' conclusions, which the indexed text omits: "
              "its token F1 measures overlap with a conclusion the documents do not contain."]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.external", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, help="folder holding clapnq-dev/ and pubmedqa-l/ "
                   "(default ../shared/benchmarks from the repository root)")
    p.add_argument("--limit", type=int, help="a quick run: N questions per set, their gold documents and N "
                   "distractors per set")
    p.add_argument("--modes", default=",".join(MODES), help="retrieval modes, comma-separated (default all three)")
    p.add_argument("--cache-dir", type=Path, help="where built indexes are kept (default: the system temp folder)")
    p.add_argument("--out", type=Path, help="results folder (default benchmarks/results; with --limit a temp folder)")
    args = p.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if bad := [m for m in args.modes if m not in MODES]:
        p.error(f"unknown mode(s) {', '.join(bad)}: choose from {', '.join(MODES)}")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="pa-bench-external-")) if args.limit else RESULTS_DIR)
    markdown = render_markdown(result)
    json_path, md_path = write_results(out_dir, "external-latest", result, markdown)
    print(markdown)
    print(f"\nwritten: {json_path} and {md_path}; per-question rows: {result['rows']} "
          f"({result['seconds']:.0f} s of questions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

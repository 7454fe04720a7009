"""The scaling benchmark: the lexical index and search latency as the store grows to 1k, 10k and 50k chunks
(200k with ``--sizes ...,200000``).

Synthetic chunks (``benchmarks.synthetic``, composed from the sample corpus's real chunks and vectors without
running the model: the vectors are mixes of real ones, so dense search measures Chroma's HNSW at that size, not
the model) are inserted into a fresh store in steps. After each step, side by side:

- today's rebuild (before issue #14): the whole BM25 index, glossary and document names rebuilt from the store,
  as every process did at start and after every sync (``rebuild_as_before``), timed, and the memory it holds;
- the lexical index on disk (``retrieval.passages``): writing the step's new passages to it; a new process
  opening the store and the index until it can answer (measured in a child process, after its imports), and that
  process's memory; a sync of 3 changed documents (24 passages: store writes, index writes and the new index
  version), and the time another search over the same folder takes to see it;
- dense, BM25 and hybrid search latency (questions embedded before the timed searches, so that the growth with
  size is not hidden by the model's time, which ``benchmarks.perf`` measures apart).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, CachedEmbeddings, latency_summary, peak_rss_mb, time_each

CHANGED_DOCS = 3  # documents changed by the timed small sync (8 passages each)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    """This process's resident memory now, MB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def file_mb(path: Path | None) -> float:
    """Size of a SQLite file with its write-ahead log, MB."""
    if path is None:
        return 0.0
    files = [path, path.with_name(path.name + "-wal")]
    return round(sum(f.stat().st_size for f in files if f.exists()) / 1e6, 1)


def rebuild_as_before(store: Any, cross_language: bool) -> tuple[Any, ...]:
    """Today's lexical rebuild (HybridSearch._build_snapshot before issue #14): every chunk read from the store,
    the in-memory bm25s index, the glossary and the document names built from them."""
    from programme_assistant.models import label_of
    from programme_assistant.retrieval.glossary import Glossary, parse_glossary
    from programme_assistant.retrieval.lexical import LexicalIndex
    from programme_assistant.retrieval.sources import SourceNamer
    from programme_assistant.text.language import english_gloss

    data = store.all_chunks()
    entries = [e for text, meta in zip(data["documents"], data["metadatas"], strict=True) if "**" in text
               for e in parse_glossary(str(meta.get("doc_id", "")), text)]
    searchable = [f"{label_of(m)} {m.get('section', '')}\n{t}"
                  + (f"\n{english_gloss(t, str(m.get('language')))}" if cross_language else "")
                  for t, m in zip(data["documents"], data["metadatas"], strict=True)]
    lexical = LexicalIndex(searchable)
    sources = SourceNamer.from_chunks(data["metadatas"], data["documents"], label_of, lexical.idf)
    return data, lexical, Glossary(entries), sources


def open_in_new_process(settings: Any) -> dict[str, Any]:
    """A new process opens the store and the lexical index until it can search; seconds after its imports."""
    code = ("import json, sys, time; from pathlib import Path; from benchmarks.scaling import open_index; "
            "print(json.dumps(open_index(Path(sys.argv[1]), sys.argv[2], sys.argv[3] == '1')))")
    done = subprocess.run([sys.executable, "-c", code, str(settings.index_dir), settings.collection,
                           "1" if settings.cross_language else "0"], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def open_index(index_dir: Path, collection: str, cross_language: bool) -> dict[str, Any]:
    import chromadb  # noqa: F401 - imported before the clock starts: imports are not the index's load
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from programme_assistant.config import Settings
    from programme_assistant.retrieval.hybrid import HybridSearch
    from programme_assistant.retrieval.passages import PassageIndex
    from programme_assistant.retrieval.store import ChunkStore, make_chroma_client

    before = rss_mb()
    t0 = time.perf_counter()
    settings = Settings(index_dir=index_dir, collection=collection, cross_language=cross_language)
    store = ChunkStore(make_chroma_client(index_dir), collection, DeterministicFakeEmbedding(size=8))
    store.state()  # Chroma opens the collection: a cost before issue #14 too, measured apart
    store_s = time.perf_counter() - t0
    index = PassageIndex(index_dir / f"lexical-{collection}.sqlite", cross_language=cross_language)
    search = HybridSearch(store, k=settings.retrieval_k, candidates=settings.retrieval_candidates,
                          rrf_k=settings.rrf_k, dense_weight=settings.dense_weight,
                          lexical_weight=settings.lexical_weight, duplicate_threshold=settings.duplicate_threshold,
                          mode="bm25", cross_language=cross_language, named_sources=True, index=index)
    search.snapshot()
    caught_up = index.recorded_state == store.state()
    return {"load_s": round(time.perf_counter() - t0, 3), "store_s": round(store_s, 3), "rss_mb": rss_mb(),
            "rss_before_mb": before,
            "passages": index.size, "current": caught_up}


def measure(settings: Any, source_store: Any, embedder: Any, sizes: list[int], questions: list[str],
            n_warmup: int, budget_s: float) -> dict[str, Any]:
    from benchmarks.synthetic import compose_chunks
    from programme_assistant.assistant import build_lexical_index, build_search, build_store
    from programme_assistant.models import Filters
    from programme_assistant.retrieval.passages import StoredPassage

    base = source_store.collection.get(include=["documents", "embeddings", "metadatas"])
    log(f"scaling: composing {max(sizes)} synthetic chunks from {len(base['ids'])} real ones")
    synth = compose_chunks(base["documents"], base["embeddings"], max(sizes), seed=11)
    scale_settings = settings.model_copy(update={"index_dir": settings.index_dir.parent / "scaling",
                                                 "collection": "scaling"})
    cached = CachedEmbeddings(embedder)
    store = build_store(scale_settings, cached)
    index = build_lexical_index(scale_settings)
    search = build_search(settings, store, index=index)
    reader = build_search(settings, build_store(scale_settings, cached),  # another worker on the same folder
                          index=build_lexical_index(scale_settings))
    reader.refresh_s = 0.0
    warmup, measured = questions[:n_warmup], questions[n_warmup:]

    def meta_of(i: int, edition: int = 0) -> dict[str, Any]:
        meta = dict(base["metadatas"][synth.sources[i][0]])
        meta.update(doc_id=f"synthetic/{i // 8:05d}.md", chunk_index=i % 8, start=edition, end=len(synth.texts[i]))
        return meta

    revised: dict[int, str] = {}  # synthetic chunk -> the id of its current revision
    started = time.perf_counter()
    steps: list[dict[str, Any]] = []
    inserted = 0
    per_chunk_s: float | None = None
    for size in sizes:
        spent = time.perf_counter() - started
        if per_chunk_s is not None and spent + per_chunk_s * size > budget_s:
            steps.append({"chunks": size, "skipped": f"projected {per_chunk_s * size:.0f} s more would pass "
                          f"the {budget_s:.0f} s scaling budget (--scaling-budget)"})
            break
        step_start = time.perf_counter()
        new = range(inserted, size)
        ids = [f"s{i:06d}" for i in new]
        metas = [meta_of(i) for i in new]
        log(f"scaling: inserting chunks {inserted}..{size}")
        index.begin_sync(store)
        t_insert = time.perf_counter()
        store.upsert(ids, [synth.texts[i] for i in new], synth.vectors[inserted:size], metas)
        insert_s = time.perf_counter() - t_insert
        t_index = time.perf_counter()
        index.apply([], [StoredPassage(cid, synth.texts[i], m) for cid, i, m in zip(ids, new, metas, strict=True)])
        index_write_s = time.perf_counter() - t_index
        store.bump_version()
        index.end_sync(store.state())
        inserted = size

        log("scaling: today's rebuild from the store")
        rss_before = rss_mb()
        t_lex = time.perf_counter()
        rebuilt = rebuild_as_before(store, settings.cross_language)
        rebuild_s = time.perf_counter() - t_lex
        rebuild_mb = round(rss_mb() - rss_before, 1)
        del rebuilt

        log("scaling: a new process opens the index")
        opened = open_in_new_process(scale_settings)
        reader.snapshot()

        log(f"scaling: a sync of {CHANGED_DOCS} changed documents")
        changed = list(range(min(CHANGED_DOCS * 8, size)))
        t_sync = time.perf_counter()
        index.begin_sync(store)
        edition = len(steps) + 1
        texts = [f"{synth.texts[i]} Revised {edition}." for i in changed]
        new_ids = [f"s{i:06d}r{edition}" for i in changed]
        old_ids = [revised.get(i, f"s{i:06d}") for i in changed]
        revised.update(zip(changed, new_ids, strict=True))
        store.delete(old_ids)
        store.upsert(new_ids, texts, synth.vectors[changed], [meta_of(i, edition) for i in changed])
        t_stage = time.perf_counter()
        index.stage(old_ids, [StoredPassage(cid, t, meta_of(i, edition))
                              for cid, t, i in zip(new_ids, texts, changed, strict=True)])
        store.bump_version()
        index.end_sync(store.state())
        sync_s = time.perf_counter() - t_sync
        sync_lexical_s = time.perf_counter() - t_stage
        t_seen = time.perf_counter()
        reader.snapshot()
        reader_s = time.perf_counter() - t_seen
        seen = [r.chunk.chunk_id for r in reader.lexical(texts[0], 1, Filters())] == [new_ids[0]]

        search.mode = "hybrid"
        for q in questions:  # untimed: fills the embedding cache with the (expanded) text each question embeds
            search.search(q)
        row: dict[str, Any] = {"chunks": store.count(), "insert_s": round(insert_s, 2),
                               "insert_chunks_per_s": round(len(new) / insert_s, 1),
                               "bm25_rebuild_s": round(rebuild_s, 2), "rebuild_mb": rebuild_mb,
                               "index_write_s": round(index_write_s, 2), "open_s": opened["load_s"],
                               "open_store_s": opened["store_s"],
                               "open_rss_mb": opened["rss_mb"], "sync_changed_s": round(sync_s, 3),
                               "sync_lexical_s": round(sync_lexical_s, 3), "reader_sees_s": round(reader_s, 3),
                               "reader_sees_change": seen,
                               "index_mb": file_mb(index.path)}
        for mode in ("dense", "bm25", "hybrid"):
            search.mode = mode
            for q in warmup:
                search.search(q)
            row[mode] = latency_summary(time_each(search.search, measured))
        search.mode = "hybrid"
        log(f"scaling: {row}")
        steps.append(row)
        per_chunk_s = (time.perf_counter() - step_start) / len(new)
    return {"steps": steps, "base_chunks": len(base["ids"]), "queries": len(measured),
            "changed_passages": CHANGED_DOCS * 8, "peak_rss_mb": peak_rss_mb(),
            "seconds": round(time.perf_counter() - started, 1)}


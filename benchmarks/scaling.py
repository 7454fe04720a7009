"""The scaling benchmark: search latency as the store grows to 1k, 10k and 50k chunks.

Synthetic chunks (``benchmarks.synthetic``, composed from the sample corpus's real chunks and vectors without
running the model) are inserted into a fresh store in steps; after each step the BM25 index is rebuilt (timed:
the store changed) and dense, BM25 and hybrid search are timed on the same questions. The questions are embedded
once before the timed searches, so the table shows how search time grows with the corpus; the model's share is
measured apart by ``benchmarks.perf`` ("embedding one question").
"""

from __future__ import annotations

import sys
import time
from typing import Any

from benchmarks.common import CachedEmbeddings, latency_summary, peak_rss_mb, time_each


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(settings: Any, source_store: Any, embedder: Any, sizes: list[int], questions: list[str],
                    n_warmup: int, budget_s: float) -> dict[str, Any]:
    from benchmarks.synthetic import compose_chunks
    from programme_assistant.assistant import build_search, build_store

    base = source_store.collection.get(include=["documents", "embeddings", "metadatas"])
    log(f"scaling: composing {max(sizes)} synthetic chunks from {len(base['ids'])} real ones")
    synth = compose_chunks(base["documents"], base["embeddings"], max(sizes), seed=11)
    scale_settings = settings.model_copy(update={"index_dir": settings.index_dir.parent / "scaling",
                                                 "collection": "scaling"})
    cached = CachedEmbeddings(embedder)
    store = build_store(scale_settings, cached)
    search = build_search(settings, store)
    warmup, measured = questions[:n_warmup], questions[n_warmup:]
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
        metas = []
        for i in new:
            meta = dict(base["metadatas"][synth.sources[i][0]])
            meta.update(doc_id=f"synthetic/{i // 8:05d}.md", chunk_index=i % 8, start=0, end=len(synth.texts[i]))
            metas.append(meta)
        log(f"scaling: inserting chunks {inserted}..{size}")
        t_insert = time.perf_counter()
        store.upsert([f"s{i:06d}" for i in new], [synth.texts[i] for i in new], synth.vectors[inserted:size], metas)
        insert_s = time.perf_counter() - t_insert
        inserted = size
        t_lex = time.perf_counter()
        search.snapshot()  # the BM25 index and glossary are rebuilt when the store has changed
        rebuild_s = time.perf_counter() - t_lex
        search.mode = "hybrid"
        for q in questions:  # untimed: fills the embedding cache with the (expanded) text each question embeds
            search.search(q)
        row: dict[str, Any] = {"chunks": store.count(), "insert_s": round(insert_s, 2),
                               "insert_chunks_per_s": round(len(new) / insert_s, 1),
                               "bm25_rebuild_s": round(rebuild_s, 2)}
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
            "peak_rss_mb": peak_rss_mb(), "seconds": round(time.perf_counter() - started, 1)}

"""The plain LangChain baseline, run in its own process by ``benchmarks.perf`` so that its imports, model load
and memory are measured apart from ours:

    RecursiveCharacterTextSplitter(1000, 150) -> HuggingFaceEmbeddings(same local model, library defaults)
    -> Chroma.from_documents (persistent, in a temporary folder) -> similarity_search(k=4)

It is given the documents' text as our loaders produced it (LangChain has no loader here for all five of the
corpus's formats), so its ingest time covers splitting, embedding and storing but not parsing files.

    python -m benchmarks.baseline INPUT.json OUTPUT.json     (``measure`` below starts it)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def run(spec: dict) -> dict:
    t0 = time.perf_counter()
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    t_imports = time.perf_counter() - t0
    t1 = time.perf_counter()
    embeddings = HuggingFaceEmbeddings(model_name=spec["model_path"], model_kwargs={"device": "cpu"})
    embeddings.embed_query("warm up")  # the model is loaded and has run once, as ours is before it ingests
    t_model = time.perf_counter() - t1

    documents = [Document(page_content=d["text"], metadata=d["metadata"]) for d in spec["documents"]]
    t2 = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=150)
    chunks = splitter.split_documents(documents)
    t_split = time.perf_counter() - t2
    t3 = time.perf_counter()
    store = Chroma.from_documents(chunks, embeddings, collection_name="baseline",
                                  persist_directory=spec["persist_dir"])
    t_index = time.perf_counter() - t3

    for question in spec["warmup"]:
        store.similarity_search(question, k=4)
    latencies = []
    for question in spec["questions"]:
        tq = time.perf_counter()
        store.similarity_search(question, k=4)
        latencies.append(time.perf_counter() - tq)
    ingest = t_split + t_index
    from benchmarks.common import peak_rss_mb  # imported last: the timed imports above are LangChain's alone

    return {
        "imports_s": round(t_imports, 3), "model_load_s": round(t_model, 3),
        "chunks": len(chunks), "split_s": round(t_split, 3), "index_s": round(t_index, 3),
        "ingest_s": round(ingest, 3), "chunks_per_s": round(len(chunks) / ingest, 2) if ingest else None,
        "query_seconds": latencies,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure(model_path: str, documents: list[dict[str, Any]], questions: list[str], warmup: list[str],
            workdir: Path) -> dict[str, Any]:
    """Run the baseline in a new process on ``documents`` ({text, metadata}) and time ``questions``."""
    from benchmarks.common import REPO_ROOT, latency_summary

    spec = {"model_path": model_path, "documents": documents,
            "questions": questions, "warmup": warmup, "persist_dir": str(workdir / "baseline-chroma")}
    spec_path, out_path = workdir / "baseline-in.json", workdir / "baseline-out.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "benchmarks.baseline", str(spec_path), str(out_path)],
                          env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"LangChain baseline failed: {done.stderr[-2000:]}")
    result = json.loads(out_path.read_text(encoding="utf-8"))
    result["process_wall_s"] = round(time.time() - started, 3)
    result["documents"] = len(spec["documents"])
    result["query"] = latency_summary(result.pop("query_seconds"))
    return result


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(json.dumps(run(spec)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

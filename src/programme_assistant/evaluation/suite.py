"""``programme-assistant eval``: the golden set through one or more configurations, into one report."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError
from programme_assistant.evaluation.cases import GoldenCase
from programme_assistant.evaluation.report import write_report
from programme_assistant.evaluation.runner import CaseResult, run_golden, summarise
from programme_assistant.retrieval.embeddings import model_id_of

# A config name -> the settings it changes. "llm" answers with the configured LLM over hybrid retrieval.
CONFIGS: dict[str, dict[str, Any]] = {
    "hybrid": {"retrieval_mode": "hybrid"},
    "dense": {"retrieval_mode": "dense"},
    "bm25": {"retrieval_mode": "bm25"},
    "llm": {"retrieval_mode": "hybrid"},
}


def git_commit(root: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def corpus_hash(records: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    for doc_id in sorted(records):
        digest.update(f"{doc_id}\x1f{records[doc_id].content_hash}\n".encode())
    return digest.hexdigest()


def parse_configs(spec: str, settings: Settings) -> list[str]:
    names = [c.strip() for c in spec.split(",") if c.strip()]
    for name in names:
        if name not in CONFIGS:
            raise ConfigError(f"unknown eval config {name!r}", f"use any of {', '.join(CONFIGS)}")
        if name == "llm" and settings.llm_provider == "none":
            raise ConfigError("eval config 'llm' needs an LLM", "set PA_LLM_PROVIDER and PA_LLM_MODEL")
    return names or ["hybrid"]


def run_suite(settings: Settings, cases: list[GoldenCase], configs: list[str], reports_dir: Path,
              embedder: Embeddings | None = None, on_case: Callable[[CaseResult], None] | None = None,
              on_config: Callable[[str], None] | None = None) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Every case through every config (``on_config(name)`` as each starts, before its index syncs;
    ``on_case(result)`` after each case), then the report in ``reports_dir``."""
    from programme_assistant.assistant import Assistant, build_embedder

    embedder = embedder or build_embedder(settings)
    started = dt.datetime.now(dt.UTC)
    results: dict[str, list[CaseResult]] = {}
    summaries: dict[str, dict[str, Any]] = {}
    records: dict[str, Any] = {}
    for name in configs:
        if on_config:
            on_config(name)
        config_settings = settings.model_copy(update=CONFIGS[name])
        if name != "llm":
            config_settings = config_settings.model_copy(update={"llm_provider": "none", "llm_model": None,
                                                                 "llm_gguf_path": None})
        assistant = Assistant.from_settings(config_settings, embedder=embedder)
        assistant.sync()
        records = assistant.folder_sync.manifest.records() if assistant.folder_sync else {}
        results[name] = run_golden(assistant, cases, config=name, on_case=on_case)
        summaries[name] = summarise(results[name])
    meta = {
        "started": started.isoformat(timespec="seconds"), "configs": configs, "cases": len(cases),
        "embedding_model": model_id_of(embedder), "llm": settings.llm_model if "llm" in configs else None,
        "corpus_dir": str(settings.corpus_dir), "corpus_hash": corpus_hash(records),
        "git_commit": git_commit(Path.cwd()),
        "settings": settings.model_dump(mode="json", exclude={"llm_api_key"}),
    }
    out = reports_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}-{'+'.join(configs)}"
    write_report(out, summaries, results, meta)
    return out, summaries

"""The house: stage folders, one door from the UI into the core, settings passed as plain values."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from programme_assistant.assistant import Assistant
from programme_assistant.config import Settings

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "programme_assistant"
TOP_LEVEL = {"__init__.py", "__main__.py", "assistant.py", "cli.py", "config.py", "errors.py", "models.py"}
STAGES = {"text", "ingest", "retrieval", "answering", "evaluation", "appdata", "ui"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_modules_live_in_stage_folders_each_with_a_docstring():
    assert {p.name for p in PACKAGE.glob("*.py")} == TOP_LEVEL
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("__")} == STAGES
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{stage}/ says what it holds"


@pytest.mark.parametrize("path", sorted((PACKAGE / "ui").glob("*.py")), ids=lambda p: p.name)
def test_the_ui_enters_the_core_only_through_the_assistant(path):
    forbidden = ("programme_assistant.ingest", "programme_assistant.retrieval", "programme_assistant.answering")
    bad = sorted(m for m in imported_modules(path) if m.startswith(forbidden))
    assert not bad, f"ui/{path.name} imports {bad}: go through programme_assistant.assistant.Assistant"
    source = path.read_text(encoding="utf-8")
    for reach_around in (".folder_sync", ".search.", ".manifest", ".store."):
        assert reach_around not in source, f"ui/{path.name} reaches around the Assistant ({reach_around})"


def test_the_core_never_imports_the_ui_or_the_cli():
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "ui" or path.name in ("cli.py", "__main__.py"):
            continue
        bad = [m for m in imported_modules(path) if m.startswith(("programme_assistant.ui", "programme_assistant.cli"))]
        assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_settings_reach_each_component_as_plain_values(settings, fake_embedder):
    settings = settings.model_copy(update={
        "refusal_threshold": 0.37, "retrieval_candidates": 41, "lexical_weight": 1.7, "retrieval_k": 5,
        "extractive_keep_ratio": 0.66, "chunk_size": 512, "chunk_overlap": 64})
    assistant = Assistant.from_settings(settings, embedder=fake_embedder)
    config = assistant.answerer.config  # type: ignore[attr-defined]
    assert (config.refusal_threshold, config.keep_ratio) == (0.37, 0.66)
    search = assistant.search
    assert (search.candidates, search.lexical_weight, search.k) == (41, 1.7, 5)
    assert (assistant.folder_sync.chunk_size, assistant.folder_sync.chunk_overlap) == (512, 64)


def test_no_component_keeps_a_second_default_for_a_setting():
    """HybridSearch and ExtractiveConfig take what Settings owns without defaults of their own."""
    import inspect

    from programme_assistant.answering.extractive import ExtractiveConfig
    from programme_assistant.retrieval.hybrid import HybridSearch

    search = inspect.signature(HybridSearch.__init__).parameters
    for name in ("k", "candidates", "rrf_k", "dense_weight", "lexical_weight", "duplicate_threshold", "mode"):
        assert search[name].default is inspect.Parameter.empty, name
    config = inspect.signature(ExtractiveConfig).parameters
    for name in ("refusal_threshold", "keep_ratio", "other_document_ratio", "max_answer_chars", "max_sentences"):
        assert config[name].default is inspect.Parameter.empty, name
    from programme_assistant.config import HAND_REFUSAL_THRESHOLD

    assert Settings(answer_ranker="hand").resolved_refusal_threshold(None) == HAND_REFUSAL_THRESHOLD


def test_the_app_state_imports_none_of_the_pipeline():
    forbidden = ("programme_assistant.ingest", "programme_assistant.retrieval", "programme_assistant.answering",
                 "programme_assistant.ui", "programme_assistant.assistant", "programme_assistant.evaluation")
    for path in (PACKAGE / "appdata").rglob("*.py"):
        bad = sorted(m for m in imported_modules(path) if m.startswith(forbidden))
        assert not bad, f"appdata/{path.name} imports {bad}"

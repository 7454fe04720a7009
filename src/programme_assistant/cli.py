"""Command line: ``programme-assistant ingest | ask | chat | serve``. Turns library errors into messages."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError, ProgrammeAssistantError


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment plus command-line overrides, with readable errors."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"PA_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']} (got {err.get('input')!r})"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}", "fix or unset the named variables") from exc


class _RichProgress:
    """Embedding progress bar on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("embedding chunks"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._task: Any = None

    def start(self, total: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task("embed", total=total)

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def stop(self) -> None:
        self._progress.stop()


def _print_sync_report(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Sync of {report.folder}", show_lines=False)
    for col in ("file", "status", "chunks", "+", "-", "reused", "details"):
        table.add_column(col, overflow="fold")
    colours = {"added": "green", "updated": "cyan", "unchanged": "dim", "deleted": "yellow",
               "failed": "bold red", "skipped": "magenta"}
    for f in report.files:
        details = "; ".join(x for x in [f.reason, f"fix: {f.fix}" if f.fix else "", *f.notes] if x)
        table.add_row(f.doc_id, f"[{colours[f.status]}]{f.status}[/]", str(f.chunks), str(f.added),
                      str(f.removed), str(f.reused), details)
    console.print(table)
    for line in report.repaired:
        console.print(f"[yellow]repaired:[/] {line}")
    if report.rebuilt:
        console.print(f"[yellow]rebuilt:[/] {report.rebuilt}")
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
    rate = f", {report.embedded_chunks / report.embed_seconds:.1f} chunks/s" if report.embed_seconds else ""
    console.print(f"{counts or 'no files'} | {report.total_chunks} chunks in the index | "
                  f"{report.embedded_chunks} embedded in {report.seconds:.2f} s{rate}")


def cmd_ingest(args: argparse.Namespace) -> int:
    from programme_assistant.components import build_folder_sync

    settings = load_settings(corpus_dir=args.folder, index_dir=args.index)
    sync = build_folder_sync(settings, progress=None if args.json else _RichProgress())
    report = sync.sync(settings.corpus_dir)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_sync_report(report)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="programme-assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="sync a folder of documents into the index")
    ingest.add_argument("folder", nargs="?", type=Path, help="corpus folder (default: PA_CORPUS_DIR or ./corpus)")
    ingest.add_argument("--index", type=Path, help="index folder (default: PA_INDEX_DIR or ./.index)")
    ingest.add_argument("--json", action="store_true", help="print the per-file report as JSON on stdout")
    ingest.set_defaults(func=cmd_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ProgrammeAssistantError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the next run repairs the index", file=sys.stderr)
        return 130

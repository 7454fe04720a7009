"""Command line: ``programme-assistant ingest | ask | chat | serve``. Turns library errors into messages."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
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


class _EvalProgress:
    """Progress of ``eval`` on stderr: the configuration being run, cases done of the total, failing cases and
    the time left. On a terminal a live bar; otherwise (CI logs, a pipe) one plain line every tenth of a
    configuration's cases and one when it ends, so the log stays short and readable."""

    def __init__(self, configs: list[str], cases: int, console: Any = None,
                 clock: Callable[[], float] | None = None) -> None:
        import time

        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.configs, self.cases, self.total = configs, cases, len(configs) * cases
        self.clock = clock or time.monotonic
        self.started = self.clock()
        self.done = self.failed = self.config_done = self.config_failed = 0
        self.config = ""
        self.first_case_at = 0.0  # when the config's first case ended: its index sync is not counted in the rate
        self.step = max(1, cases // 10)
        self._progress: Any = None
        self._task: Any = None
        if self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("eval [bold]{task.fields[config]}[/]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("cases · [red]{task.fields[failing]} failing[/] ·"), TimeElapsedColumn(),
                TextColumn("elapsed ·"), TimeRemainingColumn(), TextColumn("left"),
                console=self.console, transient=True,
            )

    def __enter__(self) -> _EvalProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("eval", total=self.total, config="(loading the model)", failing=0)
        return self

    def __exit__(self, *exc: object) -> None:
        self._end_config()
        if self._progress is not None:
            self._progress.stop()

    def _clock_text(self, seconds: float) -> str:
        minutes, secs = divmod(int(round(seconds)), 60)
        return f"{minutes}:{secs:02d}"

    def _line(self, text: str) -> None:
        console = self._progress.console if self._progress is not None else self.console
        console.print(text, highlight=False, soft_wrap=True)  # one line per message, whatever the log's width

    def _end_config(self) -> None:
        if self.config and self.config_done:
            self._line(f"eval {self.config}: {self.config_done} cases, {self.config_failed} failing "
                       f"({self._clock_text(self.clock() - self.started)} elapsed)")
        self.config_done = self.config_failed = 0
        self.first_case_at = 0.0

    def start_config(self, name: str) -> None:
        """A configuration starts (its index syncs first, then its cases run)."""
        self._end_config()
        self.config = name
        position = f"{self.configs.index(name) + 1}/{len(self.configs)}" if name in self.configs else ""
        if self._progress is not None:
            self._progress.update(self._task, config=f"{self._label()} (syncing its index)")
            self._progress.refresh()  # shown now, while its index syncs
        else:
            self._line(f"eval {name}: config {position}, {self.cases} cases")

    def _label(self) -> str:
        """'hybrid (1/3)': the config and where it stands among those run."""
        if self.config not in self.configs:
            return self.config
        return f"{self.config} ({self.configs.index(self.config) + 1}/{len(self.configs)})"

    def case(self, result: Any) -> None:
        self.done += 1
        self.config_done += 1
        if self.config_done == 1:
            self.first_case_at = self.clock()
        failed = bool(result.failed)
        self.failed += failed
        self.config_failed += failed
        if self._progress is not None:
            self._progress.update(self._task, advance=1, failing=self.failed, config=self._label())
        elif self.config_done % self.step == 0 and self.config_done < self.cases:
            now = self.clock()
            elapsed = now - self.started
            left = (now - self.first_case_at) / max(1, self.config_done - 1) * (self.total - self.done)
            self._line(f"eval {self.config}: {self.config_done}/{self.cases} cases, {self.config_failed} failing; "
                       f"all configs {self.done}/{self.total}, {self._clock_text(elapsed)} elapsed, "
                       f"about {self._clock_text(left)} left")


def _print_sync_report(report: Any) -> None:
    from rich.console import Console
    from rich.markup import escape
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
    if report.stopped:
        console.print(f"[bold red]stopped:[/] {escape(report.stopped)}\n  fix: {escape(report.stopped_fix)}")
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items() if n)
    rate = f", {report.embedded_chunks / report.embed_seconds:.1f} chunks/s" if report.embed_seconds else ""
    if report.prepared_sentences:
        rate += f"; {report.prepared_sentences} answer sentences embedded in {report.prepare_seconds:.1f} s"
    console.print(f"{counts or 'no files'} | {report.total_chunks} chunks in the index | "
                  f"{report.embedded_chunks} embedded in {report.seconds:.2f} s{rate}")


def cmd_ingest(args: argparse.Namespace) -> int:
    from programme_assistant.assistant import Assistant

    settings = load_settings(corpus_dir=args.folder, index_dir=args.index)
    report = Assistant.from_settings(settings).sync(progress=None if args.json else _RichProgress())
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_sync_report(report)
    return 0 if report.ok else 1


def _build_assistant(args: argparse.Namespace, progress: Any = None) -> Any:
    from programme_assistant.assistant import Assistant

    overrides: dict[str, Any] = {"index_dir": getattr(args, "index", None)}
    if getattr(args, "llm", None):
        overrides["llm_provider"] = "openai"
        overrides["llm_model"] = args.llm
    if getattr(args, "mode", None):
        overrides["retrieval_mode"] = args.mode
    return Assistant.from_settings(load_settings(**overrides), progress=progress)


def _print_answer(answer: Any) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    style = "yellow" if answer.refused else "bold"
    console.print(f"[{style}]{escape(answer.text)}[/]")
    if answer.standalone_question and answer.standalone_question != answer.question:
        console.print(f"[dim](searched for: {escape(answer.standalone_question)})[/]")
    if answer.citations:
        console.print("\n[bold]Sources[/]")
    from programme_assistant.answering.citations import by_document

    for cited in by_document(answer.citations):  # one entry per document, as in the chat app
        first = cited[0]
        numbers = "".join(f"[{c.number}]" for c in cited)
        where = ", ".join(x for x in [first.date or "", first.doc_type] if x)
        console.print(f"[cyan]{escape(numbers)}[/] {escape(first.title)} "
                      f"[dim]({escape(where)}) {escape(first.doc_id)}[/]")
        for c in cited:
            section = (c.section or "").split(" > ")[-1]  # the innermost heading; the document's title is above
            place = ", ".join(x for x in [section if section != c.title else "", f"p. {c.page}" if c.page else ""]
                              if x)
            label = escape(f"[{c.number}]") if len(cited) > 1 else ""
            if label or place:
                console.print(f"    {label} [dim]{escape(place)}[/]".rstrip())
            console.print(f"    [green]\u201c{escape(c.quote)}\u201d[/]")
    for sentence in answer.unsupported:
        console.print(f"[red]not supported by its source:[/] {escape(sentence)}")
    timings = " ".join(f"{k}={v * 1000:.0f}ms" for k, v in answer.timings.items())
    console.print(f"[dim]{answer.answerer} | {timings}[/]")


def cmd_ask(args: argparse.Namespace) -> int:
    from programme_assistant.models import Filters

    assistant = _build_assistant(args)
    answer = assistant.ask(args.question, filters=Filters.parse(args.filter or []))
    if args.json:
        print(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_answer(answer)
    return 0


CHAT_HELP = ("Commands: /new starts a new conversation, /history lists this conversation's questions, "
             "/help shows this; an empty line or Ctrl-D quits.")


def chat_command(command: str, history: list[tuple[str, str]]) -> str:
    """What a /command in the terminal chat does to ``history``, and what it says back."""
    name = command.split()[0].lower()
    if name == "/new":
        dropped = len(history)
        history.clear()
        return (f"New conversation: the {dropped} earlier turn(s) are forgotten; follow-ups start afresh."
                if dropped else "New conversation (the current one was empty).")
    if name == "/history":
        if not history:
            return "No questions in this conversation yet."
        lines = [f"{n}. {q}\n   {a[:160] + ('…' if len(a) > 160 else '')}" for n, (q, a) in enumerate(history, 1)]
        return f"This conversation ({len(history)} turn(s)):\n" + "\n".join(lines)
    if name == "/help":
        return CHAT_HELP
    return f"Unknown command {name}. {CHAT_HELP}"


def cmd_chat(args: argparse.Namespace) -> int:
    from programme_assistant.models import Filters

    assistant = _build_assistant(args)
    assistant.require_documents()
    filters = Filters.parse(args.filter or [])
    history: list[tuple[str, str]] = []
    print("Ask about the programme's documents. " + CHAT_HELP)
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            return 0
        if not question:
            return 0
        if question.startswith("/"):
            print(chat_command(question, history))
            continue
        answer = assistant.ask(question, history=history, filters=filters)
        _print_answer(answer)
        history.append((question, answer.text))


def cmd_serve(args: argparse.Namespace) -> int:
    """Sync the corpus (only what changed), then start the chat."""
    assistant = _build_assistant(args, progress=_RichProgress())
    if assistant.read_only_from is not None:
        print(f"note: the index folder {assistant.read_only_from} is read-only: serving it without a sync",
              file=sys.stderr)
    elif args.no_sync:
        print("note: serving the index as it is (--no-sync); POST /api/sync or `programme-assistant ingest` "
              "brings it up to date", file=sys.stderr)
    else:
        _print_sync_report(assistant.sync())
    seconds = assistant.warm_up()  # before listening: the first user does not wait for the models to load
    if seconds:
        print(f"models loaded in {seconds:.1f} s", file=sys.stderr)
    try:
        from programme_assistant.ui import launch  # the chat UI, when installed
    except ImportError:
        return cmd_chat(args)
    return int(launch(assistant) or 0)


def cmd_eval(args: argparse.Namespace) -> int:
    from programme_assistant.evaluation.cases import load_golden
    from programme_assistant.evaluation.report import check_thresholds, compare, metrics_table
    from programme_assistant.evaluation.suite import parse_configs, run_suite

    settings = load_settings(index_dir=args.index)
    configs = parse_configs(args.configs, settings)
    cases = load_golden(args.golden)
    if args.limit:
        cases = cases[: args.limit]
    with _EvalProgress(configs, len(cases)) as progress:
        out, summaries = run_suite(settings, cases, configs, args.reports, on_case=progress.case,
                                   on_config=progress.start_config)
    print(metrics_table(summaries))
    print(f"\nreport: {out / 'report.html'} (and report.md, summary.json, results.jsonl)")
    if args.compare:
        print("\n" + compare(out, args.compare))
    if args.check:
        problems = check_thresholds(summaries, args.thresholds)
        for p in problems:
            print(f"below threshold: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"all metrics meet {args.thresholds}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from programme_assistant.evaluation.report import compare

    for folder in (args.report, args.baseline):
        if not (folder / "summary.json").is_file() or not (folder / "results.jsonl").is_file():
            raise ConfigError(f"{folder} is not an eval report folder (it has no summary.json and results.jsonl)",
                              "give two folders written by programme-assistant eval (evals/reports/<run>)")
    print(compare(args.report, args.baseline))
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """Write the down-voted answers as draft eval cases (JSON lines in the golden set's shape)."""
    from programme_assistant.appdata.database import describe
    from programme_assistant.appdata.feedback import export_drafts
    from programme_assistant.appdata.state import AppData

    settings = load_settings()
    data = AppData.sqlite(args.db) if args.db else AppData.from_settings(settings)
    try:
        records = data.feedback.records(vote="down")
    finally:
        data.close()
    source = args.db or describe(settings.resolved_database_url())
    to_stdout = str(args.out) == "-"
    count, text = export_drafts(records, None if to_stdout else args.out)
    if to_stdout:
        sys.stdout.write(text)
    else:
        print(f"{count} down-voted answer(s) from {source} written to {args.out} as draft cases: "
              "write each one's reference_answer and required_facts, then move it into evals/golden.jsonl")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="programme-assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="sync a folder of documents into the index")
    ingest.add_argument("folder", nargs="?", type=Path, help="corpus folder (default: PA_CORPUS_DIR or ./corpus)")
    ingest.add_argument("--index", type=Path, help="index folder (default: PA_INDEX_DIR or ./.index)")
    ingest.add_argument("--json", action="store_true", help="print the per-file report as JSON on stdout")
    ingest.set_defaults(func=cmd_ingest)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--index", type=Path, help="index folder (default: PA_INDEX_DIR or ./.index)")
        p.add_argument("--filter", action="append", metavar="KEY=VALUE",
                       help="type=report, language=en, doc=DOC_ID, from=YYYY-MM-DD, to=YYYY-MM-DD (repeatable)")
        p.add_argument("--llm", metavar="MODEL", help="answer with this model on the OpenAI-compatible server "
                       "at PA_LLM_BASE_URL instead of extractively")
        p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], help="retrieval mode (default hybrid)")

    ask = sub.add_parser("ask", help="answer one question with cited sources")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON")
    common(ask)
    ask.set_defaults(func=cmd_ask)
    chat = sub.add_parser("chat", help="interactive questions that keep the conversation")
    common(chat)
    chat.set_defaults(func=cmd_chat)
    ev = sub.add_parser("eval", help="run the golden set and write a report")
    ev.add_argument("--configs", default="hybrid", help="comma-separated: hybrid, dense, bm25, llm")
    ev.add_argument("--golden", type=Path, default=Path("evals/golden.jsonl"))
    ev.add_argument("--reports", type=Path, default=Path("evals/reports"))
    ev.add_argument("--compare", type=Path, metavar="REPORT_DIR", help="print deltas against an earlier report")
    ev.add_argument("--check", action="store_true", help="exit 1 when a metric is below evals/thresholds.toml")
    ev.add_argument("--thresholds", type=Path, default=Path("evals/thresholds.toml"))
    ev.add_argument("--limit", type=int, help="only the first N cases (a quick look)")
    ev.add_argument("--index", type=Path, help="index folder (default: PA_INDEX_DIR or ./.index)")
    ev.set_defaults(func=cmd_eval)
    cmp = sub.add_parser("compare", help="compare two eval reports case by case: did a change help, or is it noise?")
    cmp.add_argument("report", type=Path, help="the newer report folder")
    cmp.add_argument("baseline", type=Path, help="the earlier report folder")
    cmp.set_defaults(func=cmd_compare)
    serve = sub.add_parser("serve", help="sync the corpus, then start the chat")
    common(serve)
    serve.add_argument("--no-sync", action="store_true",
                       help="start without syncing first (a worker of a cluster: one sync serves them all)")
    serve.set_defaults(func=cmd_serve)
    feedback = sub.add_parser("feedback", help="thumbs up/down given in the chat app")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    export = feedback_sub.add_parser("export", help="write the down-voted answers as draft eval cases")
    export.add_argument("--out", type=Path, default=Path("evals/drafts/from-feedback.jsonl"),
                        help="JSON-lines file to write ('-' for standard output)")
    export.add_argument("--db", type=Path,
                        help="a SQLite feedback file "
                             "(default: PA_DATABASE_URL, else PA_FEEDBACK_DB or ./feedback.sqlite)")
    export.set_defaults(func=cmd_feedback_export)
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

"""Every question set through one configuration, one table (``make eval-sets``): a row per set, then the sets the
learned parts were trained on taken together, and those never trained on taken together.

One set of 50 questions moves by 0.02 with a single answer, so a change is judged on the pooled rows, and on the
sets never trained on above all (what a change does to questions nobody fitted it to). Held-out sets written for
the next answer-changing change and not yet run (``UNRUN``) are left out unless named: running one spends it.

    python scripts/eval_sets.py [--sets golden,heldout14,...] [--configs hybrid] [--out TABLE.md] [--index DIR]

Each set's full report (failing cases, categories, charts) goes to ``evals/reports/`` as ``eval`` writes it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

# Written for the next change that alters answers and never run: add a new set's name here when it is committed,
# and remove it once it has been run (held-out 25, 26 and 27 were run in session 24).
UNRUN: tuple[str, ...] = ("heldout52",)
# Not a question set of its own: held-out 6-13's questions after unrelated ones (``make eval-topic-switch``).
NOT_A_SET = ("topic-switch",)


def default_sets(evals: Path) -> list[str]:
    names = [p.stem for p in evals.glob("*.jsonl") if p.stem not in UNRUN + NOT_A_SET]
    return sorted(names, key=lambda n: (n != "golden", "multilingual" in n, _number(n), n))


def _number(name: str) -> int:
    digits = "".join(c for c in name if c.isdigit())
    return int(digits) if digits else 1 if name == "heldout" else 0


def main(argv: list[str] | None = None) -> int:
    from training_data import DEFAULT_TRAINING_SETS

    from programme_assistant.assistant import build_embedder
    from programme_assistant.cli import load_settings
    from programme_assistant.evaluation.cases import load_golden
    from programme_assistant.evaluation.report import sets_table
    from programme_assistant.evaluation.runner import CaseResult
    from programme_assistant.evaluation.suite import parse_configs, run_suite

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", help="comma-separated names of evals/*.jsonl (default: every set already run)")
    parser.add_argument("--configs", default="hybrid", help="comma-separated: hybrid, dense, bm25, llm")
    parser.add_argument("--evals", type=Path, default=ROOT / "evals")
    parser.add_argument("--reports", type=Path, default=ROOT / "evals" / "reports")
    parser.add_argument("--index", type=Path, help="index folder (default: PA_INDEX_DIR or ./.index)")
    parser.add_argument("--out", type=Path, help="also write the tables to this Markdown file")
    args = parser.parse_args(argv)

    settings = load_settings(index_dir=args.index)
    configs = parse_configs(args.configs, settings)
    names = [n.strip() for n in args.sets.split(",") if n.strip()] if args.sets else default_sets(args.evals)
    missing = [n for n in names if not (args.evals / f"{n}.jsonl").is_file()]
    if missing:
        print(f"error: no question set {', '.join(missing)} in {args.evals} (names of its *.jsonl files)",
              file=sys.stderr)
        return 2
    embedder = build_embedder(settings)  # one model for every set
    per_config: dict[str, dict[str, list[CaseResult]]] = {c: {} for c in configs}
    for name in names:
        cases = load_golden(args.evals / f"{name}.jsonl")

        def keep(result: CaseResult, name: str = name) -> None:
            per_config[result.config].setdefault(name, []).append(result)

        out, _ = run_suite(settings, cases, configs, args.reports, embedder=embedder, on_case=keep)
        print(f"[eval-sets] {name}: {len(cases)} cases, report {out}", file=sys.stderr, flush=True)
    trained = [n for n in names if n in DEFAULT_TRAINING_SETS]
    pools = {"trained on": trained, "never trained on": [n for n in names if n not in DEFAULT_TRAINING_SETS]}
    text = "\n\n".join(f"### {config}\n\n{sets_table(per_set, pools)}" for config, per_set in per_config.items())
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Eval reports: per-case JSONL, summary.json, report.md and a self-contained report.html with inline SVG charts.
Also comparing two runs and checking thresholds."""

from __future__ import annotations

import html
import json
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from programme_assistant.evaluation.plots import bars_per_category, latency_histogram
from programme_assistant.evaluation.runner import CaseResult, aggregate
from programme_assistant.evaluation.stats import paired_delta

HEADLINE = ("hit5", "mrr10", "fact_recall", "token_f1", "citation_precision",
            "citation_precision_strict", "citation_recall", "groundedness", "quote_support", "answer_precision",
            "answer_chars_median", "answer_sentences_mean", "refusal_recall", "wrong_refusal_rate",
            "lost_document", "lost_passage", "lost_answer", "total_p50_ms", "total_p95_ms")
# Metrics where lower is better (for deltas and regressions).
LOWER_IS_BETTER = {"wrong_refusal_rate", "answer_chars_median", "answer_sentences_mean"} | {
    k for k in HEADLINE if k.endswith("_ms") or k.startswith("lost_")}
# The stage that lost a missing fact (runner.CaseResult.lost_at), as a reader is told it
LOST_WHERE = {"refused": "the answer refused", "document": "the document holding it not retrieved",
              "passage": "its document retrieved, not the passage holding it",
              "answer": "in the passages, not quoted", "unwritten": "no expected document holds it as written"}


def write_report(out_dir: Path, summaries: dict[str, dict[str, Any]], results: dict[str, list[CaseResult]],
                 meta: dict[str, Any]) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for rows in results.values():
            for r in rows:
                fh.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps({"meta": meta, "configs": summaries}, indent=2,
                                                     ensure_ascii=False), encoding="utf-8")
    (out_dir / "report.md").write_text(render_markdown(summaries, results, meta), encoding="utf-8")
    (out_dir / "report.html").write_text(render_html(summaries, results, meta), encoding="utf-8")
    return out_dir


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) and not float(value).is_integer() else str(value)


def metrics_table(summaries: dict[str, dict[str, Any]], keys: tuple[str, ...] = HEADLINE) -> str:
    configs = list(summaries)
    lines = ["| metric | " + " | ".join(configs) + " |", "|---|" + "---|" * len(configs)]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(_fmt(summaries[c]["overall"].get(key, "")) for c in configs) + " |")
    return "\n".join(lines)


SET_COLUMNS = (("cases", "cases"), ("answerable", "answerable"), ("fact_recall", "fact recall"),
               ("citation_precision", "citation precision"), ("answer_precision", "answer precision"),
               ("answer_chars_median", "median answer (chars)"), ("refusal_recall", "unanswerable refused"),
               ("wrong_refusal_rate", "answerable wrongly refused"), ("lost_retrieval", "facts lost by retrieval"),
               ("lost_answer", "facts lost by the answer"))


def sets_table(per_set: dict[str, list[CaseResult]], pools: dict[str, list[str]] | None = None) -> str:
    """One row per question set, then one per pool of sets (its cases taken together, so a set of 60 cases weighs
    twice one of 30): the view across sets that tells a change's real effect from one set's luck."""
    rows = list(per_set.items())
    for label, names in (pools or {}).items():
        pooled = [r for n in names if n in per_set for r in per_set[n]]
        if pooled:
            rows.append((f"**{label}**", pooled))
    lines = ["| set | " + " | ".join(title for _, title in SET_COLUMNS) + " |", "|---|" + "---|" * len(SET_COLUMNS)]
    for name, results in rows:
        summary = aggregate(results)
        summary["answerable"] = sum(r.answerable for r in results)
        lines.append(f"| {name} | " + " | ".join(_fmt(summary.get(key, "-")) for key, _ in SET_COLUMNS) + " |")
    return "\n".join(lines)


def category_table(summary: dict[str, Any]) -> str:
    keys = ("cases", "hit5", "fact_recall", "citation_precision", "refusal_recall", "wrong_refusal_rate",
            "lost_retrieval", "lost_answer")
    lines = ["| category | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for cat, block in summary["by_category"].items():
        lines.append(f"| {cat} | " + " | ".join(_fmt(block.get(k, "")) for k in keys) + " |")
    return "\n".join(lines)


def lost_table(summary: dict[str, Any]) -> str:
    """Where the answerable cases' required facts were lost, taken together: each stage's share of them
    (``runner.aggregate``'s ``lost_*``; found + the stages = 1)."""
    overall = summary["overall"]
    lines = ["| stage | share of required facts |", "|---|---|"]
    for stage, label in LOST_WHERE.items():
        lines.append(f"| lost: {label} (`lost_{stage}`) | {_fmt(overall.get(f'lost_{stage}', '-'))} |")
    return "\n".join(lines)


def _missing(r: CaseResult) -> str:
    return ", ".join(f"{f} ({LOST_WHERE[r.lost_at[f]]})" if f in r.lost_at else f for f in r.missing_facts)


def _failure_md(r: CaseResult) -> str:
    what = ("answered instead of refusing" if not r.answerable else
            "wrongly refused" if r.refused else f"missing: {_missing(r)}")
    cites = "; ".join(f"[{c['number']}] {c['doc_id']}" for c in r.citations) or "none"
    hist = f" (after: {' / '.join(r.history)})" if r.history else ""
    return (f"- **{r.id}** ({r.category}, {r.config}) {r.question}{hist}\n  - {what}\n"
            f"  - answer: {r.answer[:400]}\n  - cited: {cites}; expected: {', '.join(r.expected_docs) or '-'}")


def render_markdown(summaries: dict[str, dict[str, Any]], results: dict[str, list[CaseResult]],
                    meta: dict[str, Any]) -> str:
    parts = [f"# Eval report {meta.get('started', '')}", "",
             f"Configs: {', '.join(summaries)} | cases: {meta.get('cases')} | corpus hash: "
             f"`{meta.get('corpus_hash', '')[:12]}` | commit: `{meta.get('git_commit', '')[:12]}` | "
             f"model: {meta.get('embedding_model')}", "", "## Metrics", "", metrics_table(summaries), ""]
    for config, summary in summaries.items():
        parts += [f"## By category: {config}", "", category_table(summary), ""]
    for config, summary in summaries.items():
        if "lost_answer" in summary["overall"]:
            parts += [f"## Where the missing facts were lost: {config}", "",
                      "Retrieval lost those no passage the answerer was given holds; the answer lost those a passage "
                      "holds but the answer does not quote.", "", lost_table(summary), ""]
    for config, rows in results.items():
        failures = [r for r in rows if r.failed]
        parts += [f"## Failing cases: {config} ({len(failures)} of {len(rows)})", ""]
        parts += [_failure_md(r) for r in failures] + [""]
    return "\n".join(parts)


# --- HTML with inline SVG charts (matplotlib, evaluation/plots.py) --------------------------------------

PER_CATEGORY = (  # metric key -> chart title
    ("fact_recall", "Fact recall per category (required facts found in the answer)"),
    ("hit5", "Retrieval hit@5 per category (an expected document in the top 5)"),
    ("citation_precision", "Citation precision per category (cited documents that are expected ones)"),
)


def render_html(summaries: dict[str, dict[str, Any]], results: dict[str, list[CaseResult]],
                meta: dict[str, Any]) -> str:
    configs = list(summaries)
    cats = sorted({c for s in summaries.values() for c in s["by_category"]})
    def measured(config: str, cat: str, metric: str) -> float | None:  # None: no case of the category has it
        value = summaries[config]["by_category"].get(cat, {}).get(metric)
        return None if value is None else float(value)

    plots = [bars_per_category(title, cats, {c: [measured(c, cat, metric) for cat in cats] for c in configs})
             for metric, title in PER_CATEGORY]
    plots.append(bars_per_category("Refusals per category (share of cases refused)", cats, {
        c: [sum(r.refused for r in results[c] if r.category == cat) /
            max(1, sum(1 for r in results[c] if r.category == cat)) for cat in cats] for c in configs}))
    plots.append(latency_histogram("End-to-end latency per case",
                                   {c: [r.timings.get("total", 0.0) * 1000 for r in results[c]] for c in configs}))
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th>"
        + "".join(f"<td>{html.escape(_fmt(summaries[c]['overall'].get(k, '')))}</td>" for c in configs)
        + "</tr>" for k in HEADLINE)
    failures = []
    for config, rs in results.items():
        for r in sorted((r for r in rs if r.failed), key=lambda r: (r.answerable, r.fact_recall)):
            what = ("answered instead of refusing" if not r.answerable else "wrongly refused" if r.refused
                    else "missing: " + _missing(r))
            cites = "".join(f"<li>[{c['number']}] {html.escape(c['title'])} <code>{html.escape(c['doc_id'])}</code>"
                            f"<blockquote>{html.escape(c['quote'])}</blockquote></li>" for c in r.citations)
            failures.append(
                f"<details><summary><b>{html.escape(r.id)}</b> <span class=tag>{html.escape(r.category)}</span> "
                f"<span class=tag>{html.escape(config)}</span> {html.escape(r.question)} — "
                f"<span class=bad>{html.escape(what)}</span></summary>"
                + (f"<p>Earlier turns: {html.escape(' / '.join(r.history))}</p>" if r.history else "")
                + f"<p><b>Searched for:</b> {html.escape(r.standalone)}</p>"
                f"<p><b>Answer:</b> {html.escape(r.answer)}</p>"
                f"<p><b>Reference:</b> {html.escape(r.reference)}</p><ol>{cites}</ol>"
                f"<p>Expected sources: {html.escape(', '.join(r.expected_docs) or '-')}; retrieved: "
                f"{html.escape(', '.join(r.retrieved_docs[:5]))}</p></details>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Eval report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;color:#111}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:4px 8px;text-align:right}}
th{{text-align:left}}.plot{{width:100%;max-width:760px;height:auto;margin:1rem 0;display:block}}
.tag{{background:#eef;border-radius:4px;
padding:0 4px;font-size:85%}}.bad{{color:#b91c1c}}details{{border-bottom:1px solid #eee;padding:4px 0}}
blockquote{{margin:2px 0 6px 1rem;color:#374151}}</style></head><body>
<h1>Eval report</h1><p>{html.escape(str(meta.get('started', '')))} — configs {html.escape(', '.join(configs))},
{meta.get('cases')} cases, corpus <code>{html.escape(str(meta.get('corpus_hash', ''))[:12])}</code>, commit
<code>{html.escape(str(meta.get('git_commit', ''))[:12])}</code>,
model {html.escape(str(meta.get('embedding_model')))}</p>
<h2>Metrics</h2><table><tr><th>metric</th>{''.join(f'<th>{html.escape(c)}</th>' for c in configs)}</tr>{rows}</table>
<h2>Plots</h2>{''.join(plots)}
<h2>Failing cases ({len(failures)}), worst first</h2>{''.join(failures) or '<p>None.</p>'}</body></html>"""


def load_report(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, dict[str, Any]]]]:
    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    with open(path / "results.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.setdefault(r["config"], {})[r["id"]] = r
    return summary, rows


def compare(current: Path, baseline: Path) -> str:
    """Deltas of the headline metrics per config, and the cases that got worse."""
    cur_summary, cur_rows = load_report(current)
    base_summary, base_rows = load_report(baseline)
    lines = [f"Compared with {baseline}", ""]
    for config, summary in cur_summary["configs"].items():
        base = base_summary["configs"].get(config)
        if base is None:
            lines.append(f"{config}: not in the baseline")
            continue
        lines.append(f"{config}:")
        for key in HEADLINE:
            a, b = summary["overall"].get(key), base["overall"].get(key)
            if isinstance(a, int | float) and isinstance(b, int | float):
                delta = a - b
                worse = delta > 0 if key in LOWER_IS_BETTER else delta < 0
                mark = " (worse)" if worse and abs(delta) > 1e-9 else ""
                lines.append(f"  {key:26s} {b:9.3f} -> {a:9.3f}  {delta:+.3f}{mark}")
        lines.extend(_paired_lines(base_rows.get(config, {}), cur_rows.get(config, {})))
        regressed = []
        for cid, r in cur_rows.get(config, {}).items():
            old = base_rows.get(config, {}).get(cid)
            if old is None:
                continue
            if (r["fact_recall"] < old["fact_recall"] or (r["answerable"] and r["refused"] and not old["refused"])
                    or (not r["answerable"] and old["refused"] and not r["refused"]) or r["hit5"] < old["hit5"]):
                regressed.append(f"  - {cid} ({r['category']}): {r['question']}")
        lines.append(f"  regressed cases: {len(regressed)}")
        lines.extend(regressed)
    return "\n".join(lines)


# Per-case measures compared case by case (``stats.paired_delta``): which cases count, and the value of a case.
_PAIRED: tuple[tuple[str, Any, Any, bool], ...] = (
    ("fact_recall", lambda r: r["answerable"], lambda r: float(r["fact_recall"]), False),
    ("citation_precision", lambda r: r["answerable"] and not r["refused"],
     lambda r: float(r["citation_precision"]), False),
    ("unanswerable refused", lambda r: not r["answerable"], lambda r: float(bool(r["refused"])), False),
    ("answerable refused", lambda r: r["answerable"], lambda r: float(bool(r["refused"])), True),
)


def _paired_lines(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    """Each per-case measure over the cases both runs have, with its 95% interval: is the change more than the
    noise of this many cases?"""
    lines = ["  paired over the same cases (bootstrap, 95% interval):"]
    shared = [cid for cid in after if cid in before]
    for name, counts, value, lower_is_better in _PAIRED:
        ids = [cid for cid in shared if counts(before[cid]) and counts(after[cid])]
        if not ids:
            continue
        delta = paired_delta([value(before[c]) for c in ids], [value(after[c]) for c in ids])
        lines.append(f"    {name:24s} {delta.describe(lower_is_better)}")
    return lines


def check_thresholds(summaries: dict[str, dict[str, Any]], thresholds_file: Path) -> list[str]:
    """Metrics below their floor (or above their ceiling for lower-is-better ones), per config."""
    spec = tomllib.loads(thresholds_file.read_text(encoding="utf-8"))
    problems = []
    for config, floors in spec.items():
        if config not in summaries:
            problems.append(f"{config}: not run (thresholds name it)")
            continue
        overall = summaries[config]["overall"]
        for key, bound in floors.items():
            value = overall.get(key)
            if value is None:
                problems.append(f"{config}.{key}: not measured")
            elif key in LOWER_IS_BETTER and value > bound:
                problems.append(f"{config}.{key} = {value} is above its ceiling {bound}")
            elif key not in LOWER_IS_BETTER and value < bound:
                problems.append(f"{config}.{key} = {value} is below its floor {bound}")
    return problems

"""Measure changes to the answer stage side by side, in about a minute per variant (an experiment tool).

Every case of the chosen sets is rewritten and retrieved once, with the product's own rewriter and hybrid search
over an index of ``corpus/`` kept beside the cache file (``<cache>.index``, synced on every run); the questions and
passages are kept in the cache file. Then, for each variant,
the extractive answerer answers every case from the cached passages, and each answer is scored with the eval's own
``score_case`` and ``aggregate``. With the code unchanged, the figures are those of
``programme-assistant eval --configs hybrid`` for the same sets.

A variant is a Python file with ``apply(assistant) -> undo`` that changes the answerer (monkeypatching a method or
its config; ``patch_scoring`` for one that rescores the candidates) and returns a function putting it back;
``base`` is the code as it is. Settings from the environment (``PA_EXTRACTIVE_CONTINUATION_RATIO=0.7`` ...) apply
to all variants, as in the product.

The cache keeps each case's passages and the answerer's reserve after them (``PA_EXTRACTIVE_RESERVE``); a cache
written before the reserve existed holds six passages per case, so its answers are read without one.
A case is retrieved again when its standalone query changed (a follow-up's earlier turns are asked first, as the
eval does, so that the rewriter reads their answers). The cache is not invalidated by changes to retrieval code or
settings, nor by a changed corpus: retrieve again (``--fresh``) after such a change, or give another ``--cache``
(as for ``PA_PASSAGE_MODEL``).
Session 11 measured its variants with this script (docs/answer-selection.md, "Measured in session 11").

Another programme's folder (``--corpus evals/outside-d/corpus``) is read the same way, its sets named by their paths
(``--sets evals/outside-d/questions7.jsonl,...``), with a cache of its own (``--cache``; the index beside it is that
folder's): a change that gains on the sample corpus's sets alone has often not carried to other folders.

Two variants' dumps (``--dump``) are compared case by case with ``--compare BEFORE.json AFTER.json``: fact recall
per answerable question with its paired bootstrap interval and the answers that gained or lost a fact, the answers
changed, the median length and the citation precision of the answered ones, and the refusals on each side (session
48: what every session's "paired" figures in ``docs/answer-selection.md`` report).

    python scripts/answer_variants.py [--sets golden,heldout9] [--corpus DIR] [--cache FILE] [--fresh]
                                      base my_variant.py ...
    python scripts/answer_variants.py --compare BEFORE.json AFTER.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import statistics
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = ("golden", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
                "heldout8", "heldout9", "heldout-multilingual", "heldout-multilingual2")
COLUMNS = (("fact_recall", "FR   "), ("citation_precision", "CP   "), ("answer_precision", "AP   "),
           ("quote_support", "QS   "), ("answer_chars_median", "len"), ("refusal_recall", "ref  "),
           ("wrong_refusal_rate", "wrong"), ("lost_retrieval", "lostR"), ("lost_answer", "lostA"))


def load_variant(path: str) -> Any:
    spec = importlib.util.spec_from_file_location(Path(path).stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python file; a variant defines apply(assistant) -> undo")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "apply"):
        raise SystemExit(f"{path} has no apply(assistant) function")
    return module


def patch_scoring(rescore: Callable[[Any, str, list, Any], Sequence[float] | None]) -> Callable[[], None]:
    """For a variant: ``ExtractiveAnswerer.scoring`` rescores its candidates. ``rescore(answerer, question, passages,
    scoring)`` gives each candidate's new score, in the scoring's order (or None: as it was); the candidates are
    sorted best first again. Returns the function that puts the method back."""
    from programme_assistant.answering import extractive

    original = extractive.ExtractiveAnswerer.scoring

    def scoring(self: Any, question: str, passages: list) -> Any:
        result = original(self, question, passages)
        scores = rescore(self, question, passages, result) if result.sentences else None
        if scores is None:
            return result
        sentences = [replace(s, score=float(v)) for s, v in zip(result.sentences, scores, strict=True)]
        sentences.sort(key=lambda s: -s.score)
        return replace(result, sentences=sentences)

    extractive.ExtractiveAnswerer.scoring = scoring
    return lambda: setattr(extractive.ExtractiveAnswerer, "scoring", original)


def set_path(name: str) -> Path:
    """A set named on the command line: ``heldout14`` is ``evals/heldout14.jsonl``; a name ending in ``.jsonl`` is a
    path (from the project's root when relative), for another folder's sets."""
    if name.endswith(".jsonl"):
        path = Path(name)
        return path if path.is_absolute() else ROOT / path
    return ROOT / "evals" / f"{name}.jsonl"


def standalone_of(assistant: Any, case: Any) -> str:
    """The case's standalone query, as the eval forms it: the earlier turns of a follow-up are asked first, and
    the rewriter reads them with their answers."""
    history: list[tuple[str, str]] = []
    for turn in case.history:
        history.append((turn, assistant.ask(turn, history=history).text))
    return assistant.rewriter.rewrite(case.question, history)


def retrieve(assistant: Any, sets: list[str], cached: dict) -> int:
    """Every case's standalone query and passages into ``cached``: a case is retrieved again only when its
    standalone query is not the one cached (a changed rewriter). Returns how many were retrieved."""
    from programme_assistant.evaluation.cases import load_golden

    retrieved = 0
    for name in sets:
        for case in load_golden(set_path(name)):
            standalone = standalone_of(assistant, case)
            if (name, case.id) in cached and cached[(name, case.id)][0] == standalone:
                continue
            # the retrieved passages and the answerer's reserve after them (Assistant._prepare)
            k = assistant.settings.retrieval_k + assistant.answerer.reserve_passages
            cached[(name, case.id)] = (standalone, assistant.search.search(standalone, k=k))
            retrieved += 1
    return retrieved


def answer_all(assistant: Any, sets: list[str], cached: dict,
               cases_out: dict[str, list] | None = None) -> dict[str, dict[str, float]]:
    """Each set's aggregate figures; with ``cases_out``, each set's case results are kept there too."""
    from programme_assistant.evaluation.cases import load_golden
    from programme_assistant.evaluation.runner import aggregate, document_reader, score_case

    figures = {}
    read = document_reader(assistant)
    for name in sets:
        results = []
        assistant.variant_set = name  # a variant may read it (reorder.py uses a model not trained on this set)
        for case in load_golden(set_path(name)):
            standalone, found = cached[(name, case.id)]
            k = assistant.settings.retrieval_k
            passages, reserve = found[:k], found[k:]
            answer = assistant.answerer.answer(standalone, passages, reserve)
            answer = replace(answer, question=case.question, standalone_question=standalone, retrieved=passages)
            results.append(score_case(case, answer, document_text=read))
        figures[name] = aggregate(results)
        if cases_out is not None:
            cases_out[name] = results
    return figures


def compare_dumps(before: dict[str, list[dict]], after: dict[str, list[dict]]) -> dict[str, Any]:
    """Two dumps of the same sets' cases (``--dump``), compared case by case: fact recall per answerable question
    (``stats.paired_delta``), answers changed, the median length and mean citation precision of the answered
    answerable ones, and the refusals, on each side. A set or case on one side only is an error naming it."""
    from programme_assistant.evaluation.stats import paired_delta

    if set(before) != set(after):
        raise ValueError(f"the dumps hold different sets: {sorted(set(before) ^ set(after))}")
    pairs = []
    for name in before:
        ids_before, ids_after = [c["id"] for c in before[name]], [c["id"] for c in after[name]]
        if ids_before != ids_after:
            raise ValueError(f"{name}: the dumps hold different cases ({sorted(set(ids_before) ^ set(ids_after))[:5]}"
                             " ...): dump both from the same sets")
        pairs += list(zip(before[name], after[name], strict=True))
    answerable = [(x, y) for x, y in pairs if x["answerable"]]
    unanswerable = [(x, y) for x, y in pairs if not x["answerable"]]

    def side(i: int) -> dict[str, Any]:
        answered = [p[i] for p in answerable if not p[i]["refused"]]
        return {"median_chars": statistics.median(c["answer_chars"] for c in answered) if answered else 0.0,
                "citation_precision": statistics.fmean(c["citation_precision"] for c in answered) if answered else 0.0,
                "unanswerable_refused": sum(p[i]["refused"] for p in unanswerable),
                "answerable_refused": sum(p[i]["refused"] for p in answerable)}

    return {"answerable": len(answerable), "unanswerable": len(unanswerable),
            "fact_recall": paired_delta([x["fact_recall"] for x, _ in answerable],
                                        [y["fact_recall"] for _, y in answerable]),
            "changed": sum(x["answer"] != y["answer"] for x, y in pairs), "before": side(0), "after": side(1)}


def print_comparison(before_path: Path, after_path: Path) -> None:
    try:
        dumps = [json.loads(Path(p).read_text(encoding="utf-8")) for p in (before_path, after_path)]
        c = compare_dumps(*dumps)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # a JSON file that is no dump too
        raise SystemExit(f"--compare {before_path} {after_path}: {exc} (give two files written by --dump)") from exc
    b, a, fr = c["before"], c["after"], c["fact_recall"]
    print(f"fact recall per answerable question: {fr.describe()}")
    print(f"answers changed: {c['changed']} of {c['answerable'] + c['unanswerable']}")
    print(f"median answer (answered answerable): {b['median_chars']:g} -> {a['median_chars']:g} characters; "
          f"citation precision {b['citation_precision']:.3f} -> {a['citation_precision']:.3f}")
    print(f"unanswerable refused: {b['unanswerable_refused']} -> {a['unanswerable_refused']} of {c['unanswerable']}; "
          f"answerable wrongly refused: {b['answerable_refused']} -> {a['answerable_refused']} of {c['answerable']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", help="'base' or variant files")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="compare two variants' dumps (--dump) case by case, and stop")
    parser.add_argument("--sets", default=",".join(DEFAULT_SETS), help="evals/<name>.jsonl, comma-separated (or "
                        "paths ending in .jsonl)")
    parser.add_argument("--corpus", type=Path, help="the folder the sets ask about (default: the sample corpus)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "pa-answer-variants.pkl")
    parser.add_argument("--fresh", action="store_true", help="retrieve again (after a retrieval change)")
    parser.add_argument("--dump", type=Path, help="write each variant's case results to DIR/<variant>.json")
    args = parser.parse_args(argv)
    if args.compare:
        print_comparison(*args.compare)
        return 0
    if not args.variants:
        parser.error("give 'base' or variant files to answer with, or --compare BEFORE.json AFTER.json")
    sets = [s for s in args.sets.split(",") if s]
    missing = [str(set_path(s)) for s in sets if not set_path(s).is_file()]
    if missing:
        raise SystemExit(f"no such question set: {', '.join(missing)} (a name in evals/, or a path ending in .jsonl)")
    if args.corpus is not None and not args.corpus.is_dir():
        raise SystemExit(f"--corpus {args.corpus}: not a folder (give the folder the sets ask about, e.g. "
                         "evals/outside-d/corpus)")

    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings

    # the index is kept beside the cache and synced each run (only what changed): the answerer reads its word weights
    folder = {"corpus_dir": args.corpus.resolve()} if args.corpus is not None else {}
    assistant = Assistant.from_settings(Settings(index_dir=args.cache.with_suffix(".index"), **folder))
    assistant.sync()
    cached = pickle.loads(args.cache.read_bytes()) if args.cache.exists() and not args.fresh else {}
    if retrieve(assistant, sets, cached):
        args.cache.write_bytes(pickle.dumps(cached))
    table = {}
    for variant in args.variants:
        undo = None if variant == "base" else load_variant(variant).apply(assistant)
        cases: dict[str, list] = {}
        table[variant] = answer_all(assistant, sets, cached, cases)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            (args.dump / f"{Path(variant).stem}.json").write_text(json.dumps(
                {name: [asdict(r) for r in results] for name, results in cases.items()}, default=str))
        if callable(undo):
            undo()

    header = " ".join(label for _, label in COLUMNS)
    print(f"{'set':22s}" + " | ".join(f"{Path(v).stem[:len(header)]:{len(header)}s}" for v in args.variants))
    print(f"{'':22s}" + " | ".join(header for _ in args.variants))
    for name in sets:
        row = []
        for variant in args.variants:
            f = table[variant][name]
            row.append(" ".join(f"{f.get(key, 0.0):{len(label)}.0f}" if key == "answer_chars_median"
                                else f"{f.get(key, 0.0):.3f}".rjust(len(label)) for key, label in COLUMNS))
        print(f"{Path(name).stem if name.endswith('.jsonl') else name:22s}" + " | ".join(row))
    for variant in args.variants:
        means = {key: statistics.fmean(table[variant][s].get(key, 0.0) for s in sets) for key, _ in COLUMNS}
        print(f"{Path(variant).stem}: mean over sets "
              + ", ".join(f"{label.strip()} {means[key]:.3f}" for key, label in COLUMNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

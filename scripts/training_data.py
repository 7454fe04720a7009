"""The questions the answerer's learned models are fitted on, put through the product's own pipeline (rewriter,
hybrid search, the extractive answerer's scoring), shared by ``train_ranker.py`` and ``train_refusal.py``.

- The sample corpus (``corpus/``) with the golden set and the held-out sets already measured once
  (``TRAINING_SETS``: held-out 1 to 13; each was a test set until the next one was written; held-out 6-13 were
  added in session 22, docs/answer-selection.md, "Session 22's changes"). Held-out 14 onwards and the multilingual sets
  are never read here: they are for evaluation. ``PA_TRAINING_SETS`` (names of ``evals/*.jsonl``, comma-separated)
  trains on other sets instead, for an experiment.
- ClapNQ dev (``../shared/benchmarks/clapnq-dev``), the half of its questions whose id hashes even (the odd half
  is for evaluation), over the index ``make bench-external`` builds (ClapNQ and PubMedQA documents together, kept
  in the system temp folder and built on first use in about five minutes).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # benchmarks.external builds the ClapNQ index
DEFAULT_TRAINING_SETS = ("golden", "heldout", *(f"heldout{n}" for n in range(2, 14)))
# PA_TRAINING_SETS (comma-separated names of evals/*.jsonl) trains on other sets, for an experiment
_CHOSEN = tuple(s.strip() for s in os.environ.get("PA_TRAINING_SETS", "").split(",") if s.strip())
TRAINING_SETS = _CHOSEN or DEFAULT_TRAINING_SETS
# Other programmes' folders as training data (``--outside``, session 32): the fictional DMRCP's (evals/outside/) sets
# 1-3 and the SAWKA's (evals/outside-c/) sets 1-2, each asked of its folder's own index. Their last sets and the AIETN
# folder (evals/outside-b/) are never read: they measure how the learned parts do on programmes they never saw.
OUTSIDE_TRAINING = (("evals/outside/corpus", (("outside", "evals/outside/questions.jsonl"),
                                             ("outside2", "evals/outside/questions2.jsonl"),
                                             ("outside3", "evals/outside/questions3.jsonl"))),
                    ("evals/outside-c/corpus", (("sawka", "evals/outside-c/questions.jsonl"),
                                               ("sawka2", "evals/outside-c/questions2.jsonl"))))
OUTSIDE_SETS = frozenset(name for _, sets in OUTSIDE_TRAINING for name, _ in sets)


def _numbered(folder: str, name: str, numbers: range) -> tuple[tuple[str, str], ...]:
    """A folder's question files ``questions.jsonl`` (set 1), ``questions2.jsonl`` ... as (set name, path)."""
    return tuple((f"{name}{n}", f"{folder}/questions{'' if n == 1 else n}.jsonl") for n in numbers)


# The spent development sets (session 59): each was run once to measure a change and then only to look back at, and no
# learned part was trained on it: held-out 14-49 on the sample corpus, the DMRCP's set 4, the AIETN's sets 1-5, the
# SAWKA's 3-10, the BSDSP's 1-11 and the IMUHR's 1-7. The learned refusal can learn from their questions in English
# too (``train_refusal.py --spent``, measured in session 59 and left out): fitted with them, it separates each
# folder's questions left out of its fit better on every folder, but refuses more of golden's and ClapNQ's answerable
# questions (``docs/answer-selection.md``). The sets written after them (held-out 50 onwards, the multilingual ones)
# are not among them.
SPENT_TRAINING = (("corpus", tuple((f"heldout{n}", f"evals/heldout{n}.jsonl") for n in range(14, 50))),
                  ("evals/outside/corpus", _numbered("evals/outside", "outside", range(4, 5))),
                  ("evals/outside-b/corpus", _numbered("evals/outside-b", "aietn", range(1, 6))),
                  ("evals/outside-c/corpus", _numbered("evals/outside-c", "sawka", range(3, 11))),
                  ("evals/outside-d/corpus", _numbered("evals/outside-d", "bsdsp", range(1, 12))),
                  ("evals/outside-e/corpus", _numbered("evals/outside-e", "imuhr", range(1, 8))))
SPENT_SETS = frozenset(name for _, sets in SPENT_TRAINING for name, _ in sets)
# Paraphrased training questions (``--paraphrases``, session 34): each training set's questions asked again in other
# words, written by helpers who changed only the question (evals/paraphrases/<set name>.jsonl: the same cases in the
# same order, ids "<id>-p"), asked as the set "<set name>-p" of the same folder. They teach the learned parts that a
# question worded unlike the documents can still be answered by them.
PARAPHRASES = ROOT / "evals" / "paraphrases"
# Synthetic training questions (session 35): evals/synthetic/<folder>.jsonl, written from one training folder's
# documents (the sample corpus's or an OUTSIDE_TRAINING folder's), each with the sentence that answers it quoted.
SYNTHETIC = ROOT / "evals" / "synthetic"
# Session 48's: 796 more of them, written the same way (evals/synthetic/more/<folder>.jsonl). Read only with
# train_reader.py --more-synthetic: one more epoch of the reader on them measured no better (docs/answer-selection.md).
SYNTHETIC_MORE = SYNTHETIC / "more"
SYNTHETIC_FOLDERS = {"corpus": ROOT / "corpus"} | {Path(corpus).parent.name: ROOT / corpus
                                                   for corpus, _ in OUTSIDE_TRAINING}
_paraphrases = False


def use_paraphrases(on: bool) -> None:
    """Ask each training set's paraphrased copy too (``PARAPHRASES``) from now on."""
    global _paraphrases
    _paraphrases = on


def is_paraphrase(source: str) -> bool:
    """A training question's source (``golden-p``, ``sawka-p-removed``) is a paraphrased copy of a set."""
    return source.split("-")[1:2] == ["p"]


def original_question(source: str, qid: str) -> tuple[str, str]:
    """The set and id of the question a training question was asked as (``golden-p``, ``sf-001-p`` -> ``golden``,
    ``sf-001``): a paraphrase and its original are one question for folds and in-batch negatives."""
    return source.split("-")[0], qid.removesuffix("-p")


def with_paraphrases(sets: tuple[tuple[str, Path], ...]) -> tuple[tuple[str, Path], ...]:
    """``sets`` (a name and a question file each), followed, when paraphrases are in use, by the paraphrased copy of
    each that has one."""
    if not _paraphrases:
        return sets
    return sets + tuple((f"{name}-p", PARAPHRASES / f"{name}.jsonl") for name, _ in sets
                        if (PARAPHRASES / f"{name}.jsonl").is_file())


def from_outside(source: str) -> bool:
    """A training question's source (``outside2``, ``sawka-removed``) is one of the other folders' sets: what a
    training script keeps only with ``--outside`` when it reads back a file of questions asked earlier."""
    return source.split("-")[0] in OUTSIDE_SETS

# Cross-fitting (an experiment, measured worse in session 29: ``train_correction.py`` / ``train_refusal.py
# --cross-fit``): the training questions fall into CROSS_FIT_FOLDS folds by a hash of their set and id; an answer model
# is trained without each fold (``PA_TRAINING_FOLD=-k/n``; ``make cross-fit-models``), and the second stage reads each
# fold's questions through the model that never saw them (``k/n``: that fold alone).
CROSS_FIT_FOLDS = 2
_fold = os.environ.get("PA_TRAINING_FOLD", "").strip()


@dataclass
class Asked:
    """One training question as the answerer saw it."""

    source: str  # "clapnq" or a sample set's name
    qid: str
    answerable: bool
    passages: list  # list[RetrievedChunk]
    scoring: Any  # extractive.Scoring
    facts: list[str]  # sample sets: the required facts
    allowed_docs: set[str]  # doc ids whose sentences may answer (expected + supporting / ClapNQ's gold)
    gold_sentences: list[str]  # ClapNQ: the selected gold sentences
    standalone: str = ""  # the question as asked of the search (the rewriter's, with the conversation)
    # the answerer that scored it (its index is gone once the folder's questions are asked): a training script that
    # scores more of the question (``train_composer.py``: the parts of a question of several parts) asks it
    answerer: Any = field(default=None, repr=False, compare=False)


def log(message: str) -> None:
    print(f"[training] {message}", file=sys.stderr, flush=True)


def kept(path: Path | None, make: Callable[[], Any], what: str = "training data") -> Any:
    """``make()``'s JSON-able result, kept in ``path`` (when given) and read from it on the next run instead: asking
    the training questions takes minutes."""
    import json

    if path is not None and path.exists():
        log(f"{what} read from {path}")
        return json.loads(path.read_text())
    made = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(made))
    return made


def fold_of(set_name: str, qid: str, folds: int) -> int:
    """The cross-fitting fold of a training question (stable: a hash of its set and id)."""
    return int(hashlib.sha1(f"{set_name}:{qid}".encode()).hexdigest(), 16) % folds


def parse_fold(spec: str) -> tuple[int, int, bool]:
    """``"k/n"``: fold k of n alone; ``"-k/n"``: every fold but k. Returns (k, n, without)."""
    m = re.fullmatch(r"(-?)(\d+)/(\d+)", spec.strip())
    if not m or int(m.group(3)) < 2 or int(m.group(2)) >= int(m.group(3)):
        raise ValueError(f"fold {spec!r}: expected k/n (fold k of n alone) or -k/n (all but fold k), 0 <= k < n, "
                         "n >= 2, e.g. PA_TRAINING_FOLD=-0/2")
    return int(m.group(2)), int(m.group(3)), m.group(1) == "-"


def use_fold(spec: str) -> None:
    """Ask only the training questions of ``spec`` (``parse_fold``) from now on; "" asks them all."""
    global _fold
    if spec:
        parse_fold(spec)
    _fold = spec


def in_fold(set_name: str, qid: str) -> bool:
    """Whether the training question is asked under the fold in use (every question when none is)."""
    if not _fold:
        return True
    k, n, without = parse_fold(_fold)
    return (fold_of(set_name, qid, n) == k) != without


def is_train(qid: str) -> bool:
    """An external set's training half: questions whose id hashes even (``benchmarks.external.training_half``)."""
    from benchmarks.external import training_half

    return training_half(qid)


_wider = False


def use_wider(on: bool) -> None:
    """Describe each training question by the passages the product judges it on (``judged_reading``) from now on."""
    global _wider
    _wider = on


def judged_reading(assistant: Any, question: str, found: list) -> list:
    """The passages a training question is described by, of ``found`` (best first): the search's first ``k``; with
    ``use_wider``, the answerer's wider reading of them and the reserve after them (``ExtractiveAnswerer.wider``),
    which is what the product judges whether to answer on (``ExtractiveAnswerer.answer``)."""
    k = assistant.search.k
    passages = found[:k]
    reserve = found[k:k + assistant.answerer.reserve_passages] if _wider else []
    wider = assistant.answerer.wider(question, passages, reserve) if reserve else None
    return wider if wider is not None else passages


def _depth(assistant: Any) -> int:
    """How many passages to search for: the reserve after them too when the wider reading is in use."""
    return assistant.answerer.reserve_passages if _wider else 0


def _ask(assistant: Any, question: str, history: list[str]) -> tuple[str, list, Any]:
    standalone = assistant.rewriter.rewrite(question, [(h, "") for h in history])
    found = assistant.search.search(standalone, k=assistant.search.k + _depth(assistant))
    passages = judged_reading(assistant, standalone, found)
    return standalone, passages, assistant.answerer.scoring(standalone, passages)


def _holds(text: str, facts: list[str], gold: list[str]) -> bool:
    from programme_assistant.evaluation.cases import normalise

    plain = normalise(text)
    return any(normalise(f) in plain for f in facts if f.strip()) or any(
        normalise(g)[:60] in plain for g in gold if g.strip())


def answer_removed(assistant: Any, asked: Asked) -> Asked | None:
    """The same answerable question asked of the documents without the ones that answer it: retrieval goes three
    times as deep, the answering documents are dropped and the usual number of passages is kept. What remains is
    on the question's topic but does not say what it asks (the hardest kind of question to refuse), so it is
    labelled unanswerable, unless a remaining passage still holds a required fact or gold sentence (then
    ``None``)."""
    if not asked.answerable or not asked.allowed_docs:
        return None
    k = assistant.search.k
    passages = judged_reading(assistant, asked.standalone, [
        p for p in assistant.search.search(asked.standalone, k=3 * k + _depth(assistant))
        if p.chunk.doc_id not in asked.allowed_docs])
    if not passages or any(_holds(p.chunk.text, asked.facts, asked.gold_sentences) for p in passages):
        return None
    scoring = assistant.answerer.scoring(asked.standalone, passages)
    return Asked(f"{asked.source}-removed", asked.qid, False, passages, scoring, [], set(), [], asked.standalone)


def held(sentence: str, facts: list[str], gold: list[str]) -> frozenset[int]:
    """The required facts (by index) and gold sentences (by index, after the facts) the sentence holds: a gold
    sentence's beginning in it, or the sentence (of 20 characters or more) part of the gold sentence."""
    from programme_assistant.evaluation.cases import normalise

    plain = normalise(sentence)
    found = {i for i, f in enumerate(facts) if f.strip() and normalise(f) in plain}
    found |= {len(facts) + j for j, g in enumerate(gold)
              if g.strip() and (normalise(g)[:60] in plain or (len(plain) >= 20 and plain in normalise(g)))}
    return frozenset(found)


def _answers(sentence: str, facts: list[str], gold: list[str]) -> bool:
    """The sentence holds a required fact or is (part of) a gold sentence."""
    return bool(held(sentence, facts, gold))


def answer_cut(assistant: Any, asked: Asked) -> Asked | None:
    """The same answerable question asked of its own passages with the sentences that answer it cut out: the
    passages are still the right ones, on the very topic, but no longer say the thing asked for (a name, a date,
    a number the documents never give). Labelled unanswerable; ``None`` when no sentence was cut, or a fact is
    still there (in a sentence the splitter did not separate)."""
    from dataclasses import replace

    from programme_assistant.text.sentences import sentence_spans

    if not asked.answerable or not (asked.facts or asked.gold_sentences) or not asked.passages:
        return None
    cut, changed = [], False
    for p in asked.passages:
        sentences = [p.chunk.text[a:b] for a, b in sentence_spans(p.chunk.text)]
        kept = [s for s in sentences if not _answers(s, asked.facts, asked.gold_sentences)]
        changed = changed or len(kept) < len(sentences)
        if kept:
            cut.append(replace(p, chunk=replace(p.chunk, text="\n".join(kept))))
    if not changed or not cut or any(_holds(p.chunk.text, asked.facts, asked.gold_sentences) for p in cut):
        return None
    scoring = assistant.answerer.scoring(asked.standalone, cut)
    return Asked(f"{asked.source}-cut", asked.qid, False, cut, scoring, [], set(), [], asked.standalone)


def negatives(assistant: Any, asked: Asked, cut: bool = False) -> Iterator[Asked]:
    """The unanswerable training questions made from an answerable one: ``answer_removed``, and with ``cut``
    ``answer_cut``."""
    for make in (answer_removed, answer_cut) if cut else (answer_removed,):
        negative = make(assistant, asked)
        if negative is not None:
            yield negative


@contextmanager
def folder_assistant(settings: Any, corpus_dir: Path) -> Iterator[Any]:
    """An assistant over a fresh index of ``corpus_dir`` (synced), in a temporary folder removed afterwards."""
    from programme_assistant.assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="pa-training-") as tmp:
        assistant = Assistant.from_settings(settings.model_copy(update={"index_dir": Path(tmp) / "index",
                                                                         "corpus_dir": corpus_dir}))
        assistant.sync()
        yield assistant


def folder_questions(settings: Any, corpus_dir: Path, sets: tuple[tuple[str, Path], ...], removed: bool = False,
                     cut: bool = False, keep: Callable[[Any], bool] | None = None) -> Iterator[Asked]:
    """The cases of ``sets`` (a name and a question file each) asked of ``corpus_dir`` through a fresh index of it
    (with ``keep``, the cases it keeps)."""
    from programme_assistant.evaluation.cases import load_golden

    with folder_assistant(settings, corpus_dir) as assistant:
        for name, path in with_paraphrases(sets):
            # a paraphrase falls in its original's fold
            cases = [c for c in load_golden(path)
                     if in_fold(*original_question(name, c.id)) and (keep is None or keep(c))]
            for case in cases:
                standalone, passages, scoring = _ask(assistant, case.question, case.history)
                asked = Asked(name, case.id, case.answerable, passages, scoring, list(case.required_facts),
                              set(case.expected_doc_ids) | set(case.supporting_doc_ids), [], standalone,
                              assistant.answerer)
                yield asked
                if removed:
                    yield from negatives(assistant, asked, cut)
            log(f"{name}: {len(cases)} cases")


def sample_questions(settings: Any, removed: bool = False, cut: bool = False) -> Iterator[Asked]:
    """The training sets (``TRAINING_SETS``) asked of the sample corpus."""
    yield from folder_questions(settings, settings.corpus_dir,
                                tuple((name, ROOT / "evals" / f"{name}.jsonl") for name in TRAINING_SETS), removed, cut)


def outside_questions(settings: Any, removed: bool = False, cut: bool = False) -> Iterator[Asked]:
    """The development sets of the other programmes' folders (``OUTSIDE_TRAINING``), each asked of its folder."""
    for corpus, sets in OUTSIDE_TRAINING:
        yield from folder_questions(settings, ROOT / corpus, tuple((n, ROOT / p) for n, p in sets), removed, cut)


def spent_questions(settings: Any) -> Iterator[Asked]:
    """The spent development sets' questions in English (``SPENT_TRAINING``), each asked of its folder, without
    answer-removed copies: the questions of the kind a new set holds, for the refusal of questions in English."""
    from programme_assistant.text.language import reads_as_english

    for corpus, sets in SPENT_TRAINING:
        yield from folder_questions(settings, ROOT / corpus, tuple((n, ROOT / p) for n, p in sets),
                                    keep=lambda case: reads_as_english(case.question))


def external_questions(settings: Any, data_dir: Path, removed: bool = False,
                       sets: tuple[str, ...] = ("clapnq-dev",), cut: bool = False) -> Iterator[Asked]:
    """The training half (``is_train``) of the questions of the external ``sets`` (ClapNQ dev; PubMedQA-L, whose
    questions are all answerable and have no gold sentences, only for the refusal), over their shared index."""
    from benchmarks import external

    docs, questions = [], []
    for name in external.SETS:
        d, q = external.load_set(data_dir, name)
        docs += d
        questions += q
    cache, bench_settings, _ = external.prepare_corpus(data_dir, docs, settings)
    log(f"ClapNQ/PubMedQA index at {cache} (built on first use: a few minutes)")
    assistant, _ = external.synced_assistant(cache, bench_settings)
    for set_name in sets:
        source = set_name.split("-")[0]
        chosen = [q for q in questions if q.set == set_name and is_train(q.id) and in_fold(source, q.id)]
        for q in chosen:
            standalone, passages, scoring = _ask(assistant, q.question, [])
            asked = Asked(source, q.id, q.answerable, passages, scoring, [],
                          {external.doc_path(external.BenchDocument(q.set, d, "", "")) for d in q.doc_ids},
                          [s for s in q.extra.get("selected_sentences") or [] if s.strip()], standalone,
                          assistant.answerer)
            yield asked
            if removed:
                yield from negatives(assistant, asked, cut)
        log(f"{set_name}: {len(chosen)} training questions")


def training_questions(settings: Any, benchmarks_dir: Path, removed: bool = False,
                       external_sets: tuple[str, ...] = ("clapnq-dev",), cut: bool = False,
                       outside: bool = False) -> Iterator[Asked]:
    """The sample corpus's training sets, with ``outside`` the other folders' development sets
    (``OUTSIDE_TRAINING``), then ClapNQ's training half (when its data is there). ``removed``: each
    answerable question is also asked without its answering documents (``answer_removed``), as an unanswerable
    one; with ``cut`` also of its own passages without the sentences that answer it (``answer_cut``)."""
    yield from sample_questions(settings, removed, cut)
    if outside:
        yield from outside_questions(settings, removed, cut)
    if (benchmarks_dir / "clapnq-dev").is_dir():
        yield from external_questions(settings, benchmarks_dir.resolve(), removed, external_sets, cut)
    else:
        log(f"no ClapNQ data under {benchmarks_dir}: the sample corpus alone")


def add_data_arguments(parser: argparse.ArgumentParser, out: Path) -> None:
    """The options every training script takes: where the benchmark data is, where the model goes."""
    parser.add_argument("--clapnq", type=Path, default=ROOT.parent / "shared" / "benchmarks",
                        help="the folder holding clapnq-dev/ and pubmedqa-l/")
    parser.add_argument("--out", type=Path, default=out)
    parser.add_argument("--paraphrases", action="store_true",
                        help="add each training set's paraphrased copy (evals/paraphrases/, training_data.PARAPHRASES)")


def add_arguments(parser: argparse.ArgumentParser, *, out: Path, c: float, max_wrong: float,
                  max_wrong_help: str) -> None:
    """The options the ranker's and the refusal's training scripts take."""
    add_data_arguments(parser, out)
    parser.add_argument("--max-wrong-refusals", type=float, default=max_wrong, help=max_wrong_help)
    parser.add_argument("--sample-weight", type=float, default=3.0, help="weight of a sample-corpus question")
    parser.add_argument("--C", type=float, default=c, help="inverse regularisation strength")
    parser.add_argument("--features", type=Path, help="keep the extracted training data in this file and reuse "
                        "it on the next run (it takes minutes to compute)")


def training_settings(answer_model: str = "fine-tuned") -> tuple[Any, str]:
    """The settings the training questions are asked with (hand-set scores without the learned correction or the
    answer reader's reordering, no learned refusal; the answerer's statement model ``answer_model``), and the name
    of the embedding model, which the written model records: it applies only with that model."""
    from programme_assistant.assistant import build_embedder
    from programme_assistant.config import Settings
    from programme_assistant.retrieval.embeddings import model_id_of

    settings = Settings(answer_ranker="hand", answer_correction="off", refusal_model="off", answer_model=answer_model,
                        answer_reader="off")
    return settings, model_id_of(build_embedder(settings))


def fold_model(models_dir: Path, k: int) -> Path:
    """Where ``make cross-fit-models`` writes the answer model trained without fold ``k``."""
    return models_dir / f"answer_model_without_fold{k}.npz"


def fold_features(features: Path | None, k: int) -> Path | None:
    """A training script's ``--features`` file for fold ``k`` of a cross-fitted run (``features.fold<k>.<suffix>``)."""
    return features.with_suffix(f".fold{k}{features.suffix}") if features else None


def cross_fitted(models_dir: Path, ask: Callable[[Any, int], list]) -> tuple[list, list[str]]:
    """The training questions asked fold by fold, each through the answer model trained without its fold
    (``fold_model``): ``ask(settings, k)`` asks fold k's questions under those settings. The second stage then
    learns from similarities as the answer model gives them to questions it never read; asked through the model
    trained on them, its training questions' similarities are higher than a new question's (docs/answer-selection.md,
    sessions 27-28). Measured in session 29 with two folds and left out: a model trained on half the questions is not
    the packaged one either. Returns the questions and each fold model's name."""
    from programme_assistant.assistant import build_answer_embedder, build_embedder
    from programme_assistant.retrieval.embeddings import model_id_of

    questions: list = []
    names: list[str] = []
    for k in range(CROSS_FIT_FOLDS):
        model = fold_model(models_dir, k)
        if not model.is_file():
            raise SystemExit(f"{model}: no answer model trained without fold {k} of the training questions; "
                             "make cross-fit-models writes them (about 15 minutes)")
        settings, _ = training_settings()
        settings = settings.model_copy(update={"answer_model_file": model})
        names.append(model_id_of(build_answer_embedder(settings, build_embedder(settings))))
        use_fold(f"{k}/{CROSS_FIT_FOLDS}")
        try:
            asked = ask(settings, k)
        finally:
            use_fold("")
        log(f"fold {k}: {len(asked)} questions through {model.name}")
        questions += asked
    return questions, names


def answer_model_id(settings: Any) -> str:
    """The name of the model the answerer scores statements with under ``settings`` (recorded beside the
    embedding model's: the refusal's features are its similarities)."""
    from programme_assistant.assistant import build_answer_embedder, build_embedder
    from programme_assistant.retrieval.embeddings import model_id_of

    return model_id_of(build_answer_embedder(settings, build_embedder(settings)))


def write_model(model: Any, out: Path, summary: dict[str, Any], weights_label: str, digits: int = 2) -> None:
    """Write a fitted ``LinearRanker`` (ranker, refusal or correction) to ``out`` as JSON, then print ``summary``
    (its cross-validation), its twelve largest weights and where it went."""
    import json

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))
    top = sorted(zip(model.names, model.weights, strict=True), key=lambda t: -abs(t[1]))[:12]
    print(f"largest weights ({weights_label}):", ", ".join(f"{n} {w:+.{digits}f}" for n, w in top))
    print(f"written: {out}")

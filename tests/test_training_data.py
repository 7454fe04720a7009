"""Issue #16: the training data of the learned refusal (scripts/training_data.py): an answerable question asked
without the documents that answer it becomes an unanswerable training question."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from test_answering import passage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from training_data import (  # noqa: E402
    DEFAULT_TRAINING_SETS,
    OUTSIDE_SETS,
    OUTSIDE_TRAINING,
    SPENT_SETS,
    SPENT_TRAINING,
    Asked,
    answer_cut,
    answer_removed,
    from_outside,
    is_train,
    negatives,
)


class FakeSearch:
    k = 2

    def __init__(self, found: list) -> None:
        self.found = found
        self.asked_k: list[int | None] = []
        self.queries: list[str] = []

    def search(self, query: str, k: int | None = None) -> list:
        self.asked_k.append(k)
        self.queries.append(query)
        return self.found[: k or self.k]


def _assistant(found: list) -> SimpleNamespace:
    return SimpleNamespace(rewriter=SimpleNamespace(rewrite=lambda q, history: q), search=FakeSearch(found),
                           answerer=SimpleNamespace(scoring=lambda q, passages: ("scored", [p.chunk.doc_id
                                                                                             for p in passages])))


def _asked(facts: list[str], docs: set[str], answerable: bool = True, gold: list[str] | None = None,
           passages: list | None = None) -> Asked:
    return Asked("golden", "q1", answerable, passages or [], None, facts, docs, gold or [], "the question")


def test_the_answering_documents_are_dropped_and_the_question_becomes_unanswerable():
    found = [passage(1, "Group A visited Aichi.", "answer.md"), passage(2, "The study visit had two groups.", "b.md"),
             passage(3, "Groups travelled by train.", "c.md"), passage(4, "More on groups.", "d.md")]
    assistant = _assistant(found)
    negative = answer_removed(assistant, _asked(["Aichi"], {"answer.md"}))
    assert negative is not None and not negative.answerable and negative.source == "golden-removed"
    assert [p.chunk.doc_id for p in negative.passages] == ["b.md", "c.md"]  # the usual number, from deeper
    assert assistant.search.asked_k == [6]
    assert assistant.search.queries == ["the question"] and negative.standalone == "the question"  # not rewritten
    assert negative.scoring == ("scored", ["b.md", "c.md"])


def test_no_negative_when_another_passage_still_holds_the_answer():
    found = [passage(1, "Group A visited Aichi.", "answer.md"), passage(2, "Aichi welcomed Group A.", "b.md")]
    assert answer_removed(_assistant(found), _asked(["Aichi"], {"answer.md"})) is None
    gold = ["Aichi welcomed Group A on the first day of the visit"]
    found[1] = passage(2, "Intro. Aichi welcomed Group A on the first day of the visit, with a tour.", "b.md")
    assert answer_removed(_assistant(found), _asked([], {"answer.md"}, gold=gold)) is None


def test_no_negative_from_an_unanswerable_question_or_when_nothing_is_left():
    found = [passage(1, "Group A visited Aichi.", "answer.md")]
    assert answer_removed(_assistant(found), _asked([], set(), answerable=False)) is None
    assert answer_removed(_assistant(found), _asked(["Aichi"], {"answer.md"})) is None


def test_the_external_split_is_stable_and_about_half():
    ids = [f"q{i}" for i in range(400)]
    assert [is_train(i) for i in ids] == [is_train(i) for i in ids]
    assert 150 < sum(map(is_train, ids)) < 250


def test_the_sentences_that_answer_are_cut_from_the_passages():
    found = [passage(1, "Webinar no. 3 was on start-ups. It was opened by Ambassador Jean Dupont. Slides followed.",
                     "answer.md"), passage(2, "The webinar series ran in 2023.", "b.md")]
    asked = _asked(["Jean Dupont"], {"answer.md"}, passages=found)
    negative = answer_cut(_assistant([]), asked)
    assert negative is not None and not negative.answerable and negative.source == "golden-cut"
    assert [p.chunk.text for p in negative.passages] == ["Webinar no. 3 was on start-ups.\nSlides followed.",
                                                         "The webinar series ran in 2023."]
    assert negative.scoring == ("scored", ["answer.md", "b.md"])
    assert found[0].chunk.text.startswith("Webinar no. 3 was on start-ups. It was")  # the originals untouched


def test_a_gold_sentence_is_cut_and_nothing_is_made_when_nothing_answers():
    gold = ["The summit was held in Kyoto in 2023."]
    found = [passage(1, "The summit was held in Kyoto in 2023. Delegates came from six regions.", "a.md")]
    negative = answer_cut(_assistant([]), _asked([], {"a.md"}, gold=gold, passages=found))
    assert negative is not None and [p.chunk.text for p in negative.passages] == ["Delegates came from six regions."]
    unrelated = _asked(["Osaka"], {"a.md"}, passages=found)
    assert answer_cut(_assistant([]), unrelated) is None
    assert answer_cut(_assistant([]), _asked([], set(), answerable=False, passages=found)) is None


def test_both_kinds_of_negative_come_from_one_answerable_question():
    found = [passage(1, "Group A visited Aichi. It rained.", "answer.md"), passage(2, "Two groups travelled.", "b.md"),
             passage(3, "Groups went by train.", "c.md")]
    asked = _asked(["Aichi"], {"answer.md"}, passages=found[:2])
    assert [n.source for n in negatives(_assistant(found), asked, cut=True)] == [
        "golden-removed", "golden-cut"]


def test_a_statement_answers_when_it_holds_a_fact_or_gold_sentence_of_an_allowed_document():
    from train_ranker import answering

    def sentence(text: str, doc_id: str = "a.md") -> SimpleNamespace:
        return SimpleNamespace(text=text, doc_id=doc_id)

    scoring = SimpleNamespace(sentences=[sentence("The fee is EUR 40 per delegate."),
                                         sentence("The fee is EUR 40 per delegate.", "other.md"),
                                         sentence("Registration opens in May.")])
    sample = Asked("golden", "q1", True, [], scoring, ["EUR 40"], {"a.md"}, [], "the question")
    assert answering(sample) == [True, False, False]
    assert answering(replace(sample, answerable=False)) == [False, False, False]
    clapnq = Asked("clapnq", "q2", True, [], scoring, [], {"a.md", "other.md"},
                   ["Registration opens in May."], "the question")
    assert answering(clapnq) == [False, False, True]


def test_the_evaluation_sets_are_never_training_sets():
    evals = Path(__file__).resolve().parents[1] / "evals"
    assert all((evals / f"{name}.jsonl").exists() for name in DEFAULT_TRAINING_SETS)
    # held-out 14 onwards and the multilingual sets measure the learned parts: none of them is trained on
    later = {p.stem for p in evals.glob("heldout*.jsonl") if p.stem[7:].isdigit() and int(p.stem[7:]) >= 14}
    assert later and not later & set(DEFAULT_TRAINING_SETS)
    assert not any("multilingual" in name or name == "topic-switch" for name in DEFAULT_TRAINING_SETS)


def test_another_folder_s_training_sets_are_its_development_sets_never_its_last():
    root = Path(__file__).resolve().parents[1]
    for corpus, sets in OUTSIDE_TRAINING:
        assert (root / corpus).is_dir()
        assert all((root / path).is_file() for _, path in sets)
        names = [name for name, _ in sets]
        assert len(set(names)) == len(names) and not set(names) & set(DEFAULT_TRAINING_SETS)
        # the folder's newest set is written for the next change: it is never trained on
        newest = max((root / corpus).parent.glob("questions*.jsonl"), key=lambda p: (len(p.stem), p.stem))
        assert newest.relative_to(root).as_posix() not in {path for _, path in sets}
    # the AIETN, BSDSP and IMUHR folders (evals/outside-b/, outside-d/, outside-e/) measure how the learned parts do
    # on programmes they never saw
    assert not any(name in corpus for corpus, _ in OUTSIDE_TRAINING for name in ("outside-b", "outside-d", "outside-e"))
    # a file of questions asked earlier is read back by source: a set of the other folders, or its removed copies
    first = OUTSIDE_TRAINING[0][1][0][0]
    assert from_outside(first) and from_outside(f"{first}-removed")
    assert not any(from_outside(s) for s in ("golden", "heldout3-removed", "clapnq", "clapnq-removed"))


def test_the_spent_sets_are_development_sets_already_run_and_never_the_unrun_ones():
    """The refusal's spent development sets (``train_refusal.py --spent``) are files of their folders, named once,
    apart from the training sets; the sets written for the next change (``eval_sets.UNRUN``) and the multilingual ones
    are never among them."""
    from eval_sets import UNRUN

    root = Path(__file__).resolve().parents[1]
    names = [name for _, sets in SPENT_TRAINING for name, _ in sets]
    assert len(set(names)) == len(names) == len(SPENT_SETS)
    assert not SPENT_SETS & {*DEFAULT_TRAINING_SETS, *OUTSIDE_SETS, *UNRUN}
    assert not any("multilingual" in name or "japanese" in name for name in names)
    for corpus, sets in SPENT_TRAINING:
        assert (root / corpus).is_dir()
        assert all((root / path).is_file() for _, path in sets)
        # no file is read twice, under two names or as another folder's training set
        paths = [path for _, path in sets]
        assert len(set(paths)) == len(paths)
        assert not set(paths) & {path for _, s in OUTSIDE_TRAINING for _, path in s}
    # a source read back from a features file is a spent set's by its exact name, never by a prefix
    assert "heldout14" in SPENT_SETS and "heldout50" not in SPENT_SETS and not from_outside("heldout14")


def test_cross_fitting_folds_split_the_questions_and_their_complements_are_the_rest():
    """Each training question falls in one fold, stably; "-k/n" asks every fold but k, "k/n" fold k alone, so the
    answer model trained without a fold and the second stage's questions of that fold never overlap."""
    import pytest
    import training_data

    ids = [(s, f"q{i}") for s in ("golden", "heldout3", "clapnq") for i in range(300)]
    folds = [training_data.fold_of(s, q, 2) for s, q in ids]
    assert folds == [training_data.fold_of(s, q, 2) for s, q in ids]  # stable
    assert 0.4 < sum(folds) / len(folds) < 0.6
    try:
        for k in (0, 1):
            training_data.use_fold(f"{k}/2")
            alone = {i for i in ids if training_data.in_fold(*i)}
            training_data.use_fold(f"-{k}/2")
            without = {i for i in ids if training_data.in_fold(*i)}
            assert alone and without and not alone & without and alone | without == set(ids)
        training_data.use_fold("")
        assert all(training_data.in_fold(*i) for i in ids)
        for bad in ("2/2", "0/1", "fold0", "-3/2"):
            with pytest.raises(ValueError, match="expected k/n"):
                training_data.use_fold(bad)
    finally:
        training_data.use_fold("")


def test_cross_fitting_needs_the_fold_models_and_says_how_to_make_them(tmp_path):
    import pytest
    import training_data

    with pytest.raises(SystemExit, match="make cross-fit-models"):
        training_data.cross_fitted(tmp_path, lambda settings, k: [])


def test_a_folder_s_questions_are_asked_of_an_index_of_that_folder(tmp_path, monkeypatch):
    import training_data

    from programme_assistant import assistant as assistant_module
    from programme_assistant.config import Settings

    cases = tmp_path / "questions.jsonl"
    cases.write_text(
        '{"id": "o-1", "category": "single_fact", "question": "Who chairs it?", "reference_answer": "Ann.", '
        '"required_facts": ["Ann"], "expected_doc_ids": ["a.md"], "supporting_doc_ids": [], "history": [], '
        '"language": "en", "notes": ""}\n', encoding="utf-8")
    built: list = []

    def from_settings(settings):
        fake = _assistant([passage(1, "Ann chairs it.", "a.md"), passage(2, "Other text.", "b.md")])
        fake.sync = lambda: built.append(settings)
        return fake

    monkeypatch.setattr(assistant_module.Assistant, "from_settings", staticmethod(from_settings))
    asked = list(training_data.folder_questions(Settings(), tmp_path / "folder", (("other", cases),), removed=True))
    assert [s.corpus_dir for s in built] == [tmp_path / "folder"]
    assert built[0].index_dir != Settings().index_dir  # a fresh index, never the product's own
    # and asked without a.md, whose answer b.md does not hold: an unanswerable copy
    assert [(a.source, a.qid, a.answerable) for a in asked] == [("other", "o-1", True), ("other-removed", "o-1", False)]
    assert asked[0].facts == ["Ann"] and asked[0].allowed_docs == {"a.md"}


def test_a_set_s_paraphrased_copy_is_asked_too_only_when_paraphrases_are_on(tmp_path, monkeypatch):
    import training_data

    from programme_assistant import assistant as assistant_module
    from programme_assistant.config import Settings

    line = ('{{"id": "{id}", "category": "single_fact", "question": "{q}", "reference_answer": "Ann.", '
            '"required_facts": ["Ann"], "expected_doc_ids": ["a.md"], "supporting_doc_ids": [], "history": [], '
            '"language": "en", "notes": ""}}\n')
    cases = tmp_path / "other.jsonl"
    cases.write_text(line.format(id="o-1", q="Who chairs it?"), encoding="utf-8")
    paraphrases = tmp_path / "paraphrases"
    paraphrases.mkdir()
    (paraphrases / "other.jsonl").write_text(line.format(id="o-1-p", q="Whose job is the chair?"), encoding="utf-8")
    monkeypatch.setattr(training_data, "PARAPHRASES", paraphrases)
    asked_questions: list[str] = []

    def from_settings(settings):
        fake = _assistant([passage(1, "Ann chairs it.", "a.md")])
        fake.rewriter = SimpleNamespace(rewrite=lambda q, history: asked_questions.append(q) or q)
        fake.sync = lambda: None
        return fake

    monkeypatch.setattr(assistant_module.Assistant, "from_settings", staticmethod(from_settings))
    sets = (("other", cases), ("nothing-paraphrased", cases))
    try:
        off = [(a.source, a.qid) for a in training_data.folder_questions(Settings(), tmp_path, sets)]
        training_data.use_paraphrases(True)
        on = [(a.source, a.qid) for a in training_data.folder_questions(Settings(), tmp_path, sets)]
    finally:
        training_data.use_paraphrases(False)
    assert off == [("other", "o-1"), ("nothing-paraphrased", "o-1")]
    # a set without a paraphrased copy is asked once
    assert on == [*off, ("other-p", "o-1-p")]
    assert asked_questions[-1] == "Whose job is the chair?"
    # read back from a file, a paraphrase is known by its source, its answer-removed copy too
    assert all(training_data.is_paraphrase(s) for s in ("other-p", "golden-p-removed", "outside2-p-cut"))
    assert not any(training_data.is_paraphrase(s) for s in ("golden", "heldout3-removed", "clapnq", "pubmedqa"))
    # a paraphrase of another folder's set is still that folder's
    assert from_outside(f"{OUTSIDE_TRAINING[0][1][0][0]}-p")
    # and one question with its original, for folds and in-batch negatives
    original = training_data.original_question
    assert original("golden-p", "sf-001-p") == original("golden", "sf-001") == ("golden", "sf-001")


def test_each_paraphrased_training_set_is_its_original_with_only_the_questions_reworded():
    """evals/paraphrases/<set>.jsonl: the training set's cases in the same order, ids "<id>-p", every field but the
    question unchanged, every question reworded; only training sets have one."""
    import json

    import training_data

    root = Path(__file__).resolve().parents[1]
    originals = {name: root / "evals" / f"{name}.jsonl" for name in DEFAULT_TRAINING_SETS}
    originals |= {name: root / path for _, sets in OUTSIDE_TRAINING for name, path in sets}
    files = sorted(training_data.PARAPHRASES.glob("*.jsonl"))
    assert {p.stem for p in files} <= set(originals)
    for path in files:
        original = [json.loads(line) for line in originals[path.stem].read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        copy = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(copy) == len(original), path.name
        for o, p in zip(original, copy, strict=True):
            assert p["id"] == f"{o['id']}-p", path.name
            assert {k: v for k, v in p.items() if k not in ("id", "question")} == \
                {k: v for k, v in o.items() if k not in ("id", "question")}, p["id"]
            assert p["question"].strip().lower() != o["question"].strip().lower(), p["id"]


def test_each_synthetic_training_question_quotes_its_answer_from_a_training_folder():
    """evals/synthetic/<folder>.jsonl (session 35) and evals/synthetic/more/<folder>.jsonl (session 48): questions
    written by helpers from one folder's documents, each with the one sentence that answers it copied from a document
    of that folder (Markdown, text or HTML, whose visible text holds it). Only folders whose question sets are
    trained on (the sample corpus, the DMRCP, the SAWKA): a folder kept for measuring alone (the AIETN, the BSDSP, the
    IMUHR) has none."""
    import html
    import json
    import re

    import training_data

    corpora = training_data.SYNTHETIC_FOLDERS
    root = Path(__file__).resolve().parents[1]
    assert set(corpora.values()) == {root / "corpus", root / "evals" / "outside" / "corpus",
                                     root / "evals" / "outside-c" / "corpus"}
    files = sorted(training_data.SYNTHETIC.glob("*.jsonl"))
    more = sorted(training_data.SYNTHETIC_MORE.glob("*.jsonl"))  # session 48's, read with --more-synthetic
    assert files and more and {p.stem for p in files + more} <= set(corpora)
    # session 50's unanswerable questions (train_answerability_reader.py, checked by its own test)
    unanswerable = sorted((training_data.SYNTHETIC / "unanswerable").glob("*.jsonl"))
    assert {p.stem for p in unanswerable} <= set(corpora)
    # no file the training does not read
    assert set(training_data.SYNTHETIC.rglob("*.jsonl")) == set(files + more + unanswerable)
    files += more

    def plain(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    ids = set()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            assert set(case) == {"id", "question", "answer", "doc"}, case
            assert case["id"] not in ids, case["id"]
            ids.add(case["id"])
            doc = corpora[path.stem] / case["doc"]
            assert doc.suffix in (".md", ".txt", ".html") and doc.is_file(), case["id"]
            text = doc.read_text(encoding="utf-8")
            if doc.suffix == ".html":
                text = html.unescape(re.sub(r"<[^>]+>", " ", text))
            assert plain(case["answer"]) in plain(text), case["id"]
            assert case["question"].strip().endswith("?"), case["id"]


def test_with_the_wider_reading_a_training_question_is_described_by_the_passages_the_product_judges_it_on():
    from training_data import _ask, use_wider

    found = [passage(i, f"Statement {i} about groups.", f"d{i}.md") for i in range(1, 9)]
    assistant = _assistant(found)
    widened: list[tuple[list, list]] = []

    def wider(question, passages, reserve):  # the best reserve passage takes the last slot
        widened.append(([p.chunk.doc_id for p in passages], [p.chunk.doc_id for p in reserve]))
        return [*passages[:-1], reserve[-1]]

    assistant.answerer.reserve_passages = 3
    assistant.answerer.wider = wider
    use_wider(True)
    try:
        standalone, passages, scoring = _ask(assistant, "Which groups?", [])
        assert assistant.search.asked_k == [2 + 3]  # the retrieved passages and the reserve after them
        assert widened == [(["d1.md", "d2.md"], ["d3.md", "d4.md", "d5.md"])]
        assert [p.chunk.doc_id for p in passages] == ["d1.md", "d5.md"] and scoring == ("scored", ["d1.md", "d5.md"])
        asked = Asked("golden", "q1", True, passages, scoring, ["Statement 1"], {"d1.md"}, [], standalone)
        negative = answer_removed(assistant, asked)
        assert assistant.search.asked_k[-1] == 3 * 2 + 3
        assert widened[-1] == (["d2.md", "d3.md"], ["d4.md", "d5.md", "d6.md"])  # without the answering document
        assert [p.chunk.doc_id for p in negative.passages] == ["d2.md", "d6.md"]
    finally:
        use_wider(False)
    assistant.search.asked_k.clear()
    _, passages, _ = _ask(assistant, "Which groups?", [])  # by default, the retrieved passages alone
    assert assistant.search.asked_k == [2] and [p.chunk.doc_id for p in passages] == ["d1.md", "d2.md"]

"""Issue #16: what make train-answerability-reader reads and trains on (scripts/train_answerability_reader.py): the
synthetic unanswerable questions, checked line by line; each asked of its folder becomes a group of statements that
do not answer it, and its twin a group whose near-miss statement answers; the pointwise pairs; and the shipped
questions files hold what the script needs."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import train_answerability_reader as tar  # noqa: E402


def _case(**over) -> dict:
    return {"id": "u-1", "question": "How much did the Osaka visit cost?", "kind": "missing-attribute",
            "near_miss": "The delegation visited Osaka and Oita in November 2022.", "doc": "news/visit.md",
            "twin_question": "When did the delegation go to Osaka?", "why": "no cost given", **over}


def _statement(text: str, doc: str = "news/visit.md", context: str = "") -> SimpleNamespace:
    return SimpleNamespace(text=text, doc_id=doc, context=context)


def test_the_unanswerable_questions_file_is_checked_line_by_line(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps(_case()) + "\n\n" + json.dumps(_case(id="u-2")) + "\n", encoding="utf-8")
    assert [c["id"] for c in tar.read_unanswerable(path)] == ["u-1", "u-2"]  # a blank line is skipped
    path.write_text(json.dumps(_case()) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=rf"{path.name}:2: not JSON"):
        tar.read_unanswerable(path)
    path.write_text(json.dumps(_case(kind="guess")) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r":1: kind 'guess'.*missing-attribute"):
        tar.read_unanswerable(path)
    path.write_text(json.dumps(_case(near_miss=" ")) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r":1: missing near_miss"):
        tar.read_unanswerable(path)


def test_an_unanswerable_question_gives_negatives_and_its_twin_the_near_miss_as_positive():
    statements = [_statement("The trip was planned with care.", context="Visit"),
                  _statement("The delegation visited Osaka and Oita in November 2022."),
                  _statement("The delegation visited Osaka and Oita in November 2022.", doc="news/other.md"),
                  _statement("Lunch was at noon.")]
    asked = []

    def scored(question):
        asked.append(question)
        return statements

    groups = tar.unanswerable_groups(scored, [_case(), _case(id="u-2", twin_question="")], "corpus")
    assert asked == ["How much did the Osaka visit cost?", "When did the delegation go to Osaka?",
                     "How much did the Osaka visit cost?"]
    unanswerable, twin, second = groups
    assert not unanswerable["answerable"] and not unanswerable["positives"]
    assert unanswerable["negatives"][0] == "Visit: The trip was planned with care."  # read under its heading
    assert len(unanswerable["negatives"]) == 4 and unanswerable["source"] == "unanswerable-corpus"
    # the twin: only the near-miss of the named document answers; the same words elsewhere are a negative
    assert twin["answerable"] and twin["qid"] == "u-1-twin" and twin["source"] == "twin-corpus"
    assert twin["positives"] == ["The delegation visited Osaka and Oita in November 2022."]
    assert twin["negatives"] == ["Visit: The trip was planned with care.",
                                 "The delegation visited Osaka and Oita in November 2022.", "Lunch was at noon."]
    assert second["qid"] == "u-2" and not second["answerable"]  # no twin asked
    # a twin whose near-miss is not among the statements is left out
    assert len(tar.unanswerable_groups(lambda q: statements[:1], [_case()], "corpus")) == 1


def test_the_pairs_take_two_positives_of_a_synthetic_question_one_of_a_twin_and_six_negatives_of_an_unanswerable():
    groups = [{"question": "a?", "answerable": True, "positives": ["p1", "p2", "p3"], "negatives": list("nmopq")},
              {"question": "b?", "answerable": True, "kind": "twin", "positives": ["t1", "t2"],
               "negatives": list("nmopq")},
              {"question": "c?", "answerable": False, "positives": [], "negatives": list("abcdefgh")}]
    pairs = tar.training_pairs(groups)
    assert [(q, y) for q, _, y in pairs].count(("a?", 1.0)) == 2 and [(q, y) for q, _, y in pairs].count(
        ("a?", 0.0)) == 3
    assert [s for q, s, y in pairs if q == "b?" and y] == ["t1"]
    assert [s for q, s, _ in pairs if q == "c?"] == list("abcdef")
    with pytest.raises(SystemExit, match="both kinds"):
        tar.train([("q", "s", 0.0)], epochs=1, lr=1e-5, seed=0)


def test_the_shipped_unanswerable_questions_are_well_formed_and_quote_their_documents():
    root = Path(__file__).resolve().parents[1]
    from train_ranker import _tokens

    from programme_assistant.ingest.loaders import loader_for

    files = sorted(tar.UNANSWERABLE.glob("*.jsonl"))
    assert {f.stem for f in files} == {"corpus", "outside", "outside-c"}
    ids: set[str] = set()
    for f in files:
        cases = tar.read_unanswerable(f)
        assert len(cases) >= 100 and {c["kind"] for c in cases} == set(tar.KINDS)
        corpus = root / "corpus" if f.stem == "corpus" else root / "evals" / f.stem / "corpus"
        for c in cases:
            assert c["id"] not in ids and c["question"].rstrip().endswith("?")
            ids.add(c["id"])
            doc = corpus / c["doc"]
            assert doc.is_file(), f"{f.name} {c['id']}: {c['doc']} is not in {corpus}"
            # the near-miss is quoted from its document (compared word for word, as the training matches it)
            text = loader_for(doc)(doc.read_bytes(), c["doc"]).text
            assert _tokens(c["near_miss"]) <= _tokens(text), c["id"]


def _asked(qid: str, answerable: bool, statements: list[SimpleNamespace], gold: list[str]) -> SimpleNamespace:
    return SimpleNamespace(source="clapnq", qid=qid, answerable=answerable, standalone=f"question {qid}?",
                           scoring=SimpleNamespace(sentences=statements), gold_sentences=gold, facts=[],
                           allowed_docs={"wiki/cats.md"})


def test_clapnq_groups_take_the_gold_matching_statements_as_positives_and_leave_out_a_question_without_one():
    gold = "Russian Blues have a double coat with silver tips."
    statements = [_statement("Cats are popular pets.", doc="wiki/cats.md"),
                  _statement(gold, doc="wiki/cats.md", context="Coat"),
                  _statement(gold, doc="wiki/dogs.md"),  # the same words in a document not allowed to answer
                  _statement("Blue cats come from Russia.", doc="wiki/cats.md")]
    groups = tar.clapnq_groups([_asked("a", True, statements, [gold]),
                                _asked("b", True, statements[:1], [gold]),  # its gold sentence is not among them
                                _asked("c", False, statements, [])])
    answerable, unanswerable = groups
    assert answerable["positives"] == [f"Coat: {gold}"] and answerable["source"] == "clapnq"
    assert answerable["negatives"] == ["Cats are popular pets.", gold, "Blue cats come from Russia."]
    assert answerable["question"] == "question a?"  # as asked of the search
    assert unanswerable["source"] == "clapnq-unanswerable" and not unanswerable["positives"]
    assert len(unanswerable["negatives"]) == 4 and not unanswerable["answerable"]
    assert [len(tar.clapnq_groups([_asked("d", False, statements * 3, [])])[0]["negatives"])] == [8]  # the 8 best


def test_without_fold_drops_only_that_folds_clapnq_questions():
    from training_data import fold_of

    groups = [{"source": s, "qid": f"q{i}"} for i in range(40) for s in ("clapnq", "synthetic-corpus")]
    kept = tar.without_fold(groups, 1)
    assert tar.without_fold(groups, None) == groups
    dropped = [g for g in groups if g not in kept]
    assert dropped and all(g["source"] == "clapnq" and fold_of("clapnq", g["qid"], tar.CLAPNQ_FOLDS) == 1
                           for g in dropped)
    assert all(g in kept for g in groups if g["source"] != "clapnq")
    assert tar.without_fold(kept, 0) == [g for g in groups if g["source"] != "clapnq"]


def test_with_clapnq_refuses_kept_groups_collected_without_it(tmp_path):
    pairs = tmp_path / "pairs.json"
    pairs.write_text(json.dumps([{"source": "synthetic-corpus", "qid": "s-1", "question": "q?", "answerable": True,
                                  "positives": ["a"], "negatives": ["b"]}]))
    with pytest.raises(SystemExit, match=rf"--with-clapnq: no ClapNQ question.*{pairs.name}.*another --pairs"):
        tar.main(["--with-clapnq", "--pairs", str(pairs), "--out", str(tmp_path / "r.npz")])
    assert not (tmp_path / "r.npz").exists()
    with pytest.raises(SystemExit):  # argparse's error: a fold of ClapNQ left out of a reader without ClapNQ
        tar.main(["--without-fold", "0", "--pairs", str(pairs)])


def test_layers_of_the_packaged_model_are_refused_with_another_base(tmp_path, capsys):
    # --layers keeps the packaged all-MiniLM-L6-v2's first layers; multilingual-e5-small (--base e5) is read whole
    with pytest.raises(SystemExit):
        tar.main(["--base", "e5", "--layers", "3", "--out", str(tmp_path / "r.npz")])
    assert "--layers" in capsys.readouterr().err and not (tmp_path / "r.npz").exists()

"""scripts/answer_variants.py (the answer stage's experiment tool): which question set a name on its command line means,
and the clear errors for a set or folder that is not there, before any model is loaded."""

from __future__ import annotations

from pathlib import Path

import answer_variants
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_a_set_is_named_in_evals_or_given_as_a_path_for_another_folder():
    assert answer_variants.set_path("heldout14") == ROOT / "evals" / "heldout14.jsonl"
    assert answer_variants.set_path("evals/outside-d/questions7.jsonl") == ROOT / "evals" / "outside-d" / \
        "questions7.jsonl"
    assert answer_variants.set_path("evals/outside-d/questions7.jsonl").is_file()
    assert answer_variants.set_path("/tmp/x/mine.jsonl") == Path("/tmp/x/mine.jsonl")


def test_a_missing_set_or_folder_is_named_with_the_fix(tmp_path):
    with pytest.raises(SystemExit, match="no such question set: .*nowhere.jsonl"):
        answer_variants.main(["base", "--sets", "heldout14,evals/nowhere.jsonl"])
    with pytest.raises(SystemExit, match="--corpus .*not-here: not a folder"):
        answer_variants.main(["base", "--sets", "evals/outside-d/questions7.jsonl", "--corpus",
                              str(tmp_path / "not-here"), "--cache", str(tmp_path / "c.pkl")])


def _case(cid, answerable=True, refused=False, fact_recall=1.0, answer="a", chars=100, cp=1.0):
    return {"id": cid, "answerable": answerable, "refused": refused, "fact_recall": fact_recall, "answer": answer,
            "answer_chars": chars, "citation_precision": cp}


def test_two_dumps_are_compared_case_by_case():
    before = {"h1": [_case("q1", fact_recall=0.5, chars=100), _case("q2", fact_recall=1.0, chars=300),
                     _case("q3", answerable=False, refused=True), _case("q4", refused=True, fact_recall=0.0)],
              "h2": [_case("r1", fact_recall=1.0, chars=200, cp=0.5)]}
    after = {"h1": [_case("q1", fact_recall=1.0, answer="b", chars=50), _case("q2", fact_recall=1.0, chars=300),
                    _case("q3", answerable=False, refused=False, answer="c"), _case("q4", refused=True, fact_recall=0)],
             "h2": [_case("r1", fact_recall=0.0, answer="d", chars=400, cp=0.0)]}
    c = answer_variants.compare_dumps(before, after)
    assert (c["answerable"], c["unanswerable"], c["changed"]) == (4, 1, 3)
    fr = c["fact_recall"]
    assert fr.cases == 4 and fr.delta == pytest.approx((0.5 - 1.0) / 4) and (fr.better, fr.worse) == (1, 1)
    # the answered answerable ones (q4 refused on both sides)
    assert c["before"]["median_chars"] == 200 and c["after"]["median_chars"] == 300
    assert c["before"]["citation_precision"] == pytest.approx(2.5 / 3)
    assert (c["before"]["unanswerable_refused"], c["after"]["unanswerable_refused"]) == (1, 0)
    assert c["before"]["answerable_refused"] == c["after"]["answerable_refused"] == 1


def test_dumps_of_other_cases_or_files_that_are_not_dumps_are_named(tmp_path):
    with pytest.raises(ValueError, match="h1: the dumps hold different cases"):
        answer_variants.compare_dumps({"h1": [_case("q1")]}, {"h1": [_case("q2")]})
    with pytest.raises(ValueError, match="different sets"):
        answer_variants.compare_dumps({"h1": [_case("q1")]}, {"h2": [_case("q1")]})
    dump = tmp_path / "a.json"
    dump.write_text('{"h1": []}')
    with pytest.raises(SystemExit, match="--compare .*missing.json.*give two files written by --dump"):
        answer_variants.main(["--compare", str(dump), str(tmp_path / "missing.json")])
    other = tmp_path / "other.json"  # JSON, but its cases are not case results
    other.write_text('{"h1": [{"id": "q1"}]}')
    with pytest.raises(SystemExit, match="--compare .*other.json.*give two files written by --dump"):
        answer_variants.main(["--compare", str(other), str(other)])
    with pytest.raises(SystemExit):  # neither variants nor --compare
        answer_variants.main([])

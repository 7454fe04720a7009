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

"""Issue #16: the training data of the follow-up judge (scripts/train_followup.py): follow-up turns read with the
turn before, opening questions read after other opening questions, and the folders it never reads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from eval_sets import UNRUN  # noqa: E402
from train_followup import evaluation_folders, lowest_threshold, readings, training_folders  # noqa: E402


def _case(cid: str, question: str, history: list[str], category: str) -> str:
    return json.dumps({"id": cid, "category": category, "question": question, "reference_answer": "An answer.",
                       "required_facts": ["a fact"], "expected_doc_ids": ["news/a.md"], "supporting_doc_ids": [],
                       "history": history, "language": "en", "notes": ""})


def test_follow_up_turns_are_read_with_the_turn_before_and_openings_after_other_openings(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join([
        _case("a-001", "When did the harbour fund open its second call?", [], "single_fact"),
        _case("a-002", "Which cities joined the data portal in 2023?", [], "single_fact"),
        _case("a-003", "Who chairs the steering group of the programme?", [], "onboarding"),
        _case("a-004", "Who chaired it?", ["When was the Riga steering group meeting held?"], "follow_up"),
    ]) + "\n", encoding="utf-8")
    asked = readings((path,), seed=1)
    follow_ups = [a for a in asked if a[2] == 0]
    openings = [a for a in asked if a[2] == 1]
    assert follow_ups == [("Who chaired it?", follow_ups[0][1], 0)]
    assert "riga" in follow_ups[0][1].lower() and follow_ups[0][1].startswith("Who chaired it?")
    assert len(openings) == 3 * 2  # each opening, after two others
    for question, carried, _ in openings:
        assert carried.startswith(question) and carried != question  # the other question's words after it
    # the same seed, the same pairs
    assert readings((path,), seed=1) == asked


def test_the_threshold_reads_at_most_the_share_of_follow_ups_alone():
    labels = np.array([0] * 10 + [1] * 10)
    probabilities = np.array([0.05 * i for i in range(10)] + [0.9] * 10)  # follow-ups 0.00 ... 0.45
    threshold = lowest_threshold(probabilities, labels, max_alone=0.2)
    assert np.mean(probabilities[:10] >= threshold) <= 0.2
    assert np.mean(probabilities[:10] >= threshold - 0.01) > 0.2  # the lowest such threshold


def test_the_judge_never_trains_on_an_unrun_set_nor_on_the_folders_it_is_measured_on():
    trained = {p.resolve() for _, files in training_folders() for p in files}
    measured = {p.resolve() for _, files in evaluation_folders() for p in files}
    assert trained and measured and not trained & measured
    assert all(p.is_file() for p in trained | measured)
    assert not {p.stem for p in trained if p.parent == ROOT / "evals"} & {*UNRUN, "topic-switch"}
    assert not any("outside-b" in str(p) or "outside-d" in str(p) or "outside-e" in str(p) for p in trained)
    # the BSDSP's and the IMUHR's sets written after the judge was fitted are not among those it is measured on
    assert ROOT / "evals" / "outside-e" / "questions6.jsonl" not in measured

"""Issue #16: the answer model's training statements (scripts/train_answer_model.py ``collect``): the statements
holding a required fact are positives, the others the hand-set score ranks highest are hard negatives, and the
hand-set score is the one of the statement model the experiment names (``--negatives-from``)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import train_answer_model  # noqa: E402
import training_data  # noqa: E402
from training_data import Asked  # noqa: E402


def _sentence(text: str, hand: float, context: str = "") -> SimpleNamespace:
    return SimpleNamespace(text=text, doc_id="a.md", context=context, features={"hand": hand})


@pytest.fixture
def one_question(monkeypatch):
    """``collect`` over one golden question, recording the statement model its settings were asked for."""
    models: list[str] = []

    def settings(answer_model: str = "fine-tuned"):
        models.append(answer_model)
        return SimpleNamespace(), "all-MiniLM-L6-v2"

    scoring = SimpleNamespace(sentences=[
        _sentence("The fee is EUR 40 per delegate.", 0.9, context="Fees"),
        _sentence("Registration opens in May.", 0.5),
        _sentence("Fees are set by the helpdesk.", 0.8),
        _sentence("The hotel is near the station.", 0.2)])
    asked = Asked("golden", "q1", True, [], scoring, ["EUR 40"], {"a.md"}, [], "How much is the fee?")
    unanswerable = Asked("golden", "q2", False, [], scoring, [], set(), [], "Who pays?")
    monkeypatch.setattr(training_data, "training_settings", settings)
    monkeypatch.setattr(training_data, "training_questions", lambda s, d: [asked, unanswerable])
    return models


def test_positives_hold_a_fact_and_negatives_are_the_best_scored_others(one_question):
    out = train_answer_model.collect(Path("unused"), negatives=2)
    assert one_question == ["same"]  # by default the packaged model chooses the negatives
    assert len(out) == 1  # an unanswerable question gives no pair
    assert out[0]["question"] == "How much is the fee?"
    assert out[0]["positives"] == ["Fees: The fee is EUR 40 per delegate."]  # read under its heading
    assert out[0]["negatives"] == ["Fees are set by the helpdesk.", "Registration opens in May."]


def test_the_negatives_can_be_mined_by_the_fine_tuned_model(one_question):
    train_answer_model.collect(Path("unused"), mined_by="fine-tuned")
    assert one_question == ["fine-tuned"]

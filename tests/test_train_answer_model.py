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
    monkeypatch.setattr(training_data, "training_questions", lambda s, d, outside=False: [asked, unanswerable])
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


# --- what make train-answer-model ships: the fine-tuning and its change to the weights ------------------------
def _linear_pair():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    base = [SimpleNamespace(auto_model=torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.Linear(4, 2)))]
    tuned = [SimpleNamespace(auto_model=torch.nn.Sequential(torch.nn.Linear(6, 4), torch.nn.Linear(4, 2)))]
    tuned[0].auto_model.load_state_dict(base[0].auto_model.state_dict())
    with torch.no_grad():
        tuned[0].auto_model[0].weight.add_(torch.randn(4, 6) * 0.01)
        tuned[0].auto_model[0].bias.add_(torch.full((4,), 0.003))
    return base, tuned


def test_the_weight_change_round_trips_through_the_file_the_answerer_loads(tmp_path):
    import numpy as np

    from programme_assistant.answering.answer_model import WeightChange

    base, tuned = _linear_pair()
    arrays, errors = train_answer_model.weight_change(base, tuned)
    # only what changed, a matrix as 8-bit rows with their scales, a vector whole
    assert set(arrays) == {"0.weight.q", "0.weight.s", "0.bias"}
    assert arrays["0.weight.q"].dtype == np.int8 and arrays["0.bias"].dtype == np.float16
    assert 0 < errors["0.weight"] < 0.01  # rounding to 8 bits loses under 1% of the change
    meta = np.frombuffer(b'{"base_model": "tiny"}', dtype=np.uint8)
    np.savez_compressed(tmp_path / "change.npz", __meta__=meta, **arrays)
    WeightChange.load(tmp_path / "change.npz").apply(base)
    for (name, p), (_, t) in zip(base[0].auto_model.named_parameters(), tuned[0].auto_model.named_parameters(),
                                 strict=True):
        assert np.allclose(p.detach().numpy(), t.detach().numpy(), atol=1e-4), name


@pytest.mark.slow
def test_fine_tuning_brings_a_question_closer_to_the_statement_that_answers_it():
    import numpy as np

    question = "How much is the delegate fee for the study visit?"
    answer, about = "Each delegate pays EUR 40.", "The fee for the study visit was discussed at length."
    questions = [{"question": question, "positives": [answer], "negatives": [about]}] * 8
    base, tuned = train_answer_model.fine_tune(questions, epochs=3, lr=1e-4, batch=4, per_triple=1)

    def margin(model) -> float:
        q, a, b = model.encode([question, answer, about], normalize_embeddings=True)
        return float(q @ a - q @ b)

    assert margin(tuned) > margin(base)
    # the word embeddings stay frozen: only the transformer's layers move
    frozen = dict(base[0].auto_model.embeddings.named_parameters())
    for name, p in tuned[0].auto_model.embeddings.named_parameters():
        assert np.array_equal(p.detach().numpy(), frozen[name].detach().numpy()), name

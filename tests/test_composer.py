"""Issue #16: the learned composer (answering/composer.py) decides which statements join the best one in an
extractive answer; the answerer offers them in its order and keeps its own limits and checks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make_extractive_config
from test_answering import BagOfWordsEmbedding, passage

from programme_assistant.answering.composer import JOIN_FEATURES, WINDOW, join_features, learned_gate, load_composer
from programme_assistant.answering.extractive import ExtractiveAnswerer, ScoredSentence
from programme_assistant.answering.ranker import LinearRanker
from programme_assistant.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_composer import Composing, figures, objective, offers  # noqa: E402
from training_data import held  # noqa: E402

PASSAGES = [passage(1, "The delegation visited three prefectures in November. Aichi, Osaka and Oita hosted it. "
                       "The weather was cold."),
            passage(2, "The prefectures the delegation visited were chosen by the helpdesk in 2021."),
            passage(3, "Catering was provided by a local company during the plenary meeting.")]
QUESTION = "Which prefectures did the delegation visit?"


def _answerer(**config) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0, **config))


def test_a_gate_is_offered_the_next_statement_of_the_paragraph_then_the_best_others_in_order():
    answerer = _answerer()
    scoring = answerer.scoring(QUESTION, PASSAGES)
    best = scoring.sentences[0]
    offered = []

    def refuse_all(s, chosen, rank, continues):
        offered.append((s, [c.text for c in chosen], rank, continues))
        return False

    chosen = answerer.statements(QUESTION, scoring, PASSAGES, refuse_all)
    assert chosen == [best]  # nothing joins a gate that refuses all
    following = [s for s in scoring.sentences if (s.passage, s.block, s.order) == (best.passage, best.block,
                                                                                   best.order + 1)]
    if following:  # the statement after the best in its paragraph is offered first, as its continuation
        assert offered[0][0] == following[0] and offered[0][3] is True
    others = [o for o in offered if not o[3]]
    assert [rank for _, _, rank, _ in others] == sorted(rank for _, _, rank, _ in others)  # in score order
    assert all(1 <= rank <= WINDOW for _, _, rank, _ in others)
    assert all(texts == [best.text] for _, texts, _, _ in offered)  # each was offered to the answer so far
    # a gate that takes all of them: the answer grows, within the answerer's own limit
    taken = answerer.statements(QUESTION, scoring, PASSAGES, lambda s, chosen, rank, continues: True)
    assert taken[0] == best and 1 < len(taken) <= answerer.config.max_sentences


def test_without_a_composer_the_score_ratios_decide_as_before():
    answerer = _answerer(keep_ratio=1.0, continuation_ratio=1.0)
    scoring = answerer.scoring(QUESTION, PASSAGES)
    assert answerer.gate(scoring) == answerer._ratio_gate
    assert answerer.statements(QUESTION, scoring, PASSAGES) == scoring.sentences[:1]
    loose = _answerer(keep_ratio=0.01, continuation_ratio=0.01, other_document_ratio=0.01)
    assert len(loose.statements(QUESTION, loose.scoring(QUESTION, PASSAGES), PASSAGES)) > 1


def _new_words_join(threshold: float = 0.5) -> LinearRanker:
    """A composer that joins a statement holding question words the answer lacks (``new_cover``) and nothing else."""
    weights = np.array([40.0 if n == "new_cover" else 0.0 for n in JOIN_FEATURES])
    return LinearRanker(JOIN_FEATURES, weights, -2.0, np.zeros(len(JOIN_FEATURES)), np.ones(len(JOIN_FEATURES)),
                        threshold, {})


def test_the_learned_composer_joins_what_its_weights_favour():
    ps = [passage(1, "The call for proposals opened in March."),
          passage(2, "The call for proposals was published by the secretariat. The budget was 2 million euros.")]
    question = "When did the call for proposals open and what was its budget?"
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                  composer=_new_words_join())
    scoring = answerer.scoring(question, ps)
    chosen = answerer.statements(question, scoring, ps)
    texts = " ".join(s.text for s in chosen)
    assert "March" in texts and "2 million" in texts  # each adds words of the question the other lacks
    assert "published by the secretariat" not in texts  # it adds none
    answer = answerer.answer(question, ps)
    assert "2 million" in answer.text and "published" not in answer.text
    # a threshold no statement reaches: the best one alone
    strict = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                composer=_new_words_join(threshold=1.01))
    assert strict.statements(question, strict.scoring(question, ps), ps) == scoring.sentences[:1]


def _s(text: str, passage_no: int, order: int, score: float, matched: set[str], doc: str = "", kind: str = "sentence",
       signal: float = 0.5) -> ScoredSentence:
    return ScoredSentence(passage_no, doc or f"d{passage_no}.md", text, 0.5, 0.4, score, kind, 0, signal, "", order,
                          {"new_share": 0.6, "expects_date": 1.0}, frozenset(matched))


def test_the_features_describe_the_offer_beside_the_answer_so_far():
    best = _s("The call opened:", 1, 0, 0.8, {"call", "open"})
    weights = {"call": 1.0, "open": 1.0, "budget": 2.0}
    nxt = _s("The budget was 2 million euros.", 1, 1, 0.4, {"budget"})
    row = join_features(nxt, [best], 3, True, weights, differs=False)
    assert set(row) == set(JOIN_FEATURES)
    assert row["continues"] == 1.0 and row["same_passage"] == 1.0 and row["after_best"] == 1.0
    assert row["ratio"] == pytest.approx(0.5) and row["gap"] == pytest.approx(0.4)
    assert row["new_cover"] == pytest.approx(0.5) and row["held_cover"] == pytest.approx(0.5)
    assert row["best_ends_colon"] == 1.0 and row["expects_date"] == 1.0 and row["answer_count"] == 1.0
    elsewhere = _s("The call opened in March.", 2, 4, 0.7, {"call", "open"}, kind="row")
    row = join_features(elsewhere, [best, nxt], 1, False, weights, differs=True)
    assert row["continues"] == 0.0 and row["same_doc"] == 0.0 and row["order_gap"] == 1.0
    assert row["new_cover"] == 0.0 and row["held_cover"] == pytest.approx(1.0)  # the answer holds every word now
    assert row["differs"] == 1.0 and row["kind_row"] == 1.0 and row["answer_count"] == 2.0
    gate = learned_gate(_new_words_join(), weights, lambda s, chosen: False)
    assert gate(nxt, [best], 3, True) and not gate(elsewhere, [best, nxt], 1, False)


def test_a_composer_file_is_checked_and_named(tmp_path):
    bad = tmp_path / "composer.json"
    model = _new_words_join().to_json()
    model["features"][0] = "not_a_feature"
    bad.write_text(json.dumps(model))
    with pytest.raises(ConfigError) as err:
        load_composer(bad)
    assert "not_a_feature" in str(err.value) and "train-composer" in err.value.fix
    with pytest.raises(ConfigError):
        load_composer(tmp_path / "missing.json")


def test_the_packaged_composer_loads_and_applies_only_with_the_models_it_was_fitted_with(fake_embedder):
    from programme_assistant.assistant import build_composer
    from programme_assistant.config import Settings

    model = load_composer()
    assert set(model.names) == set(JOIN_FEATURES) and 0.0 < model.threshold < 1.0
    meta = model.meta

    class SameName(BagOfWordsEmbedding):
        model_id = meta["embedding_model"]

    class SameAnswerModel(BagOfWordsEmbedding):
        model_id = meta["answer_model"]

    assert build_composer(Settings(composer="learned"), SameName(), SameAnswerModel()) is not None
    assert build_composer(Settings(), SameName(), SameAnswerModel()) is None  # off by default: measured worse
    assert build_composer(Settings(composer="learned"), fake_embedder) is None  # other similarities
    assert build_composer(Settings(composer="learned", retrieval_mode="bm25"), SameName(), SameAnswerModel()) is None


# --- the training script (scripts/train_composer.py) ---------------------------------------------------------------
def test_an_offer_is_labelled_by_whether_it_adds_a_fact_the_answer_lacks():
    scored = [_s("The call opened in March.", 1, 0, 0.9, {"call"}),
              _s("It opened on 3 March in Brussels.", 1, 1, 0.8, {"call"}),
              _s("The budget was 2 million euros.", 2, 0, 0.7, {"budget"}),
              _s("The secretariat published it.", 3, 0, 0.6, set())]
    item = Composing("golden", "q1", scored, [], None, {"call": 1.0, "budget": 1.0}, ["in March", "2 million euros"],
                     [])
    assert held("The budget was 2 million EUROS.", item.facts, item.gold) == {1}
    assert held("Nothing here.", item.facts, ["a gold sentence about the visit"]) == frozenset()
    assert held("A gold sentence about the visit, in full.", [], ["a gold sentence about the visit"]) == {0}
    rows, labels = offers(_answerer(), item)
    # the second statement repeats the fact the first holds: no; the budget adds one: yes; the last holds none
    assert labels == [0, 1, 0] and len(rows) == 3
    assert rows[0]["continues"] == 1.0 and rows[1]["continues"] == 0.0
    assert rows[2]["answer_count"] == 2.0  # teacher forcing: the budget statement joined before the last was offered
    recall, precision, chars = figures(item, [scored[0], scored[2], scored[3]])
    assert recall == 1.0 and precision == pytest.approx(2 / 3) and chars == sum(len(s.text) for s in
                                                                                [scored[0], scored[2], scored[3]])
    # a fact counts twice what a point of precision does
    assert objective({"fact_recall": 0.9, "precision": 0.6}) > objective({"fact_recall": 0.8, "precision": 0.7})

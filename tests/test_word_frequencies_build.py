"""How common a word is in general language is generated from wordfreq's lists (scripts/build_word_frequencies.py),
not written by hand; a word no passage holds is weighed by it. These tests run the generator on small lists, check
the shipped table is read, and that an absent everyday word weighs less than an absent rare one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import build_word_frequencies  # noqa: E402

from programme_assistant.retrieval.lexical import Vocabulary, bm25_idf  # noqa: E402
from programme_assistant.text.frequencies import expected_passages, general_frequency  # noqa: E402
from programme_assistant.text.tokens import Tokenizer  # noqa: E402

LISTS = {  # most common first, as wordfreq gives them
    "en": [("the", 5e-2), ("stuff", 1e-4), ("visits", 4e-5), ("visit", 6e-5), ("forklifts", 2e-7)],
    "es": [("de", 6e-2), ("visita", 9e-5), ("stuff", 1e-6)],
}


def _top_n_list(lang, n):
    return [w for w, _ in LISTS[lang]][:n]


def _word_frequency(word, lang):
    return dict(LISTS[lang]).get(word, 0.0)


def test_a_stem_sums_its_words_and_takes_the_highest_language():
    stems = build_word_frequencies.stem_frequencies(Tokenizer(), ("en", "es"), min_frequency=1e-6,
                                                    top_n_list=_top_n_list, word_frequency=_word_frequency)
    assert stems["visit"] == pytest.approx(1e-4)  # "visits" + "visit" in English; Spanish "visita" is its own
    assert stems["visita"] == pytest.approx(9e-5)
    assert stems["stuff"] == pytest.approx(1e-4)  # the higher of English and Spanish
    assert "forklift" not in stems  # rarer than the floor: the lists are read down to it
    assert "the" not in stems and "de" not in stems  # stop words give no token
    share = build_word_frequencies.content_share(Tokenizer(), _top_n_list, _word_frequency)
    assert share == pytest.approx(2.002e-4 / (5e-2 + 2.002e-4))  # of English running words


def test_an_absent_everyday_word_weighs_less_than_an_absent_rare_one():
    assert general_frequency("stuff") > general_frequency("forklift") >= 0.0  # the shipped table
    assert general_frequency("zqxwvy") == 0.0
    vocabulary = Vocabulary({"hydrogen": 3}, 300, 90.0)
    stuff, forklift, unknown = (vocabulary.idf(t) for t in ("stuff", "forklift", "zqxwvy"))
    assert unknown == bm25_idf(0, 300)  # a word general language hardly uses: the highest weight, as before
    assert stuff < forklift <= unknown
    assert stuff == pytest.approx(bm25_idf(expected_passages("stuff", 300, 90.0), 300))
    assert vocabulary.idf("hydrogen") == bm25_idf(3, 300)  # a word the passages hold: their own count
    assert expected_passages("stuff", 0, 90.0) == 0.0

"""How common a word is in general language: what a word the documents never use is weighed by.

BM25's inverse document frequency gives a word no passage holds the highest weight there is. That is right for a
rare word ("forklifts": the documents would hold it if they spoke of it) and wrong for an everyday one ("stuff",
"president": its absence says little about whether the documents answer). ``expected_passages`` is how many of
the index's passages would hold a word if the documents used it as often as the language does, from the table
``make word-frequencies`` generates (``scripts/build_word_frequencies.py``, wordfreq's lists for English,
Spanish, Italian, Catalan and French); ``retrieval.lexical.Vocabulary.idf`` weighs an absent word by it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources

FREQUENCIES_FILE = "word_frequencies.tsv"


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, float], float]:
    text = resources.files("programme_assistant.text").joinpath("data", FREQUENCIES_FILE).read_text(encoding="utf-8")
    zipf: dict[str, float] = {}
    share = 1.0
    for line in text.splitlines():
        if line.startswith("# content_share\t"):
            share = float(line.split("\t")[1])
        elif line and not line.startswith("#"):
            stem, value = line.split("\t")
            zipf[stem] = float(value)
    return zipf, share


def general_frequency(stem: str) -> float:
    """How often a word with this stem comes in general language, per running word (0 for a rare one)."""
    zipf = _table()[0].get(stem)
    return 10 ** (zipf - 9) if zipf is not None else 0.0


def expected_passages(stem: str, passages: int, average_length: float) -> float:
    """How many of ``passages`` passages of ``average_length`` tokens (content words) would hold a word with this
    stem at least once if they used it as often as general language does."""
    if passages <= 0 or average_length <= 0:
        return 0.0
    running_words = average_length / _table()[1]
    return passages * (1.0 - math.exp(-general_frequency(stem) * running_words))

"""The tokens BM25 indexes and the answerer weighs: folded, stop-worded, stemmed words."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources

from programme_assistant.text.sentences import CACHED_TEXT_CHARS, STOPWORDS, fold, join_labels, label_head

_TOKEN = re.compile(r"\w\w+", re.UNICODE)
VERB_FORMS_FILE = "verb_forms.tsv"
# Raised when the tokenizer's code makes other tokens of the same text (2: a function word and a capital letter,
# "When I", are no label), so that an index of tokens made the old way is rebuilt.
TOKENIZER_VERSION = 2


@lru_cache(maxsize=1)
def _verb_forms_text() -> str:
    return resources.files("programme_assistant.text").joinpath("data", VERB_FORMS_FILE).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def verb_forms() -> dict[str, str]:
    """Irregular English verb forms -> their base verb ("went" -> "go", "met" -> "meet"), generated from WordNet
    by ``make verb-forms`` (scripts/build_verb_forms.py says which forms are kept)."""
    out = {}
    for line in _verb_forms_text().splitlines():
        if line and not line.startswith("#"):
            form, base = line.split("\t")
            out[form] = base
    return out


@lru_cache(maxsize=1)
def tokens_digest() -> str:
    """A short digest of the tokenizer's version and what it reads besides its code (the verb forms): an index of
    tokens records it, so that another table or version rebuilds the index instead of searching tokens made another
    way."""
    return hashlib.sha256(f"{TOKENIZER_VERSION}\n{_verb_forms_text()}".encode()).hexdigest()[:16]


class Tokenizer:
    """Folded, stop-worded, stemmed tokens. The English stemmer is applied to every language: it only trims
    English suffixes, which leaves names and most Romance words whole. An irregular verb form is read as its base
    verb first ("went" -> "go", ``verb_forms``): the stemmer alone would never make "go" of "went"."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")
        self._forms = verb_forms()
        # a statement's tokens are kept: the answerer reads the same candidates for every question about them
        self._kept = lru_cache(maxsize=16384)(self._stem)

    def words(self, text: str) -> list[str]:
        return [w for w in _TOKEN.findall(fold(join_labels(text))) if w not in STOPWORDS]

    def __call__(self, text: str) -> list[str]:
        """Stems; a label ("group_b") also yields its head word ("group"), so "the first session" still meets
        "Session 1" while "Group B" and "Group A" stay apart."""
        return list(self._kept(text) if len(text) <= CACHED_TEXT_CHARS else self._stem(text))

    def _stem(self, text: str) -> tuple[str, ...]:
        words = [self._forms.get(w, w) for w in self.words(text)]
        heads = [head for w in words if (head := label_head(w))]
        return tuple(self._stemmer.stemWords(words + heads if heads else words))

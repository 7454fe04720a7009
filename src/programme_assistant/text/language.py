"""Which language a text is in, and an English gloss for questions and passages in another language.

``detect_language`` is the one language identifier: the loaders tag each document with it, the feedback
store tags each vote, and the gloss below uses it restricted to the lexicon's languages.

The embedding model (all-MiniLM-L6-v2) is English-only, so a Spanish question lands far from the English
passage that answers it, and BM25 finds no shared words except names. When a question is in one of the
languages of the lexicon (``data/crosslingual_lexicon.tsv``: eighteen languages, Spanish, Italian, Catalan,
French, Portuguese, German, Dutch, Polish, Swedish, Danish, Finnish, Czech, Hungarian, Greek, Lithuanian, Croatian,
Slovenian and Japanese; generated from published dictionaries by ``scripts/build_lexicon.py``, an empty entry
marking a function word), it gets an English gloss, word by word: "¿Dónde y cuándo tuvo lugar la cuarta reunión
de intercambio?" -> "where when place fourth meeting exchange". Names, numbers and acronyms pass through as they
are. The gloss is crude, but it is what the English model and the English documents can meet; retrieval searches
with both the question and its gloss, and the extractive answerer scores sentences against both.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources

from programme_assistant.text.sentences import STOPWORDS, fold

LEXICON_FILE = "crosslingual_lexicon.tsv"
# How inflected forms end where their lemma ends otherwise, learned per language (``scripts/build_lexicon.py``):
# a word the lexicon lacks is read as a form they make that it has ("Präfekturen" -> "präfektur").
ENDINGS_FILE = "word_endings.tsv"
# How frequent each word of a language written without spaces is: what its text is split into words by.
WORD_COSTS_FILE = "word_frequencies_unspaced.tsv"
# what a letter that starts no known word costs, on the Zipf scale (a word seen once in a billion is 0)
UNKNOWN_LETTER_ZIPF = -3.0
# The languages that write a compound as one word: one the lexicon lacks is read as two words it has
# ("Austauschtreffen" -> "austausch" + "treffen"), each part at least MIN_PART letters (``make lexicon`` reads the
# dictionaries' compounds so too).
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "fi", "hu"})
MIN_PART = 3
# The languages written without spaces between words: a run of their letters is split into words by their
# frequencies (``segment``), up to MAX_WORD_CHARS letters each ("代表団はいつ京都を訪問しましたか" -> 代表 / 団 / は /
# いつ / 京都 / ...).
UNSPACED = frozenset({"ja"})
MAX_WORD_CHARS = 8
# their letters, as a regular expression's character range: kana and CJK ideographs
UNSPACED_LETTERS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_LETTER = re.compile(f"[{UNSPACED_LETTERS}]")
_UNSPACED_RUN = re.compile(f"[{UNSPACED_LETTERS}]+|[^{UNSPACED_LETTERS}]+")
# Below this language-identification probability a question is taken to be English: short questions
# ("And Oita's?") are too short to tell, and leaving them alone costs nothing.
MIN_LANGUAGE_PROBABILITY = 0.6
# A question reads as written in another language than English (``reads_as_english``) when language identification
# over every language py3langid knows gives one other than English at least this probability. On the sample
# corpus's question sets (session 55): 287 of the 288 questions written in another language, and 2 of the 2,822
# English ones.
OTHER_LANGUAGE_PROBABILITY = 0.5
_WORD = re.compile(r"[^\W_][\w-]*", re.UNICODE)
MAX_PHRASE = 3


def _data_text(name: str) -> str:
    return resources.files("programme_assistant.text").joinpath("data", name).read_text(encoding="utf-8")


def _lexicon_text() -> str:
    return _data_text(LEXICON_FILE)


@lru_cache(maxsize=1)
def lexicon_digest() -> str:
    """A short digest of the lexicon, its word endings and word frequencies: what an index holding glosses
    records, so that another lexicon (a new release, ``make lexicon``) rebuilds the glosses instead of searching
    stale ones."""
    texts = _lexicon_text() + _data_text(ENDINGS_FILE) + _data_text(WORD_COSTS_FILE)
    return hashlib.sha256(texts.encode("utf-8")).hexdigest()[:16]


class Lexicon(Mapping[str, dict[str, str]]):
    """language -> {folded word or phrase: English}, each language's entries read from ``text`` (the lexicon file:
    its lines grouped by language) the first time they are asked for: a folder asked only in English and Spanish
    never holds the other languages' entries."""

    def __init__(self, text: str) -> None:
        self._blocks: dict[str, str] = {}
        start = 0
        while start < len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
            line = text[start:end]
            if line.strip() and not line.startswith("#"):
                lang = line.split("\t", 1)[0]
                last = text.rfind(f"\n{lang}\t")  # the language's lines are together: its block ends at its last
                stop = text.find("\n", last + 1)
                stop = len(text) if stop < 0 else stop
                self._blocks[lang] = text[start:stop]
                end = stop
            start = end + 1
        self._read: dict[str, dict[str, str]] = {}

    def __getitem__(self, lang: str) -> dict[str, str]:
        if lang not in self._read:
            block = self._blocks[lang]  # KeyError for a language without entries, as a dict's
            entries: dict[str, str] = {}
            for line in block.splitlines():
                _lang, source, english = line.split("\t")
                entries[source] = english
            self._read[lang] = entries
        return self._read[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """language -> {folded word or phrase: English} (``Lexicon``: each language read when first asked for)."""
    return Lexicon(_lexicon_text())


@lru_cache(maxsize=1)
def endings() -> dict[str, list[tuple[str, str]]]:
    """language -> its (ending, the lemma's ending) rules, the most frequent first."""
    out: dict[str, list[tuple[str, str]]] = {}
    for line in _data_text(ENDINGS_FILE).splitlines():
        if line.strip() and not line.startswith("#"):
            lang, ending, replacement, _count = line.split("\t")
            out.setdefault(lang, []).append((ending, replacement))
    return out


def _by_ending(word: str, words: dict[str, str], rules: list[tuple[str, str]]) -> str | None:
    """The entry of the first form the ending rules make of ``word`` that the lexicon has (None when none)."""
    for ending, replacement in rules:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PART:
            form = word[: len(word) - len(ending)] + replacement
            if form in words:
                return words[form]
    return None


def read_unknown(word: str, lang: str) -> str | None:
    """The English of a folded word the lexicon of ``lang`` lacks: a form its endings make ("prafekturen" ->
    "prefecture"), else, in a compounding language, its two parts' at the shortest first part both read
    ("austauschtreffen" -> "exchange meeting"); None when neither. "" marks a function word (dropped)."""
    words, rules = lexicon().get(lang, {}), endings().get(lang, [])
    found = _by_ending(word, words, rules)
    if found is not None or lang not in COMPOUNDING:
        return found
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:i], word[i:]
        tail_english = words.get(tail) or _by_ending(tail, words, rules)
        head_english = tail_english and (words.get(head) or _by_ending(head, words, rules))
        if tail_english and head_english:
            return f"{head_english} {tail_english}"
    return None


def _new_identifier():  # type: ignore[no-untyped-def]
    """py3langid's identifier over every language it knows, with probabilities (each caller its own instance:
    ``set_languages`` changes the one it is called on)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    identifier = _new_identifier()
    identifier.set_languages(["en", *sorted(lexicon())])
    return identifier


# A document shorter than this is too short to identify: it is taken to be English.
MIN_DOCUMENT_CHARS = 20
# Language identification reads at most this many characters of a document (the opening says enough).
MAX_DOCUMENT_CHARS = 3000


@lru_cache(maxsize=1)
def _any_language_identifier():  # type: ignore[no-untyped-def]
    return _new_identifier()


def reads_as_english(text: str) -> bool:
    """Whether ``text`` (a question) reads as English: unless py3langid, over every language it knows, names another
    with at least ``OTHER_LANGUAGE_PROBABILITY``. Unlike ``detect_language(among_lexicon=True)`` it tells German or
    Japanese from English too; a short question it cannot place reads as English."""
    lang, probability = _any_language_identifier().classify(text)
    return lang == "en" or probability < OTHER_LANGUAGE_PROBABILITY


def detect_language(text: str, *, among_lexicon: bool = False) -> str:
    """The language code of ``text`` (py3langid).

    Without ``among_lexicon``: any language py3langid knows, from the first ``MAX_DOCUMENT_CHARS`` characters
    ("en" for a text under ``MIN_DOCUMENT_CHARS``): how documents and votes are tagged. With it: "en" or one of
    the lexicon's languages, English when the probability is under ``MIN_LANGUAGE_PROBABILITY``: how a question
    is read, where a wrong guess would gloss an English question."""
    if among_lexicon:
        lang, probability = _identifier().classify(text)
        return str(lang) if probability >= MIN_LANGUAGE_PROBABILITY else "en"
    import py3langid

    sample = " ".join(text.split())[:MAX_DOCUMENT_CHARS]
    if len(sample) < MIN_DOCUMENT_CHARS:
        return "en"
    lang, _score = py3langid.classify(sample)
    return str(lang)


@lru_cache(maxsize=1)
def word_frequencies() -> dict[str, dict[str, float]]:
    """language -> {folded word: its Zipf frequency}, for the languages written without spaces (``make lexicon``)."""
    out: dict[str, dict[str, float]] = {}
    for line in _data_text(WORD_COSTS_FILE).splitlines():
        if line.strip() and not line.startswith("#"):
            lang, word, zipf = line.split("\t")
            out.setdefault(lang, {})[word] = float(zipf)
    return out


def segment(token: str, frequencies: Mapping[str, float]) -> list[str]:
    """A run of letters of a language written without spaces, split into words: of all the splits into words of
    ``frequencies`` (each at most MAX_WORD_CHARS letters), the most probable, each word as likely as its frequency
    (a unigram model, the way a morphological analyser's simplest form splits Japanese: "はいつ" is は + いつ, not
    はい + つ). A letter that starts no word is a piece of its own, and such pieces next to each other join (a
    name the list lacks)."""
    n = len(token)
    best = [0.0] + [float("-inf")] * n  # best[i]: the log-probability of the best split of token[:i]
    back = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_WORD_CHARS), end):
            zipf = frequencies.get(fold(token[start:end]))
            if zipf is None and end - start == 1:
                zipf = UNKNOWN_LETTER_ZIPF
            if zipf is not None and best[start] + zipf - 9.0 > best[end]:
                best[end], back[end] = best[start] + zipf - 9.0, start
    pieces: list[str] = []
    end = n
    while end > 0:
        pieces.append(token[back[end]:end])
        end = back[end]
    pieces.reverse()
    out: list[str] = []
    # the last piece is made of unknown letters (a known word may be made of letters each unknown)
    after_unknown = False
    for piece in pieces:  # unknown letters next to each other: one piece
        unknown = len(piece) == 1 and fold(piece) not in frequencies
        if unknown and after_unknown:
            out[-1] += piece
        else:
            out.append(piece)
        after_unknown = unknown
    return out


def gloss(text: str, lang: str) -> str:
    """Word-by-word English for ``text`` in ``lang``: phrases first, names and numbers kept, untranslated
    function words dropped."""
    words = lexicon().get(lang, {})
    tokens = _WORD.findall(text.replace("'", " ").replace("’", " "))
    if lang in UNSPACED:
        frequencies = word_frequencies().get(lang, {})
        # a run of its letters is split into words; a run of others ("R2R" in "R2Rの予算") stays whole
        tokens = [p for t in tokens for run in _UNSPACED_RUN.findall(t)
                  for p in (segment(run, frequencies) if _UNSPACED_LETTER.match(run) else [run])]
    folded = [fold(t) for t in tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase = " ".join(folded[i:i + n])
            if phrase in words:
                if words[phrase]:  # an empty entry: a function word, dropped
                    out.append(words[phrase])
                i += n
                break
        else:
            token = tokens[i]
            if "-" in token and token.islower():  # "dispose-t-il": the pieces, each looked up
                out.extend(words.get(p, p) for p in fold(token).split("-")
                           if len(p) > 1 and (words.get(p) or (p not in words and p not in STOPWORDS)))
            elif folded[i] not in STOPWORDS and len(folded[i]) > 1:
                english = read_unknown(folded[i], lang) if lang in endings() else None
                if english != "":
                    out.append(english or token)
            i += 1
    return " ".join(out)


def english_gloss(text: str, lang: str) -> str:
    """The English gloss of ``text`` when ``lang`` is a lexicon language; "" for English and for languages
    without a lexicon (nothing to gloss)."""
    return gloss(text, lang) if lang in lexicon() else ""


def to_english(question: str) -> str | None:
    """The English gloss of a question asked in a lexicon language; None for English (or unknown) ones, and for one
    of fewer than three words in a language written with spaces (too short to tell: "And Oita's?")."""
    short = len(question.split()) < 3
    if short and not _UNSPACED_LETTER.search(question):
        return None
    lang = detect_language(question, among_lexicon=True)
    if lang == "en" or lang not in lexicon() or (short and lang not in UNSPACED):
        return None
    english = gloss(question, lang)
    return english or None

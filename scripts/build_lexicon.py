"""Generate the cross-language lexicon (``make lexicon``): words of seventeen European languages and Japanese ->
English (``NAMES``), from published dictionaries instead of by hand.

    python scripts/build_lexicon.py [--words 50000] [--out FILE]

Where the words and their English come from:
- the words: the ``--words`` most frequent words of each language in wordfreq (PyPI ``wordfreq``, its bundled
  frequency lists), surface forms as people type them ("reunions", "visitaren", "quanti"); no word is taken from
  the corpus or from any evaluation question;
- their English: the Apertium machine-translation data packaged by Debian, each word translated alone:
  ``apertium spa-eng`` (apertium-eng-spa) and ``apertium cat-eng`` (apertium-eng-cat); Italian, French and
  Portuguese through Catalan (apertium-cat-ita, apertium-fra-cat, apertium-por-cat, then cat-eng), as Debian has no
  Italian-, French- or Portuguese-English pair; Croatian and Slovenian through Apertium's Serbo-Croatian
  (apertium-hbs-eng, apertium-hbs-slv). Apertium analyses the inflected form, so plurals and verb forms translate
  too. A word it does not know is left out;
- where Apertium has no translation, the first sense of the FreeDict dictionary of the language
  (dict-freedict-spa-eng, -ita-eng, -fra-eng, -por-eng, -hrv-eng, -slv-eng; dictd files under /usr/share/dictd);
- German, Dutch, Polish, Swedish, Danish, Finnish, Czech, Hungarian, Greek and Lithuanian, for which Debian has no
  Apertium pair to English or Catalan, from FreeDict alone (``Dictionary``): of the senses of the word's entry and
  of its lemma's (simplemma, PyPI) and the English words whose entries list it, the one found both ways first
  (German "wo": its entry says "when" first, but only "where" lists it), then a cognate ("Region"), then one word,
  then the one about as frequent in English as the word is in its language (Dutch "waar" is "where", not
  "merchandise"). A word without an entry in a language that writes compounds as one word
  (``text.language.COMPOUNDING``: German, Dutch, Swedish, Danish, Finnish, Hungarian) is split in two where both
  parts translate, at the split whose parts are the most frequent in the language (Koehn and Knight, 2003):
  "Wirtschaftsförderung" -> "business development". Phrase entries that translate to a question word of several
  words stay ("wie viele" -> "how many"). Their word endings are learned too (``learn_endings``);
- Japanese from FreeDict's JMdict data both ways (``load_japanese``), its particles and auxiliaries given empty
  entries (``japanese_function_word``), and the frequencies its text is split into words by (``render_word_costs``,
  ``text/data/word_frequencies_unspaced.tsv``).

Function words whose English is only function words ("de" -> "of") get an empty entry: the gloss drops them.
Question words keep theirs ("quan" -> "when", "cuántos" -> "how many"): they tell the answerer what a question
asks for. A word Apertium does not know in lower case is tried capitalised, as names are ("japó" -> "Japan").

Needs (Debian): ``apt-get install apertium`` and ``DEBIAN_PACKAGES``; (PyPI) ``wordfreq`` and ``simplemma``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from programme_assistant.text.language import UNSPACED_LETTERS  # noqa: E402

DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "text" / "data" / "crosslingual_lexicon.tsv"
DEFAULT_ENDINGS = DEFAULT_OUT.with_name("word_endings.tsv")
DEFAULT_WORD_COSTS = DEFAULT_OUT.with_name("word_frequencies_unspaced.tsv")
# language -> the Apertium pairs its words go through, in order, to reach English
PIPELINES: dict[str, tuple[str, ...]] = {"es": ("spa-eng",), "ca": ("cat-eng",), "it": ("ita-cat", "cat-eng"),
                                         "fr": ("fra-cat", "cat-eng"), "pt": ("por-cat", "cat-eng"),
                                         "hr": ("hbs-eng",), "sl": ("slv-hbs", "hbs-eng")}
FREEDICT = {"es": "spa-eng", "it": "ita-eng", "fr": "fra-eng", "pt": "por-eng", "hr": "hrv-eng", "sl": "slv-eng"}
# language -> its FreeDict dictionaries to English and from English: the languages without an Apertium pair
DICTIONARY_ONLY: dict[str, tuple[str, str]] = {
    "de": ("deu-eng", "eng-deu"), "nl": ("nld-eng", "eng-nld"), "pl": ("pol-eng", "eng-pol"),
    "sv": ("swe-eng", "eng-swe"), "da": ("dan-eng", "eng-dan"), "fi": ("fin-eng", "eng-fin"),
    "cs": ("ces-eng", "eng-ces"), "hu": ("hun-eng", "eng-hun"), "el": ("ell-eng", "eng-ell"),
    "lt": ("lit-eng", "eng-lit")}
# Japanese, written without spaces: its words from FreeDict's Japanese dictionaries (JMdict's data) both ways; the
# gloss splits a Japanese text into the lexicon's words (``text.language.UNSPACED``)
JAPANESE: dict[str, tuple[str, str]] = {"ja": ("jpn-eng", "eng-jpn")}
# what the languages that write compounds as one word (``text.language.COMPOUNDING``) put between a compound's parts
LINKING = ("s", "es", "en", "n", "e")
MIN_PART = 3
LANGUAGES = (*PIPELINES, *DICTIONARY_ONLY, *JAPANESE)
NAMES = {"es": "Spanish", "ca": "Catalan", "it": "Italian", "fr": "French", "pt": "Portuguese", "hr": "Croatian",
         "sl": "Slovenian", "de": "German", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
         "fi": "Finnish", "cs": "Czech", "hu": "Hungarian", "el": "Greek", "lt": "Lithuanian", "ja": "Japanese"}
# wordfreq's name of a language, where it differs (Croatian is in its Serbo-Croatian list)
WORDFREQ = {"hr": "sh"}
DEBIAN_PACKAGES = ("apertium-eng-spa", "apertium-eng-cat", "apertium-cat-ita", "apertium-fra-cat", "apertium-por-cat",
                   "apertium-hbs-eng", "apertium-hbs-slv",
                   *(f"dict-freedict-{d}" for d in FREEDICT.values()),
                   *(f"dict-freedict-{d}" for pairs in (DICTIONARY_ONLY, JAPANESE) for pair in pairs.values()
                     for d in pair))
# Question words keep their entry although English counts them as stop words.
QUESTION_WORDS = {"when", "where", "who", "whom", "whose", "which", "what", "why", "how", "how many", "how much",
                  "how long", "whither"}
_WORD = re.compile(r"^[^\W\d_]{2,}$")
# a Japanese word: kana and kanji only (its list holds Latin letters too: "d" would gloss "Val d'Oise")
_JAPANESE_WORD = re.compile(f"^[{UNSPACED_LETTERS}]+$")
_MARKED = re.compile(r"[*#@]")  # Apertium marks an unknown word (*), a generation error (#), an untranslated lemma (@)


def log(message: str) -> None:
    print(f"[lexicon] {message}", file=sys.stderr, flush=True)


def apertium(words: list[str], pairs: Iterable[str]) -> list[str]:
    """Each word translated alone through ``pairs``; "" when a step marks it unknown. Each line carries its
    number ("17 ||| word"), which Apertium passes through, so that a line it splits or joins cannot shift the
    words after it onto the wrong translations."""
    text = "".join(f"{i} ||| {w}\n" for i, w in enumerate(words))
    for pair in pairs:
        result = subprocess.run(["apertium", pair], input=text, capture_output=True, text=True, check=True)
        text = result.stdout
    out = [""] * len(words)
    for line in text.splitlines():
        m = re.match(r"^\s*(\d+) \|\|\| (.*)$", line)
        if m and int(m.group(1)) < len(words):
            english = m.group(2).strip().lower()
            out[int(m.group(1))] = "" if _MARKED.search(english) else english
    return out


def dictd_entries(path: Path) -> Iterator[tuple[str, str]]:
    """(headword, entry text) of a dictd ``.index`` / ``.dict.dz`` pair, in the index's order."""
    index = path.with_suffix(".index")
    data = gzip.open(path.with_suffix(".dict.dz")).read()
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00-database"):
            continue
        yield parts[0], data[_b64(parts[1]): _b64(parts[1]) + _b64(parts[2])].decode("utf-8", "replace")


def freedict_entries(path: Path) -> dict[str, str]:
    """headword -> its first English sense, from a dictd ``.index`` / ``.dict.dz`` pair."""
    out: dict[str, str] = {}
    for headword, body in dictd_entries(path):
        sense = first_sense(body)
        if sense:
            out.setdefault(headword.lower(), sense)
    return out


# lines of an entry that are not senses: examples, notes, synonyms, cross-references
_NOT_SENSE = ('"', "note", "synonym", "see", "(zobacz)", "…")


def senses(body: str) -> list[str]:
    """Every sense of a dictd entry, in order, as lower-case phrases of at most three words: each line after the
    headword but examples and notes, numbering, grammar (<n>) and glosses ((...), [...], {...}) removed, split at
    commas and semicolons."""
    out: list[str] = []
    for line in body.splitlines()[1:]:
        line = line.strip()
        if not line or line.lower().startswith(_NOT_SENSE):
            continue
        _add_senses(re.sub(r"\(.*?\)|<.*?>|\[.*?\]|\{.*?\}", "", re.sub(r"^\d+\.\s*", "", line)), out)
    return out


def _add_senses(line: str, out: list[str]) -> None:
    """The senses of one cleaned line of an entry, split at commas and semicolons, appended to ``out`` (each once,
    lower case, at most three words)."""
    for piece in re.split(r"[,;]", line):
        # abbreviations stand for an object ("attend sth.", "jdn. besuchen"): not part of the sense
        piece = " ".join(w for w in piece.split() if not w.endswith(".")).lower()
        if piece and len(piece.split()) <= 3 and piece not in out:
            out.append(piece)


# a word and an English word this alike (difflib's ratio of their folded letters) are cognates
COGNATE = 0.75
# a word shorter than this is too short to tell a cognate from a false friend (Swedish "när" is "when", not "near")
MIN_COGNATE = 5
# an English word at least this frequent (wordfreq's Zipf scale: once in 100 million words) is a word
MIN_ENGLISH_ZIPF = 2.0


def cognate(word: str, english: str) -> bool:
    """Whether ``english`` (one word) is ``word`` as English writes it ("Region", "prefektura" -> "prefecture")."""
    from difflib import SequenceMatcher

    from programme_assistant.text.sentences import fold

    folded = fold(word)
    return " " not in english and min(len(folded), len(english)) >= MIN_COGNATE \
        and SequenceMatcher(None, folded, english).ratio() >= COGNATE


class Dictionary:
    """A language's words -> English from its FreeDict dictionaries alone (``DICTIONARY_ONLY``).

    ``senses``: headword -> its English senses (the language->English dictionary); ``confirmed``: word -> the
    English words whose entries list it (the English->language dictionary); ``lemma``: a word's lemma;
    ``english_zipf`` / ``zipf``: how frequent a phrase is in English / in the language (wordfreq)."""

    def __init__(self, senses: dict[str, list[str]], confirmed: dict[str, set[str]], lemma: Callable[[str], str],
                 english_zipf: Callable[[str], float], zipf: Callable[[str], float], compounding: bool) -> None:
        self.senses, self.confirmed, self.lemma = senses, confirmed, lemma
        self.english_zipf, self.zipf, self.compounding = english_zipf, zipf, compounding
        self.translate = lru_cache(maxsize=None)(self._translate)

    def _translate(self, word: str) -> str:
        """The English of one word (lower case). Its candidates: the senses of its entry and of its lemma's, and the
        English words whose entries list it or its lemma, those that are English (each word at least
        ``MIN_ENGLISH_ZIPF`` in English's frequency list: not "howmany", a typo of the Dutch dictionary's). The one
        found both ways wins; then a cognate ("Region" -> "region", "prefektura" -> "prefecture"); then one word
        rather than a phrase; then the one whose frequency in English is the closest to the word's in its language
        (a translation is about as common as its word: Dutch "waar" is "where", not "merchandise", though the
        English dictionary gives "waar" first for both); "" when none."""
        best: tuple[int, bool, int, float] | None = None
        chosen = ""
        forms = tuple(dict.fromkeys((word, self.lemma(word).lower())))
        frequency = self.zipf(word)
        for form in forms:
            forward = self.senses.get(form, ())
            backward = self.confirmed.get(form, ())
            for sense in (*forward, *sorted(backward)):  # sorted: the same lexicon from every run
                if not all(self.english_zipf(w) >= MIN_ENGLISH_ZIPF for w in sense.split()):
                    continue
                key = (int(sense in forward) + int(sense in backward), cognate(form, sense), -len(sense.split()),
                       -abs(self.english_zipf(sense) - frequency))
                if best is None or key > best:
                    best, chosen = key, sense
        return chosen

    def decompound(self, word: str) -> str:
        """A compound's English, part by part ("wirtschaftsförderung" -> "business development"): of the
        splits into two parts of ``MIN_PART`` letters or more that both translate (the first part with or without a
        linking ``LINKING`` ending), the one whose parts are the most frequent in the language; "" when none."""
        best, chosen = -1.0, ""
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            tail = word[i:]
            tail_english = self.translate(tail)
            if not tail_english:
                continue
            head = word[:i]
            unlinked = (head[:-len(e)] for e in LINKING if head.endswith(e) and len(head) - len(e) >= MIN_PART)
            for first in (head, *unlinked):
                head_english = self.translate(first)
                score = (self.zipf(first) + self.zipf(tail)) / 2
                if head_english and score > best:
                    best, chosen = score, f"{head_english} {tail_english}"
        return chosen

    def english(self, word: str) -> str:
        """A word's English: its own, else (a compounding language) its parts'."""
        return self.translate(word) or (self.decompound(word) if self.compounding else "")

    def question_phrases(self) -> dict[str, str]:
        """The entries of several words that translate to a question word of several ("wie viele" -> "how many")."""
        from programme_assistant.text.language import MAX_PHRASE

        return {h: e for h in self.senses if " " in h and len(h.split()) <= MAX_PHRASE
                and " " in (e := self.translate(h)) and e in QUESTION_WORDS}


def both_ways(dictd: Path, to_english: str, from_english: str, parse: Callable[[str], list[str]],
              skip: Callable[[str, str], bool] = lambda headword, body: False
              ) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """A language's two FreeDict dictionaries read with ``parse``: headword -> its English senses (from the
    language->English one, but entries ``skip`` leaves out), and word -> the English headwords listing it (from the
    English->language one): ``Dictionary``'s ``senses`` and ``confirmed``."""
    table: dict[str, list[str]] = {}
    for headword, body in dictd_entries(dictd / f"freedict-{to_english}.index"):
        if skip(headword, body):
            continue
        listed = table.setdefault(headword.lower(), [])
        listed.extend(s for s in parse(body) if s not in listed)
    confirmed: dict[str, set[str]] = {}
    for headword, body in dictd_entries(dictd / f"freedict-{from_english}.index"):
        for word in parse(body):
            confirmed.setdefault(word, set()).add(headword.lower())
    return table, confirmed


_KANA = re.compile(r"^[\u3040-\u30ff\u30fc]+$")
_HIRAGANA = re.compile(r"^[\u3040-\u309f]$")
_HIRAGANA_WORD = re.compile(r"^[\u3040-\u309f]+$")
# JMdict's note on a word written in kana alone; an entry without it is indexed under its kana reading too
_KANA_ALONE = "usually written using kana alone"


def japanese_senses(body: str) -> list[str]:
    """The English senses of a JMdict entry in FreeDict: as ``senses``, with nested grammar notes ("(noun (common)
    (futsuumeishi))") removed whole and question marks dropped ("how many? (people)" -> "how many"); a sense run
    into a usage note ("Note: word usually written using kana alonewhen, how soon") is read after the note."""
    out: list[str] = []
    for line in body.splitlines()[1:]:
        line = line.strip()
        if line.startswith("Note: ") and _KANA_ALONE in line:
            line = line.split(_KANA_ALONE, 1)[1]
        if not line or line.lower().startswith(_NOT_SENSE):
            continue
        line = re.sub(r"^\d+\.\s*", "", line)
        previous = None
        while previous != line:
            previous, line = line, re.sub(r"\([^()]*\)|<[^<>]*>|\[[^\[\]]*\]|\{[^{}]*\}", "", line)
        _add_senses(line.replace("?", " ").replace("!", " "), out)
    return out


def load_japanese(dictd: Path) -> Dictionary:
    """Japanese's ``Dictionary``: a word's senses from its JMdict entries, but not from an entry that only lists
    it as the reading of a word written in kanji unless the entry says the word is written in kana alone (the
    kana "いつ" is "when", not "five", the reading of 五); frequencies from wordfreq's Japanese list."""
    import math

    import wordfreq

    to_english, from_english = JAPANESE["ja"]

    def reading_only(headword: str, body: str) -> bool:
        first_form = body.lstrip().split(" /", 1)[0].split()[-1] if body.strip() else ""
        return bool(_KANA.match(headword)) and first_form != headword and _KANA_ALONE not in body

    table, confirmed = both_ways(dictd, to_english, from_english, japanese_senses, skip=reading_only)
    frequency = wordfreq.get_frequency_dict("ja")  # its zipf_frequency would need MeCab to split the word
    return Dictionary(table, confirmed, lambda w: w, lambda p: wordfreq.zipf_frequency(p, "en"),
                      lambda w: math.log10(frequency[w] * 1e9) if w in frequency else 0.0, compounding=False)


# a word in hiragana alone this frequent in Japanese (wordfreq's Zipf scale) is grammar: a particle, an auxiliary
# or a pronoun ("から" 6.8, "ます" 6.7, "これ" 6.3); the question words are rarer ("どう" 5.9, "どこ" 5.6, "いつ" 5.2)
JAPANESE_FUNCTION_ZIPF = 6.0


def japanese_function_word(word: str, dictionary: Dictionary) -> bool:
    """A single hiragana ("の", "は", "た") or a very frequent word in hiragana alone: its entry is empty."""
    return bool(_HIRAGANA.match(word)) or (bool(_HIRAGANA_WORD.match(word))
                                           and dictionary.zipf(word) >= JAPANESE_FUNCTION_ZIPF)


# An ending rule is kept when this many of the language's listed words end in it and their lemma in its replacement;
# it is at most this long, and leaves a stem of at least ``MIN_PART`` letters.
MIN_ENDING_COUNT = 30
MAX_ENDING = 4


def learn_endings(words: Iterable[str], lemma: Callable[[str], str]) -> list[tuple[str, str, int]]:
    """How the language's inflected forms end where their lemma ends otherwise, learned from its words and their
    lemmas (simplemma): (ending, the lemma's ending, how many words), the most frequent first. German "besuchten" ->
    "besuchen" counts for ("ten", "en"); "Präfekturen" -> "Präfektur" for ("en", ""). The gloss reads a word the
    lexicon lacks by these (``text.language``), as the lexicon's own entries were read by their lemma."""
    from collections import Counter

    from programme_assistant.text.sentences import fold

    counts: Counter[tuple[str, str]] = Counter()
    for word in words:
        form, base = fold(word), fold(lemma(word))
        if form == base:
            continue
        stem = len(os.path.commonprefix([form, base]))
        if stem >= MIN_PART and 0 < len(form) - stem <= MAX_ENDING and len(base) - stem <= MAX_ENDING:
            counts[(form[stem:], base[stem:])] += 1
    return [(ending, replacement, n) for (ending, replacement), n in counts.most_common() if n >= MIN_ENDING_COUNT]


def load_dictionary(lang: str, dictd: Path) -> Dictionary:
    """The ``Dictionary`` of a language of ``DICTIONARY_ONLY`` from the dictd files under ``dictd``."""
    import simplemma
    import wordfreq

    from programme_assistant.text.language import COMPOUNDING

    to_english, from_english = DICTIONARY_ONLY[lang]
    table, confirmed = both_ways(dictd, to_english, from_english, senses)
    return Dictionary(table, confirmed, lambda w: simplemma.lemmatize(w, lang=lang),
                      lambda p: wordfreq.zipf_frequency(p, "en"), lambda w: wordfreq.zipf_frequency(w, lang),
                      compounding=lang in COMPOUNDING)


def first_sense(body: str) -> str:
    """The first English sense of a dictd entry: the line after the headword, numbering and notes removed."""
    for line in body.splitlines()[1:]:
        line = re.sub(r"^\s*\d+\.\s*", "", line).strip()
        line = re.sub(r"\(.*?\)|<.*?>|\[.*?\]", "", line).split(";")[0].split(",")[0].strip()
        if line and not line.startswith(("Note", "See", "Synonym", "/")) and len(line.split()) <= 3:
            return line.lower()
    return ""


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(value: str) -> int:
    """dictd's base64 numbers (most significant digit first)."""
    n = 0
    for ch in value:
        n = n * 64 + _B64.index(ch)
    return n


def keep(source: str, english: str, stopwords: set[str]) -> bool:
    """An entry worth having: a translation that says something (not the word itself, not only function words,
    unless it is a question word)."""
    if not english or english == source or len(english.split()) > 3:
        return False
    if english in QUESTION_WORDS:
        return True
    return any(w not in stopwords for w in re.findall(r"[a-z]+", english))


def function_word(english: str, stopwords: set[str]) -> bool:
    """A translation made of function words only ("of", "the", "from"), question words aside."""
    return english not in QUESTION_WORDS and all(w in stopwords for w in re.findall(r"[a-z]+", english))


def merge_forms(words: list[str], translated: list[str], fallback: dict[str, str],
                stopwords: set[str]) -> tuple[dict[str, str], int, int]:
    """The lexicon's entries of one language: each word (most frequent first) folded ("cuántos" -> "cuantos") with
    its English (Apertium's, else ``fallback``'s first sense); how many came from each."""
    from programme_assistant.text.sentences import fold

    entries: dict[str, str] = {}
    from_apertium = from_freedict = 0
    for word, english in zip(words, translated, strict=True):
        source = fold(word)
        # forms that fold alike ("cuantos", "cuántos"): the most frequent one that translates to content wins
        # over one that translates to function words only; but when the most frequent is itself a function
        # word (French "de", "des", "du": its entry is empty), a rarer accented form ("dé" -> "dice", "dès" ->
        # "since", "dû" -> "owed") does not take its place, unless it is a question word
        if english and function_word(english, stopwords):
            entries.setdefault(source, "")  # "de" -> "of": dropped from the gloss
            continue
        if entries.get(source) == "":
            if english in QUESTION_WORDS:
                entries[source] = english
            continue
        if keep(source, english, stopwords):
            if not entries.get(source):
                entries[source] = english
            from_apertium += 1
        elif keep(source, fallback.get(word.lower(), ""), stopwords):
            if not entries.get(source):
                entries[source] = fallback[word.lower()]
            from_freedict += 1
    return entries, from_apertium, from_freedict


def build(words_per_language: int, dictd: Path) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, int]],
                                                         dict[str, list[tuple[str, str, int]]]]:
    import wordfreq

    from programme_assistant.text.sentences import STOPWORDS, fold

    lexicon: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    endings: dict[str, list[tuple[str, str, int]]] = {}
    for lang in LANGUAGES:
        listed = wordfreq.top_n_list(WORDFREQ.get(lang, lang), words_per_language)
        # Japanese words of one character count ("県", "日"), and its particles are dropped by their entries
        words = list(dict.fromkeys(w for w in listed if (_JAPANESE_WORD if lang in JAPANESE else _WORD).match(w)))
        if lang in PIPELINES:
            translated = apertium(words, PIPELINES[lang])
            # a name is known capitalised only ("japó" -> "Japó" -> "Japan", "catalunya" -> "Catalonia")
            unknown = [i for i, english in enumerate(translated) if not english]
            for i, english in zip(unknown, apertium([words[i].capitalize() for i in unknown], PIPELINES[lang]),
                                  strict=True):
                translated[i] = english
            fallback = freedict_entries(dictd / f"freedict-{FREEDICT[lang]}.index") if lang in FREEDICT else {}
        elif lang in JAPANESE:
            japanese = load_japanese(dictd)
            grammar = {w for w in words if japanese_function_word(w, japanese)}
            translated, fallback = ["" if w in grammar else japanese.english(w) for w in words], {}
        else:
            dictionary = load_dictionary(lang, dictd)
            endings[lang] = learn_endings(words, dictionary.lemma)
            phrases = dictionary.question_phrases()
            translated = [dictionary.english(w) for w in words] + list(phrases.values())
            words, fallback = words + list(phrases), {}
        entries, from_first, from_freedict = merge_forms(words, translated, fallback, STOPWORDS)
        if lang in JAPANESE:
            entries.update({fold(w): "" for w in grammar})  # dropped from the gloss, as function words are
        lexicon[lang] = entries
        source = "Apertium" if lang in PIPELINES else "FreeDict"
        counts[lang] = {"words": len(words), "entries": len(entries), source.lower(): from_first,
                        "freedict": from_freedict}
        log(f"{lang}: {len(words)} words -> {len(entries)} entries ({from_first} {source}, "
            f"{from_freedict} FreeDict's first sense)" + (f", {len(endings[lang])} endings" if lang in endings else ""))
    return lexicon, counts, endings


def package_versions() -> str:
    if not shutil.which("dpkg-query"):
        return "unknown"
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", *DEBIAN_PACKAGES],
                            capture_output=True, text=True)
    return ", ".join(result.stdout.split("\n")[:-1]) or "unknown"


def render(lexicon: dict[str, dict[str, str]], counts: dict[str, dict[str, int]], words: int) -> str:
    from importlib.metadata import version

    header = [
        "# Cross-language lexicon: " + ", ".join(f"{NAMES[lang]} ({lang})" for lang in LANGUAGES)
        + " words -> English.",
        "# GENERATED by scripts/build_lexicon.py (make lexicon): do not edit by hand.",
        f"# Words: the {words} most frequent of each language in wordfreq {version('wordfreq')}.",
        "# English: Apertium (Italian, French and Portuguese through Catalan, Slovenian through Serbo-Croatian), else",
        "# FreeDict's first sense; the languages without Apertium: FreeDict's senses of the word or its lemma",
        "# (simplemma), the one the English dictionary confirms, a cognate, one word, the one as frequent as the word;",
        "# a compound part by part.",
        f"# Debian packages: {package_versions()}.",
        "# Apertium data and FreeDict dictionaries are GPL-licensed; see their copyright files.",
        "# " + "; ".join(f"{lang}: {c['entries']} entries" for lang, c in counts.items()),
    ]
    lines = [f"{lang}\t{source}\t{english}" for lang in LANGUAGES for source, english in
             sorted(lexicon[lang].items())]
    return "\n".join(header + lines) + "\n"


def render_endings(endings: dict[str, list[tuple[str, str, int]]], words: int) -> str:
    from importlib.metadata import version

    header = [
        "# Word endings: how an inflected form ends where its lemma ends otherwise, per language without Apertium.",
        "# GENERATED by scripts/build_lexicon.py (make lexicon): do not edit by hand.",
        f"# Learned from the {words} most frequent words of each language in wordfreq {version('wordfreq')} and their",
        f"# lemmas (simplemma {version('simplemma')}); an ending kept when {MIN_ENDING_COUNT} words or more show it.",
        "# language, ending, the lemma's ending, how many words",
    ]
    lines = [f"{lang}\t{ending}\t{replacement}\t{n}" for lang, rules in endings.items()
             for ending, replacement, n in rules]
    return "\n".join(header + lines) + "\n"


def render_word_costs(words_per_language: int) -> str:
    """How frequent each word of a language written without spaces is (wordfreq's Zipf scale, its list split by
    MeCab): what the gloss splits such a text by (``text.language.segment``: the split whose words are the most
    probable together)."""
    import math
    from importlib.metadata import version

    import wordfreq

    from programme_assistant.text.sentences import fold

    header = [
        "# Word frequencies of the languages written without spaces (Zipf: log10 of occurrences per billion words).",
        "# GENERATED by scripts/build_lexicon.py (make lexicon): do not edit by hand.",
        f"# The {words_per_language} most frequent words of each in wordfreq {version('wordfreq')}.",
        "# language, word, zipf",
    ]
    lines: list[str] = []
    for lang in JAPANESE:
        frequency = wordfreq.get_frequency_dict(lang)
        best: dict[str, float] = {}
        for word in wordfreq.top_n_list(lang, words_per_language):
            if _JAPANESE_WORD.match(word) and word in frequency:
                key = fold(word)
                best[key] = max(best.get(key, 0.0), math.log10(frequency[word] * 1e9))
        lines += [f"{lang}\t{word}\t{zipf:.2f}" for word, zipf in best.items()]
    return "\n".join(header + lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=50000, help="most frequent words per language")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--endings-out", type=Path, default=DEFAULT_ENDINGS)
    parser.add_argument("--word-costs-out", type=Path, default=DEFAULT_WORD_COSTS)
    parser.add_argument("--dictd", type=Path, default=Path("/usr/share/dictd"), help="where FreeDict's files are")
    args = parser.parse_args(argv)
    if not shutil.which("apertium"):
        raise SystemExit("apertium not found: apt-get install apertium " + " ".join(DEBIAN_PACKAGES))
    lexicon, counts, endings = build(args.words, args.dictd)
    args.out.write_text(render(lexicon, counts, args.words), encoding="utf-8")
    args.endings_out.write_text(render_endings(endings, args.words), encoding="utf-8")
    args.word_costs_out.write_text(render_word_costs(args.words), encoding="utf-8")
    print(f"written: {args.out} ({sum(len(v) for v in lexicon.values())} entries), {args.endings_out} "
          f"({sum(len(v) for v in endings.values())} endings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

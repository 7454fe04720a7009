"""Generate the cross-language lexicon (``make lexicon``): Spanish, Italian, Catalan and French words -> English,
from published dictionaries instead of by hand.

    python scripts/build_lexicon.py [--words 50000] [--out FILE]

Where the words and their English come from:
- the words: the ``--words`` most frequent words of each language in wordfreq (PyPI ``wordfreq``, its bundled
  frequency lists), surface forms as people type them ("reunions", "visitaren", "quanti"); no word is taken from
  the corpus or from any evaluation question;
- their English: the Apertium machine-translation data packaged by Debian, each word translated alone:
  ``apertium spa-eng`` (apertium-eng-spa) and ``apertium cat-eng`` (apertium-eng-cat); Italian and French
  through Catalan (apertium-cat-ita, apertium-fra-cat, then cat-eng), as Debian has no Italian-English or
  French-English pair. Apertium analyses the inflected form, so plurals and verb forms translate too. A word it
  does not know is left out;
- where Apertium has no translation, the first sense of the FreeDict dictionary of the language
  (dict-freedict-spa-eng, -ita-eng, -fra-eng; dictd files under /usr/share/dictd).

Function words whose English is only function words ("de" -> "of") get an empty entry: the gloss drops them.
Question words keep theirs ("quan" -> "when", "cuántos" -> "how many"): they tell the answerer what a question
asks for. A word Apertium does not know in lower case is tried capitalised, as names are ("japó" -> "Japan").

Needs (Debian): ``apt-get install apertium apertium-eng-spa apertium-eng-cat apertium-cat-ita apertium-fra-cat
dict-freedict-spa-eng dict-freedict-ita-eng dict-freedict-fra-eng``; (PyPI) ``wordfreq``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_OUT = ROOT / "src" / "programme_assistant" / "text" / "data" / "crosslingual_lexicon.tsv"
# language -> the Apertium pairs its words go through, in order, to reach English
PIPELINES: dict[str, tuple[str, ...]] = {"es": ("spa-eng",), "ca": ("cat-eng",), "it": ("ita-cat", "cat-eng"),
                                         "fr": ("fra-cat", "cat-eng")}
FREEDICT = {"es": "spa-eng", "it": "ita-eng", "fr": "fra-eng"}
DEBIAN_PACKAGES = ("apertium-eng-spa", "apertium-eng-cat", "apertium-cat-ita", "apertium-fra-cat",
                   "dict-freedict-spa-eng", "dict-freedict-ita-eng", "dict-freedict-fra-eng")
# Question words keep their entry although English counts them as stop words.
QUESTION_WORDS = {"when", "where", "who", "whom", "whose", "which", "what", "why", "how", "how many", "how much",
                  "how long", "whither"}
_WORD = re.compile(r"^[^\W\d_]{2,}$")
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


def freedict_entries(path: Path) -> dict[str, str]:
    """headword -> its first English sense, from a dictd ``.index`` / ``.dict.dz`` pair."""
    index = path.with_suffix(".index")
    data = gzip.open(path.with_suffix(".dict.dz")).read()
    out: dict[str, str] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00-database"):
            continue
        body = data[_b64(parts[1]): _b64(parts[1]) + _b64(parts[2])].decode("utf-8", "replace")
        sense = first_sense(body)
        if sense:
            out.setdefault(parts[0].lower(), sense)
    return out


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


def build(words_per_language: int, dictd: Path) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, int]]]:
    import wordfreq

    from programme_assistant.text.sentences import STOPWORDS

    lexicon: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    for lang, pairs in PIPELINES.items():
        words = list(dict.fromkeys(w for w in wordfreq.top_n_list(lang, words_per_language) if _WORD.match(w)))
        translated = apertium(words, pairs)
        # a name is known capitalised only ("japó" -> "Japó" -> "Japan", "catalunya" -> "Catalonia")
        unknown = [i for i, english in enumerate(translated) if not english]
        for i, english in zip(unknown, apertium([words[i].capitalize() for i in unknown], pairs), strict=True):
            translated[i] = english
        fallback = freedict_entries(dictd / f"freedict-{FREEDICT[lang]}.index") if lang in FREEDICT else {}
        entries, from_apertium, from_freedict = merge_forms(words, translated, fallback, STOPWORDS)
        lexicon[lang] = entries
        counts[lang] = {"words": len(words), "entries": len(entries), "apertium": from_apertium,
                        "freedict": from_freedict}
        log(f"{lang}: {len(words)} words -> {len(entries)} entries ({from_apertium} Apertium, "
            f"{from_freedict} FreeDict)")
    return lexicon, counts


def package_versions() -> str:
    if not shutil.which("dpkg-query"):
        return "unknown"
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Version}\n", *DEBIAN_PACKAGES],
                            capture_output=True, text=True)
    return ", ".join(result.stdout.split("\n")[:-1]) or "unknown"


def render(lexicon: dict[str, dict[str, str]], counts: dict[str, dict[str, int]], words: int) -> str:
    from importlib.metadata import version

    header = [
        "# Cross-language lexicon: Spanish (es), Italian (it), Catalan (ca) and French (fr) words -> English.",
        "# GENERATED by scripts/build_lexicon.py (make lexicon): do not edit by hand.",
        f"# Words: the {words} most frequent of each language in wordfreq {version('wordfreq')}.",
        "# English: Apertium (Italian and French through Catalan), else FreeDict's first sense.",
        f"# Debian packages: {package_versions()}.",
        "# Apertium data and FreeDict dictionaries are GPL-licensed; see their copyright files.",
        "# " + "; ".join(f"{lang}: {c['entries']} entries" for lang, c in counts.items()),
    ]
    lines = [f"{lang}\t{source}\t{english}" for lang in PIPELINES for source, english in
             sorted(lexicon[lang].items())]
    return "\n".join(header + lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=50000, help="most frequent words per language")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dictd", type=Path, default=Path("/usr/share/dictd"), help="where FreeDict's files are")
    args = parser.parse_args(argv)
    if not shutil.which("apertium"):
        raise SystemExit("apertium not found: apt-get install apertium " + " ".join(DEBIAN_PACKAGES))
    lexicon, counts = build(args.words, args.dictd)
    args.out.write_text(render(lexicon, counts, args.words), encoding="utf-8")
    print(f"written: {args.out} ({sum(len(v) for v in lexicon.values())} entries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

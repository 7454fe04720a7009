"""Named sources: the document a question names ("according to the Italian press note", "per the Basque press
note", "Casa Asia's December 2022 news item", "the final R2R report").

Such a question asks what one document says. Its passages may rank low on the question's other words, above
all when the document is in another language than the question (an English question about a Spanish press
note), so retrieval adds the named document's best passages in front (``HybridSearch``).

A question names a source when it holds a kind of document (press note, report, minutes, news item, guide,
...) with words before it or after it ("the Italian press note", "the report on the food-tech webinar"). A question
in Spanish, Catalan, Italian or French names one with its own language's words for the kinds ("nota de premsa",
"nota stampa", "communiqué de presse", "informe", "verbale") and the words after the kind, where those languages
put what qualifies a noun ("la nota de prensa vasca", "la nota de la Generalitat", "nella nota stampa di dicembre
2022"); each such word counts as found when it or its English gloss is ("vasca": "basque"). Each
document is known by its label (``retrieval.source_label``: title, path words, type, language, month, year)
and, for a document in another language, the English gloss of its title and opening line (``crosslingual``),
so "Basque" meets a note titled in Spanish about "Euskadi" ("País Vasco"). A document is named when the
question's naming words, weighed by how rare they are, are mostly in its label and no other document's label
holds them as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from programme_assistant.text.language import detect_language, english_gloss, gloss
from programme_assistant.text.sentences import STOPWORDS, fold
from programme_assistant.text.tokens import Tokenizer

# the kinds of document a question can name, longest first so that "press note" wins over "note"
_KINDS = ("press note", "press release", "news item", "news article", "news story", "field notes",
          "briefing pack", "activity report", "mission report", "final report", "write-up", "minutes", "report",
          "article", "guide", "faq", "timeline", "glossary", "overview", "summary", "note", "item", "announcement")
_KIND = re.compile(r"\b(" + "|".join(re.escape(k) for k in _KINDS) + r")\b", re.IGNORECASE)
# the naming words: up to five words before the kind and the "on / about / of ..." phrase after it (up to five
# words); words that name no document are dropped afterwards (_GENERIC)
_BEFORE = re.compile(r"((?:[\w'’&.-]+\s+){0,5})$")
_AFTER = re.compile(r"^\s+(?:on|about|of|from|for)\s+((?:the\s+)?(?:[\w'’&-]+\s*){1,5})", re.IGNORECASE)
# words of a naming phrase that name no document ("according to the ...", "what did ... say")
_GENERIC = frozenset({"document", "documents", "source", "sources", "our", "these", "those", "this", "that", "its",
                      "their", "own", "same", "one", "ones", "according", "per", "say", "said", "says", "state",
                      "states", "stated", "describe", "describes", "published", "publish", "list", "lists",
                      "mention", "mentions", "give", "gives", "record", "records", "suggest", "suggests", "come",
                      "came", "across", "read", "seen", "saw", "found", "how", "does", "did", "what", "which",
                      "when", "who", "where", "why", "aware", "about"})
# the head noun of each kind counts at half weight: "report" says less about which document than "mission"
_HEADS = frozenset(k.split()[-1] for k in _KINDS)
# a phrase of these words alone names no document: "the report", "the press note" (a kind many documents are)
_BARE = _HEADS | {"press"}


# the kinds of document in the other languages a question may be asked in (folded, longest first where one holds
# another); what follows the kind qualifies it
_OTHER_KINDS = {
    "es": ("comunicado de prensa", "nota de prensa", "preguntas frecuentes", "comunicado", "noticia", "articulo",
           "actas", "acta", "informe", "memoria", "guia", "glosario", "cronologia", "resumen", "nota"),
    "ca": ("comunicat de premsa", "nota de premsa", "preguntes frequents", "comunicat", "noticia", "article", "actes",
           "acta", "informe", "memoria", "guia", "glossari", "cronologia", "resum", "nota"),
    "it": ("comunicato stampa", "nota stampa", "domande frequenti", "comunicato", "notizia", "articolo", "verbale",
           "rapporto", "relazione", "resoconto", "guida", "glossario", "cronologia", "sintesi", "riassunto", "nota"),
    "fr": ("communique de presse", "note de presse", "foire aux questions", "communique", "actualite", "article",
           "proces-verbal", "compte rendu", "compte-rendu", "rapport", "guide", "glossaire", "chronologie", "resume",
           "synthese", "note"),
}
_OTHER_KIND = {lang: re.compile(r"\b(" + "|".join(re.escape(k) for k in kinds) + r")\b")
               for lang, kinds in _OTHER_KINDS.items()}
# the words after the kind, up to five, to the end of the clause
_OTHER_AFTER = re.compile(r"^((?:\s+[\w'’-]+){0,5})")


def naming_words(question: str, language: str) -> list[tuple[str, list[str]]]:
    """For a question in one of ``_OTHER_KINDS``' languages: for each kind of document it names, the kind and the
    words after it ("nota de prensa vasca sobre la visita" -> "vasca sobre la visita"), each with its English gloss
    ("nota de prensa note press", ["vasca basque", ...]): a word and its gloss are one naming word. Empty for other
    languages or no kind."""
    kinds = _OTHER_KIND.get(language)
    if kinds is None:
        return []
    folded = fold(question)
    out = []
    for m in kinds.finditer(folded):
        after = _OTHER_AFTER.match(folded[m.end():])
        glossed = [(w, gloss(w, language)) for w in (after.group(1).split() if after else []) if w not in STOPWORDS]
        # a function word ("de", "sobre": "about") names nothing; a name glosses as itself
        out.append((f"{m.group(1)} {gloss(m.group(1), language)}",
                    [f"{w} {english}".strip() for w, english in glossed
                     if english == w or any(e not in STOPWORDS for e in english.lower().split())]))
    return out


# each document's tokens, or a function reading them when first needed
Contents = dict[str, set[str]] | Callable[[], dict[str, set[str]]]


@dataclass(frozen=True)
class NamedSource:
    doc_id: str
    score: float  # share of the naming words' weight found in the document's label
    words: tuple[str, ...]  # the naming words (stemmed)


def naming_phrases(question: str) -> list[str]:
    """The phrases of ``question`` that name a document: "Italian press note", "report on the food-tech
    webinar". Empty when the question names no kind of document."""
    phrases = []
    for m in _KIND.finditer(question):
        before = _BEFORE.search(question[:m.start()])
        after = _AFTER.match(question[m.end():])
        words = (before.group(1) if before else "") + m.group(1) + (" " + after.group(1) if after else "")
        phrases.append(words.strip())
    return phrases


def document_words(label: str, language: str, opening: str, tokenizer: Tokenizer) -> set[str]:
    """The words a question may call a document by: its label's, and its opening's (title and first lines,
    glossed into English for a document in another language)."""
    return set(tokenizer(label)) | set(tokenizer(english_gloss(opening, language)))


class SourceNamer:
    """Finds the document a question names among the documents of the index."""

    def __init__(self, labels: dict[str, str], languages: dict[str, str], openings: dict[str, str],
                 idf: Callable[[str], float], tokenizer: Tokenizer | None = None, min_share: float = 0.7,
                 margin: float = 0.15, contents: Contents | None = None) -> None:
        """``labels``: doc id -> label; ``languages``: doc id -> language code; ``openings``: doc id -> its title
        and first lines (glossed into English for a document in another language); ``idf``: weight of a stemmed
        word; ``contents``: doc id -> the tokens of all its passages (their English gloss too), or a function giving
        them, read when no document's label and opening are named (at the first such question: reading every
        passage's tokens takes about 0.25 s at 3,000 passages, which most questions never need). A document is
        named when it holds ``min_share`` of the naming words' weight and ``margin`` more than the next document."""
        self.tokenizer = tokenizer or Tokenizer()
        self.idf = idf
        self.min_share = min_share
        self.margin = margin
        self.kind_words = set(self.tokenizer(" ".join(_HEADS)))
        self.bare_words = set(self.tokenizer(" ".join(_BARE)))
        self.label_words = {doc_id: document_words(label, languages.get(doc_id, "en"), openings.get(doc_id, ""),
                                                   self.tokenizer)
                            for doc_id, label in labels.items()}
        self._contents = contents

    @classmethod
    def from_words(cls, label_words: dict[str, set[str]], idf: Callable[[str], float],
                   contents: Contents | None = None) -> SourceNamer:
        """From each document's words (``document_words``), computed beforehand (the index on disk keeps them),
        and the tokens of its passages (``contents``)."""
        namer = cls({}, {}, {}, idf, contents=contents)
        namer.label_words = label_words
        return namer

    @classmethod
    def from_chunks(cls, metas: Iterable[dict], texts: Iterable[str], label: Callable[[dict], str],
                    idf: Callable[[str], float]) -> SourceNamer:
        """From the chunks of an index: each document's label, language and opening (its first chunk)."""
        labels: dict[str, str] = {}
        languages: dict[str, str] = {}
        openings: dict[str, tuple[int, str]] = {}
        for meta, text in zip(metas, texts, strict=True):
            doc_id = str(meta.get("doc_id", ""))
            if doc_id not in labels:
                labels[doc_id] = label(meta)
                languages[doc_id] = str(meta.get("language", "en"))
            index = int(meta.get("chunk_index", 0))
            if doc_id not in openings or index < openings[doc_id][0]:
                openings[doc_id] = (index, f"{meta.get('title', '')}\n{text[:300]}")
        return cls(labels, languages, {d: o for d, (_, o) in openings.items()}, idf)

    def _phrases(self, question: str) -> list[list[tuple[set[str], bool]]]:
        """Each phrase of the question naming a document, as its naming words: each the set of stems that find it
        in a label (a word of another language with its English gloss: "vasca" / "basque"), and whether it is the
        kind of document."""
        language = detect_language(question, among_lexicon=True)
        if language in _OTHER_KINDS:
            return [[(set(self.tokenizer(kind)), True), *((set(self.tokenizer(w)), False) for w in words)]
                    for kind, words in naming_words(question, language)]
        phrases = []
        for phrase in naming_phrases(question):
            kept = " ".join(w for w in phrase.split() if w.lower().strip("'’") not in _GENERIC)
            phrases.append([({w}, w in self.kind_words) for w in dict.fromkeys(self.tokenizer(kept))])
        return phrases

    def named(self, question: str) -> NamedSource | None:
        """The one document the question names, or None: by its label and opening, else by its whole text.
        "According to the Basque press note" names the Spanish note about Euskadi, whose label and opening never
        say "Basque" and whose later lines do ("Gobierno Vasco", glossed "Basque")."""
        phrases = self._phrases(question)
        named = self._named(phrases, {})
        if named is None and phrases and self.contents:
            named = self._named(phrases, self.contents)
        return named

    @property
    def contents(self) -> dict[str, set[str]]:
        """Each document's tokens (``contents``), read once."""
        if callable(self._contents):
            self._contents = self._contents()
        return self._contents or {}

    def _named(self, phrases: list[list[tuple[set[str], bool]]], texts: dict[str, set[str]]) -> NamedSource | None:
        """The document whose label holds the phrase's kind of document ("press note") and whose label or
        ``texts`` (doc id -> more of its words; none at first) hold enough of its other naming words (a document
        that mentions press notes is not one)."""
        best: NamedSource | None = None
        for phrase in phrases:
            words = [(a, kind) for a, kind in phrase if a]
            alternatives = [a for a, _ in words]
            if all(kind or a <= self.bare_words for a, kind in words):
                continue  # "the report", "the press note" alone name no document
            # the kind of document counts at half weight: "report" says less about which document than "mission"
            weights = [max(self.idf(w) for w in a) * (0.5 if kind else 1.0) for a, kind in words]
            of_kind = [kind or a <= self.bare_words for a, kind in words]
            total = sum(weights) or 1.0
            scores = sorted(((sum(wt for a, wt, label_only in zip(alternatives, weights, of_kind, strict=True)
                                  if a & label or (not label_only and a & texts.get(doc_id, set()))) / total, doc_id)
                             for doc_id, label in self.label_words.items()), reverse=True)
            if not scores:
                continue
            top, doc_id = scores[0]
            runner_up = scores[1][0] if len(scores) > 1 else 0.0
            if top >= self.min_share and top - runner_up >= self.margin and (best is None or top > best.score):
                best = NamedSource(doc_id, round(top, 3), tuple(sorted(set().union(*alternatives))))
        return best

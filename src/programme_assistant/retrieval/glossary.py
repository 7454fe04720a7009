"""Acronym <-> full-name pairs read from the corpus itself, for query expansion.

Any line of the form ``- **FPI** — Service for Foreign Policy Instruments ...`` (a bold term, a dash or
colon, then its expansion) in any document counts: a programme's glossary is data, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from programme_assistant.text.sentences import content_words

_ENTRY = re.compile(r"^\s*[-*]?\s*\*\*([^*\n]{2,40})\*\*\s*[—–:-]+\s*([^\n]+)$", re.MULTILINE)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    expansion: str  # the full name (up to the first full stop or bracket)
    definition: str  # the whole line after the term
    doc_id: str


def parse_glossary(doc_id: str, text: str) -> list[GlossaryEntry]:
    entries = []
    for m in _ENTRY.finditer(text):
        term = m.group(1).strip()
        definition = m.group(2).strip()
        expansion = re.split(r"(?<=[a-z\)])\.\s|\s\(|;|\.$", definition, maxsplit=1)[0].strip(" .")
        if term and expansion and len(expansion) <= 120:
            entries.append(GlossaryEntry(term, expansion, definition, doc_id))
    return entries


_DEFINITION_QUESTION = re.compile(
    r"\bwhat(?:'s| is| are| was| were| does| do| did)\b|\bstands? for\b|\bshort for\b|\bmeant by\b|\bwho (?:is|are)\b"
    r"|\bqu[eé] (?:es|significa|son)\b|\bche cos[aè]\b|\bcos[''’]?[eè]\b|\bqu[''’]est[- ]ce\b|\bqu[eè] [eé]s\b",
    re.IGNORECASE)


class Glossary:
    def __init__(self, entries: list[GlossaryEntry]) -> None:
        self.entries = entries
        self._by_term = {e.term: e for e in entries}

    def __len__(self) -> int:
        return len(self.entries)

    @staticmethod
    def _names_expansion(expansion: str, query_words: set[str]) -> bool:
        """The query names the full form: at least 3/4 of its (2+) content words are in the query."""
        words = set(content_words(expansion))
        return len(words) >= 2 and len(words & query_words) / len(words) >= 0.75

    def mentioned(self, query: str) -> list[GlossaryEntry]:
        """The entries whose term the query names (as a whole word, case as written)."""
        return [e for e in self.entries if re.search(rf"(?<![\w-]){re.escape(e.term)}(?![\w-])", query)]

    def defined_term(self, query: str, max_words: int = 14) -> GlossaryEntry | None:
        """The entry a short definition question asks about ("What is KICK?", "What does S3 stand for?",
        "People keep mentioning KICK. What is it?"): exactly one glossary term named, and a definition cue."""
        if len(query.split()) > max_words or not _DEFINITION_QUESTION.search(query):
            return None
        named = self.mentioned(query)
        return named[0] if len(named) == 1 else None

    def expand_query(self, query: str) -> str:
        """Append the full name of each acronym in the query, and the acronym of each full name."""
        additions: list[str] = []
        lowered = query.lower()
        query_words = set(content_words(query))
        for entry in self.entries:
            if re.search(rf"(?<![\w-]){re.escape(entry.term)}(?![\w-])", query):
                if entry.expansion.lower() not in lowered:
                    additions.append(entry.expansion)
            elif self._names_expansion(entry.expansion, query_words):
                additions.append(entry.term)
        return query if not additions else f"{query} ({'; '.join(dict.fromkeys(additions))})"

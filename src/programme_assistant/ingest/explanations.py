"""For each glossary term, the sentence of the corpus that best says what the term is or does in this programme.

The glossary's own line gives the full name ("**FPI** — Service for Foreign Policy Instruments."); a newcomer
also wants to know what FPI does here. Candidates are the corpus's sentences that name the term (as written) or
its full name, plus the rest of the glossary line after the full name (which names neither, but is written to
explain it). Each is scored on what it says about the term, not only that it mentions it:

- the term is its subject: named near the start, followed by a verb ("FPI co-manages ...", "KICK is ...");
- it says more than the name: enough words remain once the term, the full name and the other acronyms are taken
  out, and it is not another term's glossary line, a heading, a question or a list of acronyms;
- a readable length.

A sentence that merely expands the term (the definition line itself) is never chosen. No candidate that says
something: no explanation, rather than a weak one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from programme_assistant.retrieval.glossary import GlossaryEntry
from programme_assistant.text.sentences import content_words, sentence_spans

_GLOSSARY_LINE = re.compile(r"^\s*[-*]?\s*\*\*([^*\n]{2,40})\*\*\s*[—–:-]+\s*")
_MARKUP = re.compile(r"\*\*|__|^\s*[-*+]\s+|^\s*\d+[.)]\s+|^#+\s*|\|")
_VERB = re.compile(
    r"^[\s,]*(?:\([^)]{0,80}\)[\s,]*)?(?:[A-Z][\w-]*\s+){0,2}(?:also\s+|then\s+|now\s+|still\s+|jointly\s+)?"
    r"(?:is|are|was|were|has|have|had|will|can|may|runs?|ran|manag\w*|co-manag\w*|lead\w*|led|coordinat\w*|"
    r"support\w*|host\w*|means?|refers?|stands?|became|provid\w*|fund\w*|organi[sz]\w*|bring\w*|link\w*|"
    r"cover\w*|aims?|open\w*|launch\w*|took|take\w*|gives?|gave|offers?|work\w*|chair\w*|moderat\w*|present\w*|"
    r"publish\w*|connect\w*|brought|set|keeps?|kept|start\w*|began|begins?|ends?|ended|includ\w*|focus\w*)\b",
)
# what may stand before the term when it is the sentence's subject: "The", a year, or another name it is paired with
_SUBJECT = re.compile(
    r"^(?:(?:the|in \d{4},?|since \d{4},?|today,?)\s+)?(?:[\w'’-]+(?:\s[\w'’-]+)?\s+(?:and|with)\s+)?$", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:it|its|this|these|they|their|he|she|his|her)\b", re.IGNORECASE)
_CUT_SHORT = re.compile(r"\b(?:no|nr|art|p|pp|vol)\.$", re.IGNORECASE)  # "CoP no." cut before "1"
MIN_WORDS, MAX_WORDS = 6, 60  # a readable explanation: a full sentence, not a paragraph
MIN_NEW_WORDS = 3  # content words beyond the term and its full name: it says something, not only the name


@dataclass(frozen=True)
class Explanation:
    text: str
    doc_id: str
    title: str
    start: int  # the sentence's span in its document's text (-1 when unknown)
    end: int


@dataclass(frozen=True)
class _Sentence:
    text: str  # without Markdown markup
    doc_id: str
    title: str
    start: int
    end: int
    defines: str  # the term whose glossary line this is ("" for any other sentence)
    rest_of_definition: bool  # the glossary line's text after the full name


def _sentences(texts: list[str], metas: list[dict[str, Any]]) -> list[_Sentence]:
    """Each sentence of the stored passages once (passages overlap), with its span in its document."""
    seen: set[tuple[str, int, str]] = set()
    out: list[_Sentence] = []
    for text, meta in zip(texts, metas, strict=True):
        doc_id, title, base = str(meta.get("doc_id", "")), str(meta.get("title", "")), int(meta.get("start", -1))
        for line_start, line in _lines(text):
            defined = _GLOSSARY_LINE.match(line)
            term = defined.group(1).strip() if defined else ""
            for s, e in _joined(line, sentence_spans(line)):
                start = base + line_start + s if base >= 0 else -1
                raw = line[s:e]
                if (doc_id, start, raw) in seen or raw.lstrip().startswith("#"):
                    continue  # met in an overlapping passage; or a heading, which names a topic
                seen.add((doc_id, start, raw))
                rest = bool(defined) and s >= defined.end()  # a glossary line's text after the full name
                clean = " ".join(_MARKUP.sub(" ", raw).split())
                out.append(_Sentence(clean, doc_id, title, start, start + (e - s) if start >= 0 else -1, term, rest))
    return out


def _joined(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences split after "no." ("CoP no. 1") joined again."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and _CUT_SHORT.search(line[out[-1][0]:out[-1][1]]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _lines(text: str) -> Iterable[tuple[int, str]]:
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


def _mentions(entry: GlossaryEntry, sentence: str) -> re.Match[str] | None:
    term = re.search(rf"(?<![\w-]){re.escape(entry.term)}(?![\w-])", sentence)
    full = re.search(re.escape(entry.expansion), sentence, re.IGNORECASE)
    found = [m for m in (term, full) if m]
    return min(found, key=lambda m: m.start()) if found else None


def _score(entry: GlossaryEntry, s: _Sentence, terms: set[str]) -> float | None:
    """How well ``s`` says what ``entry`` is or does (None: it does not)."""
    words = s.text.split()
    shortest = 3 if s.rest_of_definition else MIN_WORDS  # the glossary's own words may be brief
    if not shortest <= len(words) <= MAX_WORDS or s.text.endswith("?") or _CUT_SHORT.search(s.text):
        return None
    if s.defines and s.defines != entry.term:
        return None  # another term's glossary line: it is about that term
    if s.defines == entry.term and not s.rest_of_definition:
        return None  # the definition line that expands the term
    mention = _mentions(entry, s.text)
    if mention is None and not s.rest_of_definition:
        return None
    left = s.text
    for name in (entry.term, entry.expansion):
        left = re.sub(re.escape(name), " ", left, flags=re.IGNORECASE)
    others = sum(1 for t in terms if t != entry.term and re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", left))
    for t in terms:
        left = left.replace(t, " ")
    new_words = set(content_words(left)) - set(content_words(entry.expansion))
    if len(new_words) < (2 if s.rest_of_definition else MIN_NEW_WORDS):
        return None  # it names the term and little else
    score = 0.0
    if s.rest_of_definition:
        score += 3.0  # written to explain the term, the subject understood ("Co-manages IURC with DG REGIO")
    elif mention is not None and _SUBJECT.match(s.text[:mention.start()]):
        score += 1.5  # the sentence is about the term: it stands first ("The Keihanna Open Innovation Center ...")
        if _VERB.match(s.text[mention.end():]):
            score += 2.0  # and says what it is or does ("FPI co-manages ...", "KICK is ...")
    else:
        score += 0.5  # it only mentions the term
    score += 0.5 if 10 <= len(words) <= 40 else 0.0
    # "It ...", "Its ...": about something said before (the glossary's own lines are about their term)
    score -= 1.5 if _PRONOUN.match(s.text) and not s.rest_of_definition else 0.0
    score -= 0.25 * max(0, others - 2)  # a list of acronyms tells little about each
    return score


def explain(entries: Iterable[GlossaryEntry], texts: list[str], metas: list[dict[str, Any]],
            min_score: float = 2.0) -> dict[str, Explanation]:
    """term -> the sentence that best explains it, for the terms that have one scoring ``min_score`` or more.
    Ties go to the sentence met first in the stored order."""
    entries = list(entries)
    terms = {e.term for e in entries}
    sentences = _sentences(texts, metas)
    lowered = [s.text.lower() for s in sentences]
    found: dict[str, Explanation] = {}
    for entry in entries:
        best: tuple[float, _Sentence] | None = None
        full = entry.expansion.lower()
        for s, low in zip(sentences, lowered, strict=True):
            if not (entry.term in s.text or full in low or (s.rest_of_definition and s.defines == entry.term)):
                continue  # neither names the term nor belongs to its glossary line (the cheap test first)
            score = _score(entry, s, terms)
            if score is not None and score >= min_score and (best is None or score > best[0]):
                best = (score, s)
        if best is not None:
            s = best[1]
            found[entry.term] = Explanation(s.text, s.doc_id, s.title, s.start, s.end)
    return found

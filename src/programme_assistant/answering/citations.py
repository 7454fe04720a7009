"""Citations are parsed in one place: ``[n]`` markers in an answer -> Citation objects.

Both answerers write ``[n]`` where n is the 1-based number of a passage in the numbered context. This
module maps each marker to its passage, renumbers the markers in order of first use, removes markers that
point nowhere, finds the sentence of the passage that supports the cited answer sentence, and flags cited
sentences that their passages do not support.

Support is lexical and documented: the share of the answer sentence's content words (accent-folded, stop
words removed, numbers kept) that occur in the best sentence of the cited passage, with the passage as a
whole as fallback context. It is cheap, deterministic and language-agnostic enough for names, dates and
numbers, which are what programme answers hinge on; it does not see paraphrase, so its threshold is lenient.

The quote shown for a citation is the passage's sentence that best supports the answer sentence citing it. An
answerer that knows where in the passage a statement it quotes came from (the extractive answerer: a table row's
line, a list with its introduction, a paragraph) passes that as a ``QuotedSource``; the quote is then looked for
there, so that a row reformatted as "Territory: Hiroshima; Group: A" is quoted as its own row, not as the header
row that shares most of its words, nor as another row of the same table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from programme_assistant.answering.candidates import unwrapped
from programme_assistant.models import Citation, RetrievedChunk, source_label
from programme_assistant.text.sentences import content_words, sentence_spans

_ONE = r"\[\d+(?:\s*[,;]\s*\d+)*\]"
MARKER = re.compile(rf"\s?{_ONE}(?:\s?{_ONE})*")  # a run of adjacent markers: "[2][1]", "[1, 3]", "[1] [2]"
# A cited sentence whose content words are less than this share present in the cited passage is flagged.
SUPPORT_THRESHOLD = 0.5


@dataclass(frozen=True)
class QuotedSource:
    """Where a statement an answer quotes comes from: the 1-based passage and the (start, end) of its line(s) in
    the passage text; ``whole``: quote the span as it is (a row, a list item, a list), not one sentence of it."""

    passage: int
    text: str
    span: tuple[int, int]
    whole: bool = False

    def holds(self, claim: str) -> bool:
        """The answer sentence ``claim`` (markers removed) is this statement or one sentence of it."""
        mine, said = " ".join(self.text.split()).rstrip(".!?… "), " ".join(claim.split()).rstrip(".!?… ")
        return bool(said) and (said in mine or mine in said)


@dataclass(frozen=True)
class ResolvedAnswer:
    text: str
    citations: list[Citation]
    unsupported: list[str]


def strip_markers(text: str) -> str:
    return MARKER.sub("", text).strip()


def marker_numbers(text: str) -> list[int]:
    """The passage numbers its ``[n]`` markers cite, in order ("[2][1]", "[1, 3]" and "[1] [2]" included)."""
    return [int(raw) for m in MARKER.finditer(text) for raw in re.findall(r"\d+", m.group())]


def _marked_spans(text: str) -> list[tuple[int, int]]:
    """The answer's sentences as (start, end); a marker split off after the full stop belongs to its sentence."""
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        if spans and not strip_markers(text[s:e]):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def cited_sentences(text: str, number: int) -> list[str]:
    """The sentences of an answer that cite passage ``number``, markers removed: what it quotes from that source
    ("These include hydrogen [1]." -> "These include hydrogen.")."""
    return [strip_markers(text[s:e]) for s, e in _marked_spans(text) if number in marker_numbers(text[s:e])]


def best_supporting_sentence(claim: str, passage: RetrievedChunk,
                             within: tuple[int, int] | None = None) -> tuple[int, int, float]:
    """(start, end) within the passage text of the sentence that best supports ``claim``, and the support;
    ``within``: only the sentences of that span of the passage text are looked at."""
    claim_words = set(content_words(claim))
    text = passage.chunk.text
    lo, hi = within if within is not None else (0, len(text))
    best = (lo, hi, 0.0)
    for s, e in ((lo + a, lo + b) for a, b in sentence_spans(unwrapped(text)[lo:hi])):
        words = set(content_words(text[s:e]))
        score = len(claim_words & words) / len(claim_words) if claim_words else 0.0
        if score > best[2]:
            best = (s, e, score)
    # a claim may name the document it cites ("the Mission report gives ...", "the minutes of October 2023"): what
    # the document is known by (its title, kind, month and date) counts too
    label = source_label(passage.title, passage.doc_type, passage.date, passage.language, passage.chunk.doc_id)
    passage_words = set(content_words(f"{text} {label} {passage.date or ''}"))
    overall = len(claim_words & passage_words) / len(claim_words) if claim_words else 0.0
    return best[0], best[1], max(best[2], overall)


def make_citation(number: int, passage: RetrievedChunk, start: int, end: int, support: float) -> Citation:
    chunk = passage.chunk
    return Citation(
        number=number, chunk_id=chunk.chunk_id, doc_id=chunk.doc_id, title=passage.title, date=passage.date,
        doc_type=passage.doc_type, section=chunk.section, page=chunk.page, source_path=passage.source_path,
        url=passage.url, passage=chunk.text, quote=chunk.text[start:end], quote_start=chunk.start + start,
        quote_end=chunk.start + end, support=round(support, 3),
    )


def _quoted(claim: str, passage: RetrievedChunk, source: QuotedSource) -> tuple[int, int, float]:
    """The quote of ``claim`` within the span ``source`` says it came from: the span itself when it is quoted
    whole, else its sentence that best supports the claim; the support as ``best_supporting_sentence`` gives it."""
    start, end, support = best_supporting_sentence(claim, passage, within=source.span)
    return (*source.span, support) if source.whole else (start, end, support)


def _source_of(claim: str, n: int, passage: RetrievedChunk, sources: Sequence[QuotedSource]) -> QuotedSource | None:
    length = len(passage.chunk.text)
    return next((q for q in sources if q.passage == n and 0 <= q.span[0] < q.span[1] <= length and q.holds(claim)),
                None)


def by_document(citations: Sequence[Citation]) -> list[list[Citation]]:
    """The citations grouped by document, documents in the order of their first citation, each group in
    citation-number order: one source entry per document, with each [n] citing it under it."""
    groups: dict[str, list[Citation]] = {}
    for c in sorted(citations, key=lambda c: c.number):
        groups.setdefault(c.doc_id, []).append(c)
    return list(groups.values())


def _clause_uses(sentence: str, valid: list[int]) -> dict[int, str]:
    """"X gives 16 [1]; Y gives 24 [2].": a sentence whose clauses (split at semicolons) each end with their own
    markers cites each passage for its clause, not for the whole sentence. {n: the clause citing n}, empty when
    the sentence is not made that way."""
    clauses = [c for c in re.split(r";\s+", sentence) if c.strip()]
    if len(clauses) < 2:
        return {}
    uses: dict[int, str] = {}
    for clause in clauses:
        numbers = marker_numbers(clause)
        if not numbers:
            return {}
        for n in numbers:
            if n in valid:
                uses[n] = f"{uses[n]} {strip_markers(clause)}" if n in uses else strip_markers(clause)
    return uses


def _supported(claim: str, uses: dict[int, str], valid: list[int], passages: list[RetrievedChunk]) -> bool:
    """A sentence is supported when one of its passages supports it, or, when its clauses cite passages of their
    own (``_clause_uses``), when every clause is supported by its passage."""
    if uses:
        return all(best_supporting_sentence(clause, passages[n - 1])[2] >= SUPPORT_THRESHOLD
                   for n, clause in uses.items())
    return max(best_supporting_sentence(claim, passages[n - 1])[2] for n in valid) >= SUPPORT_THRESHOLD


def resolve(text: str, passages: list[RetrievedChunk], sources: Sequence[QuotedSource] = ()) -> ResolvedAnswer:
    """Map the ``[n]`` markers of ``text`` to ``passages[n-1]``; see the module docstring. ``sources``: where the
    statements the answer quotes come from, when the answerer knows."""
    # "claim. [1] Next" -> "claim [1]. Next": a marker after the full stop belongs to the sentence before it
    text = re.sub(rf"([.!?…])((?:[ \t]*{_ONE})+)",
                  lambda m: " " + re.sub(r"\s+", "", m.group(2)) + m.group(1), text)
    renumber: dict[int, int] = {}
    citations: dict[int, Citation] = {}
    unsupported: list[str] = []
    out: list[str] = []
    cursor = 0
    for s, e in _marked_spans(text):
        sentence = text[s:e]
        claim = strip_markers(sentence)
        valid = [n for n in dict.fromkeys(marker_numbers(sentence)) if 1 <= n <= len(passages)]
        uses = _clause_uses(sentence, valid)
        for n in valid:
            source = None if n in uses else _source_of(claim, n, passages[n - 1], sources)
            start, end, support = _quoted(claim, passages[n - 1], source) if source is not None \
                else best_supporting_sentence(uses.get(n, claim), passages[n - 1])
            if n not in renumber:
                renumber[n] = len(renumber) + 1
            if n not in citations or support > citations[n].support:  # quote the use it supports best
                citations[n] = make_citation(renumber[n], passages[n - 1], start, end, support)
        if valid and claim and not _supported(claim, uses, valid, passages):
            unsupported.append(claim)

        def rewrite(m: re.Match[str], valid: list[int] = valid) -> str:
            numbers = [renumber[int(r)] for r in re.findall(r"\d+", m.group()) if int(r) in valid]
            return " " + "".join(f"[{n}]" for n in dict.fromkeys(numbers)) if numbers else ""


        out.append(text[cursor:s])
        out.append(MARKER.sub(rewrite, sentence))
        cursor = e
    out.append(text[cursor:])
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", "".join(out))
    cleaned = re.sub(r"[ \t]{2,}\[", " [", cleaned)
    return ResolvedAnswer(cleaned.strip(), sorted(citations.values(), key=lambda c: c.number), unsupported)

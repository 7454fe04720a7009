"""Scoring functions: pure, small, each unit-tested on hand-made cases."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from programme_assistant.answering.citations import cited_sentences, marker_numbers, strip_markers
from programme_assistant.evaluation.cases import normalise
from programme_assistant.text.sentences import content_words, sentence_spans

_TOKEN = re.compile(r"\w+", re.UNICODE)
_ARTICLES = {"a", "an", "the"}


def hit_at(ranked_docs: list[str], expected: list[str], k: int) -> float:
    """1 when any expected document is among the first ``k`` distinct retrieved documents."""
    return 1.0 if set(ranked_docs[:k]) & set(expected) else 0.0


def mrr_at(ranked_docs: list[str], expected: list[str], k: int = 10) -> float:
    """Reciprocal rank of the first expected document within the first ``k``."""
    for i, d in enumerate(ranked_docs[:k]):
        if d in expected:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranked_docs: list[str], expected: list[str], k: int = 10) -> float:
    """Binary-relevance nDCG: every expected document is equally relevant."""
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked_docs[:k]) if d in expected)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(set(expected)))))
    return dcg / ideal if ideal else 0.0


def fact_recall(text: str, facts: list[str]) -> float:
    """Share of required facts found in the answer, matched after normalising case, accents and spaces."""
    if not facts:
        return 1.0
    norm = normalise(text)
    return sum(1 for f in facts if normalise(f) in norm) / len(facts)


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(normalise(re.sub(r"\[\d+\]", " ", text))) if t not in _ARTICLES]


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 (lower case, accents and articles removed, citation markers ignored)."""
    pred, ref = _tokens(prediction), _tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def citation_precision(cited: list[str], expected: list[str]) -> float:
    """Share of cited documents that are expected sources (0 when nothing is cited)."""
    return sum(1 for d in cited if d in expected) / len(cited) if cited else 0.0


def citation_recall(cited: list[str], expected: list[str]) -> float:
    """Share of expected source documents that the answer cites."""
    return len(set(cited) & set(expected)) / len(set(expected)) if expected else 0.0


def _claims(text: str) -> list[str]:
    """The answer's sentences that claim something: those citing a passage, and uncited ones of more than five
    words. Framing sentences ("The sources differ on this.", "Source in Spanish.") are left out."""
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    return [s for s in sentences if re.search(r"\[\d+\]", s) or len(_tokens(s)) > 5]


def groundedness(text: str, unsupported: list[str]) -> float:
    """Share of the answer's sentences that the passage they cite supports.

    A sentence counts as supported when it carries a citation marker and ``citations.resolve`` did not flag it
    (its content words are at least half present in the cited passage); sentences without a marker and flagged
    ones count against. Framing sentences without content words ("The sources differ on this.") are ignored.
    """
    claims = _claims(text)
    if not claims:
        return 0.0
    flagged = {normalise(u) for u in unsupported}
    good = sum(1 for s in claims if re.search(r"\[\d+\]", s)
               and normalise(re.sub(r"\s?\[\d+\]", "", s)) not in flagged)
    return good / len(claims)


# "Territory: Hiroshima; Country: Japan": the labels a table row or a key-value line is shown with, which its
# quote (the row as the document has it) need not hold
_LABEL = re.compile(r"(?:^|(?<=[;\n]))\s*([^:;\n]{1,40}):(?=\s)")


def quote_holds(quote: str, sentence: str) -> bool:
    """Whether a citation's quote holds what an answer sentence citing it says: at least 80% of the sentence's
    content words (its row or field labels aside) are in the quote, and at least half of the quote's are in the
    sentence (a quote of a whole paragraph does not show the reader which statement the answer took). Lexical:
    an LLM's paraphrase of its source fails it more often than a quotation does."""
    quoted = set(content_words(quote))
    said = set(content_words(_LABEL.sub(" ", sentence))) or set(content_words(sentence))
    if not quoted or not said:
        return False
    shared = said & quoted
    return len(shared) / len(said) >= 0.8 and len(set(content_words(sentence)) & quoted) / len(quoted) >= 0.5


def quote_support(text: str, quotes: dict[int, str]) -> float:
    """Share of an answer's citations whose quote (what the source panel shows and the document page highlights
    for ``[n]``) holds one of the answer sentences citing it (``quote_holds``). ``quotes`` maps each marker
    number to its quote; a citation no sentence carries is left out. 0 when no citation is carried."""
    checked = held = 0
    for number, quote in quotes.items():
        sentences = cited_sentences(text, number)
        if not sentences:
            continue
        checked += 1
        held += any(quote_holds(quote, s) for s in sentences)
    return held / checked if checked else 0.0


def answer_length(text: str) -> tuple[int, int]:
    """(characters, sentences) of an answer, its ``[n]`` markers left out."""
    plain = strip_markers(text)
    return len(plain), len(sentence_spans(plain)) if plain else 0


def answer_precision(text: str, cited_doc: dict[int, str], facts: list[str], documents: list[str]) -> float:
    """Share of the answer's sentences that hold a required fact or cite one of ``documents`` (the expected and
    supporting ones): what the answer says beyond that is padding, so recall cannot be bought with length.
    Framing sentences are left out as in ``groundedness``. ``cited_doc`` maps each ``[n]`` marker to its
    document. 0 for an empty answer."""
    claims = _claims(text)
    if not claims:
        return 0.0
    wanted = [normalise(f) for f in facts]
    good = 0
    for sentence in claims:
        cited = {cited_doc.get(n) for n in marker_numbers(sentence)}
        if any(f in normalise(sentence) for f in wanted) or cited & set(documents):
            good += 1
    return good / len(claims)


# Where an answer lost a required fact, from the first stage to the last (``where_lost``); "unwritten" is the set's:
# no expected document holds the fact as written
LOST_STAGES = ("refused", "document", "passage", "answer", "unwritten")


def where_lost(fact: str, refused: bool, passages: Sequence[tuple[str, str]], documents: Sequence[str],
               holders: Sequence[str] | None = None) -> str:
    """The stage where an answer that misses ``fact`` lost it, reading ``passages`` (each one's document and text:
    what the answerer was given), ``documents`` (the expected and supporting ones) and, when the documents' text
    was read, ``holders`` (those of ``documents`` whose text holds the fact):

    - ``refused``: the answer refused (wrongly);
    - ``answer``: a passage the answerer was given holds the fact, the answer does not quote it;
    - ``passage``: no passage holds it, but a document holding it was retrieved: another of its passages does;
    - ``document``: no passage holds it, and no document holding it was retrieved;
    - ``unwritten``: none of ``documents`` holds the fact as written (the set's fact, not the answer, is wrong).

    Without ``holders``, a document holding the fact is taken to be any of ``documents`` (a question of two
    documents whose retrieved one does not hold the fact then counts as ``passage``). Matched as ``fact_recall``
    matches (case, accents and spaces normalised)."""
    if refused:
        return "refused"
    wanted = normalise(fact)
    if any(wanted in normalise(text) for _, text in passages):
        return "answer"
    if holders is not None and not holders:
        return "unwritten"
    holding = set(documents if holders is None else holders)
    return "passage" if {doc for doc, _ in passages} & holding else "document"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (numpy's default).
    Undefined for no values: raises ValueError, as for a q outside 0..100."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0..100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

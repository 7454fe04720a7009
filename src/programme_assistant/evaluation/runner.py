"""Runs golden cases through an Assistant (follow-up cases as conversations) and aggregates the metrics."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from programme_assistant.evaluation.cases import GoldenCase, normalise
from programme_assistant.evaluation.metrics import (
    LOST_STAGES,
    answer_length,
    answer_precision,
    citation_precision,
    citation_recall,
    fact_recall,
    groundedness,
    hit_at,
    mrr_at,
    ndcg_at,
    percentile,
    quote_support,
    token_f1,
    where_lost,
)
from programme_assistant.models import Answer

RETRIEVAL_KEYS = ("hit1", "hit3", "hit5", "mrr10", "ndcg10")
ANSWER_KEYS = ("fact_recall", "token_f1", "citation_recall")


@dataclass
class CaseResult:
    id: str
    category: str
    question: str
    history: list[str]
    reference: str
    answer: str
    refused: bool
    answerable: bool
    standalone: str
    retrieved_docs: list[str]
    cited_docs: list[str]
    expected_docs: list[str]
    supporting_docs: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    required_facts: list[str] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
    # each missing fact -> the stage that lost it (metrics.where_lost, LOST_STAGES)
    lost_at: dict[str, str] = field(default_factory=dict)
    hit1: float = 0.0
    hit3: float = 0.0
    hit5: float = 0.0
    mrr10: float = 0.0
    ndcg10: float = 0.0
    fact_recall: float = 0.0
    token_f1: float = 0.0
    citation_precision: float = 0.0  # cited documents among the expected and supporting ones
    citation_precision_strict: float = 0.0  # among the expected (primary) ones alone
    citation_recall: float = 0.0
    groundedness: float = 0.0
    answer_precision: float = 0.0  # answer sentences holding a required fact or citing an expected document
    quote_support: float = 0.0  # citations whose quote holds the answer sentence citing it
    answer_chars: int = 0
    answer_sentences: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, float] = field(default_factory=dict)
    config: str = ""

    @property
    def failed(self) -> bool:
        """Wrong refusal, missing refusal, or a missing required fact."""
        if not self.answerable:
            return not self.refused
        return self.refused or self.fact_recall < 1.0


def score_case(case: GoldenCase, answer: Answer, config: str = "",
               document_text: Callable[[str], str] | None = None) -> CaseResult:
    """The case's measures for ``answer``. ``document_text(doc_id)``: a document's text (normalised, as
    ``cases.normalise`` gives it), read to tell which expected document holds a missing fact (``where_lost``);
    without it the stage is judged from the passages alone."""
    ranked = list(dict.fromkeys(r.chunk.doc_id for r in answer.retrieved))
    cited = [c.doc_id for c in answer.citations]
    result = CaseResult(
        id=case.id, category=case.category, question=case.question, history=list(case.history),
        reference=case.reference_answer, answer=answer.text, refused=answer.refused, answerable=case.answerable,
        standalone=answer.standalone_question, retrieved_docs=ranked, cited_docs=cited,
        expected_docs=list(case.expected_doc_ids), supporting_docs=list(case.supporting_doc_ids),
        required_facts=list(case.required_facts),
        citations=[{"number": c.number, "doc_id": c.doc_id, "title": c.title, "quote": c.quote, "page": c.page,
                    "section": c.section} for c in answer.citations],
        timings=dict(answer.timings), evidence=dict(answer.evidence), config=config,
        token_f1=token_f1(answer.text, case.reference_answer))
    if case.answerable:
        exp = case.expected_doc_ids
        documents = [*exp, *case.supporting_doc_ids]  # those allowed to answer
        result.hit1, result.hit3, result.hit5 = hit_at(ranked, exp, 1), hit_at(ranked, exp, 3), hit_at(ranked, exp, 5)
        result.mrr10, result.ndcg10 = mrr_at(ranked, exp), ndcg_at(ranked, exp)
        result.fact_recall = 0.0 if answer.refused else fact_recall(answer.text, case.required_facts)
        result.missing_facts = [f for f in case.required_facts
                                if answer.refused or normalise(f) not in normalise(answer.text)]
        given = [(r.chunk.doc_id, r.chunk.text) for r in answer.retrieved]
        result.lost_at = {f: where_lost(f, answer.refused, given, documents, None if document_text is None else
                                        [d for d in documents if normalise(f) in document_text(d)])
                          for f in result.missing_facts}
        result.citation_precision = citation_precision(cited, documents)
        result.citation_precision_strict = citation_precision(cited, exp)
        result.citation_recall = citation_recall(cited, exp)
        result.groundedness = 0.0 if answer.refused else groundedness(answer.text, answer.unsupported)
        if not answer.refused:
            result.quote_support = quote_support(answer.text, {c.number: c.quote for c in answer.citations})
            result.answer_precision = answer_precision(answer.text, {c.number: c.doc_id for c in answer.citations},
                                                       case.required_facts, documents)
    if not answer.refused:
        result.answer_chars, result.answer_sentences = answer_length(answer.text)
    return result


def _mean(values: list[float]) -> float:
    return round(statistics.mean(values), 3) if values else 0.0


def aggregate(results: list[CaseResult]) -> dict[str, float]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in answerable if not r.refused]
    refused = [r for r in results if r.refused]
    out: dict[str, float] = {"cases": len(results)}
    if answerable:
        for key in RETRIEVAL_KEYS + ANSWER_KEYS:
            out[key] = _mean([getattr(r, key) for r in answerable])
        out["citation_precision"] = _mean([r.citation_precision for r in answered])
        out["citation_precision_strict"] = _mean([r.citation_precision_strict for r in answered])
        out["groundedness"] = _mean([r.groundedness for r in answered])
        out["answer_precision"] = _mean([r.answer_precision for r in answered])
        out["quote_support"] = _mean([r.quote_support for r in answered if r.citations])
        if answered:
            out["answer_chars_median"] = float(statistics.median(r.answer_chars for r in answered))
            out["answer_sentences_mean"] = _mean([float(r.answer_sentences) for r in answered])
        out["wrong_refusal_rate"] = round(sum(r.refused for r in answerable) / len(answerable), 3)
        # the required facts taken together: the share each stage lost (found + the stages = 1), so that a change
        # shows whether it moved retrieval or the answer's choice of statements
        facts = sum(len(r.required_facts) for r in answerable)
        if facts:
            lost = [stage for r in answerable for stage in r.lost_at.values()]
            for stage in LOST_STAGES:
                out[f"lost_{stage}"] = round(lost.count(stage) / facts, 3)
            out["lost_retrieval"] = round((lost.count("document") + lost.count("passage")) / facts, 3)
    if unanswerable:
        out["refusal_recall"] = round(sum(r.refused for r in unanswerable) / len(unanswerable), 3)
    if refused:
        out["refusal_precision"] = round(sum(not r.answerable for r in refused) / len(refused), 3)
    for stage in ("rewrite", "retrieve", "answer", "total"):
        values = [r.timings[stage] for r in results if stage in r.timings]
        if values:
            out[f"{stage}_p50_ms"] = round(percentile(values, 50) * 1000, 1)
            out[f"{stage}_p95_ms"] = round(percentile(values, 95) * 1000, 1)
    return out


def summarise(results: list[CaseResult]) -> dict[str, Any]:
    by_category: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_category[r.category].append(r)
    return {"overall": aggregate(results),
            "by_category": {c: aggregate(rs) for c, rs in sorted(by_category.items())}}


def document_reader(assistant: Any) -> Callable[[str], str] | None:
    """Each document's text as the assistant reads it (``Assistant.document``), normalised and kept for the run; ""
    for one it cannot read (not indexed, gone from the folder): its facts then count as written nowhere. None for an
    assistant that does not read documents."""
    from programme_assistant.errors import ProgrammeAssistantError

    if not callable(getattr(assistant, "document", None)):
        return None

    @cache
    def text(doc_id: str) -> str:
        try:
            return normalise(assistant.document(doc_id).text)
        except (ProgrammeAssistantError, OSError):
            return ""

    return text


def run_golden(assistant: Any, cases: list[GoldenCase], config: str = "",
               on_case: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Ask every case; a follow-up case first asks its earlier turns, carrying the assistant's own answers."""
    results = []
    read = document_reader(assistant)
    for case in cases:
        history: list[tuple[str, str]] = []
        for turn in case.history:
            previous = assistant.ask(turn, history=history)
            history.append((turn, previous.text))
        result = score_case(case, assistant.ask(case.question, history=history), config, read)
        results.append(result)
        if on_case:
            on_case(result)
    return results

"""Runs the golden set through the real Assistant and scores it. Metrics are small pure functions."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from programme_assistant.golden import GoldenCase, normalise
from programme_assistant.models import Answer


def retrieval_ranks(answer: Answer, expected: list[str]) -> list[str]:
    """Distinct documents in retrieval order."""
    return list(dict.fromkeys(r.chunk.doc_id for r in answer.retrieved))


def hit_at(ranked_docs: list[str], expected: list[str], k: int) -> float:
    return 1.0 if set(ranked_docs[:k]) & set(expected) else 0.0


def mrr_at(ranked_docs: list[str], expected: list[str], k: int = 10) -> float:
    for i, d in enumerate(ranked_docs[:k]):
        if d in expected:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranked_docs: list[str], expected: list[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked_docs[:k]) if d in expected)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(set(expected)))))
    return dcg / ideal if ideal else 0.0


def fact_recall(text: str, facts: list[str]) -> float:
    if not facts:
        return 1.0
    norm = normalise(text)
    return sum(1 for f in facts if normalise(f) in norm) / len(facts)


def citation_precision(cited: list[str], expected: list[str]) -> float:
    return sum(1 for d in cited if d in expected) / len(cited) if cited else 0.0


def citation_recall(cited: list[str], expected: list[str]) -> float:
    return len(set(cited) & set(expected)) / len(set(expected)) if expected else 0.0


@dataclass
class CaseResult:
    id: str
    category: str
    question: str
    answer: str
    refused: bool
    answerable: bool
    retrieved_docs: list[str]
    cited_docs: list[str]
    expected_docs: list[str]
    hit1: float = 0.0
    hit3: float = 0.0
    hit5: float = 0.0
    mrr10: float = 0.0
    ndcg10: float = 0.0
    fact_recall: float = 0.0
    citation_precision: float = 0.0
    citation_recall: float = 0.0
    missing_facts: list[str] = field(default_factory=list)
    standalone: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, float] = field(default_factory=dict)


def score_case(case: GoldenCase, answer: Answer) -> CaseResult:
    ranked = retrieval_ranks(answer, case.expected_doc_ids)
    cited = [c.doc_id for c in answer.citations]
    result = CaseResult(
        id=case.id, category=case.category, question=case.question, answer=answer.text, refused=answer.refused,
        answerable=case.answerable, retrieved_docs=ranked, cited_docs=cited, expected_docs=case.expected_doc_ids,
        standalone=answer.standalone_question, timings=answer.timings, evidence=answer.evidence)
    if case.answerable:
        exp = case.expected_doc_ids
        result.hit1, result.hit3, result.hit5 = hit_at(ranked, exp, 1), hit_at(ranked, exp, 3), hit_at(ranked, exp, 5)
        result.mrr10, result.ndcg10 = mrr_at(ranked, exp), ndcg_at(ranked, exp)
        result.fact_recall = 0.0 if answer.refused else fact_recall(answer.text, case.required_facts)
        result.missing_facts = [f for f in case.required_facts if normalise(f) not in normalise(answer.text)]
        result.citation_precision = citation_precision(cited, exp)
        result.citation_recall = citation_recall(cited, exp)
    return result


def summarise(results: list[CaseResult]) -> dict[str, Any]:
    def block(rs: list[CaseResult]) -> dict[str, float]:
        answerable = [r for r in rs if r.answerable]
        unanswerable = [r for r in rs if not r.answerable]
        answered = [r for r in answerable if not r.refused]
        out: dict[str, float] = {"cases": len(rs)}
        if answerable:
            for key in ("hit1", "hit3", "hit5", "mrr10", "ndcg10", "fact_recall", "citation_recall"):
                out[key] = round(statistics.mean(getattr(r, key) for r in answerable), 3)
            out["citation_precision"] = round(statistics.mean(r.citation_precision for r in answered), 3) \
                if answered else 0.0
            out["wrong_refusal_rate"] = round(sum(r.refused for r in answerable) / len(answerable), 3)
        if unanswerable:
            out["refusal_recall"] = round(sum(r.refused for r in unanswerable) / len(unanswerable), 3)
        refused = [r for r in rs if r.refused]
        if refused:
            out["refusal_precision"] = round(sum(not r.answerable for r in refused) / len(refused), 3)
        return out

    by_cat: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        by_cat[r.category].append(r)
    return {"overall": block(results), "by_category": {c: block(rs) for c, rs in sorted(by_cat.items())}}


def run_golden(assistant: Any, cases: list[GoldenCase]) -> list[CaseResult]:
    results = []
    for case in cases:
        history: list[tuple[str, str]] = []
        for turn in case.history:
            previous = assistant.ask(turn, history=history)
            history.append((turn, previous.text))
        results.append(score_case(case, assistant.ask(case.question, history=history)))
    return results


def as_rows(results: list[CaseResult]) -> list[dict[str, Any]]:
    return [asdict(r) for r in results]

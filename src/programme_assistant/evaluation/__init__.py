"""The eval suite: golden cases through the real Assistant, scored by small pure metric functions."""

from programme_assistant.evaluation.metrics import (
    citation_precision,
    citation_recall,
    fact_recall,
    groundedness,
    hit_at,
    mrr_at,
    ndcg_at,
    percentile,
    token_f1,
)
from programme_assistant.evaluation.runner import CaseResult, run_golden, score_case, summarise

__all__ = [
    "CaseResult", "citation_precision", "citation_recall", "fact_recall", "groundedness", "hit_at", "mrr_at",
    "ndcg_at", "percentile", "run_golden", "score_case", "summarise", "token_f1",
]

"""The answerer interface, shared by the extractive and the LLM answerer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from programme_assistant.answering.prompts import refusal_text
from programme_assistant.models import Answer, RetrievedChunk


class Answerer(Protocol):
    """Answers ``question`` from numbered ``passages`` (passage n is ``passages[n-1]``). ``reserve``: the
    passages retrieval ranked next (``reserve_passages`` of them), which an answerer may read before it refuses."""

    name: str
    reserve_passages: int  # how many passages after the retrieved ones it reads (0: none)

    def answer(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Answer:
        """The complete answer: text with ``[n]`` markers, citations, refused flag, unsupported sentences."""
        ...

    def stream(self, question: str, passages: list[RetrievedChunk],
               reserve: Sequence[RetrievedChunk] = ()) -> Iterator[str | Answer]:
        """Text pieces as they are produced, then the final ``Answer`` as the last item."""
        ...


def nearest_documents(passages: list[RetrievedChunk], n: int = 3) -> list[dict[str, str]]:
    """The ``n`` best-ranked distinct documents among the passages (shown with a refusal)."""
    seen: dict[str, dict[str, str]] = {}
    for p in passages:
        if p.chunk.doc_id not in seen:
            seen[p.chunk.doc_id] = {"doc_id": p.chunk.doc_id, "title": p.title, "date": p.date or ""}
        if len(seen) == n:
            break
    return list(seen.values())


def refusal_answer(question: str, passages: list[RetrievedChunk], answerer: str,
                   evidence: dict[str, float] | None = None, language: str | None = None) -> Answer:
    """The honest "not in the documents" answer, listing the nearest documents; in ``language`` (the question's)
    when ``prompts.REFUSAL_IN`` has it, else in English."""
    nearest = nearest_documents(passages)
    text, lead = refusal_text(language)
    if nearest:
        text += f" {lead} " + "; ".join(
            f"{d['title']}" + (f" ({d['date']})" if d["date"] else "") for d in nearest) + "."
    return Answer(question=question, text=text, refused=True, nearest=nearest, evidence=evidence or {},
                  answerer=answerer)

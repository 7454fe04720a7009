"""The HTTP API: ``POST /api/ask`` (question, history, filters -> the Answer as JSON) and ``GET /api/health``.

A FastAPI router over the one Assistant; the chat UI is mounted beside it on the same app (see ``ui.server``).
Answering is CPU-bound, so at most ``Settings.concurrency_limit`` questions are answered at once; the others
wait their turn.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from programme_assistant.errors import ProgrammeAssistantError
from programme_assistant.models import Filters

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant

_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class FilterSpec(BaseModel):
    """Metadata filters; every field is optional and empty means 'any'."""

    doc_types: list[str] = Field(default_factory=list, examples=[["report", "minutes"]])
    languages: list[str] = Field(default_factory=list, examples=[["en"]])
    doc_ids: list[str] = Field(default_factory=list)
    date_from: str | None = Field(None, pattern=_ISO_DATE, examples=["2023-01-01"])
    date_to: str | None = Field(None, pattern=_ISO_DATE, examples=["2023-12-31"])

    def to_filters(self) -> Filters:
        return Filters(
            doc_types=tuple(self.doc_types),
            languages=tuple(self.languages),
            doc_ids=tuple(self.doc_ids),
            date_from=self.date_from or None,
            date_to=self.date_to or None,
        )


class AskRequest(BaseModel):
    question: str = Field(min_length=1, examples=["Which prefectures took part in the R2R strand?"])
    # Earlier turns, oldest first: [question, answer text] pairs, so follow-ups ("And Group B?") are understood.
    history: list[tuple[str, str]] = Field(default_factory=list)
    filters: FilterSpec = Field(default_factory=FilterSpec)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value.strip()


def health(assistant: Assistant) -> dict[str, Any]:
    """Index size, models and the time of the last sync."""
    return {"status": "ok", **asdict(assistant.status())}


def api_router(assistant: Assistant) -> APIRouter:
    settings = assistant.settings
    slots = threading.BoundedSemaphore(settings.concurrency_limit)
    router = APIRouter(prefix="/api", tags=["assistant"])

    @router.post("/ask", summary="Answer a question with cited sources")
    def ask(request: AskRequest) -> JSONResponse:
        """The Answer as JSON: text with [n] markers, citations (document, section, page, quoted sentence),
        refused and nearest documents, the rewritten question, retrieved passages and timings."""
        if len(request.question) > settings.max_question_chars:
            raise HTTPException(
                413, f"the question is longer than {settings.max_question_chars} characters (PA_MAX_QUESTION_CHARS)"
            )
        with slots:
            try:
                answer = assistant.ask(
                    request.question, history=list(request.history), filters=request.filters.to_filters()
                )
            except ProgrammeAssistantError as exc:
                return JSONResponse({"error": exc.message, "fix": exc.fix}, status_code=503)
        return JSONResponse(answer.to_dict())

    @router.get("/health", summary="Index size, models, last sync")
    def get_health() -> dict[str, Any]:
        return health(assistant)

    return router

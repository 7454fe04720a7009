"""The HTTP API: ``POST /api/ask`` (question, history or conversation, filters -> the Answer as JSON),
``GET /api/health``, and the caller's conversations (``GET /api/conversations``, ``GET``/``PATCH``/``DELETE
/api/conversations/{id}``).

A FastAPI router over the one Assistant; the chat UI is mounted beside it on the same app (see ``ui.server``).
Answering is CPU-bound, so at most ``Settings.concurrency_limit`` questions are answered at once; the others
wait their turn.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator, model_validator

from programme_assistant.errors import ConfigError, NotFoundError, ProgrammeAssistantError
from programme_assistant.models import Filters
from programme_assistant.ui.identity import owner_of
from programme_assistant.ui.maintainers import PasswordThrottle, password_ok

if TYPE_CHECKING:
    from programme_assistant.appdata.conversations import ConversationStore
    from programme_assistant.appdata.state import AppData
    from programme_assistant.assistant import Assistant

_ISO_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def valid_text(value: str, what: str) -> str:
    """``value`` unchanged when it is text that can be written out as UTF-8; a lone surrogate ("\\ud800" in
    JSON) is not, and is refused with a message instead of failing later."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start:exc.end].encode("unicode_escape").decode()
        raise ValueError(f"{what} holds {bad}, which is not a character (a lone UTF-16 surrogate); "
                         "send the text as UTF-8 or escape whole characters") from exc
    return value


def _check_date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    parts = value.split("-")
    full = "-".join([*parts, *["01"] * (3 - len(parts))])
    try:
        dt.date.fromisoformat(full)
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not a calendar date (YYYY, YYYY-MM or YYYY-MM-DD)") from exc
    return value


class FilterSpec(BaseModel):
    """Metadata filters; every field is optional and empty means 'any'."""

    doc_types: list[str] = Field(default_factory=list, examples=[["report", "minutes"]])
    languages: list[str] = Field(default_factory=list, examples=[["en"]])
    doc_ids: list[str] = Field(default_factory=list)
    date_from: str | None = Field(None, pattern=_ISO_DATE, examples=["2023-01-01"])
    date_to: str | None = Field(None, pattern=_ISO_DATE, examples=["2023-12-31"])

    @field_validator("doc_types", "languages", "doc_ids")
    @classmethod
    def _text(cls, values: list[str]) -> list[str]:
        return [valid_text(v, "a filter value") for v in values]

    @model_validator(mode="after")
    def _dates(self) -> FilterSpec:
        _check_date(self.date_from, "date_from")
        _check_date(self.date_to, "date_to")
        if self.date_from and self.date_to and Filters(date_from=self.date_from, date_to=self.date_to).reversed:
            raise ValueError(f"date_to {self.date_to} is before date_from {self.date_from}: swap them")
        return self

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
    # Continue a kept conversation (its turns are the history; the answer is added to it), or start one
    # (new_conversation). Either needs a login user or an X-Client-Id header; neither goes with `history`.
    conversation_id: str | None = Field(None, max_length=64)
    new_conversation: bool = False

    @model_validator(mode="after")
    def _one_history(self) -> AskRequest:
        if self.conversation_id and self.new_conversation:
            raise ValueError("send conversation_id to continue a conversation or new_conversation to start one, "
                             "not both")
        if (self.conversation_id or self.new_conversation) and self.history:
            raise ValueError("a kept conversation brings its own history: leave `history` empty")
        return self

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return valid_text(value.strip(), "the question")

    @field_validator("history")
    @classmethod
    def _history_text(cls, turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for n, (question, answer) in enumerate(turns, start=1):
            valid_text(question, f"history turn {n}'s question")
            valid_text(answer, f"history turn {n}'s answer")
        return turns


def health(assistant: Assistant) -> JSONResponse:
    """Index size, models and the time of the last sync; 503 with "degraded" and why when the store is down."""
    try:
        return JSONResponse({"status": "ok", **asdict(assistant.status())})
    except ProgrammeAssistantError as exc:
        return JSONResponse({"status": "degraded", "reason": exc.message, "fix": exc.fix}, status_code=503)


class RenameRequest(BaseModel):
    title: str = Field(min_length=1, max_length=200)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the title is empty")
        return valid_text(value.strip(), "the title")


def _error(exc: ProgrammeAssistantError) -> JSONResponse:
    status = 404 if isinstance(exc, NotFoundError) else 400 if isinstance(exc, ConfigError) else 503
    return JSONResponse({"error": exc.message, "fix": exc.fix}, status_code=status)


def api_router(assistant: Assistant, data: AppData | None = None) -> APIRouter:
    """``/api/ask`` answers ``concurrency_limit`` questions at a time on threads of its own; the others wait
    on the event loop, holding no thread, so health checks, static files and the UI stay responsive."""
    settings = assistant.settings
    workers = ThreadPoolExecutor(max_workers=settings.concurrency_limit, thread_name_prefix="pa-answer")
    slots: dict[str, asyncio.Semaphore] = {}  # one per event loop (a test client runs its own)
    router = APIRouter(prefix="/api", tags=["assistant"])

    def slot() -> asyncio.Semaphore:
        key = str(id(asyncio.get_running_loop()))
        if key not in slots:
            slots[key] = asyncio.Semaphore(settings.concurrency_limit)
        return slots[key]

    login = bool(settings.login_credentials())

    def kept(request: Request) -> tuple[ConversationStore, str]:
        """The conversation store and whose conversations the request may see."""
        if data is None:
            raise NotFoundError("this server keeps no conversations", "start it with `programme-assistant serve`")
        return data.conversations, owner_of(request.headers, login=login)

    @router.post("/ask", summary="Answer a question with cited sources")
    async def ask(request: AskRequest, http: Request) -> JSONResponse:
        """The Answer as JSON: text with [n] markers, citations (document, section, page, quoted sentence),
        refused and nearest documents, the rewritten question, retrieved passages and timings. With
        ``conversation_id`` or ``new_conversation`` the answer is kept in that conversation, and the reply
        carries ``conversation_id`` and ``answer_id``."""
        if len(request.question) > settings.max_question_chars:
            raise HTTPException(
                413, f"the question is longer than {settings.max_question_chars} characters (PA_MAX_QUESTION_CHARS)"
            )
        if len(request.history) > settings.max_history_turns:
            raise HTTPException(
                413, f"the history has {len(request.history)} turns, more than {settings.max_history_turns} "
                "(PA_MAX_HISTORY_TURNS): send the recent turns only")
        keep = bool(request.conversation_id or request.new_conversation)
        history = list(request.history)
        try:
            if keep:
                store, who = kept(http)
                if request.conversation_id:
                    history = store.get(who, request.conversation_id).history
                    history = history[-settings.max_history_turns:] if settings.max_history_turns else []
        except ProgrammeAssistantError as exc:
            return _error(exc)
        filters = request.filters.to_filters()
        async with slot():
            try:
                answer = await asyncio.get_running_loop().run_in_executor(
                    workers, lambda: assistant.ask(request.question, history=history, filters=filters))
            except ProgrammeAssistantError as exc:
                return JSONResponse({"error": exc.message, "fix": exc.fix}, status_code=503)
        body = answer.to_dict()
        if keep:
            try:
                conversation_id = request.conversation_id or store.create(who, request.question).id
                answer_id = uuid.uuid4().hex
                store.add_turn(who, conversation_id, answer, answer_id=answer_id, filters=request.filters.model_dump())
            except ProgrammeAssistantError as exc:
                return _error(exc)
            body.update(conversation_id=conversation_id, answer_id=answer_id)
        return JSONResponse(body)

    throttle = PasswordThrottle(settings.admin_attempts_before_wait)

    @router.post("/sync", summary="Sync the corpus folder into the index (only what changed)")
    async def sync(http: Request) -> JSONResponse:
        """For maintainers and schedulers: the same sync as the Documents tab. Needs document editing on
        (PA_DOCUMENT_EDITING) and, when PA_ADMIN_PASSWORD is set, that password in ``X-Admin-Password``.
        Every worker over the same store sees the result within seconds."""
        if not settings.document_editing:
            return JSONResponse({"error": "document editing is off on this server",
                                 "fix": "set PA_DOCUMENT_EDITING=true, or run `programme-assistant ingest`"},
                                status_code=403)
        client = http.client.host if http.client else "?"
        wait = throttle.wait(client)
        if wait > 0:
            return JSONResponse({"error": "too many wrong passwords", "fix": f"wait {wait:.0f} s"},
                                status_code=429, headers={"Retry-After": str(int(wait) + 1)})
        if not password_ok(settings, http.headers.get("x-admin-password")):
            throttle.failed(client)
            return JSONResponse({"error": "the admin password is missing or wrong",
                                 "fix": "send PA_ADMIN_PASSWORD in the X-Admin-Password header"}, status_code=403)
        throttle.succeeded(client)
        try:
            report = await asyncio.get_running_loop().run_in_executor(workers, assistant.sync)
        except ProgrammeAssistantError as exc:
            return _error(exc)
        body = report.to_dict()
        return JSONResponse(body, status_code=200 if report.ok else 500)

    @router.get("/conversations", summary="Your conversations, the most recent first")
    def list_conversations(http: Request) -> JSONResponse:
        try:
            store, who = kept(http)
            return JSONResponse([c.summary() for c in store.list(who)])
        except ProgrammeAssistantError as exc:
            return _error(exc)

    @router.get("/conversations/{conversation_id}", summary="One of your conversations, with its turns")
    def get_conversation(conversation_id: str, http: Request) -> JSONResponse:
        try:
            store, who = kept(http)
            conv = store.get(who, conversation_id)
        except ProgrammeAssistantError as exc:
            return _error(exc)
        turns = [{"position": t.position, "answer_id": t.answer_id, "created_at": t.created_at,
                  "question": t.question, "answer": t.answer.to_dict(), "filters": t.filters} for t in conv.turns]
        return JSONResponse({**conv.summary(), "turns": turns})

    @router.patch("/conversations/{conversation_id}", summary="Rename one of your conversations")
    def rename_conversation(conversation_id: str, body: RenameRequest, http: Request) -> JSONResponse:
        try:
            store, who = kept(http)
            conv = store.rename(who, conversation_id, body.title)
        except ProgrammeAssistantError as exc:
            return _error(exc)
        return JSONResponse(conv.summary())

    @router.delete("/conversations/{conversation_id}", status_code=204, summary="Delete one of your conversations")
    def delete_conversation(conversation_id: str, http: Request) -> Response:
        try:
            store, who = kept(http)
            store.delete(who, conversation_id)
        except ProgrammeAssistantError as exc:
            return _error(exc)
        return Response(status_code=204)

    @router.get("/health", summary="Index size, models, last sync")
    def get_health() -> JSONResponse:
        return health(assistant)

    return router

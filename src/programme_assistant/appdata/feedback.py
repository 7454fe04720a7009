"""Thumbs up/down on answers, kept in the app database, and the down-voted ones exported as draft eval cases.

Each vote is stored with everything needed to reproduce and judge the answer later: the question, the
conversation before it, the answer text, its citations, the filters and the settings that produced it.
One row per answer (``answer_id``): voting again on the same answer replaces the vote.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from programme_assistant.appdata.database import AppDatabase
from programme_assistant.appdata.tables import feedback as table
from programme_assistant.errors import ConfigError
from programme_assistant.models import Answer
from programme_assistant.text.language import detect_language

Vote = Literal["up", "down"]
REASONS: tuple[str, ...] = ("wrong source", "incomplete", "wrong", "other")

# Settings that never go into the feedback file.
_SECRET_SETTINGS = frozenset({"admin_password", "login_users", "llm_api_key"})


@dataclass(frozen=True)
class FeedbackRecord:
    answer_id: str
    created_at: str
    vote: Vote
    reason: str
    comment: str
    question: str
    standalone_question: str
    answer: str
    refused: bool
    answerer: str
    citations: list[dict[str, Any]]
    history: list[list[str]]
    filters: dict[str, Any]
    settings: dict[str, Any]


def settings_snapshot(settings: Any) -> dict[str, Any]:
    """The settings as JSON-ready values, without passwords or keys."""
    data = settings.model_dump(mode="json", exclude=set(_SECRET_SETTINGS))
    return {k: v for k, v in data.items() if k not in _SECRET_SETTINGS}


def citation_summary(answer: Answer) -> list[dict[str, Any]]:
    return [
        {
            "number": c.number,
            "doc_id": c.doc_id,
            "title": c.title,
            "date": c.date,
            "section": c.section,
            "page": c.page,
            "quote": c.quote,
        }
        for c in answer.citations
    ]


class FeedbackStore:
    """The votes, in the app database. Safe to share between the threads of the web server."""

    def __init__(self, db: AppDatabase) -> None:
        self.db = db

    def vote(
        self,
        answer_id: str,
        vote: Vote,
        answer: Answer,
        *,
        history: Sequence[Sequence[str]] = (),
        filters: dict[str, Any] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        """Record (or replace) the vote on one answer. A changed vote keeps an earlier reason only if still down."""
        if vote not in ("up", "down"):
            raise ConfigError(f"unknown vote {vote!r}", "vote 'up' or 'down'")
        row = {
            "answer_id": answer_id,
            "created_at": _now(),
            "vote": vote,
            "question": answer.question,
            "standalone_question": answer.standalone_question,
            "answer": answer.text,
            "refused": int(answer.refused),
            "answerer": answer.answerer,
            "citations": json.dumps(citation_summary(answer), ensure_ascii=False),
            "history": json.dumps([list(turn) for turn in history], ensure_ascii=False),
            "filters": json.dumps(filters or {}, ensure_ascii=False),
            "settings": json.dumps(settings or {}, ensure_ascii=False),
        }
        with self.db.begin() as conn:
            conn.execute(_upsert(conn.dialect.name, row))

    def set_reason(self, answer_id: str, reason: str, comment: str = "") -> bool:
        """Attach the reason for a down-vote. False when the answer has no down-vote."""
        if reason and reason not in REASONS:
            raise ConfigError(f"unknown reason {reason!r}", f"use one of: {', '.join(REASONS)}")
        with self.db.begin() as conn:
            result = conn.execute(
                table.update()
                .where(table.c.answer_id == answer_id, table.c.vote == "down")
                .values(reason=reason, comment=comment.strip()[:2000])
            )
            return bool(result.rowcount)

    def remove(self, answer_id: str) -> None:
        """The vote was taken back."""
        with self.db.begin() as conn:
            conn.execute(table.delete().where(table.c.answer_id == answer_id))

    def records(self, vote: Vote | None = None) -> list[FeedbackRecord]:
        from sqlalchemy import select

        if not self.db.exists():  # reading creates nothing
            return []
        query = select(table).order_by(table.c.created_at, table.c.answer_id)
        if vote:
            query = query.where(table.c.vote == vote)
        with self.db.begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            FeedbackRecord(
                r["answer_id"], r["created_at"], r["vote"], r["reason"], r["comment"], r["question"],
                r["standalone_question"], r["answer"], bool(r["refused"]), r["answerer"],
                json.loads(r["citations"]), json.loads(r["history"]), json.loads(r["filters"]),
                json.loads(r["settings"]),
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        out = {"up": 0, "down": 0}
        for r in self.records():
            out[r.vote] += 1
        return out


def draft_case(record: FeedbackRecord) -> dict[str, Any]:
    """A down-voted answer as a draft golden case (the shape of ``evals/golden.jsonl``).

    ``reference_answer`` and ``required_facts`` are left for a person to write: the draft says what went wrong,
    not what is right. ``expected_doc_ids`` starts from the cited documents, unless the reason was a wrong source.
    """
    slug = re.sub(r"[^a-z0-9]+", "-", record.question.lower()).strip("-")[:40].strip("-") or "question"
    cited = list(dict.fromkeys(str(c.get("doc_id", "")) for c in record.citations if c.get("doc_id")))
    notes = [f"DRAFT from feedback {record.answer_id} ({record.created_at}), reason: {record.reason or 'not given'}"]
    if record.comment:
        notes.append(f"comment: {record.comment}")
    notes.append(f"the assistant answered ({record.answerer}{', refused' if record.refused else ''}): {record.answer}")
    if cited:
        notes.append(f"it cited: {', '.join(cited)}")
    return {
        "id": f"fb-{record.answer_id[:8]}-{slug}",
        "category": "follow_up" if record.history else "single_fact",
        "question": record.question,
        "reference_answer": "TODO: the correct answer, from the documents",
        "required_facts": [],
        "expected_doc_ids": [] if record.reason == "wrong source" else cited,
        "supporting_doc_ids": [],
        "history": [turn[0] for turn in record.history if turn],
        # what the assistant answered to those turns when the vote was cast: context for whoever completes the draft
        "history_answers": [turn[1] if len(turn) > 1 else "" for turn in record.history if turn],
        "language": detect_language(record.question),
        "notes": "; ".join(notes),
        "draft": True,
    }


def export_drafts(records: Iterable[FeedbackRecord], out: Path | None) -> tuple[int, str]:
    """Write the down-voted records as JSON lines to ``out`` (or return them as text when ``out`` is None)."""
    lines = [json.dumps(draft_case(r), ensure_ascii=False) for r in records if r.vote == "down"]
    text = "".join(line + "\n" for line in lines)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return len(lines), text


def _upsert(dialect: str, row: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT (answer_id) DO UPDATE, in the dialect's words (SQLite and PostgreSQL both have it):
    a changed vote keeps the reason and comment only while it stays down."""
    from sqlalchemy import case

    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise ConfigError(f"the app database's dialect {dialect!r} is not supported",
                          "use SQLite (default) or PostgreSQL in PA_DATABASE_URL")
    stmt = insert(table).values(**row, reason="", comment="")
    down = stmt.excluded.vote == "down"
    return stmt.on_conflict_do_update(
        index_elements=[table.c.answer_id],
        set_={
            "vote": stmt.excluded.vote,
            "created_at": stmt.excluded.created_at,
            "reason": case((down, table.c.reason), else_=""),
            "comment": case((down, table.c.comment), else_=""),
        },
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

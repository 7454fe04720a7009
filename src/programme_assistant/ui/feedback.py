"""Thumbs up/down on answers, kept in a local SQLite file, and the down-voted ones exported as draft eval cases.

Each vote is stored with everything needed to reproduce and judge the answer later: the question, the
conversation before it, the answer text, its citations, the filters and the settings that produced it.
One row per answer (``answer_id``): voting again on the same answer replaces the vote.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from programme_assistant.errors import ConfigError
from programme_assistant.models import Answer
from programme_assistant.text.language import detect_language

Vote = Literal["up", "down"]
REASONS: tuple[str, ...] = ("wrong source", "incomplete", "wrong", "other")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    reason TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    standalone_question TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0,
    answerer TEXT NOT NULL DEFAULT '',
    citations TEXT NOT NULL DEFAULT '[]',   -- JSON: number, doc_id, title, date, section, page, quote
    history TEXT NOT NULL DEFAULT '[]',     -- JSON: [[question, answer], ...] before this question
    filters TEXT NOT NULL DEFAULT '{}',     -- JSON
    settings TEXT NOT NULL DEFAULT '{}'     -- JSON: the settings that shaped the answer (no secrets)
);
"""

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
    """The feedback database. Safe to share between the threads of the web server."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:  # created on first use, so starting the app writes nothing
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            self._db = db
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

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
        row = (
            answer_id,
            _now(),
            vote,
            answer.question,
            answer.standalone_question,
            answer.text,
            int(answer.refused),
            answer.answerer,
            json.dumps(citation_summary(answer), ensure_ascii=False),
            json.dumps([list(turn) for turn in history], ensure_ascii=False),
            json.dumps(filters or {}, ensure_ascii=False),
            json.dumps(settings or {}, ensure_ascii=False),
        )
        with self._lock:
            self._conn().execute(
                "INSERT INTO feedback (answer_id, created_at, vote, question, standalone_question, answer, refused, "
                "answerer, citations, history, filters, settings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(answer_id) DO UPDATE SET vote=excluded.vote, created_at=excluded.created_at, "
                "reason=CASE WHEN excluded.vote='down' THEN feedback.reason ELSE '' END, "
                "comment=CASE WHEN excluded.vote='down' THEN feedback.comment ELSE '' END",
                row,
            )

    def set_reason(self, answer_id: str, reason: str, comment: str = "") -> bool:
        """Attach the reason for a down-vote. False when the answer has no down-vote."""
        if reason and reason not in REASONS:
            raise ConfigError(f"unknown reason {reason!r}", f"use one of: {', '.join(REASONS)}")
        with self._lock:
            cur = self._conn().execute(
                "UPDATE feedback SET reason=?, comment=? WHERE answer_id=? AND vote='down'",
                (reason, comment.strip()[:2000], answer_id),
            )
            return cur.rowcount > 0

    def remove(self, answer_id: str) -> None:
        """The vote was taken back."""
        with self._lock:
            self._conn().execute("DELETE FROM feedback WHERE answer_id=?", (answer_id,))

    def records(self, vote: Vote | None = None) -> list[FeedbackRecord]:
        if not self.path.exists():
            return []
        query = (
            "SELECT answer_id, created_at, vote, reason, comment, question, standalone_question, answer, "
            "refused, answerer, citations, history, filters, settings FROM feedback"
        )
        args: tuple[Any, ...] = ()
        if vote:
            query += " WHERE vote=?"
            args = (vote,)
        with self._lock:
            rows = self._conn().execute(query + " ORDER BY created_at, answer_id", args).fetchall()
        return [
            FeedbackRecord(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                bool(r[8]),
                r[9],
                json.loads(r[10]),
                json.loads(r[11]),
                json.loads(r[12]),
                json.loads(r[13]),
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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

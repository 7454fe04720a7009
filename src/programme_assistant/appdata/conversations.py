"""The chat's conversations, kept in the app database per owner: a login user ("user:alice") or, without a
login, a browser or API client ("client:<random id>").

Every read and write names the owner, and a conversation of another owner is reported as not found (never as
forbidden: its existence is not revealed). A conversation is created with its first turn's question as title.

    store = ConversationStore(db)
    conv = store.create(owner, title="Which prefectures...?")
    store.add_turn(owner, conv.id, answer, answer_id=..., filters={...})
    store.list(owner); store.get(owner, conv.id); store.rename(...); store.delete(...)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from programme_assistant.appdata.database import AppDatabase
from programme_assistant.appdata.tables import conversations as conv_table
from programme_assistant.appdata.tables import turns as turn_table
from programme_assistant.errors import ConfigError, NotFoundError
from programme_assistant.models import Answer

TITLE_CHARS = 80
_ID = re.compile(r"^[0-9a-f]{32}$")
_CLIENT = re.compile(r"^[A-Za-z0-9_-]{8,100}$")


@dataclass(frozen=True)
class ConversationTurn:
    position: int
    answer_id: str
    created_at: str
    question: str
    answer: Answer
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: str
    updated_at: str
    turn_count: int = 0
    turns: tuple[ConversationTurn, ...] = ()

    @property
    def history(self) -> list[tuple[str, str]]:
        """(question, answer text) pairs, oldest first: what a follow-up question is read against."""
        return [(t.question, t.answer.text) for t in self.turns]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "created_at": self.created_at, "updated_at": self.updated_at,
                "turns": self.turn_count}


def user_owner(username: str) -> str:
    return f"user:{username}"


def client_owner(client_id: str) -> str:
    """The owner for a browser or API client without a login. The id is the client's own random string."""
    if not _CLIENT.match(client_id or ""):
        raise ConfigError(
            f"the client id {client_id[:40]!r} is not 8-100 letters, digits, '-' or '_'",
            "send a random id (e.g. a UUID) in the X-Client-Id header, the same one on every request",
        )
    return f"client:{client_id}"


def title_from(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


class ConversationStore:
    """Conversations in the app database. Safe to share between the threads of the web server."""

    def __init__(self, db: AppDatabase) -> None:
        self.db = db

    def create(self, owner: str, title: str = "New chat") -> Conversation:
        now = _now()
        conv = Conversation(uuid.uuid4().hex, title_from(title) or "New chat", now, now)
        with self.db.begin() as conn:
            conn.execute(conv_table.insert().values(id=conv.id, owner=owner, title=conv.title, created_at=now,
                                                    updated_at=now))
        return conv

    def list(self, owner: str, limit: int = 200) -> list[Conversation]:
        """The owner's conversations, the most recently used first."""
        from sqlalchemy import func, select

        if not self.db.exists():
            return []
        count = (
            select(func.count()).select_from(turn_table)
            .where(turn_table.c.conversation_id == conv_table.c.id).scalar_subquery()
        )
        query = (
            select(conv_table, count.label("turn_count"))
            .where(conv_table.c.owner == owner)
            .order_by(conv_table.c.updated_at.desc(), conv_table.c.id)
            .limit(limit)
        )
        with self.db.begin() as conn:
            rows = conn.execute(query).mappings().all()
        return [Conversation(r["id"], r["title"], r["created_at"], r["updated_at"], int(r["turn_count"]))
                for r in rows]

    def get(self, owner: str, conversation_id: str) -> Conversation:
        """The conversation with its turns; NotFoundError when it does not exist or is another owner's."""
        from sqlalchemy import select

        with self.db.begin() as conn:
            row = self._row(conn, owner, conversation_id)
            turns = conn.execute(
                select(turn_table).where(turn_table.c.conversation_id == conversation_id)
                .order_by(turn_table.c.position)
            ).mappings().all()
        loaded = tuple(
            ConversationTurn(t["position"], t["answer_id"], t["created_at"], t["question"],
                             Answer.from_dict(json.loads(t["answer"])), json.loads(t["filters"]))
            for t in turns
        )
        return Conversation(row["id"], row["title"], row["created_at"], row["updated_at"], len(loaded), loaded)

    def add_turn(self, owner: str, conversation_id: str, answer: Answer, *, answer_id: str,
                 filters: dict[str, Any] | None = None) -> int:
        """Append an answered question; returns its position (0 for the first)."""
        from sqlalchemy import func, select

        data = answer.to_dict()
        data.pop("retrieved", None)  # the passages are in the index; the citations keep what was shown
        now = _now()
        with self.db.begin() as conn:
            self._row(conn, owner, conversation_id, lock=True)
            last = conn.execute(
                select(func.max(turn_table.c.position)).where(turn_table.c.conversation_id == conversation_id)
            ).scalar()
            position = 0 if last is None else int(last) + 1
            conn.execute(turn_table.insert().values(
                conversation_id=conversation_id, position=position, answer_id=answer_id, created_at=now,
                question=answer.question, answer=json.dumps(data, ensure_ascii=False),
                filters=json.dumps(filters or {}, ensure_ascii=False)))
            conn.execute(conv_table.update().where(conv_table.c.id == conversation_id).values(updated_at=now))
        return position

    def rename(self, owner: str, conversation_id: str, title: str) -> Conversation:
        title = title_from(title)
        if not title:
            raise ConfigError("the new name is empty", "type a name for the conversation")
        with self.db.begin() as conn:
            self._row(conn, owner, conversation_id, lock=True)
            conn.execute(conv_table.update().where(conv_table.c.id == conversation_id).values(title=title))
        return self.get(owner, conversation_id)

    def delete(self, owner: str, conversation_id: str) -> None:
        with self.db.begin() as conn:
            self._row(conn, owner, conversation_id, lock=True)
            conn.execute(turn_table.delete().where(turn_table.c.conversation_id == conversation_id))
            conn.execute(conv_table.delete().where(conv_table.c.id == conversation_id))

    @staticmethod
    def _row(conn: Any, owner: str, conversation_id: str, *, lock: bool = False) -> Any:
        from sqlalchemy import select

        missing = NotFoundError(f"no conversation {conversation_id[:40]!r}",
                                "list your conversations (GET /api/conversations) and use one of their ids")
        if not _ID.match(conversation_id or ""):
            raise missing
        query = select(conv_table).where(conv_table.c.id == conversation_id, conv_table.c.owner == owner)
        if lock:
            query = query.with_for_update()
        row = conn.execute(query).mappings().first()
        if row is None:
            raise missing
        return row


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")

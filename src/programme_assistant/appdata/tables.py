"""The tables of the app database (SQLAlchemy Core). Migrations in ``migrations/versions`` create them; this
module is what the stores query through. A change here needs a new migration."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", String(64), primary_key=True),
    Column("created_at", String(32), nullable=False),
    Column("vote", String(8), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("comment", Text, nullable=False, server_default=""),
    Column("question", Text, nullable=False),
    Column("standalone_question", Text, nullable=False, server_default=""),
    Column("answer", Text, nullable=False),
    Column("refused", Integer, nullable=False, server_default="0"),
    Column("answerer", Text, nullable=False, server_default=""),
    Column("citations", Text, nullable=False, server_default="[]"),  # JSON
    Column("history", Text, nullable=False, server_default="[]"),  # JSON: [[question, answer], ...]
    Column("filters", Text, nullable=False, server_default="{}"),  # JSON
    Column("settings", Text, nullable=False, server_default="{}"),  # JSON, no secrets
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(200), nullable=False),  # "user:<login>" or "client:<browser or API client id>"
    Column("title", String(200), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_conversations_owner_updated", "owner", "updated_at"),
)

turns = Table(
    "conversation_turns",
    metadata,
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("answer_id", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),  # JSON: the Answer (text, citations, refusal...), no retrieved list
    Column("filters", Text, nullable=False, server_default="{}"),  # JSON
)

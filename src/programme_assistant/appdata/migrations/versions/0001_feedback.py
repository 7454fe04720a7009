"""The feedback table, as the app wrote it before migrations existed.

A database from then (the table, no alembic_version) is adopted as it is: the table is created only when
missing, so its rows stay.

Revision ID: 0001_feedback
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_feedback"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("feedback"):
        return
    op.create_table(
        "feedback",
        sa.Column("answer_id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("vote", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("standalone_question", sa.Text, nullable=False, server_default=""),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False, server_default="0"),
        sa.Column("answerer", sa.Text, nullable=False, server_default=""),
        sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
        sa.Column("history", sa.Text, nullable=False, server_default="[]"),
        sa.Column("filters", sa.Text, nullable=False, server_default="{}"),
        sa.Column("settings", sa.Text, nullable=False, server_default="{}"),
        sa.CheckConstraint("vote IN ('up', 'down')", name="ck_feedback_vote"),
    )


def downgrade() -> None:
    op.drop_table("feedback")

"""Alembic's environment: migrations run on the connection AppDatabase hands over (see database.py)."""

from __future__ import annotations

from alembic import context

from programme_assistant.appdata.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()

"""The app's own state, beside the document index: thumbs up/down (``feedback``) and the chat's conversations
(``conversations``), in one SQL database reached through SQLAlchemy (``database``).

A SQLite file by default (``PA_FEEDBACK_DB``); PostgreSQL, or any database SQLAlchemy speaks, when
``PA_DATABASE_URL`` says so. The schema is created and migrated by the app with Alembic (``migrations/``):
opening the database upgrades it, and a file written by an older version keeps every row.
"""

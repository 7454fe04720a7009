"""One SQL database for the app's state, opened lazily and migrated to the newest schema on first use.

    db = AppDatabase("sqlite:///feedback.sqlite")      # or postgresql+psycopg://user@host/db
    with db.begin() as conn: ...                       # a transaction (SQLAlchemy Core connection)

Opening runs the Alembic migrations in ``migrations/`` up to the newest revision. A file from before the
migrations existed (the feedback table alone, no ``alembic_version``) is adopted: the first migration creates
only what is missing, so every row stays. On PostgreSQL an advisory lock keeps two workers starting together
from migrating at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from programme_assistant.errors import DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 727_274_101  # pg_advisory_lock key for migrations: any fixed number unique to this app


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is described as given, minus anything after '@'
        return url.split("@")[-1]


class AppDatabase:
    """The engine of the app database. Safe to share between threads; nothing connects until first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Any = None
        self._lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        from sqlalchemy.engine import make_url

        database = make_url(self.url).database
        return Path(database) if database and database != ":memory:" else None

    def exists(self) -> bool:
        """False for a SQLite file not created yet (nothing to read); True for a server database."""
        path = self.sqlite_path
        return path.exists() if path is not None else True

    @property
    def engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                self._engine = self._open()
        return self._engine

    def _open(self) -> Any:
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        try:
            if self.is_sqlite:
                path = self.sqlite_path
                if path is not None:
                    try:
                        path.parent.mkdir(parents=True, exist_ok=True)
                    except OSError as exc:
                        raise DatabaseError(
                            f"cannot create the folder of the app database {path}: {exc.strerror or exc}",
                            "set PA_FEEDBACK_DB to a file in a writable folder (or PA_DATABASE_URL)",
                        ) from exc
                engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 30})

                @event.listens_for(engine, "connect")
                def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
                    cur = dbapi_conn.cursor()
                    cur.execute("PRAGMA journal_mode=WAL")
                    cur.execute("PRAGMA foreign_keys=ON")
                    cur.close()
            else:
                engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise DatabaseError(
                f"cannot use the app database {describe(self.url)!r}: {exc}",
                "set PA_DATABASE_URL to a SQLAlchemy URL such as postgresql+psycopg://user:pw@host/db "
                "(install the extra 'postgres' for PostgreSQL), or unset it to use the SQLite file PA_FEEDBACK_DB",
            ) from exc
        try:
            self._upgrade(engine)
        except DatabaseError:
            engine.dispose()
            raise
        return engine

    def _upgrade(self, engine: Any) -> None:
        """Migrate to the newest schema (Alembic, in this process; see migrations/env.py)."""
        from alembic import command
        from alembic.config import Config
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with engine.begin() as conn:
                postgres = conn.dialect.name == "postgresql"
                if postgres:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"cannot open the app database {describe(self.url)}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}",
                "check that the database server is running and PA_DATABASE_URL (or the path of PA_FEEDBACK_DB) "
                "is right and writable",
            ) from exc

    def revision(self) -> str | None:
        """The schema revision the database is at (Alembic's)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def begin(self) -> Iterator[Any]:
        """A transaction; a database failure becomes a DatabaseError that names the database."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"the app database {describe(self.url)} failed: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                "check that the database server is running and reachable; nothing was saved",
            ) from exc

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

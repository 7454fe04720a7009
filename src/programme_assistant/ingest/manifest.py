"""The sync manifest: what each file looked like when its chunks were last stored, kept beside the index.

Why our own manifest rather than LangChain's indexing API with a SQLRecordManager: the record manager
keys records by chunk content and cleans up by source, which gives no duplicates, but (1) it must read
and hash every file on every run, where a size+mtime check lets an unchanged folder re-sync without
opening a file; (2) it cannot report per file (added / updated / unchanged / deleted / failed with the
reason); (3) it has no notion of "this file was half-written when the process died". Here each file's
write is journalled: ``begin`` marks it pending with the new chunk ids, the store is written, then
``complete`` records the new state in one SQLite transaction. A pending entry on the next run means
"reconcile this file against what the store really holds".
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    doc_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,            -- 'complete' or 'pending'
    content_hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sidecar_mtime_ns INTEGER NOT NULL,
    chunk_ids TEXT NOT NULL,         -- JSON list, in document order
    title TEXT NOT NULL DEFAULT '',
    doc_type TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    reader TEXT NOT NULL DEFAULT ''  -- the loader and its version that read the file (loaders.reader_version)
);
"""


@dataclass(frozen=True)
class FileRecord:
    doc_id: str
    status: str
    content_hash: str
    size: int
    mtime_ns: int
    sidecar_mtime_ns: int
    chunk_ids: tuple[str, ...]
    title: str
    doc_type: str
    date: str
    language: str
    updated_at: str
    # the loader and its version that read the file (``loaders.reader_version``); "" in a manifest written before
    # loaders had versions, which counts as version 1 of the file's loader
    reader: str = ""


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(files)")}
        if "reader" not in columns:  # a manifest from before loaders had versions
            self._db.execute("ALTER TABLE files ADD COLUMN reader TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self._db.close()

    # --- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- files -----------------------------------------------------------------------------
    def records(self) -> dict[str, FileRecord]:
        rows = self._db.execute(
            "SELECT doc_id, status, content_hash, size, mtime_ns, sidecar_mtime_ns, chunk_ids, title, "
            "doc_type, date, language, updated_at, reader FROM files"
        ).fetchall()
        return {
            r[0]: FileRecord(r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6])), *r[7:])
            for r in rows
        }

    def total_chunks(self) -> int:
        return sum(len(r.chunk_ids) for r in self.records().values() if r.status == "complete")

    def has_pending(self) -> bool:
        return self._db.execute("SELECT 1 FROM files WHERE status = 'pending' LIMIT 1").fetchone() is not None

    def begin(self, doc_id: str, chunk_ids: list[str]) -> None:
        """Journal a write: from here until ``complete``, the store may hold a mix of old and new."""
        self._db.execute(
            "INSERT INTO files (doc_id, status, content_hash, size, mtime_ns, sidecar_mtime_ns, chunk_ids, "
            "updated_at) VALUES (?, 'pending', '', -1, -1, -1, ?, ?) "
            "ON CONFLICT(doc_id) DO UPDATE SET status='pending', chunk_ids=excluded.chunk_ids",
            (doc_id, json.dumps(chunk_ids), _now()),
        )

    def complete(self, record: FileRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO files (doc_id, status, content_hash, size, mtime_ns, sidecar_mtime_ns, "
            "chunk_ids, title, doc_type, date, language, updated_at, reader) "
            "VALUES (?, 'complete', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.doc_id, record.content_hash, record.size, record.mtime_ns, record.sidecar_mtime_ns,
             json.dumps(list(record.chunk_ids)), record.title, record.doc_type, record.date, record.language,
             _now(), record.reader),
        )

    def touch(self, doc_id: str, size: int, mtime_ns: int, sidecar_mtime_ns: int) -> None:
        """Same content, new timestamps (e.g. the file was copied): remember the new stat."""
        self._db.execute("UPDATE files SET size=?, mtime_ns=?, sidecar_mtime_ns=? WHERE doc_id=?",
                         (size, mtime_ns, sidecar_mtime_ns, doc_id))

    def remove(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM files WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        self._db.execute("DELETE FROM files")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

"""The lexical index on disk: BM25 over the stored passages in a SQLite file beside the Chroma index.

A sync adds and removes only the changed passages' postings (``stage`` / ``flush``), and a new process opens the
file and reads what a question needs instead of rebuilding anything. Each word's postings are one blob (passage
row, term frequency, passage length) and scores are computed at question time with bm25s's formula ("lucene":
k1 1.5, b 0.75, the IDF and average length of the passages indexed now), so the ranking is the one the in-memory
bm25s index gave, whatever order the passages came in. The passages' tokens come from ``text.tokens.Tokenizer``
over the same searchable text as before (label, section, text and, with ``cross_language``, its English gloss).

Staying equal to Chroma, which is the truth:

- the file records the store state it was brought up to (``ChunkStore.state()``: passage count and the index
  version a sync writes into the collection's metadata) and whether a sync was writing it (``dirty``);
- a sync holds the file's lock (``<file>.lock``, an advisory lock the kernel drops when the process dies), marks
  the file dirty, mirrors each store write, then records the new state; killed midway, the file stays dirty;
- any process that finds the file dirty with no lock held, or behind the store (another process's sync over a
  Chroma server, a store written without this file), catches up from the store: the passages whose id or
  metadata differ are read from Chroma and re-indexed, the others are kept (``catch_up``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from programme_assistant.models import Filters, date_int, label_of
from programme_assistant.retrieval.glossary import GlossaryEntry, parse_glossary
from programme_assistant.retrieval.lexical import K1, B, Vocabulary
from programme_assistant.retrieval.sources import document_words
from programme_assistant.text.language import english_gloss, lexicon_digest
from programme_assistant.text.tokens import Tokenizer, tokens_digest

# Bump when the searchable text or the tokenizer changes: a file written by another version is rebuilt.
INDEX_FORMAT = 2
# Staged passages written to the file at once during a sync: each flush rewrites the postings of the words
# involved, so small flushes during a long first sync would rewrite the common words' postings again and again.
FLUSH_PASSAGES = 2000
_POSTING = np.dtype([("row", "<i4"), ("tf", "<u2"), ("length", "<u2")])
_TABLES = ("passages", "postings", "documents", "glossary")  # the index's tables (SCHEMA), besides meta
_SQL_PAGE = 500  # ids per "IN (...)" query, below SQLite's variable limit
_PASSAGE_COLUMNS = ["row", "chunk_id", "doc_id", "doc_type", "language", "date_int", "chunk_index", "length", "terms",
                    "text", "meta"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages (
    row INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    language TEXT NOT NULL,
    date_int INTEGER NOT NULL,
    chunk_index INTEGER NOT NULL,
    length INTEGER NOT NULL,
    terms TEXT NOT NULL,             -- its distinct tokens, space-separated (to remove its postings)
    text TEXT NOT NULL,
    meta TEXT NOT NULL               -- the store's metadata, JSON
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages (doc_id, chunk_index);
CREATE TABLE IF NOT EXISTS postings (term TEXT PRIMARY KEY, df INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, words TEXT NOT NULL);
-- the glossary entries in each passage (glossary.parse_glossary), read at open instead of parsing every passage
CREATE TABLE IF NOT EXISTS glossary (
    row INTEGER NOT NULL, position INTEGER NOT NULL, term TEXT NOT NULL, expansion TEXT NOT NULL,
    definition TEXT NOT NULL, doc_id TEXT NOT NULL, PRIMARY KEY (row, position));
"""


@dataclass(frozen=True)
class StoredPassage:
    chunk_id: str
    text: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class PassageHit:
    passage: StoredPassage
    score: float


def filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """``Filters.matches`` as a WHERE clause over the passages table."""
    clauses: list[str] = []
    values: list[Any] = []
    for column, wanted in (("doc_type", filters.doc_types), ("language", filters.languages),
                           ("doc_id", filters.doc_ids)):
        if wanted:
            clauses.append(f"{column} IN ({','.join('?' * len(wanted))})")
            values += list(wanted)
    if filters.date_from:
        clauses.append("date_int >= ?")
        values.append(date_int(filters.date_from))
    if filters.date_to:
        clauses.append("date_int != 0 AND date_int <= ?")
        values.append(date_int(filters.date_to, end=True))
    return " AND ".join(clauses) or "1", values


def _meta_key(meta: dict[str, Any]) -> str:
    return json.dumps(meta, sort_keys=True, ensure_ascii=False)


class PassageIndex:
    """The BM25 index of the store's passages, in a SQLite file (``path``) or in memory (``path`` None: rebuilt
    from the store by each process, for a search without an index folder)."""

    def __init__(self, path: Path | None, *, cross_language: bool, tokenizer: Tokenizer | None = None) -> None:
        self.path = path
        self.cross_language = cross_language
        self.tokenizer = tokenizer or Tokenizer()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._guard = threading.RLock()  # one connection, used by one thread at a time
        self._owner = threading.RLock()  # the writer's lock within this process (``lock``)
        self._lock_file: Any = None
        self._lock_depth = 0
        self._staged: dict[str, StoredPassage | None] = {}  # chunk id -> passage to store, None to remove
        # the searchable text of a passage in another language holds its gloss: another lexicon, another text
        # and another tokenizer's table of verb forms, other tokens
        fingerprint = json.dumps({"format": INDEX_FORMAT, "cross_language": cross_language,
                                  "lexicon": lexicon_digest() if cross_language else None,
                                  "tokens": tokens_digest()})
        columns = [r[1] for r in self._db.execute("PRAGMA table_info(passages)")]
        # another format (its tables differ), another setting, or tables that are not this format's
        stale = self._get("fingerprint") != fingerprint or columns not in ([], _PASSAGE_COLUMNS)
        if stale:
            for table in _TABLES:
                self._db.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 - fixed names
        self._db.executescript(SCHEMA)
        if stale:
            with self._transaction():
                self._clear()
                self._set("fingerprint", fingerprint)

    def close(self) -> None:
        self._db.close()

    # --- meta ----------------------------------------------------------------------------------------------
    def _get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def recorded_state(self) -> tuple[int, str] | None:
        """The store state (``ChunkStore.state()``) this index was last brought up to; None when unknown."""
        raw = self._get("store_state")
        return tuple(json.loads(raw)) if raw else None  # type: ignore[return-value]

    @property
    def dirty(self) -> bool:
        """A sync was writing the index and has not recorded its end (it runs, or it was killed)."""
        return self._get("dirty") == "1"

    def stamp(self) -> str:
        """Changes whenever the index is written (by this or another process)."""
        with self._guard:
            return f"{self._get('writes') or 0}:{self._get('store_state') or ''}:{self._get('dirty') or ''}"

    @property
    def size(self) -> int:
        return int(self._get("passages") or 0)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._guard:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """One consistent view of the file while a question reads it (a sync elsewhere may be writing)."""
        with self._guard:
            self._db.execute("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")

    def _clear(self) -> None:
        for table in _TABLES:
            self._db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        for key in ("passages", "total_length", "store_state"):
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
        self._bump_writes()

    def _bump_writes(self) -> None:
        self._set("writes", str(int(self._get("writes") or 0) + 1))

    def clear(self) -> None:
        """Forget every passage (the store was emptied: the embedding model or the chunking changed)."""
        self._staged.clear()
        with self._transaction():
            self._clear()

    # --- the writer's lock ------------------------------------------------------------------------------------
    def lock(self, wait: bool = True) -> bool:
        """Take the index's lock (re-entrant in one thread): other threads of this process and other processes
        wait, or with ``wait`` False get False at once."""
        if not self._owner.acquire(blocking=wait):
            return False
        if self._lock_depth == 0 and self.path is not None:
            handle = open(self.path.with_name(self.path.name + ".lock"), "a+b")  # noqa: SIM115 - held until unlock
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.close()
                self._owner.release()
                return False
            self._lock_file = handle
        self._lock_depth += 1
        return True

    def unlock(self) -> None:
        self._lock_depth -= 1
        if self._lock_depth == 0 and self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None
        self._owner.release()

    # --- a sync writes through these --------------------------------------------------------------------------
    def begin_sync(self, store: Any) -> None:
        """Before a sync writes the store: take the lock, catch up if the index is behind, mark it dirty."""
        self.lock()
        try:
            if self.dirty or self.recorded_state != store.state():
                self.catch_up(store)
            with self._transaction():
                self._set("dirty", "1")
                self._bump_writes()
        except BaseException:
            self.unlock()
            raise

    def end_sync(self, state: tuple[int, str] | None) -> None:
        """After the sync: write what is staged, record the store ``state`` it reached (None: it stopped on an
        error, stay dirty so that the next reader catches up), release the lock."""
        try:
            self.flush()
            if state is not None:
                with self._transaction():
                    self._set("store_state", json.dumps(list(state)))
                    self._set("dirty", "0")
                    self._bump_writes()
            self._checkpoint()
        finally:
            self.unlock()

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the file and empty it: a first sync writes the whole index through the
        log, which otherwise stays as large as the index (973 MB of file and log at 200k passages, not 530)."""
        with self._guard:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def stage(self, removed: Iterable[str] = (), added: Iterable[StoredPassage] = ()) -> None:
        """Mirror a store write: ``removed`` chunk ids, ``added`` passages (an id already indexed is replaced).
        Written to the file every ``FLUSH_PASSAGES`` passages and at ``flush``."""
        for chunk_id in removed:
            self._staged[chunk_id] = None
        for passage in added:
            self._staged[passage.chunk_id] = passage
        if len(self._staged) >= FLUSH_PASSAGES:
            self.flush()

    def flush(self) -> None:
        staged, self._staged = self._staged, {}
        if staged:
            self.apply([cid for cid, p in staged.items() if p is None],
                       [p for p in staged.values() if p is not None])

    # --- writing --------------------------------------------------------------------------------------------
    def searchable(self, text: str, meta: dict[str, Any]) -> str:
        """What BM25 reads of a passage: its document's label and section, its text and, for a passage in a
        lexicon language (``text.language``), its English gloss, so that an English question meets a press note's
        words ("presentations" / "presentaciones")."""
        gloss = f"\n{english_gloss(text, str(meta.get('language')))}" if self.cross_language else ""
        return f"{label_of(meta)} {meta.get('section', '')}\n{text}{gloss}"

    def apply(self, removed: Iterable[str], added: list[StoredPassage]) -> None:
        """Remove passages by chunk id and add passages (replacing any with the same id), in one transaction."""
        tokenized = [(p, self.tokenizer(self.searchable(p.text, p.meta)) or ["_empty_"]) for p in added]
        gone = list(dict.fromkeys([*removed, *(p.chunk_id for p in added)]))
        with self._transaction():
            drop: dict[str, list[int]] = {}
            add: dict[str, list[tuple[int, int, int]]] = {}
            docs: set[str] = set()
            n = int(self._get("passages") or 0)
            total = int(self._get("total_length") or 0)
            for start in range(0, len(gone), _SQL_PAGE):
                part = gone[start:start + _SQL_PAGE]
                rows = self._db.execute(
                    f"SELECT row, doc_id, length, terms FROM passages WHERE chunk_id IN ({','.join('?' * len(part))})",
                    part).fetchall()
                for row, doc_id, length, terms in rows:
                    for term in terms.split(" "):
                        drop.setdefault(term, []).append(row)
                    docs.add(doc_id)
                    n -= 1
                    total -= length
                self._db.executemany("DELETE FROM passages WHERE row = ?", [(r[0],) for r in rows])
                self._db.executemany("DELETE FROM glossary WHERE row = ?", [(r[0],) for r in rows])
            for passage, tokens in tokenized:
                meta = passage.meta
                counts = Counter(tokens)
                length = len(tokens)
                row = self._db.execute(
                    "INSERT INTO passages (chunk_id, doc_id, doc_type, language, date_int, chunk_index, length, "
                    "terms, text, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (passage.chunk_id, str(meta.get("doc_id", "")), str(meta.get("doc_type", "")),
                     str(meta.get("language", "")), int(meta.get("date_int") or 0), int(meta.get("chunk_index", 0)),
                     length, " ".join(counts), passage.text, _meta_key(meta))).lastrowid
                assert row is not None
                if "**" in passage.text:
                    self._db.executemany(
                        "INSERT INTO glossary VALUES (?, ?, ?, ?, ?, ?)",
                        [(row, i, e.term, e.expansion, e.definition, e.doc_id) for i, e in
                         enumerate(parse_glossary(str(meta.get("doc_id", "")), passage.text))])
                short = min(length, 65535)
                for term, tf in counts.items():
                    add.setdefault(term, []).append((row, min(tf, 65535), short))
                docs.add(str(meta.get("doc_id", "")))
                n += 1
                total += length
            for term in set(drop) | set(add):
                self._write_postings(term, drop.get(term), add.get(term))
            self._update_documents(docs)
            self._set("passages", str(n))
            self._set("total_length", str(total))
            self._bump_writes()

    def _write_postings(self, term: str, drop: list[int] | None, add: list[tuple[int, int, int]] | None) -> None:
        got = self._db.execute("SELECT data FROM postings WHERE term = ?", (term,)).fetchone()
        postings = np.frombuffer(got[0], dtype=_POSTING) if got else np.empty(0, dtype=_POSTING)
        if drop:
            postings = postings[~np.isin(postings["row"], np.asarray(drop, dtype=np.int32))]
        if add:
            postings = np.concatenate([postings, np.array(add, dtype=_POSTING)])
        if len(postings):
            self._db.execute("INSERT OR REPLACE INTO postings (term, df, data) VALUES (?, ?, ?)",
                             (term, len(postings), postings.tobytes()))
        elif got:
            self._db.execute("DELETE FROM postings WHERE term = ?", (term,))

    def _update_documents(self, doc_ids: set[str]) -> None:
        """Each document's naming words (``sources.document_words``) from its first passage."""
        for doc_id in doc_ids:
            first = self._db.execute("SELECT text, meta FROM passages WHERE doc_id = ? ORDER BY chunk_index, row "
                                     "LIMIT 1", (doc_id,)).fetchone()
            if first is None:
                self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
                continue
            meta = json.loads(first[1])
            words = document_words(label_of(meta), str(meta.get("language", "en")),
                                   f"{meta.get('title', '')}\n{first[0][:300]}", self.tokenizer)
            self._db.execute("INSERT OR REPLACE INTO documents (doc_id, words) VALUES (?, ?)",
                             (doc_id, " ".join(sorted(words))))

    def catch_up(self, store: Any) -> tuple[int, int]:
        """Make the index equal to the store: passages whose id or metadata differ are read from the store and
        re-indexed, passages the store no longer has are removed. Records the store's state; returns (removed,
        added)."""
        self.lock()
        try:
            state = store.state()
            stored = {cid: _meta_key(meta) for cid, meta in store.metadatas().items()}
            with self._guard:
                mine = dict(self._db.execute("SELECT chunk_id, meta FROM passages").fetchall())
            removed = [cid for cid in mine if cid not in stored]
            changed = [cid for cid, meta in stored.items() if mine.get(cid) != meta]
            self._staged.clear()
            for start in range(0, max(len(changed), 1), 20000):
                got = store.chunks(changed[start:start + 20000]) if changed else {"ids": []}
                self.apply(removed if start == 0 else [],
                           [StoredPassage(cid, text, meta or {}) for cid, text, meta in
                            zip(got["ids"], got.get("documents", []), got.get("metadatas", []), strict=True)])
            with self._transaction():
                self._set("store_state", json.dumps(list(state)))
                self._set("dirty", "0")
                self._bump_writes()
            self._checkpoint()
            return len(removed), len(changed)
        finally:
            self.unlock()

    def ensure(self, store: Any) -> tuple[int, str] | None:
        """Bring the index up to the store's state when it is behind and no sync is writing it. Returns the state
        the index is now equal to, or None (a sync holds the lock: read what is there, and look again later)."""
        state = store.state()
        if not self.dirty and self.recorded_state == state:
            return state
        if not self.lock(wait=False):
            return None
        try:
            if self.dirty or self.recorded_state != store.state():
                self.catch_up(store)
            return self.recorded_state
        finally:
            self.unlock()

    # --- reading -------------------------------------------------------------------------------------------
    def vocabulary(self) -> Vocabulary:
        with self._reading():
            doc_freq = dict(self._db.execute("SELECT term, df FROM postings").fetchall())
            size = int(self._get("passages") or 0)
            return Vocabulary(doc_freq, size, int(self._get("total_length") or 0) / size if size else 0.0)

    def document_terms(self) -> dict[str, set[str]]:
        """Each document's tokens: those of all its passages (the English gloss's too, for a passage in another
        language)."""
        out: dict[str, set[str]] = {}
        with self._reading():
            for doc_id, terms in self._db.execute("SELECT doc_id, terms FROM passages"):
                out.setdefault(doc_id, set()).update(terms.split())
        return out

    def document_words(self) -> dict[str, set[str]]:
        with self._guard:
            return {doc_id: set(words.split()) for doc_id, words in
                    self._db.execute("SELECT doc_id, words FROM documents").fetchall()}

    def glossary_entries(self) -> list[GlossaryEntry]:
        """The glossary entries of every passage, in the order the passages were indexed."""
        with self._guard:
            rows = self._db.execute("SELECT term, expansion, definition, doc_id FROM glossary "
                                    "ORDER BY row, position").fetchall()
        return [GlossaryEntry(*r) for r in rows]

    def question_sections(self) -> list[tuple[str, str]]:
        """(doc_id, section) of each section whose heading is a question ("... > What were the 2023 webinars?"):
        the entries of the documents' FAQs."""
        with self._guard:
            rows = self._db.execute("SELECT DISTINCT doc_id, json_extract(meta, '$.section') AS s FROM passages "
                                    "WHERE s LIKE '%?' ORDER BY row").fetchall()
        return [(d, s) for d, s in rows if s]

    def first_in_section(self, doc_id: str, section: str, filters: Filters) -> StoredPassage | None:
        """The first passage of ``doc_id`` under ``section`` that ``filters`` let through."""
        where, values = filter_sql(filters)
        for passage in self._passages(f"doc_id = ? AND json_extract(meta, '$.section') = ? AND {where}",
                                      [doc_id, section, *values]):
            return passage
        return None

    def passages_of_type(self, doc_type: str) -> list[StoredPassage]:
        return self._passages("doc_type = ?", [doc_type])

    def all_passages(self) -> list[StoredPassage]:
        """Every passage, in stored order (the glossary's explanations read them all, once per index state)."""
        return self._passages("1 = 1", [])

    def _passages(self, where: str, values: list[Any]) -> list[StoredPassage]:
        with self._guard:
            rows = self._db.execute(f"SELECT chunk_id, text, meta FROM passages WHERE {where} ORDER BY row",  # noqa: S608
                                    values).fetchall()
        return [StoredPassage(cid, text, json.loads(meta)) for cid, text, meta in rows]

    def first_passage(self, doc_id: str, holding: str, filters: Filters) -> StoredPassage | None:
        """The first passage of ``doc_id`` whose text holds ``holding`` and that ``filters`` let through."""
        where, values = filter_sql(filters)
        for passage in self._passages(f"doc_id = ? AND instr(text, ?) > 0 AND {where}", [doc_id, holding, *values]):
            return passage
        return None

    def has_passage(self, doc_id: str, filters: Filters) -> bool:
        where, values = filter_sql(filters)
        with self._guard:
            return self._db.execute(f"SELECT 1 FROM passages WHERE doc_id = ? AND {where} LIMIT 1",  # noqa: S608
                                    [doc_id, *values]).fetchone() is not None

    def search(self, tokens: list[str], k: int, filters: Filters | None = None) -> list[PassageHit]:
        """The ``k`` best passages for the query ``tokens`` by BM25 (bm25s's "lucene" scores: a token given twice
        counts twice), among those ``filters`` let through; passages scoring 0 are left out."""
        if not tokens or k <= 0:
            return []
        wanted = Counter(tokens)
        with self._reading():
            n = int(self._get("passages") or 0)
            if n == 0:
                return []
            average = int(self._get("total_length") or 0) / n
            found: list[tuple[np.ndarray, float]] = []
            for start in range(0, len(wanted), _SQL_PAGE):
                part = list(wanted)[start:start + _SQL_PAGE]
                for term, df, data in self._db.execute(
                        f"SELECT term, df, data FROM postings WHERE term IN ({','.join('?' * len(part))})", part):
                    idf = float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
                    found.append((np.frombuffer(data, dtype=_POSTING), idf * wanted[term]))
            if not found:
                return []
            rows = np.concatenate([p["row"] for p, _ in found])
            tf = np.concatenate([p["tf"] for p, _ in found]).astype(np.float32)
            length = np.concatenate([p["length"] for p, _ in found]).astype(np.float32)
            weight = np.concatenate([np.full(len(p), w, dtype=np.float32) for p, w in found])
            scores = weight * tf / (tf + K1 * (1 - B + B * length / np.float32(average)))
            # summed per passage row over the row space: linear, where sorting the postings (np.unique) took
            # most of the search time at 200k passages
            totals = np.bincount(rows, weights=scores).astype(np.float32)
            if filters is not None and not filters.empty:
                where, values = filter_sql(filters)
                allowed = np.fromiter((r for (r,) in self._db.execute(
                    f"SELECT row FROM passages WHERE {where}", values)), dtype=np.int64)  # noqa: S608
                keep = np.zeros(len(totals), dtype=bool)
                keep[allowed[allowed < len(totals)]] = True
                totals[~keep] = 0
            candidates = np.flatnonzero(totals > 0)
            if len(candidates) > k:
                candidates = candidates[np.argpartition(-totals[candidates], k - 1)[:k]]
            best = [int(r) for r in candidates[np.lexsort((candidates, -totals[candidates]))]]
            by_row = self._rows(best)
        return [PassageHit(by_row[r], float(totals[r])) for r in best]

    def _rows(self, rows: list[int]) -> dict[int, StoredPassage]:
        out: dict[int, StoredPassage] = {}
        for start in range(0, len(rows), _SQL_PAGE):
            part = rows[start:start + _SQL_PAGE]
            for row, cid, text, meta in self._db.execute(
                    f"SELECT row, chunk_id, text, meta FROM passages WHERE row IN ({','.join('?' * len(part))})", part):
                out[row] = StoredPassage(cid, text, json.loads(meta))
        return out

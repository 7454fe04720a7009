"""Sync a folder into the index: load -> chunk -> embed -> store. Skip what is unchanged; report per file.

Guarantees: no chunk is ever stored twice (chunk ids are content-derived and written with upsert);
an unchanged file is never re-read or re-embedded; a file that fails keeps its previous chunks; a run
killed at any point is repaired by the next one (see ``manifest.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Protocol

from langchain_core.embeddings import Embeddings

from programme_assistant.errors import DocumentError, StoreError
from programme_assistant.ingest.chunking import CHUNKER_VERSION, chunk_document, embedding_text
from programme_assistant.ingest.loaders import (
    SIDECAR_SUFFIX,
    SUPPORTED_SUFFIXES,
    build_document,
    loader_for,
    read_sidecar,
    reader_version,
)
from programme_assistant.ingest.manifest import FileRecord, Manifest
from programme_assistant.models import (
    Chunk,
    FileReport,
    RetrievedChunk,
    SourceDocument,
    SyncReport,
    SyncStatus,
    chunk_metadata,
    retrieved_from_metadata,
)
from programme_assistant.retrieval.embeddings import model_id_of
from programme_assistant.retrieval.passages import PassageIndex, StoredPassage
from programme_assistant.retrieval.store import ChunkStore, store_failure


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def advance(self, n: int) -> None: ...
    def stop(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class _Candidate:
    doc_id: str
    path: Path
    size: int
    mtime_ns: int
    sidecar_mtime_ns: int


@dataclass
class _Pending:
    """A changed file, parsed and chunked, waiting for its embeddings."""

    doc: SourceDocument
    candidate: _Candidate
    chunks: list[Chunk]
    existing: set[str]
    status: SyncStatus
    vectors: dict[str, Any] = field(default_factory=dict)
    missing: int = 0
    notes: list[str] = field(default_factory=list)
    reader: str = ""  # the loader version that read it (loaders.reader_version), for the manifest


def _hash_file(data: bytes, sidecar: bytes) -> str:
    digest = hashlib.sha256(data)
    if sidecar:
        digest.update(b"\x00sidecar\x00" + sidecar)
    return digest.hexdigest()


def _fingerprint(embedder: Embeddings, chunk_size: int, chunk_overlap: int) -> str:
    return json.dumps({
        "model": model_id_of(embedder), "chunk_size": chunk_size,
        "chunk_overlap": chunk_overlap, "chunker": CHUNKER_VERSION,
    }, sort_keys=True)


def _read_by(record: FileRecord, path: Path) -> str:
    """The loader version that read a recorded file: a manifest from before loaders had versions records none,
    which is version 1 of the file's loader."""
    return record.reader or reader_version(path, "1")


def scan_folder(folder: Path, ignore: Sequence[str], report: SyncReport) -> list[_Candidate]:
    """The files of ``folder`` a sync indexes, in path order: not hidden, not a link, not ignored (``ignore``:
    glob patterns on the doc id), of a supported type. What is passed over, and why, goes into ``report``."""
    root = folder.resolve()
    found: list[_Candidate] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for dirname in list(dirnames):
            full = Path(dirpath) / dirname
            if full.is_symlink():
                dirnames.remove(dirname)
                report.files.append(FileReport(
                    full.relative_to(folder).as_posix(), "skipped",
                    reason="is a symbolic link to a folder; links are not followed",
                    fix="copy the folder into the corpus folder if its documents belong here"))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            doc_id = path.relative_to(folder).as_posix()
            if name.endswith(SIDECAR_SUFFIX):
                if not path.with_name(name[: -len(SIDECAR_SUFFIX)]).exists():
                    report.files.append(FileReport(doc_id, "skipped", reason="metadata file without its document",
                                                   fix=f"add {name[: -len(SIDECAR_SUFFIX)]} or remove it"))
                continue
            if any(fnmatch(doc_id, pattern) for pattern in ignore):
                continue
            if path.is_symlink():
                target = path.resolve()
                inside = target.is_relative_to(root)
                report.files.append(FileReport(
                    doc_id, "skipped",
                    reason=("is a symbolic link to " + ("another file in the folder" if inside else
                            f"{target}, outside the corpus folder") + "; links are not followed"),
                    fix="copy the file into the corpus folder if it belongs in the index"))
                continue
            if loader_for(path) is None:
                report.files.append(FileReport(
                    doc_id, "skipped", reason=f"unsupported file type '{path.suffix or name}'",
                    fix=f"convert it to one of {', '.join(SUPPORTED_SUFFIXES)} or move it out of the folder"))
                continue
            try:
                st = path.stat()
                sidecar = path.with_name(name + SIDECAR_SUFFIX)
                side_mtime = sidecar.stat().st_mtime_ns if sidecar.exists() else -1
            except OSError as exc:
                report.files.append(FileReport(doc_id, "failed", reason=f"cannot be read ({exc.strerror})",
                                               fix="check the file's permissions"))
                continue
            found.append(_Candidate(doc_id, path, st.st_size, st.st_mtime_ns, side_mtime))
    return found


def read_documents(folder: Path, ignore: Sequence[str] = ("README.md",)) -> Iterator[SourceDocument]:
    """Every document a sync would index in ``folder``, read as the loaders read it (sidecar metadata applied,
    content hash as the manifest records it), in path order."""
    for cand in scan_folder(folder, ignore, SyncReport(str(folder))):
        data = cand.path.read_bytes()
        meta, raw = read_sidecar(cand.path)
        yield build_document(cand.doc_id, cand.path, data, _hash_file(data, raw), meta)


class FolderSync:
    """Keeps a Chroma collection equal to what a folder of documents says."""

    def __init__(self, store: ChunkStore, manifest: Manifest, embedder: Embeddings, *, chunk_size: int,
                 chunk_overlap: int, batch_size: int, max_file_mb: float, ignore: Sequence[str],
                 progress: Progress | None = None,
                 read_bytes: Callable[[Path], bytes] = Path.read_bytes,
                 prepare: Callable[[list[RetrievedChunk]], int] | None = None,
                 lexical: PassageIndex | None = None) -> None:
        """``chunk_size`` / ``chunk_overlap``: characters per chunk and repeated between neighbours;
        ``batch_size``: texts per embedding call (a sync embeds ``8 x batch_size`` chunks between progress
        updates); ``max_file_mb``: larger files are refused; ``ignore``: glob patterns of files that are not
        documents. The values come from Settings (see ``assistant.build_folder_sync``). ``lexical``: the lexical
        index on disk, written in step with the store (None: searches catch up from the store by themselves)."""
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.batch_size = batch_size
        self.max_file_mb = max_file_mb
        self.ignore = tuple(ignore)
        self.store = store
        self.manifest = manifest
        self.embedder = embedder
        self.progress = progress or NoProgress()
        self._lock = threading.Lock()
        self._read_bytes = read_bytes
        # called with the passages a sync stored, after they are stored: the answerer embeds their sentences
        # ahead of any question (``ExtractiveAnswerer.prepare``); returns how many texts it embedded
        self.prepare = prepare  # injectable so tests can simulate unreadable files as root
        self.lexical = lexical

    # --- scanning -------------------------------------------------------------------------
    def _scan(self, folder: Path, report: SyncReport) -> list[_Candidate]:
        return scan_folder(folder, self.ignore, report)

    # --- repair -----------------------------------------------------------------------------
    def _prepare_index(self, report: SyncReport) -> set[str]:
        """Rebuild on a settings change; reconcile after an interrupted run. Returns doc ids to re-process."""
        fingerprint = _fingerprint(self.embedder, self.chunk_size, self.chunk_overlap)
        old = self.manifest.get_meta("fingerprint")
        if old is not None and old != fingerprint:
            report.rebuilt = f"index settings changed ({old} -> {fingerprint}): every file is re-indexed"
            self.store.reset()
            self.manifest.clear()
            if self.lexical is not None:
                self.lexical.clear()
        self.manifest.set_meta("fingerprint", fingerprint)

        records = self.manifest.records()
        if not self.manifest.has_pending() and self.store.count() == self.manifest.total_chunks():
            return set()
        force: set[str] = set()
        stored = self.store.ids_by_doc()
        for doc_id, ids in stored.items():
            record = records.get(doc_id)
            if record is None:
                self.store.delete(sorted(ids))
                self._mirror(removed=ids)
                report.repaired.append(f"{doc_id}: removed {len(ids)} chunk(s) with no manifest entry")
            elif record.status != "complete" or set(record.chunk_ids) != ids:
                force.add(doc_id)
        for doc_id, record in records.items():
            if record.status != "complete" or (record.chunk_ids and doc_id not in stored):
                force.add(doc_id)
        for doc_id in sorted(force):
            report.repaired.append(f"{doc_id}: store and manifest disagreed (interrupted run?): re-indexed")
        return force

    # --- the sync -----------------------------------------------------------------------------
    def sync(self, folder: Path, progress: Progress | None = None) -> SyncReport:
        """Make the index equal to ``folder``. ``progress`` (default: the one given at construction) hears
        how many passages are to be embedded and how many are done. One sync runs at a time."""
        with self._lock:
            if self.lexical is None:
                return self._sync(Path(folder), progress or self.progress)
            self.lexical.begin_sync(self.store)
            state: tuple[int, str] | None = None
            report: SyncReport | None = None
            writes = self.store.writes
            try:
                report = self._sync(Path(folder), progress or self.progress)
            finally:
                # the index is equal to the store unless the sync stopped after writing to it
                if (report is not None and not report.stopped) or self.store.writes == writes:
                    with contextlib.suppress(StoreError):
                        state = self.store.state()
                try:
                    self.lexical.end_sync(state)  # stopped: the index stays marked, the next reader catches up
                except (sqlite3.Error, OSError) as exc:
                    if report is None:
                        raise
                    error = store_failure(exc, self.store.where, "write the lexical index")
                    report.stopped, report.stopped_fix = error.message, error.fix
            assert report is not None
            return report

    def _mirror(self, removed: Iterable[str] = (), added: Iterable[StoredPassage] = ()) -> None:
        """What was just written to the store, to the lexical index."""
        if self.lexical is not None:
            self.lexical.stage(removed, added)

    def _sync(self, folder: Path, progress: Progress) -> SyncReport:
        t0 = time.perf_counter()
        folder = Path(folder)
        report = SyncReport(folder=str(folder))
        if not folder.is_dir():
            raise DocumentError(str(folder), "is not a folder", "pass the folder that holds the documents")
        writes = self.store.writes
        force = self._prepare_index(report)
        records = self.manifest.records()
        stored_ids: dict[str, set[str]] | None = self.store.ids_by_doc() if force else None
        candidates = self._scan(folder, report)
        pending: list[_Pending] = []

        for cand in candidates:
            record = records.get(cand.doc_id)
            forced = cand.doc_id in force
            reader = reader_version(cand.path)
            read_before = _read_by(record, cand.path) if record else reader
            reread = read_before != reader  # its format's loader changed since: read it again, whatever else
            if (record and not forced and not reread and record.status == "complete" and record.size == cand.size
                    and record.mtime_ns == cand.mtime_ns and record.sidecar_mtime_ns == cand.sidecar_mtime_ns):
                report.files.append(FileReport(cand.doc_id, "unchanged", chunks=len(record.chunk_ids)))
                continue
            try:
                if cand.size > int(self.max_file_mb * 1024 * 1024):
                    raise DocumentError(
                        cand.doc_id, f"is {cand.size / 1024 / 1024:.1f} MB, over the "
                        f"{self.max_file_mb:g} MB limit",
                        "split the file, or raise the limit with PA_MAX_FILE_MB")
                try:
                    data = self._read_bytes(cand.path)
                except OSError as exc:
                    raise DocumentError(cand.doc_id, f"cannot be read ({exc.strerror or exc})",
                                        "check the file's permissions (e.g. chmod a+r)") from exc
                side_meta, side_raw = read_sidecar(cand.path)
                content_hash = _hash_file(data, side_raw)
                if (record and not forced and not reread and record.status == "complete"
                        and record.content_hash == content_hash):
                    self.manifest.touch(cand.doc_id, cand.size, cand.mtime_ns, cand.sidecar_mtime_ns)
                    report.files.append(FileReport(cand.doc_id, "unchanged", chunks=len(record.chunk_ids)))
                    continue
                doc = build_document(cand.doc_id, cand.path, data, content_hash, side_meta)
                chunks = chunk_document(doc, self.chunk_size, self.chunk_overlap)
            except DocumentError as exc:
                kept = len(record.chunk_ids) if record else 0
                notes = [f"its previous version ({kept} chunks) stays in the index"] if kept else []
                report.files.append(FileReport(cand.doc_id, "failed", chunks=kept, reason=exc.reason,
                                               fix=exc.fix, notes=notes))
                continue
            if stored_ids is not None:
                existing = stored_ids.get(cand.doc_id, set())
            else:
                existing = set(record.chunk_ids) if record else set()
            status: SyncStatus = "updated" if record else "added"
            notes = [f"read again: its loader changed ({read_before} -> {reader})"] if reread else []
            pending.append(_Pending(doc, cand, chunks, existing, status, notes=notes, reader=reader))

        try:
            self._embed_and_write(pending, report, progress)
            self._prepare_sentences(pending, report)
            present = {c.doc_id for c in candidates}
            for doc_id, record in self.manifest.records().items():
                if doc_id not in present:
                    ids = set(record.chunk_ids) | (stored_ids or {}).get(doc_id, set())
                    self.store.delete(sorted(ids))
                    self._mirror(removed=ids)
                    self.manifest.remove(doc_id)
                    report.files.append(FileReport(doc_id, "deleted", removed=len(ids)))
            self.manifest.set_meta("last_sync", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        except (StoreError, sqlite3.Error, OSError) as exc:
            # the index cannot be written (a full disk, a read-only folder, a store gone away): stop, and say so
            # in the report; what was written is journalled, so the next sync repairs the rest
            error = exc if isinstance(exc, StoreError) else store_failure(exc, self.store.where, "write the index")
            report.stopped, report.stopped_fix = error.message, error.fix
            done = {f.doc_id for f in report.files}
            report.files += [FileReport(p.doc.doc_id, "failed", reason=f"not stored: {error.message}", fix=error.fix)
                             for p in pending if p.doc.doc_id not in done]
        if self.store.writes != writes:  # every process over the store sees it changed (HybridSearch)
            with contextlib.suppress(StoreError):
                self.store.bump_version()
        report.files.sort(key=lambda f: f.doc_id)
        try:
            report.total_chunks = self.store.count()
        except StoreError:
            report.total_chunks = -1
        report.seconds = time.perf_counter() - t0
        return report

    def _prepare_sentences(self, pending: list[_Pending], report: SyncReport) -> None:
        """Hand the passages this sync stored to ``prepare`` (timed apart from the chunk embedding)."""
        if self.prepare is None or not pending:
            return
        passages = [retrieved_from_metadata(c.chunk_id, c.text, chunk_metadata(c, item.doc))
                    for item in pending for c in item.chunks if c.chunk_id in item.vectors]
        t0 = time.perf_counter()
        with getattr(self.embedder, "batch", contextlib.nullcontext)():
            for start in range(0, len(passages), 64):
                report.prepared_sentences += self.prepare(passages[start:start + 64])
        report.prepare_seconds += time.perf_counter() - t0

    def _embed_and_write(self, pending: list[_Pending], report: SyncReport, progress: Progress) -> None:
        """Embed the new chunks of every changed file in shared batches; store each file once complete."""
        queue: list[tuple[_Pending, Chunk]] = []
        for item in pending:
            reuse = [c.chunk_id for c in item.chunks if c.chunk_id in item.existing]
            item.missing = len(item.chunks) - len(reuse)
            if item.missing == 0:
                self._write(item, report)
            else:
                queue.extend((item, c) for c in item.chunks if c.chunk_id not in item.existing)
        if not queue:
            return
        step = max(self.batch_size * 8, 1)
        getattr(self.embedder, "model", None)  # load a lazy model now, so chunks/s measures embedding alone
        progress.start(len(queue))
        t0 = time.perf_counter()
        # a sync is a batch job: the embedder may use every core while it runs (see embeddings.py)
        with getattr(self.embedder, "batch", contextlib.nullcontext)():
            try:
                for i in range(0, len(queue), step):
                    part = queue[i: i + step]
                    texts = [embedding_text(p.doc.title, c.heading_path, c.text, c.table_header) for p, c in part]
                    vectors = self.embedder.embed_documents(texts)
                    for (item, chunk), vector in zip(part, vectors, strict=True):
                        item.vectors[chunk.chunk_id] = vector
                        item.missing -= 1
                        if item.missing == 0:
                            self._write(item, report)
                    report.embedded_chunks += len(part)
                    progress.advance(len(part))
            finally:
                report.embed_seconds += time.perf_counter() - t0
                progress.stop()

    def _write(self, item: _Pending, report: SyncReport) -> None:
        doc, cand = item.doc, item.candidate
        new_ids = [c.chunk_id for c in item.chunks]
        self.manifest.begin(doc.doc_id, new_ids)
        stale = sorted(item.existing - set(new_ids))
        self.store.delete(stale)
        fresh = [c for c in item.chunks if c.chunk_id in item.vectors]
        if fresh:
            self.store.upsert(
                ids=[c.chunk_id for c in fresh], texts=[c.text for c in fresh],
                embeddings=[item.vectors[c.chunk_id] for c in fresh],
                metadatas=[chunk_metadata(c, doc) for c in fresh])
        kept = [c for c in item.chunks if c.chunk_id not in item.vectors]
        if kept:  # same text, maybe at new offsets: refresh the metadata, keep the vectors
            self.store.update_metadata([c.chunk_id for c in kept], [chunk_metadata(c, doc) for c in kept])
        self._mirror(removed=stale, added=[StoredPassage(c.chunk_id, c.text, chunk_metadata(c, doc))
                                           for c in fresh + kept])
        self.manifest.complete(FileRecord(
            doc_id=doc.doc_id, status="complete", content_hash=doc.content_hash, size=cand.size,
            mtime_ns=cand.mtime_ns, sidecar_mtime_ns=cand.sidecar_mtime_ns, chunk_ids=tuple(new_ids),
            title=doc.title, doc_type=doc.doc_type, date=doc.date or "", language=doc.language, updated_at="",
            reader=item.reader))
        report.files.append(FileReport(doc.doc_id, item.status, chunks=len(new_ids), added=len(fresh),
                                       removed=len(stale), reused=len(kept), notes=item.notes + list(doc.notes)))

"""The Documents tab for maintainers: the document list, upload -> incremental sync (with a progress bar and
the per-file report), delete. When ``PA_ADMIN_PASSWORD`` is set the tab asks for it, and every action checks
the session's unlocked state on the server, not only what the page shows.

``CorpusEditor`` changes the corpus folder and syncs; it never writes outside the folder and runs one sync
at a time.
"""

from __future__ import annotations

import hmac
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from programme_assistant.errors import DocumentError
from programme_assistant.ingest import SyncReport
from programme_assistant.loaders import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES
from programme_assistant.ui import catalogue, render
from programme_assistant.ui.viewer import corpus_file

TOP_LEVEL = "(top level)"


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file, reduced to letters, digits, dot, dash, underscore and space."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    return cleaned[:150]


class _ProgressAdapter:
    """The sync's progress protocol, drawn by a UI progress callable ``report(done, total)``."""

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self.report = report
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self.report(0, total)

    def advance(self, n: int) -> None:
        self.done += n
        self.report(self.done, self.total)

    def stop(self) -> None:
        pass


class CorpusEditor:
    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self._lock = threading.Lock()

    @property
    def root(self) -> Path:
        return Path(self.settings.corpus_dir).resolve()

    def folders(self) -> list[str]:
        """Sub-folders of the corpus an upload may go to (their names say the document type)."""
        if not self.root.is_dir():
            return [TOP_LEVEL]
        subs = sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".") and not p.is_symlink()
        )
        return [TOP_LEVEL, *subs]

    def add_files(self, uploads: list[Path], folder: str) -> tuple[list[str], list[str]]:
        """Copy uploaded files into ``folder`` of the corpus. Returns (stored doc ids, refusals)."""
        if folder not in self.folders():
            raise DocumentError(folder, "is not a folder of the corpus", "pick one of the listed folders")
        target = self.root if folder == TOP_LEVEL else self.root / folder
        stored: list[str] = []
        refused: list[str] = []
        for upload in uploads:
            upload = Path(upload)
            name = safe_file_name(upload.name)
            suffix = Path(name).suffix.lower()
            if not name or (suffix not in SUPPORTED_SUFFIXES and not name.endswith(SIDECAR_SUFFIX)):
                refused.append(f"{upload.name}: unsupported file type (use {', '.join(SUPPORTED_SUFFIXES)})")
                continue
            if upload.stat().st_size > self.settings.max_file_bytes:
                refused.append(f"{upload.name}: larger than {self.settings.max_file_mb:g} MB (PA_MAX_FILE_MB)")
                continue
            destination = (target / name).resolve()
            if not destination.is_relative_to(self.root) or destination.is_symlink():
                refused.append(f"{upload.name}: not a file name inside the corpus folder")
                continue
            with self._lock:
                shutil.copyfile(upload, destination)
            stored.append(destination.relative_to(self.root).as_posix())
        return stored, refused

    def delete(self, doc_id: str) -> None:
        """Remove a document's file (and its metadata sidecar) from the corpus folder."""
        known = self.assistant.folder_sync.manifest.records()
        with self._lock:
            path = corpus_file(self.root, doc_id, known)
            sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
            path.unlink()
            if sidecar.is_file() and not sidecar.is_symlink():
                sidecar.unlink()

    def sync(self, report_progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Incremental sync of the corpus folder, one at a time; progress reported as (done, total) passages."""
        sync = self.assistant.folder_sync
        with self._lock:
            previous = sync.progress
            if report_progress is not None:
                sync.progress = _ProgressAdapter(report_progress)
            try:
                return self.assistant.sync()
            finally:
                sync.progress = previous


def documents_table(assistant: Any) -> pd.DataFrame:
    rows = catalogue.documents(assistant)
    return pd.DataFrame(
        [[d.title, d.doc_type, d.date, d.language, d.chunks, d.status, d.doc_id] for d in rows],
        columns=["Title", "Type", "Date", "Language", "Passages", "Status", "File"],
    )


def add_and_sync(
    editor: CorpusEditor,
    unlocked: bool,
    uploads: list[str] | None,
    folder: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SyncReport | None, str]:
    """Upload action: copy the files in, sync. Returns (the sync report or None, a note as HTML)."""
    if not unlocked:
        return None, render.message_html("Unlock the tab first.", "bad")
    if not uploads:
        return None, render.message_html("Choose files to add first.", "note")
    try:
        stored, refused = editor.add_files([Path(u) for u in uploads], folder)
    except DocumentError as exc:
        return None, render.message_html(f"{exc.message} ({exc.fix})", "bad")
    note = "".join(render.message_html(r, "bad") for r in refused)
    if not stored:
        return None, note
    note += render.message_html(f"Added {len(stored)} file(s): {', '.join(stored)}", "ok")
    return editor.sync(progress), note


def delete_and_sync(
    editor: CorpusEditor,
    unlocked: bool,
    doc_id: str | None,
    confirmed: bool,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SyncReport | None, str]:
    """Delete action: remove the file, sync. Returns (the sync report or None, a note as HTML)."""
    if not unlocked:
        return None, render.message_html("Unlock the tab first.", "bad")
    if not doc_id or not confirmed:
        return None, render.message_html("Pick a document and tick the box to confirm.", "note")
    try:
        editor.delete(doc_id)
    except DocumentError as exc:
        return None, render.message_html(f"{exc.message} ({exc.fix})", "bad")
    return editor.sync(progress), render.message_html(f"Deleted {doc_id}.", "ok")


def password_ok(settings: Any, attempt: str | None) -> bool:
    expected = settings.admin_password.get_secret_value() if settings.admin_password else ""
    return not expected or hmac.compare_digest((attempt or "").encode(), expected.encode())


def build_documents_tab(assistant: Any, editor: CorpusEditor) -> list[tuple[Any, Any]]:
    import gradio as gr

    settings = assistant.settings
    locked = settings.admin_password is not None
    unlocked = gr.State(not locked)

    def doc_ids() -> list[str]:
        return [d.doc_id for d in catalogue.documents(assistant)]

    with gr.Column(visible=locked, elem_id="pa-admin-gate") as gate:
        gr.Markdown("### Maintainers only\nThis tab changes the document collection. Enter the admin password.")
        password = gr.Textbox(type="password", label="Admin password", max_lines=1, elem_id="pa-admin-password")
        unlock = gr.Button("Unlock", variant="primary")
        gate_note = gr.HTML("")
    with gr.Column(visible=not locked, elem_id="pa-admin") as panel:
        gr.Markdown(
            "Documents in the index. Files are read from the corpus folder "
            f"(`{esc_md(str(settings.corpus_dir))}`); a sync reads only new or changed files."
        )
        table = gr.Dataframe(
            documents_table(assistant),
            interactive=False,
            wrap=True,
            max_height=420,
            show_search="search",
            column_widths=["34%", "8%", "11%", "9%", "9%", "9%", "20%"],
        )
        with gr.Row(equal_height=False):
            with gr.Column():
                gr.Markdown("#### Add documents")
                files = gr.File(
                    file_count="multiple", file_types=list(SUPPORTED_SUFFIXES), label="Files", elem_id="pa-upload"
                )
                folder = gr.Dropdown(editor.folders(), value=TOP_LEVEL, label="Folder (its name gives the type)")
                with gr.Row():
                    add = gr.Button("Add and sync", variant="primary")
                    resync = gr.Button("Sync folder now")
            with gr.Column():
                gr.Markdown("#### Remove a document")
                victim = gr.Dropdown(doc_ids(), label="Document", value=None)
                confirm = gr.Checkbox(label="Delete its file from the corpus folder and its passages from the index")
                delete = gr.Button("Delete", variant="secondary", elem_id="pa-delete")
        report = gr.HTML("", elem_id="pa-sync-report")

    def on_unlock(attempt: str) -> tuple[Any, Any, bool, str, str]:
        if password_ok(settings, attempt):
            return gr.update(visible=False), gr.update(visible=True), True, "", ""
        return gr.update(), gr.update(), False, render.message_html("Wrong password.", "bad"), ""

    unlock.click(on_unlock, [password], [gate, panel, unlocked, gate_note, password], api_visibility="private")
    password.submit(on_unlock, [password], [gate, panel, unlocked, gate_note, password], api_visibility="private")

    def after(sync_report: SyncReport | None, note: str) -> tuple[Any, Any, Any, str]:
        """Outputs after an action: the table, the delete list, the folder list, the report."""
        html = note + (render.sync_report_html(sync_report) if sync_report else "")
        return (
            documents_table(assistant),
            gr.update(choices=doc_ids(), value=None),
            gr.update(choices=editor.folders()),
            html,
        )

    def progress_callable(progress: Any) -> Callable[[int, int], None]:
        return lambda done, total: progress((done, total), desc="Embedding passages", unit="passages")

    def on_add(
        is_unlocked: bool, uploads: list[str] | None, where: str, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        result, note = add_and_sync(editor, is_unlocked, uploads, where, progress_callable(progress))
        return (*after(result, note), None)

    add.click(on_add, [unlocked, files, folder], [table, victim, folder, report, files], api_visibility="private")

    def on_resync(is_unlocked: bool, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not is_unlocked:
            return after(None, render.message_html("Unlock the tab first.", "bad"))
        return after(editor.sync(progress_callable(progress)), "")

    resync.click(on_resync, [unlocked], [table, victim, folder, report], api_visibility="private")

    def on_delete(
        is_unlocked: bool, doc_id: str | None, sure: bool, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        result, note = delete_and_sync(editor, is_unlocked, doc_id, sure, progress_callable(progress))
        return (*after(result, note), False)

    delete.click(
        on_delete, [unlocked, victim, confirm], [table, victim, folder, report, confirm], api_visibility="private"
    )
    return [(table, lambda: documents_table(assistant)), (victim, lambda: gr.update(choices=doc_ids()))]


def esc_md(text: str) -> str:
    """Text safe inside a Markdown code span."""
    return text.replace("`", "'")

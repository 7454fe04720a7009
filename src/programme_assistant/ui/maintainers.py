"""The Documents tab for maintainers: the document list, upload -> incremental sync (with a progress bar and
the per-file report), delete. When ``PA_ADMIN_PASSWORD`` is set the tab asks for it, and every action checks
the session's unlocked state on the server, not only what the page shows.

``CorpusEditor`` changes the corpus folder and syncs; it never writes outside the folder and runs one sync
at a time.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
import pandas as pd

from programme_assistant.assistant import TOP_LEVEL
from programme_assistant.errors import DocumentError, ProgrammeAssistantError
from programme_assistant.models import SyncReport
from programme_assistant.ui import render

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant
    from programme_assistant.config import Settings

__all__ = ["TOP_LEVEL", "CorpusEditor", "add_and_sync", "delete_and_sync", "password_ok"]


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
    """The tab's actions on the corpus, one at a time, through the Assistant."""

    def __init__(self, assistant: Assistant, upload_root: Path | None = None) -> None:
        """``upload_root``: where files uploaded through this page arrive (Gradio's upload folder); a path from
        anywhere else is refused, whatever the request says."""
        self.assistant = assistant
        self.settings = assistant.settings
        self._lock = threading.Lock()
        if upload_root is None:
            upload_root = Path(gr.utils.get_upload_folder())
        self.upload_root = upload_root.resolve()

    def folders(self) -> list[str]:
        """Sub-folders of the corpus an upload may go to (their names say the document type)."""
        return self.assistant.corpus_folders()

    def add_files(self, uploads: list[Path], folder: str) -> tuple[list[str], list[str]]:
        """Copy uploaded files into ``folder`` of the corpus. Returns (stored doc ids, refusals)."""
        arrived: list[Path] = []
        refused: list[str] = []
        for upload in map(Path, uploads):
            if upload.resolve().is_relative_to(self.upload_root):
                arrived.append(upload)
            else:
                refused.append(f"{upload.name}: was not uploaded through this page (refused)")
        with self._lock:
            added = self.assistant.add_documents(arrived, folder) if arrived else None
        return (added.stored if added else []), refused + (added.refused if added else [])

    def delete(self, doc_id: str) -> None:
        """Remove a document's file (and its metadata sidecar) from the corpus folder."""
        with self._lock:
            self.assistant.delete_document(doc_id)

    def sync(self, report_progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Incremental sync of the corpus folder; progress reported as (done, total) passages."""
        with self._lock:
            return self.assistant.sync(progress=_ProgressAdapter(report_progress) if report_progress else None)


DOCUMENT_COLUMNS = ["Title", "Type", "Date", "Language", "Passages", "Status", "File"]


def empty_documents_table() -> pd.DataFrame:
    return pd.DataFrame([], columns=DOCUMENT_COLUMNS)


def documents_table(assistant: Assistant) -> pd.DataFrame:
    rows = assistant.documents()
    return pd.DataFrame(
        [[d.title, d.doc_type, d.date, d.language, d.chunks, d.status, d.doc_id] for d in rows],
        columns=DOCUMENT_COLUMNS,
    )


def edit_refused(editor: CorpusEditor, unlocked: bool) -> str | None:
    """Why the tab may not change the corpus now (a note as HTML), or None when it may."""
    if not unlocked:
        return render.message_html("Unlock the tab first.", "bad")
    if not editor.settings.document_editing:
        return render.message_html("Document editing is off (PA_DOCUMENT_EDITING=false).", "bad")
    return None


def add_and_sync(
    editor: CorpusEditor,
    unlocked: bool,
    uploads: list[str] | None,
    folder: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SyncReport | None, str]:
    """Upload action: copy the files in, sync. Returns (the sync report or None, a note as HTML)."""
    refused = edit_refused(editor, unlocked)
    if refused:
        return None, refused
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
    try:
        return editor.sync(progress), note
    except ProgrammeAssistantError as exc:
        return None, note + render.message_html(f"{exc.message} ({exc.fix})", "bad")


def delete_and_sync(
    editor: CorpusEditor,
    unlocked: bool,
    doc_id: str | None,
    confirmed: bool,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SyncReport | None, str]:
    """Delete action: remove the file, sync. Returns (the sync report or None, a note as HTML)."""
    refused = edit_refused(editor, unlocked)
    if refused:
        return None, refused
    if not doc_id:
        return None, render.message_html("Pick the document to delete first.", "note")
    if not confirmed:
        return None, render.message_html(f"{doc_id} is still chosen: tick the box above the Delete button to "
                                          "confirm, then press Delete again.", "note")
    try:
        editor.delete(doc_id)
    except DocumentError as exc:
        return None, render.message_html(f"{exc.message} ({exc.fix})", "bad")
    try:
        return editor.sync(progress), render.message_html(f"Deleted {doc_id}.", "ok")
    except ProgrammeAssistantError as exc:
        return None, render.message_html(f"Deleted {doc_id}. {exc.message} ({exc.fix})", "bad")


class PasswordThrottle:
    """Wrong admin passwords per client: after ``free`` of them, each further one makes the client wait twice as
    long as the last (from ``first_wait`` seconds, at most ``max_wait``) before a new attempt is even checked."""

    def __init__(self, free: int, first_wait: float = 2.0, max_wait: float = 300.0,
                 clock: Callable[[], float] | None = None, max_clients: int = 10000) -> None:
        import time

        self.free, self.first_wait, self.max_wait = free, first_wait, max_wait
        self.clock = clock or time.monotonic
        self.max_clients = max_clients
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (wrong attempts, not before)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before its next attempt is checked (0: go ahead)."""
        with self._lock:
            _, not_before = self._failures.get(client, (0, 0.0))
        return max(0.0, not_before - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._failures.pop(client, (0, 0.0))
            count += 1
            extra = count - self.free
            delay = min(self.max_wait, self.first_wait * 2 ** (extra - 1)) if extra > 0 else 0.0
            self._failures[client] = (count, self.clock() + delay)
            while len(self._failures) > self.max_clients:  # bounded: the oldest entries go first
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def password_ok(settings: Settings, attempt: str | None) -> bool:
    expected = settings.admin_password.get_secret_value() if settings.admin_password else ""
    return not expected or hmac.compare_digest((attempt or "").encode(), expected.encode())


def build_documents_tab(assistant: Assistant, editor: CorpusEditor, throttle: PasswordThrottle | None = None,
                        header: tuple[Any, Callable[[], str]] | None = None) -> list[tuple[Any, Any]]:
    """The tab. When locked (PA_ADMIN_PASSWORD), the page is built and refreshed without the document list or
    the corpus folder: they are sent only to a session that has unlocked the tab. ``header``: the page header
    and what draws it, redrawn after each change (its document and passage counts)."""

    settings = assistant.settings
    locked = settings.admin_password is not None
    editing = settings.document_editing
    unlocked = gr.State(not locked)
    throttle = throttle or PasswordThrottle(settings.admin_attempts_before_wait)

    def doc_ids() -> list[str]:
        return [d.doc_id for d in assistant.documents()]

    def intro() -> str:
        what = "a sync reads only new or changed files." if editing else (
            "document editing is off (PA_DOCUMENT_EDITING=false).")
        return ("Documents in the index. Files are read from the corpus folder "
                f"(`{esc_md(str(settings.corpus_dir))}`); {what}")

    with gr.Column(visible=locked, elem_id="pa-admin-gate") as gate:
        gr.Markdown("### Maintainers only\nThis tab changes the document collection. Enter the admin password.")
        password = gr.Textbox(type="password", label="Admin password", max_lines=1, elem_id="pa-admin-password")
        unlock = gr.Button("Unlock", variant="primary")
        gate_note = gr.HTML("")
    with gr.Column(visible=not locked, elem_id="pa-admin") as panel:
        heading = gr.Markdown("" if locked else intro())
        table = gr.Dataframe(
            empty_documents_table() if locked else documents_table(assistant),
            interactive=False,
            wrap=True,
            max_height=420,
            show_search="search",
            column_widths=["34%", "8%", "11%", "9%", "9%", "9%", "20%"],
        )
        with gr.Row(equal_height=False, visible=editing):
            with gr.Column():
                gr.Markdown("#### Add documents")
                files = gr.File(
                    file_count="multiple",
                    file_types=list(assistant.supported_suffixes),
                    label="Files",
                    elem_id="pa-upload",
                )
                folder = gr.Dropdown([] if locked else editor.folders(), value=TOP_LEVEL,
                                     label="Folder (its name gives the type)", allow_custom_value=locked)
                with gr.Row():
                    add = gr.Button("Add and sync", variant="primary")
                    resync = gr.Button("Sync folder now")
            with gr.Column():
                gr.Markdown("#### Remove a document")
                victim = gr.Dropdown([] if locked else doc_ids(), label="Document", value=None)
                confirm = gr.Checkbox(label="Delete its file from the corpus folder and its passages from the index")
                delete = gr.Button("Delete", variant="secondary", elem_id="pa-delete")
        report = gr.HTML("", elem_id="pa-sync-report")

    def on_unlock(attempt: str, request: gr.Request) -> tuple[Any, ...]:
        client = (request.client.host if request and request.client else "") or "unknown"
        keep = (gr.update(),) * 5
        wait = throttle.wait(client)
        if wait > 0:
            note = f"Too many wrong passwords: try again in {wait:.0f} s."
            return (gr.update(), gr.update(), False, render.message_html(note, "bad"), "", *keep)
        if password_ok(settings, attempt):
            throttle.succeeded(client)
            return (gr.update(visible=False), gr.update(visible=True), True, "", "", intro(),
                    documents_table(assistant), gr.update(choices=doc_ids(), value=None),
                    gr.update(choices=editor.folders(), value=TOP_LEVEL), "")
        throttle.failed(client)
        return (gr.update(), gr.update(), False, render.message_html("Wrong password.", "bad"), "", *keep)

    unlock_outputs = [gate, panel, unlocked, gate_note, password, heading, table, victim, folder, report]
    unlock.click(on_unlock, [password], unlock_outputs, api_visibility="private")
    password.submit(on_unlock, [password], unlock_outputs, api_visibility="private")

    refreshed = [header[0]] if header else []

    def after(sync_report: SyncReport | None, note: str, *, allowed: bool = True,
              keep_choice: bool = False) -> tuple[Any, ...]:
        """Outputs after an action: the table, the delete list, the folder list, the report, and the page header
        (its document count). A session that has not unlocked the tab gets the note alone; a refused delete
        keeps the chosen document."""
        html = note + (render.sync_report_html(sync_report) if sync_report else "")
        if not allowed:
            return (gr.update(), gr.update(), gr.update(), html, *(gr.update() for _ in refreshed))
        return (
            documents_table(assistant),
            gr.update(choices=doc_ids()) if keep_choice else gr.update(choices=doc_ids(), value=None),
            gr.update(choices=editor.folders()),
            html,
            *((header[1](),) if header else ()),
        )

    def progress_callable(progress: Any) -> Callable[[int, int], None]:
        return lambda done, total: progress((done, total), desc="Embedding passages", unit="passages")

    def on_add(
        is_unlocked: bool, uploads: list[str] | None, where: str, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        result, note = add_and_sync(editor, is_unlocked, uploads, where, progress_callable(progress))
        return (*after(result, note, allowed=is_unlocked), None)

    add.click(on_add, [unlocked, files, folder], [table, victim, folder, report, *refreshed, files],
              api_visibility="private")

    def on_resync(is_unlocked: bool, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        refused = edit_refused(editor, is_unlocked)
        if refused:
            return after(None, refused, allowed=is_unlocked)
        try:
            return after(editor.sync(progress_callable(progress)), "")
        except ProgrammeAssistantError as exc:
            return after(None, render.message_html(f"{exc.message} ({exc.fix})", "bad"))

    resync.click(on_resync, [unlocked], [table, victim, folder, report, *refreshed], api_visibility="private")

    def on_delete(
        is_unlocked: bool, doc_id: str | None, sure: bool, progress: gr.Progress = gr.Progress()  # noqa: B008
    ) -> tuple[Any, ...]:
        result, note = delete_and_sync(editor, is_unlocked, doc_id, sure, progress_callable(progress))
        if is_unlocked and doc_id and not sure:  # a toast too: the note is further down
            gr.Warning("Tick the box to confirm the deletion.")
        return (*after(result, note, allowed=is_unlocked, keep_choice=result is None), False)

    delete.click(
        on_delete, [unlocked, victim, confirm], [table, victim, folder, report, *refreshed, confirm],
        api_visibility="private"
    )
    if locked:  # a page load must not send the list to a session that has not unlocked the tab
        return []
    return [(table, lambda: documents_table(assistant)), (victim, lambda: gr.update(choices=doc_ids()))]


def esc_md(text: str) -> str:
    """Text safe inside a Markdown code span."""
    return text.replace("`", "'")

"""Opening a document: its text as a readable page (the cited sentence highlighted), or the original file.

Only documents of the index are served, and only from inside the corpus folder: the requested id must be a
document the sync manifest knows, and its path, resolved, must lie inside the resolved corpus folder and not
be a symbolic link. Anything else is a 404, so a request cannot probe for files elsewhere.
Originals that a browser would run (HTML) are sent as plain text, and every response forbids scripts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse

from programme_assistant.errors import DocumentError
from programme_assistant.models import SourceDocument
from programme_assistant.ui.render import FILE_LABELS, esc, file_url, inline_markup
from programme_assistant.ui.style import VIEWER_CSS

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_START, _END = "\ue000", "\ue001"  # private-use marks for the quote while the text is laid out
# Bullets of Word's Symbol/Wingdings fonts, which PDF text extraction returns as private-use characters (or DEL).
_SYMBOL_BULLETS = str.maketrans(
    {"\x7f": "•", "\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓"}
)

MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Everything served here is data: no script may run, whatever the file holds.
NO_SCRIPTS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def is_web_address(url: str) -> bool:
    """Only http(s) addresses become links: a document's own ``source_url`` is data, and "javascript:" in it
    must not run when clicked."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def render_text(text: str, start: int | None, end: int | None) -> str:
    """The document's text as HTML: headings, paragraphs, the span ``text[start:end]`` marked ``id=quote``."""
    if start is not None and end is not None and 0 <= start < end <= len(text):
        text = text[:start] + _START + text[start:end] + _END + text[end:]
    blocks = []
    for block in re.split(r"\n[ \t]*\n", text):
        if not block.strip():
            continue
        lines = block.strip("\n").split("\n")
        first = lines[0].lstrip(_START + _END)
        heading = _HEADING.match(first)
        if heading and len(lines) == 1:
            level = min(len(heading.group(1)) + 1, 6)
            lead = lines[0][: len(lines[0]) - len(first)]  # a quote mark that stood before the '#'
            blocks.append(f"<h{level}>{esc(lead + heading.group(2))}</h{level}>")
        else:
            blocks.append("<p>" + "<br>".join(inline_markup(esc(line)) for line in lines) + "</p>")
    out = "\n".join(blocks).translate(_SYMBOL_BULLETS)
    return out.replace(_START, '<mark id="quote">').replace(_END, "</mark>")


def document_page(doc: SourceDocument, start: int | None, end: int | None) -> str:
    suffix = Path(doc.source_path).suffix.lower()
    meta = " · ".join(esc(x) for x in [doc.date or "undated", doc.doc_type, doc.language, doc.doc_id] if x)
    # this page is /documents/view/<doc_id>: climb out of the doc_id's folders to /documents/
    original = "../" * (doc.doc_id.count("/") + 1) + file_url(doc.doc_id).removeprefix("documents/")
    links = f'<a href="{esc(original)}">{esc(FILE_LABELS.get(suffix, "Original file"))}</a>'
    if doc.url and is_web_address(doc.url):
        links += f' <a href="{esc(doc.url)}" rel="noopener noreferrer">Published at {esc(doc.url)}</a>'
    elif doc.url:  # "javascript:...", "data:...", a bare path: shown as text, never a link
        links += f' <span class="note">Source given as: {esc(doc.url)}</span>'
    marked = start is not None and end is not None and 0 <= start < end <= len(doc.text)
    hint = '<p class="note">The highlighted sentence is the one the answer cites.</p>' if marked else ""
    return (
        f'<!doctype html><html lang="{esc(doc.language or "en")}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(doc.title)}</title>'
        f'<style>{VIEWER_CSS}</style></head><body><main><header><div class="kicker">Programme document</div>'
        f'<h1>{esc(doc.title)}</h1><div class="meta">{meta}</div><div class="links">{links}</div>{hint}'
        f"</header><article>{render_text(doc.text, start, end)}</article></main></body></html>"
    )


def document_router(assistant: Assistant) -> APIRouter:
    """GET /documents/view/{doc_id} (the text, ?start=&end= highlights a span) and /documents/file/{doc_id}."""
    router = APIRouter(prefix="/documents", include_in_schema=False)

    def locate(doc_id: str) -> Path:
        try:
            return assistant.document_file(doc_id)
        except DocumentError as exc:
            raise HTTPException(404, "No such document") from exc

    @router.get("/view/{doc_id:path}", response_class=HTMLResponse)
    def view(doc_id: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0)) -> HTMLResponse:
        locate(doc_id)  # 404 for anything that is not an indexed file inside the corpus
        try:
            doc = assistant.document(doc_id)
        except DocumentError as exc:
            raise HTTPException(422, f"The document cannot be read: {exc.reason}") from exc
        return HTMLResponse(document_page(doc, start, end), headers=NO_SCRIPTS)

    @router.get("/file/{doc_id:path}")
    def original(doc_id: str) -> FileResponse:
        path = locate(doc_id)
        suffix = path.suffix.lower()
        media = MEDIA_TYPES.get(suffix, "text/plain; charset=utf-8")  # HTML and the rest: shown, never run
        headers = dict(NO_SCRIPTS)
        if suffix == ".docx":
            return FileResponse(path, media_type=media, filename=path.name, headers=headers)
        if suffix == ".pdf":  # the browser's PDF viewer needs its plugin; a PDF is not run as a page
            headers.pop("Content-Security-Policy")
        else:
            headers["Content-Security-Policy"] += "; sandbox"
        return FileResponse(
            path, media_type=media, headers=headers, content_disposition_type="inline", filename=path.name
        )

    return router

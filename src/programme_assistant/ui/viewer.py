"""Opening a document: its text as a readable page (Markdown rendered, the cited sentence highlighted; for a PDF,
the cited page as printed beside it), or the original file, or one PDF page as an image.

Only documents of the index are served, and only from inside the corpus folder: the requested id must be a
document the sync manifest knows, and its path, resolved, must lie inside the resolved corpus folder and not
be a symbolic link. Anything else is a 404, so a request cannot probe for files elsewhere.
Originals that a browser would run (HTML) are sent as plain text, and every response forbids scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from programme_assistant.errors import DocumentError
from programme_assistant.models import SourceDocument
from programme_assistant.ui.document_text import render_markdown, render_plain
from programme_assistant.ui.render import FILE_LABELS, esc, file_url
from programme_assistant.ui.style import VIEWER_CSS

if TYPE_CHECKING:
    from programme_assistant.assistant import Assistant

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


# Formats whose text is Markdown: written so, or normalised to it by their loader (headings, lists, tables).
# A .txt file or a PDF's extracted text is shown as the text it is.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".docx")


def render_text(text: str, start: int | None, end: int | None, markdown: bool = True) -> str:
    """The document's text as HTML (its Markdown rendered, or plain text with its line breaks), inert, the span
    ``text[start:end]`` marked ``id=quote``."""
    return render_markdown(text, start, end) if markdown else render_plain(text, start, end)


# The PDF page beside the text (the rest of the page's look is style.VIEWER_CSS).
PAGE_CSS = """
main.with-page { max-width: 1320px; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 28px; align-items: start; }
figure.page { position: sticky; top: 12px; margin: 0; border: 1px solid #e2e8f0; border-radius: 12px;
  background: #f8fafc; padding: 10px; }
figure.page img { width: 100%; height: auto; display: block; background: #fff; border: 1px solid #e2e8f0; }
figure.page figcaption { display: flex; justify-content: space-between; gap: 10px; font-size: 13.5px;
  color: #475569; margin: 0 2px 8px; }
figure.page figcaption a { color: #4338ca; font-weight: 600; text-decoration: none; }
article table { border-collapse: collapse; margin: 0 0 14px; font-size: 15px; width: 100%; }
article th, article td { border: 1px solid #e2e8f0; padding: 5px 9px; text-align: left; vertical-align: top; }
article th { background: #f1f5f9; }
article ul, article ol { margin: 0 0 12px; padding-left: 26px; }
article li { margin: 3px 0; }
article blockquote { margin: 0 0 12px; padding: 2px 14px; border-left: 3px solid #c7d2fe; color: #334155; }
article code { background: #f1f5f9; border-radius: 4px; padding: 0 4px; }
article pre { background: #f1f5f9; border-radius: 8px; padding: 10px 12px; overflow-x: auto; }
article a { color: #4338ca; }
article p.plain { white-space: pre-wrap; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } figure.page { position: static; } }
"""


def page_figure(doc_id: str, page: int, pages: int, start: int | None, end: int | None, cited: bool) -> str:
    """The PDF page ``page`` as an image, with its number and links to the pages before and after."""
    up = "../" * (doc_id.count("/") + 1)  # from /documents/view/<doc_id> to /documents/
    image = f"{up}page/{quote(doc_id)}?{urlencode({'page': page})}"

    def at(n: int) -> str:
        query = {"start": start, "end": end} if start is not None and end is not None else {}
        return f"?{urlencode({**query, 'page': n})}"

    before = f'<a href="{esc(at(page - 1))}">&larr; Page {page - 1}</a>' if page > 1 else "<span></span>"
    after = f'<a href="{esc(at(page + 1))}">Page {page + 1} &rarr;</a>' if page < pages else "<span></span>"
    label = f"Page {page} of {pages}" + (", the cited page" if cited else "")
    return (
        f'<figure class="page" id="page"><figcaption>{before}<b>{esc(label)}</b>{after}</figcaption>'
        f'<img src="{esc(image)}" alt="Page {page} of the PDF, as printed" loading="lazy"></figure>'
    )


def document_page(doc: SourceDocument, start: int | None, end: int | None, page: int | None = None,
                  pages: int = 0) -> str:
    """The document as a page. ``pages``: how many pages its PDF has (0: not a PDF, or no pages to show); the
    page shown beside the text is ``page``, else the one holding the highlighted span, else the first."""
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
    body = f"<article>{render_text(doc.text, start, end, suffix in MARKDOWN_SUFFIXES)}</article>"
    wide = ""
    if pages:
        cited = doc.page_at(start) if marked and start is not None else None
        shown = min(max(page or cited or 1, 1), pages)
        body = (f'<div class="columns">{body}'
                f"{page_figure(doc.doc_id, shown, pages, start, end, shown == cited)}</div>")
        wide = ' class="with-page"'
    return (
        f'<!doctype html><html lang="{esc(doc.language or "en")}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(doc.title)}</title>'
        f'<style>{VIEWER_CSS}{PAGE_CSS}</style></head><body><main{wide}><header>'
        '<div class="kicker">Programme document</div>'
        f'<h1>{esc(doc.title)}</h1><div class="meta">{meta}</div><div class="links">{links}</div>{hint}'
        f"</header>{body}</main></body></html>"
    )


def document_router(assistant: Assistant) -> APIRouter:
    """GET /documents/view/{doc_id} (the text, ?start=&end= highlights a span, ?page= picks the PDF page shown),
    /documents/file/{doc_id} (the original) and /documents/page/{doc_id}?page=N (a PDF page as PNG)."""
    router = APIRouter(prefix="/documents", include_in_schema=False)

    def locate(doc_id: str) -> Path:
        try:
            return assistant.document_file(doc_id)
        except DocumentError as exc:
            raise HTTPException(404, "No such document") from exc

    @router.get("/view/{doc_id:path}", response_class=HTMLResponse)
    def view(doc_id: str, start: int | None = Query(None, ge=0), end: int | None = Query(None, ge=0),
             page: int | None = Query(None, ge=1, le=100_000)) -> HTMLResponse:
        path = locate(doc_id)  # 404 for anything that is not an indexed file inside the corpus
        try:
            doc = assistant.document(doc_id)
        except DocumentError as exc:
            raise HTTPException(422, f"The document cannot be read: {exc.reason}") from exc
        pages = 0
        if path.suffix.lower() == ".pdf":
            try:
                pages = assistant.page_count(doc_id)
            except DocumentError:  # the text was read; the page images cannot be: show the text alone
                pages = 0
        return HTMLResponse(document_page(doc, start, end, page, pages), headers=NO_SCRIPTS)

    @router.get("/page/{doc_id:path}")
    def page_image(doc_id: str, page: int = Query(1, ge=1, le=100_000)) -> Response:
        locate(doc_id)
        try:
            png = assistant.page_image(doc_id, page)
        except DocumentError as exc:
            raise HTTPException(404, f"No such page: {exc.reason}") from exc
        headers = {**NO_SCRIPTS, "Cache-Control": "private, max-age=300"}
        return Response(png, media_type="image/png", headers=headers)

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

"""PDF pages as PNG images, so a reader can check the extracted text against the printed page.

Rendered with pypdfium2 (PDFium, from PyPI). Pages are kept in a least-recently-used cache bounded in bytes and
keyed by the file's identity (path, size and modification time), so an edited file is rendered again. PDFium
is not thread-safe: one render at a time.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from programme_assistant.errors import DocumentError


class PageImages:
    def __init__(self, width: int = 1000, max_bytes: int = 32 * 1024 * 1024) -> None:
        """``width``: of the rendered page in pixels; ``max_bytes``: the cache's bound (0: no cache)."""
        self.width = width
        self.max_bytes = max_bytes
        self._cache: OrderedDict[tuple[str, int, int, int], bytes] = OrderedDict()
        self._counts: dict[tuple[str, int, int], int] = {}
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _identity(path: Path) -> tuple[str, int, int]:
        stat = path.stat()
        return str(path), stat.st_size, stat.st_mtime_ns

    def _open(self, path: Path):  # type: ignore[no-untyped-def]
        import pypdfium2 as pdfium

        try:
            return pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise DocumentError(path.name, f"could not be opened as a PDF ({exc})",
                                "the file is damaged or not a PDF: export it again from its source") from exc

    def page_count(self, path: Path) -> int:
        identity = self._identity(path)
        with self._lock:
            if identity not in self._counts:
                pdf = self._open(path)
                try:
                    self._counts[identity] = len(pdf)
                finally:
                    pdf.close()
                while len(self._counts) > 1000:  # bounded too: the oldest files go first
                    self._counts.pop(next(iter(self._counts)))
            return self._counts[identity]

    def png(self, path: Path, page: int) -> bytes:
        """Page ``page`` (1-based) of the PDF at ``path`` as PNG bytes (DocumentError for a page it lacks)."""
        identity = self._identity(path)
        key = (*identity, page)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            pdf = self._open(path)
            try:
                if not 1 <= page <= len(pdf):
                    raise DocumentError(path.name, f"has no page {page} (it has {len(pdf)})",
                                        f"ask for a page from 1 to {len(pdf)}")
                pdf_page = pdf[page - 1]
                scale = self.width / max(pdf_page.get_width(), 1.0)
                image = pdf_page.render(scale=scale).to_pil()
                buffer = io.BytesIO()
                image.save(buffer, format="PNG", optimize=True)
                data = buffer.getvalue()
            finally:
                pdf.close()
            if len(data) <= self.max_bytes:
                self._cache[key] = data
                self._size += len(data)
                while self._size > self.max_bytes:
                    _, dropped = self._cache.popitem(last=False)
                    self._size -= len(dropped)
            return data

    @property
    def cached_bytes(self) -> int:
        return self._size

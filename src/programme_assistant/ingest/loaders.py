"""File -> SourceDocument. One registry keyed by suffix; metadata from the file, a sidecar, or inference.

Metadata precedence, per field: a sidecar ``<file>.meta.yaml`` > the file's own metadata (Markdown front
matter, HTML ``<meta>``, PDF document info, DOCX core properties) > inference (first heading, a date in
the file name, the folder name for the type, language detection).

Every loader returns normalised text: headings as Markdown heading lines, paragraphs separated by a
blank line. Loaders raise :class:`DocumentError` naming the file, the problem and the fix.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from programme_assistant.errors import DocumentError
from programme_assistant.models import DOC_TYPES, PageSpan, SourceDocument
from programme_assistant.text.language import detect_language
from programme_assistant.text.tables import looks_like_header

SIDECAR_SUFFIX = ".meta.yaml"

# Folder names that say what kind of document a file is, when nothing else does.
_FOLDER_TYPES = {
    "news": "news", "press": "news", "reports": "report", "report": "report", "minutes": "minutes",
    "meetings": "minutes", "guides": "guide", "guide": "guide", "faq": "faq", "faqs": "faq",
}
_TYPE_SYNONYMS = {
    "article": "news", "press release": "news", "press": "news", "meeting minutes": "minutes",
    "minute": "minutes", "handbook": "guide", "manual": "guide", "study": "report", "summary": "report",
}


@dataclass
class FileMetadata:
    """Metadata a file states about itself (any field may be missing)."""

    title: str | None = None
    date: str | None = None
    doc_type: str | None = None
    language: str | None = None
    url: str | None = None
    publisher: str | None = None
    tags: list[str] = field(default_factory=list)

    def merged_over(self, other: FileMetadata) -> FileMetadata:
        """These values where set, ``other``'s elsewhere."""
        return FileMetadata(
            title=self.title or other.title,
            date=self.date or other.date,
            doc_type=self.doc_type or other.doc_type,
            language=self.language or other.language,
            url=self.url or other.url,
            publisher=self.publisher or other.publisher,
            tags=self.tags or other.tags,
        )


@dataclass
class ParsedFile:
    """What a format loader extracts: normalised text, pages, the file's own metadata, notes."""

    text: str
    meta: FileMetadata = field(default_factory=FileMetadata)
    pages: list[PageSpan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# text decoding


def decode_text(data: bytes, path: str) -> tuple[str, list[str]]:
    """Bytes -> str. UTF-8 first; then cp1252 / latin-1 with a note. Binary content is refused."""
    head = data[:8192]
    if b"\x00" in head:
        raise DocumentError(
            path, "looks like a binary file (it contains NUL bytes), not text",
            "rename it to its real format (.pdf, .docx, ...) or remove it from the corpus folder",
        )
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\r\n\t\f")
        if controls > max(8, len(text[:8192]) // 20):
            break
        return text, [f"not valid UTF-8: decoded as {encoding}; save the file as UTF-8 to be sure of its accents"]
    raise DocumentError(
        path, "is not readable text in UTF-8, cp1252 or latin-1 (too many control characters)",
        "convert it to UTF-8 text or remove it from the corpus folder",
    )


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ----------------------------------------------------------------------------------------------
# metadata helpers

_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_DMY = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})(\d{2})")


def normalise_date(value: Any) -> str | None:
    """Dates in common spellings -> ISO ``YYYY-MM-DD`` (or ``YYYY-MM``/``YYYY`` when that is all there is)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if m := _ISO.search(text):
        year, month, day = m.groups()
        return f"{year}-{month}-{day}" if day else f"{year}-{month}"
    if m := _DMY.search(text):
        day, month, year = m.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if m := _PDF_DATE.match(text):
        return "-".join(m.groups())
    if re.fullmatch(r"\d{4}", text):
        return text
    return None


def normalise_type(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip().lower()
    if text in DOC_TYPES:
        return text
    if text.rstrip("s") in DOC_TYPES:
        return text.rstrip("s")
    return _TYPE_SYNONYMS.get(text)


def _tags(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t).strip() for t in value if str(t).strip()]


def metadata_from_mapping(data: dict[str, Any]) -> FileMetadata:
    return FileMetadata(
        title=str(data["title"]).strip() if data.get("title") else None,
        date=normalise_date(data.get("date")),
        doc_type=normalise_type(data.get("type")),
        language=str(data["language"]).strip().lower() if data.get("language") else None,
        url=str(data.get("source_url") or data.get("url") or "").strip() or None,
        publisher=str(data["publisher"]).strip() if data.get("publisher") else None,
        tags=_tags(data.get("tags")),
    )


def read_sidecar(path: Path) -> tuple[FileMetadata, bytes]:
    """Metadata from ``<file>.meta.yaml`` beside ``path``; empty when there is none."""
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return FileMetadata(), b""
    raw = sidecar.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DocumentError(str(sidecar), f"metadata file is not valid YAML ({exc})", "fix the YAML syntax") from exc
    if not isinstance(data, dict):
        raise DocumentError(str(sidecar), "metadata file must be a mapping of keys to values",
                            "write it as `title: ...` lines")
    return metadata_from_mapping(data), raw


# ----------------------------------------------------------------------------------------------
# format loaders

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)


def load_markdown(data: bytes, path: str) -> ParsedFile:
    text, notes = decode_text(data, path)
    text = _normalise_newlines(text)
    meta = FileMetadata()
    if m := _FRONT_MATTER.match(text):
        try:
            front = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise DocumentError(path, f"front matter is not valid YAML ({exc})",
                                "fix the YAML between the two `---` lines") from exc
        if not isinstance(front, dict):
            raise DocumentError(path, "front matter must be a mapping of keys to values",
                                "write it as `title: ...` lines between two `---` lines")
        meta = metadata_from_mapping(front)
        text = text[m.end():]
    return ParsedFile(text=text, meta=meta, notes=notes)


def load_text(data: bytes, path: str) -> ParsedFile:
    text, notes = decode_text(data, path)
    return ParsedFile(text=_normalise_newlines(text), notes=notes)


_HTML_DROP = ("script", "style", "noscript", "nav", "footer", "aside", "form", "iframe", "svg", "template",
              "button", "select", "input")
_HTML_BLOCKS = {"p", "li", "blockquote", "pre", "dt", "dd", "figcaption", "caption", "tr", "address",
                "h1", "h2", "h3", "h4", "h5", "h6"}


def _inline_text(el) -> str:  # type: ignore[no-untyped-def]
    """An element's text as it reads: inline tags join their neighbours as written ("<b>Hiroshima</b>, while"
    -> "Hiroshima, while", not "Hiroshima , while"); a line break, a table cell or a block inside the element
    still separates words."""
    from bs4.element import CData, NavigableString

    pieces: list[str] = []
    for node in el.descendants:
        if isinstance(node, str):
            if type(node) in (NavigableString, CData):  # not comments, doctypes or declarations
                pieces.append(str(node))
        elif node.name == "br" or node.name in _HTML_BLOCKS or node.name in ("td", "th", "div"):
            pieces.append(" ")
    return " ".join("".join(pieces).split())


def load_html(data: bytes, path: str) -> ParsedFile:
    from bs4 import BeautifulSoup

    raw, notes = decode_text(data, path)
    soup = BeautifulSoup(raw, "lxml")

    def meta_content(*names: str) -> str | None:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return None

    time_tag = soup.find("time", attrs={"datetime": True})
    html_tag = soup.find("html")
    title_tag = soup.find("title")
    meta = FileMetadata(
        title=meta_content("og:title", "dc.title") or (title_tag.get_text(" ", strip=True) if title_tag else None),
        date=normalise_date(
            meta_content("date", "dc.date", "article:published_time", "datePublished", "pubdate")
            or (time_tag["datetime"] if time_tag else None)
        ),
        doc_type=normalise_type(meta_content("type", "dc.type")),
        language=(str(html_tag.get("lang")).split("-")[0].lower() if html_tag and html_tag.get("lang") else None),
        url=meta_content("og:url") or (soup.find("link", rel="canonical") or {}).get("href"),
        publisher=meta_content("author", "og:site_name", "publisher"),
        tags=_tags(meta_content("keywords")),
    )
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for tag in soup.find_all(attrs={"role": ["navigation", "banner", "contentinfo", "search"]}):
        tag.decompose()
    for tag in soup.find_all(attrs={"aria-hidden": "true"}):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[str] = []
    table: Any = None  # the <table> whose rows are being read, and its rows so far
    rows: list[list[str]] = []
    header: bool | None = None

    def end_table() -> None:
        if rows:
            blocks.append("\n".join(_table_lines(rows, header)))
        rows.clear()

    for el in root.find_all(_HTML_BLOCKS):
        if el.find_parent(_HTML_BLOCKS):  # nested blocks are emitted with their parent
            continue
        if el.name == "tr":
            if el.find_parent("table") is not table:
                end_table()
                table = el.find_parent("table")
                header = None
            cells = el.find_all(["td", "th"])
            if not rows and cells and all(c.name == "th" for c in cells):
                header = True  # the page says which row names the columns
            rows.append([_inline_text(c) for c in cells])
            continue
        end_table()
        table = None
        line = _inline_text(el)
        if not line:
            continue
        if el.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            line = "#" * int(el.name[1]) + " " + line
        elif el.name == "li":
            line = "- " + line
        blocks.append(line)
    end_table()
    if not blocks:  # a page of bare text without block tags
        blocks = [p.strip() for p in root.get_text("\n").split("\n\n") if p.strip()]
    return ParsedFile(text="\n\n".join(blocks) + "\n", meta=meta, notes=notes)


def _reflow_pdf_page(page_text: str) -> str:
    """pypdf gives one line per printed line; join lines into paragraphs separated by blank lines."""
    lines = [ln.rstrip() for ln in page_text.splitlines()]
    lengths = sorted(len(ln) for ln in lines if ln.strip())
    if not lengths:
        return ""
    typical = lengths[len(lengths) * 3 // 4]
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(stripped)
        short = len(stripped) < 0.75 * typical
        if short:  # a short line ends a paragraph, a heading or a list item
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(p.replace("- ", "-") if p.endswith("-") else p for p in paragraphs)


# A line among the first or last few of a page is a running header or footer when it comes back, numbers aside,
# on at least half of the pages (and two): "Mission Report: Study Visit to Japan Page 3", "Page 3 of 12".
_EDGE_LINES = 3


def _without_running_lines(page_texts: list[str]) -> list[str]:
    """Each page's text without its running headers and footers, which the text layer runs into the
    paragraphs around them ("... in each case. Activities and Results Page 6")."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.split())).casefold()

    pages = [text.splitlines() for text in page_texts]
    if len(pages) < 2:
        return page_texts
    edges: list[set[int]] = []
    seen: Counter[str] = Counter()
    for lines in pages:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        at_edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
        edges.append(at_edge)
        seen.update({key(lines[i]) for i in at_edge})
    running = {k for k, n in seen.items() if n >= max(2, len(pages) / 2)}
    return ["\n".join(line for i, line in enumerate(lines) if i not in at_edge or key(line) not in running)
            for lines, at_edge in zip(pages, edges, strict=True)]


def _pdf_tables(data: bytes) -> list[list[list[list[str]]]]:
    """Each page's ruled tables, as rows of cells (pdfplumber finds them by their ruling lines; a table drawn
    without lines is not found and stays as the text layer gives it). A page whose tables cannot be read has
    none: its text is kept as it is."""
    import pdfplumber

    found: list[list[list[list[str]]]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                try:
                    tables = [[[" ".join((cell or "").split()) for cell in row] for row in table.extract()]
                              for table in page.find_tables()]
                except Exception:  # noqa: BLE001 - a damaged page keeps its plain text
                    tables = []
                found.append([t for t in tables if len(t) >= 2 and max(len(r) for r in t) >= 2])
    except Exception:  # noqa: BLE001 - pypdf read it; its text stays as it is
        return []
    return found


def _table_lines(table: list[list[str]], header: bool | None = None) -> list[str]:
    """A table as Markdown rows ("| 14-16 November | Aichi and Hiroshima | Osaka and Oita |"), one line a row, so
    that each row is read as one statement with its column names. A first row that names the columns (``header``;
    None: one whose cells are short and hold no number) gets the header rule under it: a piece of the table in a
    passage of its own then still reads it as the header, not as a row, and a passage that begins inside the table
    carries it (``Chunk.table_header``)."""
    rows = [row for row in table if any(row)]
    lines = ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    if len(rows) >= 2 and (looks_like_header(rows[0]) if header is None else header):
        lines.insert(1, "|" + "---|" * len(rows[0]))
    return lines


def _key(line: str) -> str:
    return "".join(line.split()).casefold()


_TABLE_MARK = "\x00table\x00"  # around a table's rows in a page's text, until the page is reflowed


def _page_with_tables(page_text: str, tables: list[list[list[str]]]) -> str:
    """The page's text with each table's lines, one printed line of a cell each as the text layer gives them
    ("Dates", "Group A", "Group B", "13 November", ...), replaced by the table's rows. The rows stand apart from
    the paragraphs around them (blank lines), so that reflowing the page does not join them. A table whose cells
    are not found in that order, line after line, leaves the text as it was."""
    lines = page_text.splitlines()
    for table in tables:
        # a cell of several printed lines is several lines of the text layer: match the text, not the lines
        found = _cells_span([_key(line) for line in lines], "".join(_key(cell) for row in table for cell in row))
        if found is not None:
            lines[found[0]:found[1]] = ["", _TABLE_MARK, *_table_lines(table), _TABLE_MARK, ""]
    return "\n".join(lines)


def _cells_span(lines: list[str], target: str) -> tuple[int, int] | None:
    """The first run of consecutive lines (whitespace left out) whose text is ``target``, as (start, end)."""
    if not target:
        return None
    for i, line in enumerate(lines):
        if not line or not target.startswith(line):
            continue
        consumed, j = "", i
        while j < len(lines) and len(consumed) < len(target) and target.startswith(consumed + lines[j]):
            consumed += lines[j]
            j += 1
        if consumed == target:
            return i, j
    return None


def _reflow_with_tables(page_text: str) -> str:
    """Reflow the page's prose (``_reflow_pdf_page``); a table's rows, between marks, stay one line each."""
    parts = page_text.split(_TABLE_MARK)
    out: list[str] = []
    for n, part in enumerate(parts):
        if n % 2:  # a table
            rows = "\n".join(line for line in part.splitlines() if line.strip())
            if rows:
                out.append(rows)
        elif body := _reflow_pdf_page(part):
            out.append(body)
    return "\n\n".join(out)


def load_pdf(data: bytes, path: str) -> ParsedFile:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - any failure means we cannot read it
                raise DocumentError(path, "is an encrypted PDF", "save an unencrypted copy and add that") from exc
        page_texts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(path, f"could not be read as a PDF ({exc.__class__.__name__}: {exc})",
                            "the file is damaged or not a PDF: export it again from its source") from exc
    if not reader.pages:
        raise DocumentError(path, "is a PDF with no pages", "export it again from its source")
    parts: list[str] = []
    pages: list[PageSpan] = []
    offset = 0
    tables = _pdf_tables(data) if any(t.strip() for t in page_texts) else []
    for number, page_text in enumerate(_without_running_lines(page_texts), start=1):
        page_tables = tables[number - 1] if number <= len(tables) else []
        body = _reflow_with_tables(_page_with_tables(page_text, page_tables)) if page_tables else \
            _reflow_pdf_page(page_text)
        if parts:
            parts.append("\n\n")
            offset += 2
        parts.append(body)
        pages.append(PageSpan(number=number, start=offset, end=offset + len(body)))
        offset += len(body)
    text = "".join(parts)
    if not text.strip():
        raise DocumentError(path, f"is a PDF of {len(page_texts)} page(s) with no extractable text (a scan?)",
                            "run OCR on it (e.g. `ocrmypdf in.pdf out.pdf`) and add the result")

    def info_get(key: str) -> str | None:
        value = info.get(key)
        return str(value).strip() if value else None

    meta = FileMetadata(
        title=info_get("/Title"),
        date=normalise_date(info_get("/CreationDate")),
        doc_type=normalise_type(info_get("/Subject")),
        publisher=info_get("/Author"),
        tags=_tags(info_get("/Keywords")),
    )
    return ParsedFile(text=text + "\n", meta=meta, pages=pages)


def load_docx(data: bytes, path: str) -> ParsedFile:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(path, f"could not be read as a Word document ({exc.__class__.__name__})",
                            "the file is damaged or not .docx (old .doc files must be saved as .docx)") from exc
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            line = " ".join(item.text.split())
            if not line:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            if style == "Title":
                line = "# " + line
            elif m := re.match(r"Heading (\d)", style):
                line = "#" * min(int(m.group(1)) + 1, 6) + " " + line
            elif style.startswith("List"):
                line = "- " + line
            blocks.append(line)
        elif isinstance(item, Table):
            lines = _table_lines([[" ".join(c.text.split()) for c in row.cells] for row in item.rows])
            if lines:
                blocks.append("\n".join(lines))
    props = document.core_properties
    meta = FileMetadata(
        title=props.title or None,
        date=normalise_date(props.created),
        doc_type=normalise_type(props.category),
        language=(props.language or "").split("-")[0].lower() or None,
        publisher=props.author or None,
        tags=_tags(props.keywords),
    )
    return ParsedFile(text="\n\n".join(blocks) + "\n", meta=meta)


LOADERS: dict[str, Callable[[bytes, str], ParsedFile]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
SUPPORTED_SUFFIXES = tuple(LOADERS)

# Each loader's version: bump a loader's when the text it reads out of a file changes (a PDF's tables read as rows,
# an HTML inline tag without a space). A sync re-reads the files of that format alone, once; the rest of the index
# stays (``chunking.CHUNKER_VERSION`` is for the chunking rules, which every format shares: bumping it rebuilds all).
# A file indexed before the loaders had versions counts as read by version "1".
READER_VERSIONS: dict[Callable[[bytes, str], ParsedFile], str] = {
    load_markdown: "1",
    load_text: "1",
    load_html: "1",
    load_pdf: "1",
    load_docx: "1",
}


def reader_version(path: Path | str, version: str | None = None) -> str:
    """The version of the loader that reads ``path`` ("" for an unsupported file): what the manifest records
    with the file's chunks, so that a changed loader re-reads its own files. ``version``: that version of the
    loader, instead of its current one."""
    loader = LOADERS.get(Path(path).suffix.lower())
    return f"{loader.__name__}:{version or READER_VERSIONS[loader]}" if loader else ""


def loader_for(path: Path) -> Callable[[bytes, str], ParsedFile] | None:
    return LOADERS.get(path.suffix.lower())


# ----------------------------------------------------------------------------------------------
# inference and assembly

_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_FILENAME_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def _title_from_file_name(doc_id: str) -> str:
    stem = PurePosixPath(doc_id).stem
    stem = re.sub(r"^\d{4}-\d{2}(-\d{2})?[-_ ]*", "", stem)
    words = re.split(r"[-_ ]+", stem)
    return " ".join(words).strip().capitalize() or PurePosixPath(doc_id).name


def infer_metadata(doc_id: str, text: str) -> FileMetadata:
    heading = _HEADING.search(text)
    parts = PurePosixPath(doc_id).parts[:-1]
    folder_type = next((_FOLDER_TYPES[p.lower()] for p in reversed(parts) if p.lower() in _FOLDER_TYPES), None)
    m = _FILENAME_DATE.search(PurePosixPath(doc_id).name)
    date = None
    if m:
        year, month, day = m.groups()
        date = f"{year}-{month}-{day}" if day else f"{year}-{month}"
    return FileMetadata(
        title=heading.group(1).strip() if heading else _title_from_file_name(doc_id),
        date=date,
        doc_type=folder_type or "other",
    )


def build_document(
    doc_id: str, path: Path, data: bytes, content_hash: str, sidecar: FileMetadata | None = None
) -> SourceDocument:
    """Parse ``data`` (the bytes of ``path``) into a SourceDocument. Raises DocumentError."""
    loader = loader_for(path)
    if loader is None:
        raise DocumentError(doc_id, f"unsupported file type '{path.suffix}'",
                            f"supported types: {', '.join(SUPPORTED_SUFFIXES)}")
    if not data.strip():
        raise DocumentError(doc_id, "is empty", "add its text, or remove the file from the corpus folder")
    parsed = loader(data, doc_id)
    if not parsed.text.strip():
        raise DocumentError(doc_id, "has no text once its markup is removed",
                            "check that the file holds the document's text, or remove it")
    meta = (sidecar or FileMetadata()).merged_over(parsed.meta).merged_over(infer_metadata(doc_id, parsed.text))
    language = meta.language or detect_language(parsed.text)
    return SourceDocument(
        doc_id=doc_id,
        text=parsed.text,
        title=meta.title or _title_from_file_name(doc_id),
        source_path=str(path),
        content_hash=content_hash,
        date=meta.date,
        doc_type=meta.doc_type or "other",
        language=language,
        url=meta.url,
        publisher=meta.publisher,
        tags=meta.tags,
        pages=parsed.pages,
        notes=parsed.notes,
    )

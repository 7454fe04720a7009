#!/usr/bin/env python3
"""Build the DOCX and PDF documents of the sample corpus from Markdown sources.

Each file in scripts/corpus_sources/*.md holds YAML front matter (title, date,
type, language, publisher, tags, target) followed by a small Markdown body:
headings (#, ##, ###), paragraphs, bullet lists ("- "), numbered lists
("1. "), pipe tables and inline **bold** / *italic*.

The ``target`` field (a path relative to corpus/) decides the output format
by its extension: ``.docx`` is written with python-docx, ``.pdf`` with
reportlab. Output is deterministic: running the script twice gives
byte-identical files (fixed dates taken from the front matter, reportlab
invariant mode, normalised ZIP entries for DOCX).

Usage, from the repository root:

    python scripts/build_corpus_files.py            # build everything
    python scripts/build_corpus_files.py --check    # also verify the outputs

Requires: python-docx, reportlab, pyyaml (pypdf for --check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = REPO_ROOT / "scripts" / "corpus_sources"
CORPUS_DIR = REPO_ROOT / "corpus"

# --------------------------------------------------------------------------
# Source parsing
# --------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # heading | para | bullets | numbers | table
    level: int = 0
    text: str = ""
    items: list = field(default_factory=list)  # list items or table rows


@dataclass
class Source:
    path: Path
    meta: dict
    blocks: list

    @property
    def target(self) -> Path:
        return CORPUS_DIR / self.meta["target"]

    @property
    def date(self) -> dt.date:
        value = self.meta["date"]
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    @property
    def tags(self) -> list:
        tags = self.meta.get("tags") or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        return [str(t) for t in tags]


REQUIRED_KEYS = ("title", "date", "type", "language", "publisher", "target")


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---"):
        raise ValueError(f"{path}: missing front matter")
    parts = text.split("\n---", 2)
    # parts[0] = '---\n<yaml>' ; parts[1] = '\n<body>' (after closing ---)
    header = parts[0][3:]
    body = parts[1] if len(parts) > 1 else ""
    if body.startswith("\n"):
        body = body[1:]
    meta = yaml.safe_load(header) or {}
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise ValueError(f"{path}: front matter lacks {', '.join(missing)}")
    return meta, body


_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _table_cells(line: str) -> list:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def parse_body(body: str) -> list:
    blocks: list = []
    para: list = []

    def flush_para():
        if para:
            blocks.append(Block("para", text=" ".join(s.strip() for s in para)))
            para.clear()

    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush_para()
            i += 1
            continue
        m = re.match(r"^(#{1,4})\s+(.*)$", stripped)
        if m:
            flush_para()
            blocks.append(Block("heading", level=len(m.group(1)), text=m.group(2).strip()))
            i += 1
            continue
        if stripped.startswith("|"):
            flush_para()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                row_line = lines[i].strip()
                if not _TABLE_SEP.match(row_line):
                    rows.append(_table_cells(row_line))
                i += 1
            blocks.append(Block("table", items=rows))
            continue
        bullet = re.match(r"^[-*]\s+(.*)$", stripped)
        number = re.match(r"^\d+[.)]\s+(.*)$", stripped)
        if bullet or number:
            flush_para()
            kind = "bullets" if bullet else "numbers"
            pattern = r"^[-*]\s+(.*)$" if bullet else r"^\d+[.)]\s+(.*)$"
            items = []
            while i < len(lines):
                cur = lines[i].strip()
                mm = re.match(pattern, cur)
                if mm:
                    items.append(mm.group(1).strip())
                elif cur and items and lines[i].startswith((" ", "\t")):
                    items[-1] += " " + cur  # continuation line
                else:
                    break
                i += 1
            blocks.append(Block(kind, items=items))
            continue
        para.append(line)
        i += 1
    flush_para()
    return blocks


def load_sources(source_dir: Path = SOURCES_DIR) -> list:
    sources = []
    for path in sorted(source_dir.glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
        sources.append(Source(path=path, meta=meta, blocks=parse_body(body)))
    return sources


# Inline markup: **bold** and *italic*.
_INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*\s][^*]*\*)")


def inline_runs(text: str) -> list:
    """Split text into (fragment, bold, italic) tuples."""
    runs = []
    for piece in _INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            runs.append((piece[2:-2], True, False))
        elif piece.startswith("*") and piece.endswith("*") and len(piece) > 2:
            runs.append((piece[1:-1], False, True))
        else:
            runs.append((piece, False, False))
    return runs


def plain_text(text: str) -> str:
    return "".join(r[0] for r in inline_runs(text))


# --------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------

# Fixed timestamp for every ZIP entry (DOS date range starts in 1980).
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP archive with fixed entry timestamps and attributes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            new.create_system = 0
            dst.writestr(new, src.read(info.filename))
    return out.getvalue()


def _add_runs(paragraph, text: str, bold_all: bool = False):
    for fragment, bold, italic in inline_runs(text):
        run = paragraph.add_run(fragment)
        if bold or bold_all:
            run.bold = True
        if italic:
            run.italic = True


def build_docx(src: Source) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    for block in src.blocks:
        if block.kind == "heading":
            doc.add_heading(plain_text(block.text), level=min(block.level, 4))
        elif block.kind == "para":
            _add_runs(doc.add_paragraph(style="Normal"), block.text)
        elif block.kind in ("bullets", "numbers"):
            style = "List Bullet" if block.kind == "bullets" else "List Number"
            for item in block.items:
                _add_runs(doc.add_paragraph(style=style), item)
        elif block.kind == "table":
            rows = block.items
            ncols = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=ncols)
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c in range(ncols):
                    cell = table.cell(r, c)
                    cell.text = ""
                    _add_runs(cell.paragraphs[0], row[c] if c < len(row) else "", bold_all=(r == 0))
            doc.add_paragraph()  # breathing space after a table

    created = dt.datetime.combine(src.date, dt.time(9, 0), tzinfo=dt.UTC)
    cp = doc.core_properties
    cp.title = str(src.meta["title"])
    cp.created = created
    cp.modified = created
    cp.last_printed = created
    cp.revision = 1
    cp.category = str(src.meta["type"])
    cp.language = str(src.meta["language"])
    cp.author = str(src.meta["publisher"])
    cp.last_modified_by = str(src.meta["publisher"])
    cp.keywords = ", ".join(src.tags)
    cp.subject = str(src.meta["type"])
    cp.comments = ""

    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rl_markup(text: str) -> str:
    out = []
    for fragment, bold, italic in inline_runs(text):
        frag = _xml_escape(fragment)
        if bold:
            frag = f"<b>{frag}</b>"
        if italic:
            frag = f"<i>{frag}</i>"
        out.append(frag)
    return "".join(out)


def _pdf_styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle(
        "Body", fontName="Helvetica", fontSize=10.5, leading=14.5, alignment=TA_LEFT,
        spaceAfter=7,
    )
    return {
        "body": base,
        "meta": ParagraphStyle("Meta", parent=base, fontSize=9, leading=12,
                               textColor=colors.HexColor("#555555"), spaceAfter=14),
        "h1": ParagraphStyle("H1", parent=base, fontName="Helvetica-Bold", fontSize=18,
                             leading=23, spaceBefore=0, spaceAfter=6,
                             textColor=colors.HexColor("#0b2d5b")),
        "h2": ParagraphStyle("H2", parent=base, fontName="Helvetica-Bold", fontSize=14,
                             leading=18, spaceBefore=12, spaceAfter=6,
                             textColor=colors.HexColor("#0b2d5b")),
        "h3": ParagraphStyle("H3", parent=base, fontName="Helvetica-Bold", fontSize=11.5,
                             leading=15, spaceBefore=8, spaceAfter=4),
        "bullet": ParagraphStyle("Bullet", parent=base, leftIndent=16, bulletIndent=4,
                                 spaceAfter=4),
        "cell": ParagraphStyle("Cell", parent=base, fontSize=9, leading=11.5, spaceAfter=0,
                               splitLongWords=0),
        "cellhead": ParagraphStyle("CellHead", parent=base, fontName="Helvetica-Bold",
                                   fontSize=9, leading=11.5, spaceAfter=0,
                                   splitLongWords=0),
    }


def _column_widths(rows: list, ncols: int, frame_width: float) -> list:
    """Give each column at least the width of its longest word (so no word is
    split across lines), then share the rest in proportion to text length."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    padding = 10
    minimum, weights = [], []
    for c in range(ncols):
        texts = [plain_text(row[c]) if c < len(row) else "" for row in rows]
        longest_word = max((stringWidth(w, "Helvetica-Bold", 9)
                            for t in texts for w in t.split()), default=0)
        minimum.append(longest_word + padding)
        weights.append(max(min(max(len(t) for t in texts), 60), 10))
    spare = frame_width - sum(minimum)
    if spare <= 0:  # cannot honour every minimum: fall back to proportional widths
        total = sum(minimum)
        return [frame_width * m / total for m in minimum]
    total = sum(weights)
    return [m + spare * w / total for m, w in zip(minimum, weights, strict=True)]


def _pdf_flowables(src: Source, styles, frame_width: float) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    story = []
    pending_heading = None  # keep a heading with the block that follows it
    first_h1 = True

    def emit(flowables):
        nonlocal pending_heading
        if pending_heading is not None:
            story.append(KeepTogether([pending_heading] + flowables[:1]))
            story.extend(flowables[1:])
            pending_heading = None
        else:
            story.extend(flowables)

    for block in src.blocks:
        if block.kind == "heading":
            if pending_heading is not None:
                story.append(pending_heading)
            style = styles["h1" if block.level == 1 else "h2" if block.level == 2 else "h3"]
            para = Paragraph(_rl_markup(block.text), style)
            if block.level == 1 and first_h1:
                first_h1 = False
                date_text = src.date.strftime("%d %B %Y").lstrip("0")
                meta_line = (f"{_xml_escape(str(src.meta['type']).capitalize())} | {date_text} | "
                             f"{_xml_escape(str(src.meta['publisher']))}")
                story.append(para)
                story.append(Paragraph(meta_line, styles["meta"]))
                continue
            pending_heading = para
        elif block.kind == "para":
            emit([Paragraph(_rl_markup(block.text), styles["body"])])
        elif block.kind in ("bullets", "numbers"):
            items = []
            for n, item in enumerate(block.items, start=1):
                bullet = "\u2022" if block.kind == "bullets" else f"{n}."
                items.append(Paragraph(_rl_markup(item), styles["bullet"], bulletText=bullet))
            emit(items + [Spacer(1, 3)])
        elif block.kind == "table":
            rows = block.items
            ncols = max(len(r) for r in rows)
            data = []
            for r, row in enumerate(rows):
                style = styles["cellhead"] if r == 0 else styles["cell"]
                data.append([Paragraph(_rl_markup(row[c] if c < len(row) else ""), style)
                             for c in range(ncols)])
            widths = _column_widths(rows, ncols, frame_width)
            table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8a8a")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4eaf2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]))
            emit([table, Spacer(1, 10)])
    if pending_heading is not None:
        story.append(pending_heading)
    return story


def build_pdf(src: Source) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    styles = _pdf_styles()
    publisher = str(src.meta["publisher"])
    short_title = str(src.meta["title"])
    if len(short_title) > 80:
        short_title = short_title[:77].rstrip() + "..."

    def footer(canvas, doc):
        canvas.saveState()
        width, _height = A4
        canvas.setStrokeColor(colors.HexColor("#b0b0b0"))
        canvas.setLineWidth(0.5)
        canvas.line(doc.leftMargin, 15 * mm, width - doc.rightMargin, 15 * mm)
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(doc.leftMargin, 10 * mm, short_title)
        canvas.drawRightString(width - doc.rightMargin, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm, bottomMargin=22 * mm,
        title=str(src.meta["title"]),
        author=publisher,
        subject=str(src.meta["type"]),
        keywords=", ".join(src.tags),
        creator="scripts/build_corpus_files.py",
        lang=str(src.meta["language"]),
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    # The footer is drawn when a page ends, so text extraction puts it after the body.
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=footer)])
    story = _pdf_flowables(src, styles, doc.width)

    # In invariant mode reportlab takes CreationDate/ModDate from
    # SOURCE_DATE_EPOCH; point it at the document date (midnight UTC).
    epoch = int(dt.datetime.combine(src.date, dt.time(0, 0), tzinfo=dt.UTC).timestamp())
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        doc.build(story)
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return buf.getvalue()


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

BUILDERS = {".docx": build_docx, ".pdf": build_pdf}


def build_all(sources: list) -> list:
    written = []
    for src in sources:
        target = src.target
        builder = BUILDERS.get(target.suffix.lower())
        if builder is None:
            raise ValueError(f"{src.path}: unsupported target format {target.suffix!r}")
        data = builder(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def check_outputs(sources: list) -> list:
    """Light checks: PDFs have >= 3 pages and metadata; DOCX headings use Heading styles."""
    problems = []
    for src in sources:
        target = src.target
        if target.suffix == ".pdf":
            from pypdf import PdfReader

            reader = PdfReader(str(target))
            if len(reader.pages) < 3:
                problems.append(f"{target}: only {len(reader.pages)} pages")
            info = reader.metadata or {}
            if info.get("/Title") != str(src.meta["title"]):
                problems.append(f"{target}: PDF title mismatch")
        elif target.suffix == ".docx":
            from docx import Document

            doc = Document(str(target))
            heads = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
            if not heads:
                problems.append(f"{target}: no Heading-styled paragraphs")
            if doc.core_properties.title != str(src.meta["title"]):
                problems.append(f"{target}: DOCX title mismatch")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify outputs after building")
    args = parser.parse_args(argv)

    sources = load_sources()
    if not sources:
        print(f"no sources found in {SOURCES_DIR}", file=sys.stderr)
        return 1
    for target in build_all(sources):
        print(f"wrote {target.relative_to(REPO_ROOT)}")
    if args.check:
        problems = check_outputs(sources)
        for p in problems:
            print(f"CHECK FAILED: {p}", file=sys.stderr)
        if problems:
            return 1
        print(f"checked {len(sources)} files: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

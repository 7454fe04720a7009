#!/usr/bin/env python
"""Build the binary documents of a fictional evaluation corpus: the DMRCP's (this folder), or another folder's
laid out the same way (``FOLDER``: evals/outside-b, the AIETN's, with ``--programme AIETN``).

Reads sources/*.md (YAML front matter + a small Markdown subset: #/##/### headings, paragraphs,
"- " bullets, "1. " numbered items, pipe tables, **bold**, *italic*) and writes, for each source, the file named
by its front-matter key `output` (a .docx or .pdf path relative to corpus/) plus a `<file>.meta.yaml` sidecar.

Deterministic: fixed document dates, reportlab invariant mode, fixed ZIP timestamps for the DOCX.
Run with: .venv/bin/python evals/outside/build.py [FOLDER --programme NAME] (from the project root)
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
META_KEYS = ["title", "date", "type", "language", "publisher", "tags"]


# ---------------------------------------------------------------- markdown parsing
def read_source(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        raise SystemExit(f"{path}: missing front matter")
    return yaml.safe_load(m.group(1)), text[m.end():]


def parse_blocks(body: str) -> list[tuple]:
    """Return blocks: ("h", level, text) | ("p", text) | ("ul", [items]) | ("ol", [items]) | ("table", rows)."""
    blocks: list[tuple] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
            continue
        m = re.match(r"^(#{1,3}) (.*)$", line)
        if m:
            blocks.append(("h", len(m.group(1)), m.group(2).strip()))
            i += 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            blocks.append(("table", rows))
            continue
        for kind, pat in (("ul", r"^- (.*)$"), ("ol", r"^\d+\. (.*)$")):
            if re.match(pat, line):
                items: list[str] = []
                while i < len(lines) and lines[i].strip():
                    cur = lines[i].rstrip()
                    mm = re.match(pat, cur)
                    if mm:
                        items.append(mm.group(1).strip())
                    else:  # continuation line of the previous item
                        items[-1] += " " + cur.strip()
                    i += 1
                blocks.append((kind, items))
                break
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not re.match(r"^(#{1,3} |\||- |\d+\. )", lines[i]):
                para.append(lines[i].strip())
                i += 1
            blocks.append(("p", " ".join(para)))
    return blocks


INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*]+\*)")


def runs(text: str) -> list[tuple[str, bool, bool]]:
    """Split inline markdown into (text, bold, italic) runs."""
    out = []
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("**"):
            out.append((part[2:-2], True, False))
        elif part.startswith("*"):
            out.append((part[1:-1], False, True))
        else:
            out.append((part, False, False))
    return out


# ---------------------------------------------------------------- DOCX
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def build_docx(meta: dict, blocks: list[tuple], out: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(11)

    def add_runs(par, text):
        for t, b, it in runs(text):
            r = par.add_run(t)
            r.bold = b or None
            r.italic = it or None

    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            doc.add_heading(blk[2], level=0 if blk[1] == 1 else blk[1] - 1)
        elif kind == "p":
            add_runs(doc.add_paragraph(), blk[1])
        elif kind in ("ul", "ol"):
            style = "List Bullet" if kind == "ul" else "List Number"
            for item in blk[1]:
                add_runs(doc.add_paragraph(style=style), item)
        elif kind == "table":
            rows = blk[1]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    p = table.cell(r, c).paragraphs[0]
                    add_runs(p, f"**{cell}**" if r == 0 else cell)
            doc.add_paragraph()

    d = meta["date"]
    stamp = dt.datetime(d.year, d.month, d.day, 9, 0, 0)
    cp = doc.core_properties
    cp.title = meta["title"]
    cp.author = meta["publisher"]
    cp.last_modified_by = meta["publisher"]
    cp.subject = meta["subject"]
    cp.keywords = ", ".join(meta.get("tags", []))
    cp.language = meta["language"]
    cp.category = meta["type"]
    cp.comments = "Fictional document written for evaluation."
    cp.created = stamp
    cp.modified = stamp
    cp.revision = 1

    buf = io.BytesIO()
    doc.save(buf)
    # rewrite the zip with fixed timestamps and a stable member order so that builds are byte-identical
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out_buf = io.BytesIO()
    with zipfile.ZipFile(out_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    out.write_bytes(out_buf.getvalue())


# ---------------------------------------------------------------- PDF
def build_pdf(meta: dict, blocks: list[tuple], out: Path) -> None:
    from xml.sax.saxutils import escape

    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1
    fontdir = Path("/usr/share/fonts/truetype/dejavu")
    pdfmetrics.registerFont(TTFont("DV", str(fontdir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DV-B", str(fontdir / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont("DV-I", str(fontdir / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFont(TTFont("DV-BI", str(fontdir / "DejaVuSans-BoldOblique.ttf")))
    from reportlab.pdfbase.pdfmetrics import registerFontFamily
    registerFontFamily("DV", normal="DV", bold="DV-B", italic="DV-I", boldItalic="DV-BI")

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName="DV", fontSize=10, leading=13.5, spaceAfter=5)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11, spaceAfter=0)
    heads = {
        1: ParagraphStyle("h1", parent=ss["Heading1"], fontName="DV-B", fontSize=16, leading=20),
        2: ParagraphStyle("h2", parent=ss["Heading2"], fontName="DV-B", fontSize=12.5, leading=16),
        3: ParagraphStyle("h3", parent=ss["Heading3"], fontName="DV-B", fontSize=10.5, leading=14),
    }

    def inline(text: str) -> str:
        parts = []
        for t, b, it in runs(text):
            t = escape(t)
            if b:
                t = f"<b>{t}</b>"
            if it:
                t = f"<i>{t}</i>"
            parts.append(t)
        return "".join(parts)

    story = []
    for blk in blocks:
        kind = blk[0]
        if kind == "h":
            story.append(Paragraph(inline(blk[2]), heads[blk[1]]))
        elif kind == "p":
            story.append(Paragraph(inline(blk[1]), body))
        elif kind in ("ul", "ol"):
            items = [ListItem(Paragraph(inline(x), body), leftIndent=12) for x in blk[1]]
            story.append(ListFlowable(items, bulletType="bullet" if kind == "ul" else "1",
                                      bulletFontName="DV", bulletFontSize=9, leftIndent=14))
        elif kind == "table":
            rows = blk[1]
            data = [[Paragraph(inline(f"**{c}**" if r == 0 else c), cell) for c in row]
                    for r, row in enumerate(rows)]
            ncols = len(rows[0])
            width = A4[0] - 40 * mm
            if ncols == 4:
                widths = [0.17 * width, 0.15 * width, 0.40 * width, 0.28 * width]
                if rows[0][0] == "No.":
                    widths = [0.07 * width, 0.50 * width, 0.25 * width, 0.18 * width]
            else:
                widths = [width / ncols] * ncols
            t = Table(data, colWidths=widths, repeatRows=1)
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(Spacer(1, 3))
            story.append(t)
            story.append(Spacer(1, 6))

    d = meta["date"]
    pdf_date = f"D:{d.year:04d}{d.month:02d}{d.day:02d}090000+00'00'"

    def on_page(canvas, doc):
        canvas.setDateFormatter(lambda *_args: pdf_date)  # document date, not build time
        canvas.saveState()
        canvas.setFont("DV", 8)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{meta['publisher']} · {d.day} {d:%B %Y} · page {doc.page}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=22 * mm,
        title=meta["title"], author=meta["publisher"], subject=meta["subject"],
        creator=f"{meta['publisher']} (build.py, reportlab)", keywords=", ".join(meta.get("tags", [])),
        lang=meta["language"],
    )
    pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)


# ---------------------------------------------------------------- main
def write_sidecar(meta: dict, out: Path) -> None:
    side = {k: meta[k] for k in META_KEYS}
    side["date"] = meta["date"].isoformat()
    text = "# Sidecar metadata (fictional evaluation corpus); generated by build.py\n"
    text += yaml.safe_dump(side, sort_keys=False, allow_unicode=True, width=120)
    Path(str(out) + ".meta.yaml").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=HERE,
                        help="the folder holding sources/ and corpus/ (default: this script's)")
    parser.add_argument("--programme", default="DMRCP", help="the programme's short name, in the files' subject")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    for src in sorted((folder / "sources").glob("*.md")):
        meta, body = read_source(src)
        meta["subject"] = f"{args.programme} (fictional evaluation corpus)"
        out = folder / "corpus" / meta["output"]
        out.parent.mkdir(parents=True, exist_ok=True)
        blocks = parse_blocks(body)
        if out.suffix == ".docx":
            build_docx(meta, blocks, out)
        elif out.suffix == ".pdf":
            build_pdf(meta, blocks, out)
        else:
            raise SystemExit(f"{src}: unsupported output {out}")
        write_sidecar(meta, out)
        print(f"wrote {out.relative_to(folder)}")


if __name__ == "__main__":
    main()

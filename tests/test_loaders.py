"""Each format on fixture files the tests generate; metadata precedence; bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_docx, make_pdf, write_md

from programme_assistant.errors import DocumentError
from programme_assistant.ingest.loaders import build_document, read_sidecar


def load(path, root):
    meta, _ = read_sidecar(path)
    return build_document(path.relative_to(root).as_posix(), path, path.read_bytes(), "h", meta)


def test_markdown_front_matter(tmp_path):
    p = write_md(tmp_path, "news/x.md", "Kick-off in Kyoto", ["The meeting took place in Kyoto."],
                 date="2022-11-18", type="minutes", language="en", source_url="https://example.org/x",
                 publisher="Helpdesk", tags="[kyoto, meeting]")
    doc = load(p, tmp_path)
    assert doc.doc_id == "news/x.md"
    assert (doc.title, doc.date, doc.doc_type, doc.language) == ("Kick-off in Kyoto", "2022-11-18", "minutes", "en")
    assert doc.url == "https://example.org/x" and doc.publisher == "Helpdesk" and doc.tags == ["kyoto", "meeting"]
    assert doc.text.startswith("# Kick-off in Kyoto") and "---" not in doc.text


def test_markdown_without_front_matter_infers_title_date_type(tmp_path):
    p = tmp_path / "reports" / "2023-04-27-hydrogen.md"
    p.parent.mkdir()
    p.write_text("# Hydrogen webinar\n\nThe Basque Hydrogen Corridor was presented.\n")
    doc = load(p, tmp_path)
    assert (doc.title, doc.date, doc.doc_type) == ("Hydrogen webinar", "2023-04-27", "report")


def test_title_falls_back_to_file_name(tmp_path):
    p = tmp_path / "field-notes.txt"
    p.write_text("Notes without a heading, written in English about the visit to Osaka.\n")
    assert load(p, tmp_path).title == "Field notes"


def test_txt_sidecar_overrides(tmp_path):
    p = tmp_path / "item.txt"
    p.write_text("21/12/2022 | News\nA delegation visited five prefectures.\n")
    (tmp_path / "item.txt.meta.yaml").write_text("title: Casa Asia item\ndate: 2022-12-21\ntype: news\n")
    doc = load(p, tmp_path)
    assert (doc.title, doc.date, doc.doc_type) == ("Casa Asia item", "2022-12-21", "news")


def test_html_main_text_title_dates_and_dropped_chrome(tmp_path):
    p = tmp_path / "page.html"
    p.write_text("""<!doctype html><html lang="it"><head><title>Missione in Giappone</title>
    <meta name="date" content="2022-12-05"><meta name="type" content="news"><meta name="author" content="ART-ER">
    <script>var tracking = "SECRET_SCRIPT";</script><style>.x{}</style></head><body>
    <nav><a href="/">Home NAVLINK</a></nav><header role="banner">Site banner</header>
    <main><h1>Missione in Giappone</h1><p>La delegazione ha visitato Osaka e Oita.</p>
    <h2>Risultati</h2><ul><li>Idrogeno</li><li>Scienze della vita</li></ul></main>
    <footer>Cookie notice FOOTER</footer></body></html>""")
    doc = load(p, tmp_path)
    assert (doc.title, doc.date, doc.doc_type, doc.language, doc.publisher) == (
        "Missione in Giappone", "2022-12-05", "news", "it", "ART-ER")
    assert "# Missione in Giappone" in doc.text and "## Risultati" in doc.text and "- Idrogeno" in doc.text
    for chrome in ("SECRET_SCRIPT", "NAVLINK", "FOOTER", "banner"):
        assert chrome not in doc.text


def test_pdf_pages_kept(tmp_path):
    p = make_pdf(tmp_path / "r.pdf", ["First page about Aichi.", "Second page about Hiroshima.",
                                     "Third page about Kyoto."], title="Mission report")
    doc = load(p, tmp_path)
    assert doc.title == "Mission report" and doc.doc_type == "report"
    assert [pg.number for pg in doc.pages] == [1, 2, 3]
    for number, word in [(1, "Aichi"), (2, "Hiroshima"), (3, "Kyoto")]:
        assert doc.page_at(doc.text.index(word)) == number


def test_pdf_running_headers_and_footers_are_left_out(tmp_path):
    footer = "Annual Review of the Harbour Fund 2024\nPage {n}"
    pages = [f"Annual Review of the Harbour Fund\nEdition of 2024\nThe fund paid out 3 grants in the year.\n"
             f"{footer.format(n=1)}",
             f"The second grant went to the ferry line.\n{footer.format(n=2)}",
             f"The third grant went to the fish market.\n{footer.format(n=3)}"]
    doc = load(make_pdf(tmp_path / "r.pdf", pages), tmp_path)
    assert "Page " not in doc.text and "Harbour Fund 2024" not in doc.text  # the footer lines, every page
    assert doc.text.startswith("Annual Review of the Harbour Fund")  # the title stays: it is on one page only
    for sentence in ("The fund paid out 3 grants in the year.", "The second grant went to the ferry line.",
                     "The third grant went to the fish market."):
        assert sentence in doc.text
    # one page: nothing to compare with, nothing left out
    single = load(make_pdf(tmp_path / "one.pdf", [f"One page only.\n{footer.format(n=1)}"]), tmp_path)
    assert "Page 1" in single.text


def test_docx_headings_become_sections(tmp_path):
    p = make_docx(tmp_path / "g.docx", "Briefing pack", {"Practical matters": ["Bring a charger."],
                                                       "Keihanna": ["KICK supports open innovation."]})
    doc = load(p, tmp_path)
    assert doc.title == "Briefing pack" and doc.doc_type == "guide"
    assert "## Practical matters" in doc.text and "## Keihanna" in doc.text and "Bring a charger." in doc.text


def test_language_detected_when_not_stated(tmp_path):
    p = tmp_path / "nota.md"
    p.write_text("# Nota de prensa\n\nLa delegación japonesa visitó el País Vasco en junio de 2023 y se reunió "
                 "con el Gobierno Vasco para conocer su ecosistema de innovación y de empresas emergentes.\n")
    assert load(p, tmp_path).language == "es"


def test_non_utf8_text_is_decoded_with_a_note(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("Réunion à Cergy: la délégation japonaise.".encode("cp1252"))
    doc = load(p, tmp_path)
    assert "Réunion à Cergy" in doc.text
    assert any("cp1252" in n for n in doc.notes)


@pytest.mark.parametrize("name,content,message", [
    ("empty.md", b"", "is empty"),
    ("blank.txt", b"   \n\n  ", "is empty"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("corrupt.pdf", b"%PDF-1.4\n this is not really a pdf", "could not be read as a PDF"),
    ("corrupt.docx", b"PK\x03\x04 not a zip at all", "could not be read as a Word document"),
])
def test_bad_input_raises_document_error_naming_the_file(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        load(p, tmp_path)
    assert name in str(err.value) and message in str(err.value) and err.value.fix


def test_pdf_without_text_says_to_ocr(tmp_path):
    p = make_pdf(tmp_path / "scan.pdf", ["", ""])
    with pytest.raises(DocumentError) as err:
        load(p, tmp_path)
    assert "no extractable text" in str(err.value) and "OCR" in err.value.fix


def test_html_inline_tags_join_their_text_as_written():
    from programme_assistant.ingest.loaders import load_html

    html = (b"<html><body><main><p>Group A went to <strong>Aichi</strong> and <strong>Hiroshima</strong>, while "
            b"<b>R</b>2R<!-- hidden --> (the <em>strand</em>) met.<br>Next line</p>"
            b"<ul><li><p>one</p><p>two</p></li></ul><table><tr><td>a<b>b</b></td><td>c</td></tr></table>"
            b"</main></body></html>")
    text = load_html(html, "news.html").text
    assert "Group A went to Aichi and Hiroshima, while R2R (the strand) met. Next line" in text  # no " ,", "R 2R"
    assert "hidden" not in text
    assert "- one two" in text and "ab | c" in text  # blocks and cells inside an element still separate words


def make_pdf_with_table(path: Path, rows: list[list[str]], ruled: bool = True) -> Path:
    """A one-page PDF: a paragraph, a table (ruled or not; "\\n" in a cell prints as two lines), a paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    table = Table(rows)
    if ruled:
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="Visit report", subject="report", invariant=1)
    doc.build([Paragraph("The delegation split into two groups for the first days.", styles["Normal"]), table,
               Paragraph("Both groups met again in Kyoto at the end of the week.", styles["Normal"])])
    return path


def test_a_pdf_table_is_read_as_rows_with_its_cells_in_order(tmp_path):
    rows = [["Dates", "Group A", "Group B"], ["13 November", "Start of the visit", "Start of the visit"],
            ["14-16 November", "Aichi and\nHiroshima", "Osaka and Oita"], ["17 November", "Kyoto", "Kyoto"]]
    doc = load(make_pdf_with_table(tmp_path / "visit.pdf", rows), tmp_path)
    assert "| Dates | Group A | Group B |\n|---|---|---|\n| 13 November |" in doc.text  # the header row, marked
    assert "| 14-16 November | Aichi and Hiroshima | Osaka and Oita |" in doc.text  # a cell of two printed lines
    lines = doc.text.splitlines()
    assert "Start of the visit" not in [line.strip() for line in lines]  # no cell left on a line of its own
    assert "The delegation split into two groups for the first days." in doc.text
    assert "Both groups met again in Kyoto at the end of the week." in doc.text
    assert doc.text.index("split into two groups") < doc.text.index("| Dates") < doc.text.index("Both groups met")
    from programme_assistant.answering.candidates import passage_candidates

    texts = [c.text for c in passage_candidates(1, doc.text, doc.title)]
    assert "Dates: 14-16 November; Group A: Aichi and Hiroshima; Group B: Osaka and Oita." in texts


def test_a_pdf_table_without_ruling_lines_keeps_the_text_as_printed(tmp_path):
    rows = [["Dates", "Group A"], ["14-16 November", "Aichi and Hiroshima"]]
    doc = load(make_pdf_with_table(tmp_path / "plain.pdf", rows, ruled=False), tmp_path)
    assert "| Dates" not in doc.text and "Aichi and Hiroshima" in doc.text and "14-16 November" in doc.text


def test_a_pdf_table_whose_first_row_is_data_gets_no_header_rule(tmp_path):
    rows = [["13 November", "Start of the visit"], ["14-16 November", "Aichi and Hiroshima"]]
    doc = load(make_pdf_with_table(tmp_path / "rows.pdf", rows), tmp_path)
    assert "| 13 November | Start of the visit |\n| 14-16 November | Aichi and Hiroshima |" in doc.text
    assert "---|" not in doc.text


def test_html_and_docx_tables_are_markdown_rows_with_their_header_marked(tmp_path):
    import docx

    from programme_assistant.ingest.loaders import load_html

    html = (b"<html><body><main><p>Before.</p><table><tr><th>Stop</th><th>Host region</th></tr>"
            b"<tr><td>First</td><td>Emilia-Romagna</td></tr><tr><td>Second</td><td>Val d'Oise</td></tr></table>"
            b"<table><tr><td>Date</td><td>Thursday 28 September 2023, online</td></tr>"
            b"<tr><td>Format</td><td>Online</td></tr></table><p>After.</p></main></body></html>")
    text = load_html(html, "page.html").text
    assert "| Stop | Host region |\n|---|---|\n| First | Emilia-Romagna |\n| Second | Val d'Oise |" in text
    # a key-value table names no columns: no header rule; each table is a block of its own
    assert "\n\n| Date | Thursday 28 September 2023, online |\n| Format | Online |\n\nAfter." in text

    d = docx.Document()
    d.add_paragraph("The stops:")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Stop", "Host region"), ("First", "Emilia-Romagna"), ("Second", "Catalonia")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    d.save(str(tmp_path / "guide.docx"))
    doc = load(tmp_path / "guide.docx", tmp_path)
    assert "| Stop | Host region |\n|---|---|\n| First | Emilia-Romagna |\n| Second | Catalonia |" in doc.text

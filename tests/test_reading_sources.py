"""Reading the sources without a browser: documents rendered as Markdown and inert with the cited span
highlighted, PDF pages as images, one sources entry per document, the glossary's explanations, the milestones."""

from __future__ import annotations

import re

import pytest
from conftest import make_pdf, write_md
from test_ui import ui_assistant

from programme_assistant.errors import DocumentError
from programme_assistant.ingest.explanations import explain
from programme_assistant.ingest.milestones import is_timeline, milestones_of
from programme_assistant.ingest.page_images import PageImages
from programme_assistant.models import Answer, Citation, SourceDocument
from programme_assistant.retrieval.glossary import parse_glossary
from programme_assistant.ui import render
from programme_assistant.ui.timeline import milestones_html, shown_date
from programme_assistant.ui.viewer import document_page, render_text

HOSTILE = """# Sheet

| Stop | Host region |
|---|---|
| First stop | Ljubljana |
| Third stop | Basque Country <i>x</i> |

- **Date:** 14 March 2023
- **Venue:** the *glass pavilion*

<div onclick="alert(1)"><script>alert('block')</script></div>

<img src=x onerror=alert(2)>

A [link](javascript:alert(3)), a [data link](data:text/html;base64,PHNjcmlwdD4=), ![pixel](data:image/png;base64,AA),
<javascript:alert(4)>, [fine](https://example.org/a) and <a href="javascript:alert(5)">raw</a>.
"""


def marked(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html)


def test_markdown_is_rendered_and_every_document_text_stays_inert():
    html = render_text(HOSTILE, None, None)
    assert "<table>" in html and "<td>Ljubljana</td>" in html and "<strong>Date:</strong>" in html
    assert "<em>glass pavilion</em>" in html and "<h2>Sheet</h2>" in html
    for bad in ("<script", "<img", "<div", 'href="javascript', 'href="data', "<i>"):
        assert bad not in html, bad
    assert not re.search(r"<[a-z][^>]*\son\w+=", html)  # no element carries an event handler
    assert "&lt;script&gt;alert(&#x27;block&#x27;)&lt;/script&gt;" in html and "&lt;img src=x onerror" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer nofollow">fine</a>' in html
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.org/a"]


@pytest.mark.parametrize("quote, expected", [
    ("| Third stop | Basque Country <i>x</i> |", ["Third stop", "Basque Country &lt;i&gt;x&lt;/i&gt;"]),
    ("- **Date:** 14 March 2023", ["Date:", " 14 March 2023"]),
    ("**Venue:** the *glass pavilion*", ["Venue:", " the ", "glass pavilion"]),
    ("Third stop | Basque Country <i>x</i> |\n\n- **Date:**", ["Third stop", "Basque Country &lt;i&gt;x&lt;/i&gt;",
                                                             "Date:"]),
])
def test_the_cited_span_is_highlighted_inside_tables_lists_and_emphasis(quote, expected):
    start = HOSTILE.index(quote)
    html = render_text(HOSTILE, start, start + len(quote))
    assert marked(html) == expected
    assert html.count('id="quote"') == 1 and html.index('id="quote"') < html.index("</mark>")
    assert "|" not in "".join(marked(html)) and "**" not in html
    # the table and the list are still a table and a list
    assert html.count("<td>") == 4 and html.count("<li>") == 2


def test_a_span_that_is_not_valid_marks_nothing():
    assert "<mark" not in render_text(HOSTILE, 5, 10_000) and "<mark" not in render_text(HOSTILE, 30, 10)


def test_a_pdf_page_is_an_image_beside_the_text_and_cached_within_its_bound(tmp_path):
    path = make_pdf(tmp_path / "r.pdf", ["First page text.", "Second page: the cited sentence."])
    images = PageImages(width=400, max_bytes=10_000_000)
    png = images.png(path, 2)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and images.page_count(path) == 2
    assert images.png(path, 2) is png  # served from the cache
    with pytest.raises(DocumentError, match="no page 3"):
        images.png(path, 3)
    tiny = PageImages(width=400, max_bytes=len(png) + 10)
    tiny.png(path, 1), tiny.png(path, 2)
    assert tiny.cached_bytes <= len(png) + 10  # the bound holds: the older page was dropped


def test_the_viewer_shows_the_cited_pdf_page_with_its_number(tmp_path):
    corpus = tmp_path / "corpus"
    write_md(corpus, "news/n.md", "Note", ["A note."], type="news", date="2023-01-01")
    make_pdf(corpus / "reports/r.pdf", ["The first page talks about Kyoto.", "The second page talks about Oita."])
    assistant = ui_assistant(tmp_path)
    doc = assistant.document("reports/r.pdf")
    start = doc.text.index("The second page")
    page = document_page(doc, start, start + 20, None, assistant.page_count("reports/r.pdf"))
    assert "Page 2 of 2, the cited page" in page and 'src="../../page/reports/r.pdf?page=2"' in page
    assert assistant.page_image("reports/r.pdf", 1)[:4] == b"\x89PNG"
    with pytest.raises(DocumentError, match="not a PDF"):
        assistant.page_image("news/n.md", 1)
    from fastapi.testclient import TestClient

    from programme_assistant.ui import create_app

    with TestClient(create_app(assistant)) as client:
        r = client.get("/documents/page/reports/r.pdf", params={"page": 2})
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert client.get("/documents/page/reports/r.pdf", params={"page": 9}).status_code == 404
        assert client.get("/documents/page/news/n.md").status_code == 404
        assert client.get("/documents/page/../../etc/passwd").status_code == 404
        view = client.get("/documents/view/reports/r.pdf", params={"start": start, "end": start + 20}).text
        assert "Page 2 of 2" in view and '<mark id="quote">' in view


def cite(number: int, doc_id: str, quote: str, passage: str = "") -> Citation:
    return Citation(number, f"c{number}", doc_id, f"Title of {doc_id}", "2023-01-01", "news", "", None,
                    f"{doc_id}", None, passage or f"Before. {quote} After.", quote, 0, len(quote))


def test_a_document_cited_three_times_is_one_entry_listing_its_sentences():
    citations = [cite(1, "a.md", "First of A."), cite(2, "b.md", "Only B."), cite(3, "a.md", "Second of A."),
                 cite(4, "a.md", "Third of A.")]
    answer = Answer("q", "One [1]. Two [2]. Three [3]. Four [4].", citations)
    panel = render.sources_html(answer)
    assert panel.count('class="pa-source"') == 2 and panel.count('data-doc="a.md"') == 1
    entry = panel[panel.index('data-doc="a.md"'):panel.index('data-doc="b.md"')]
    assert [int(n) for n in re.findall(r'id="source-(\d+)"', entry)] == [1, 3, 4]
    assert "3 cited sentences" in entry and marked(entry) == ["First of A.", "Second of A.", "Third of A."]
    chat = render.answer_html(answer)
    assert chat.count('class="pa-cite"') == 2  # one chip per document, with each of its numbers
    assert re.search(r"<b>1</b><b>3</b><b>4</b>Title of a\.md", chat)
    # every [n] of the text links to its own sentence
    assert [int(n) for n in re.findall(r'class="pa-ref"[^>]*>(\d+)<', chat)] == [1, 2, 3, 4]


GLOSSARY = ("- **KICK** — Keihanna Open Innovation Center.\n"
            "- **EC** — European Commission. The EU executive; KICK is not one of its services.\n"
            "- **FPI** — Service for Foreign Policy Instruments. Co-manages the programme with the regions.\n")


def test_the_glossary_explains_a_term_with_a_corpus_sentence_not_its_expansion():
    texts = [GLOSSARY,
             "Visits went to KICK and other places on the second day of the visit.",
             "The Keihanna Open Innovation Center (KICK) supports open innovation in energy and health research.",
             "What is KICK, and who runs it for the regions?"]
    metas = [{"doc_id": "g.md", "title": "Glossary", "start": 0},
             {"doc_id": "a.md", "title": "A", "start": 10},
             {"doc_id": "b.md", "title": "B", "start": 0},
             {"doc_id": "c.md", "title": "C", "start": 0}]
    entries = parse_glossary("g.md", GLOSSARY)
    found = explain(entries, texts, metas)
    assert found["KICK"].text.startswith("The Keihanna Open Innovation Center (KICK) supports")
    assert (found["KICK"].doc_id, found["KICK"].start) == ("b.md", 0)
    # the rest of the glossary line explains when nothing else does; the expansion alone never does
    assert found["FPI"].text == "Co-manages the programme with the regions." and found["FPI"].doc_id == "g.md"
    assert all("Keihanna Open Innovation Center." != x.text for x in found.values())
    only_expansion = explain(entries, [GLOSSARY], metas[:1])
    assert "KICK" not in only_expansion


def test_the_glossary_rows_carry_the_explanation_and_where_it_is(tmp_path):
    assistant = ui_assistant(tmp_path)
    rows = {r.term: r for r in assistant.glossary()}
    r2r = rows["R2R"]
    assert r2r.explanation and r2r.explanation != r2r.meaning
    text = assistant.document(r2r.source_doc_id).text
    assert text[r2r.source_start:r2r.source_end].replace("**", "") == r2r.explanation
    from programme_assistant.ui.library import glossary_table

    table = glossary_table(assistant)
    assert list(table.columns) == ["Acronym", "Stands for", "What it means here", "Source"]
    assert table["Source"].str.contains(r"\]\(documents/view/").all()


TIMELINE = """# Key dates of the programme

Some prose. On 3 May 2021 something else happened, which is not a timeline line.

- 2021-04-14 — The launch event, online.
- **13 July 2022**: First exchange meeting.
* 13–19 November 2022 — Study visit to Japan.
- Nov. 2023 – The strand ends.

| Date | Event |
|---|---|
| 2024 | A new cycle starts |
"""


def test_milestones_are_the_dated_lines_of_a_timeline_document():
    doc = SourceDocument("guides/dates.md", TIMELINE, "Key dates of the programme", "x", "h")
    found = milestones_of(doc)
    assert [(m.date, m.text) for m in found] == [
        ("2021-04-14", "The launch event, online."), ("2022-07-13", "First exchange meeting."),
        ("2022-11-13", "Study visit to Japan."), ("2023-11", "The strand ends."), ("2024", "A new cycle starts")]
    assert all(TIMELINE[m.start:m.end].strip().startswith(("-", "*", "|")) for m in found)
    assert is_timeline("Programme chronology", "x.md", "guide") and is_timeline("Notes", "a/timeline.md", "guide")
    assert not is_timeline("Minutes of the meeting", "m.md", "minutes")


def test_without_a_timeline_the_milestones_are_the_dated_documents(tmp_path):
    assistant = ui_assistant(tmp_path)
    dated = assistant.milestones()
    assert [m.doc_id for m in dated] == [d.doc_id for d in assistant.timeline()] and all(m.start == -1 for m in dated)
    write_md(tmp_path / "corpus", "guides/timeline.md", "Programme timeline",
             ["- 2021-04 — Launch.\n- 2022-11-13 — Study visit.\n- 2023 — Close <script>."], type="guide")
    assistant.sync()
    lines = assistant.milestones()
    assert [m.date for m in lines] == ["2021-04", "2022-11-13", "2023"] and lines[0].doc_id == "guides/timeline.md"
    html = milestones_html(lines)
    assert html.count('class="pa-tl-point"') == 3 and "Close &lt;script&gt;." in html and "<script" not in html
    assert ">2021<" in html and ">2023<" in html and "13 Nov 2022" in html
    assert [shown_date(d) for d in ("2022", "2022-07", "2022-07-03")] == ["2022", "Jul 2022", "3 Jul 2022"]
    # every point lies inside the drawing: none is cut at an edge
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', html)]
    assert min(xs) - 6 >= 0 and max(xs) + 6 <= 1000


def test_text_that_is_not_markdown_is_shown_as_written():
    notes = "FIELD NOTES\n------\n1. DELEGATION\n    Group 1:  Aichi -> Emilia-Romagna <b>\n\n**not bold** _here_"
    start = notes.index("Group 1")
    html = render_text(notes, start, start + len("Group 1:  Aichi"), markdown=False)
    assert "<hr" not in html and "<ol" not in html and "<pre" not in html and "<strong>" not in html
    assert '<p class="plain">FIELD NOTES\n------\n1. DELEGATION\n    <mark id="quote">Group 1:  Aichi</mark>' in html
    assert "-&gt; Emilia-Romagna &lt;b&gt;" in html and "**not bold** _here_" in html


def test_the_viewer_renders_markdown_formats_and_shows_the_others_as_text(tmp_path):
    corpus = tmp_path / "corpus"
    write_md(corpus, "news/n.md", "Note", ["- **Date:** 1 May 2023"], type="news", date="2023-05-01")
    (corpus / "minutes").mkdir(parents=True)
    (corpus / "minutes/notes.txt").write_text("NOTES\n------\n1. DELEGATION\n- **kept** as written\n")
    assistant = ui_assistant(tmp_path)
    md = document_page(assistant.document("news/n.md"), None, None)
    txt = document_page(assistant.document("minutes/notes.txt"), None, None)
    assert "<li><strong>Date:</strong> 1 May 2023</li>" in md
    assert "1. DELEGATION\n- **kept** as written" in txt and "<li>" not in txt


def test_a_number_shaped_like_a_date_is_not_a_milestone():
    text = "# Timeline\n\n- 2022-13-01 — Not a month.\n- 2022-02-30 — Not a day.\n- 2022-02-28 — A day.\n"
    found = milestones_of(SourceDocument("t.md", text, "Timeline", "t.md", "h"))
    assert [m.date for m in found] == ["2022-02-28"]

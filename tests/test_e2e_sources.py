"""End-to-end, reading the sources: documents rendered as Markdown and inert, PDF pages beside their text, one
entry per document in the sources panel, the header after an upload, the milestones timeline and the glossary's
explanations. Headless Chromium over the sample corpus plus two documents full of markup (fixtures from
test_e2e_ui). Screenshots: test-artifacts/e2e-sources-*.png.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from test_e2e_ui import (  # noqa: F401 - browser and page are fixtures ("page" uses this module's app_server)
    ANSWER_TIMEOUT_MS,
    ARTIFACTS,
    REPO,
    ask,
    browser,
    page,
    serve_app,
    squash,
)

pytestmark = pytest.mark.e2e

MARKUP_DOC = "guides/2023-03-01-markup-sheet.md"
MARKUP_TEXT = """---
title: Markup sheet <b>bold title</b>
type: guide
date: 2023-03-01
---
# Markup sheet

| Stop | Prefectures | Host region |
|---|---|---|
| First stop | Kyoto, Oita | Ljubljana |
| Third stop | Aichi, Kyoto | Basque Country <i>x</i> |

- **Date:** 14 March 2023
- **Venue:** the *glass pavilion* of Ljubljana

<div onclick="alert('div')"><script>alert('block')</script></div>

<img src=x onerror="alert('img')">

A [harmless-looking link](javascript:alert('link')), a [data link](data:text/html,<script>alert(4)</script>),
an image ![pixel](http://127.0.0.1:9/pixel.png) and a <a href="javascript:alert(5)">raw anchor</a>.

The closing sentence of the sheet mentions **the Ljubljana pavilion** once more.
"""


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app over the sample corpus, the XSS banner, the markup sheet and the ferry notes (test_e2e_ui's set-up)."""
    extra = {MARKUP_DOC: MARKUP_TEXT, FERRY_DOC: FERRY_TEXT}
    with serve_app(tmp_path_factory.mktemp("e2e-sources"), extra) as (url, data, assistant):
        yield url, data.feedback, assistant


def shot(page, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"e2e-sources-{name}.png"), full_page=full_page)


def view_url(base: str, doc_id: str, start: int, end: int) -> str:
    return f"{base}/documents/view/{quote(doc_id)}?{urlencode({'start': start, 'end': end})}#quote"


def open_popup(page, link):
    with page.context.expect_page() as opened:
        link.click()
    doc = opened.value
    doc.wait_for_load_state()
    doc.wait_for_timeout(400)
    return doc


def test_a_document_is_rendered_as_markdown_inert_with_the_cited_row_highlighted(browser, app_server):
    base, _, assistant = app_server
    text = assistant.document(MARKUP_DOC).text
    row = "| Third stop | Aichi, Kyoto | Basque Country <i>x</i> |"
    start = text.index(row)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    doc = context.new_page()
    dialogs: list[str] = []
    doc.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    doc.goto(view_url(base, MARKUP_DOC, start, start + len(row)))
    doc.wait_for_timeout(500)
    article = doc.locator("article")
    # rendered: a table with its cells, a list with bold labels and emphasis, never the Markdown syntax
    assert article.locator("table td").count() == 6 and article.locator("li strong").count() == 2
    assert article.locator("em", has_text="glass pavilion").count() == 1
    shown = article.inner_text()
    assert "| Stop |" not in shown and "**Date:**" not in shown and "- **" not in shown
    # the cited row highlighted, cell by cell, the first mark scrolled into view
    marks = article.locator("table mark")
    assert [squash(t) for t in marks.all_inner_texts()] == ["Third stop", "Aichi, Kyoto", "Basque Country <i>x</i>"]
    assert doc.locator("mark#quote").is_visible()
    # inert: markup shown as text, no element a document could run or load, no javascript: or data: link
    for raw in ("<script>alert('block')</script>", "<img src=x onerror=\"alert('img')\">", "javascript:alert('link')",
                '<a href="javascript:alert(5)">raw anchor</a>'):
        assert squash(raw) in squash(shown), raw
    assert article.locator("script, img, iframe, div[onclick], [onerror]").count() == 0
    assert "!pixel" in shown  # an image is never loaded: its address is an ordinary link
    hrefs = article.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http:", "https:", "mailto:")) for h in hrefs), hrefs
    assert "&lt;b&gt;" in doc.content() or "<b>bold title</b>" in doc.locator("h1").inner_text()
    doc.screenshot(path=str(ARTIFACTS / "e2e-sources-1-markdown-table-highlight.png"))
    # a sentence inside a list item with bold and emphasis
    item = "- **Venue:** the *glass pavilion* of Ljubljana"
    start = text.index(item)
    doc.goto(view_url(base, MARKUP_DOC, start, start + len(item)))
    doc.wait_for_timeout(300)
    marked = " ".join(squash(t) for t in doc.locator("article li mark").all_inner_texts())
    assert marked == "Venue: the glass pavilion of Ljubljana"
    assert doc.locator("article li").nth(1).locator("mark#quote").count() == 1
    assert dialogs == []
    context.close()


def test_a_pdf_source_shows_its_cited_page_beside_the_text(page, app_server):
    ask(page, "What did the mission report say about Hiroshima?")
    entry = page.locator("#pa-sources .pa-source", has_text="Mission report").first
    entry.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page_label = re.search(r"p\. (\d+)", entry.inner_text())
    assert page_label, "the source entry names the page"
    number = int(page_label.group(1))
    doc = open_popup(page, entry.locator("a.pa-open"))
    figure = doc.locator("figure.page")
    assert f"Page {number} of " in figure.inner_text() and "the cited page" in figure.inner_text()
    image = figure.locator("img")
    image.scroll_into_view_if_needed()
    from playwright.sync_api import expect  # the e2e extra: imported where used, as test_e2e_ui does

    # a locator's property, not doc.wait_for_function: the document page's Content-Security-Policy forbids eval,
    # and Playwright 1.65 evaluates a wait_for_function string with it
    expect(image).to_have_js_property("complete", True, timeout=15_000)
    width = image.evaluate("img => img.naturalWidth")
    assert width >= 500, "the page image was rendered"
    assert doc.locator("article mark#quote").is_visible()  # the extracted text beside it, highlighted
    doc.screenshot(path=str(ARTIFACTS / "e2e-sources-2-pdf-page.png"))
    # the next page, from the figure's own link
    doc.locator("figure.page a", has_text=f"Page {number + 1}").click()
    doc.wait_for_load_state()
    assert f"Page {number + 1} of " in doc.locator("figure.page figcaption").inner_text()


# A document whose two far-apart passages each answer half of one question, so that the answer cites it twice
# (which statements the answerer quotes from the sample corpus changes with the answerer; this does not)
FERRY_DOC = "guides/2023-02-01-harbour-ferry-notes.md"
_FILLER = " ".join(f"Paragraph {n} of the notes covers luggage, tickets and the waiting room's opening hours."
                   for n in range(14))
FERRY_TEXT = f"""---
title: Harbour ferry notes
type: guide
date: 2023-02-01
---
# Harbour ferry notes

## Timetable

The first ferry to Nokonoshima island leaves Meinohama pier at 07:15 every morning.

## Waiting room

{_FILLER}

## Tickets

Ferry tickets are sold at the kiosk beside the Meinohama pier entrance, in cash only.
"""
CITES_ONE_DOCUMENT_TWICE = "When does the first ferry to Nokonoshima island leave, and where are ferry tickets sold?"


def test_one_entry_per_document_with_its_numbered_sentences(page):
    ask(page, CITES_ONE_DOCUMENT_TWICE)
    page.locator("#pa-sources .pa-source").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(300)
    shot(page, "3-one-entry-per-document")
    entries = page.locator("#pa-sources .pa-source")
    docs = entries.evaluate_all("es => es.map(e => e.dataset.doc)")
    assert len(docs) == len(set(docs)), f"a document is listed twice: {docs}"
    chips = page.locator("#pa-chat .pa-answer").last.locator("a.pa-cite")
    assert chips.count() == len(docs)
    answer = page.locator("#pa-chat .pa-answer").last
    in_text = sorted({int(n) for n in answer.locator("a.pa-ref").all_inner_texts()})
    in_panel = sorted(int(n) for n in page.locator("#pa-sources .pa-cited > .pa-num").all_inner_texts())
    assert in_text == in_panel, "every [n] of the answer is one sentence of the panel, and no other"
    multi = [i for i in range(entries.count()) if entries.nth(i).locator(".pa-cited").count() > 1]
    assert multi, f"the answer cites the ferry notes twice, so their entry lists both sentences: {answer.inner_text()}"
    entry = entries.nth(multi[0])
    assert entry.locator("mark").count() == entry.locator(".pa-cited").count()
    sentence = entry.locator(".pa-cited").nth(1)
    quote_text = squash(sentence.locator("mark").inner_text())
    doc = open_popup(page, sentence.locator("a.pa-open-at"))
    assert squash(" ".join(doc.locator("article mark").all_inner_texts())) == quote_text


def test_the_header_counts_an_uploaded_document_without_a_reload(page, tmp_path):
    header = page.locator("#pa-header")
    before = int(re.search(r"(\d+) documents", header.inner_text()).group(1))
    upload = tmp_path / "2024-03-01-soy-sauce-brewery-visit.md"
    upload.write_text("---\ntitle: Soy sauce brewery visit\ntype: minutes\n---\n# Soy sauce brewery visit\n\n"
                      "The delegation visited a soy sauce brewery in Oita on 1 March 2024.\n", encoding="utf-8")
    page.get_by_role("tab", name="Documents").click()
    admin = page.locator("#pa-admin")
    admin.wait_for(state="visible")
    page.locator("#pa-upload input[type=file]").set_input_files(str(upload))
    page.wait_for_timeout(1000)
    admin.get_by_role("button", name="Add and sync").click()
    page.locator("#pa-sync-report").get_by_text("1 added").wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function(f"document.querySelector('#pa-header').innerText.includes('{before + 1} documents')",
                           timeout=10_000)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "4-header-after-upload")
    dropdown = admin.get_by_label("Document")
    dropdown.click()
    dropdown.fill("soy-sauce")
    page.get_by_role("option", name=upload.name).first.click()
    admin.get_by_label("Delete its file").check()
    admin.get_by_role("button", name="Delete").click()
    page.locator("#pa-sync-report").get_by_text("1 deleted").wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function(f"document.querySelector('#pa-header').innerText.includes('{before} documents')",
                           timeout=10_000)


def test_the_timeline_plots_the_programme_milestones_each_linked_to_its_line(page, app_server):
    page.get_by_role("tab", name="Timeline").click()
    strip = page.locator("#pa-milestones svg.pa-tl-strip")
    strip.wait_for(state="visible", timeout=10_000)
    page.wait_for_timeout(1200)  # the documents plot draws too
    shot(page, "5-timeline", full_page=True)
    points = strip.locator("a.pa-tl-point circle")
    assert points.count() == 46  # the dated lines of the corpus's timeline document
    box, first = strip.bounding_box(), points.first.bounding_box()
    assert first["x"] >= box["x"] and first["x"] + first["width"] <= box["x"] + box["width"], "a point is cut"
    years = strip.locator("text.pa-tl-year").all_text_contents()
    assert years[0] == "2012" and "2026" in years
    listing = page.locator("#pa-milestones .pa-tl-list")
    assert "13 Jul 2022" in listing.inner_text() and "First R2R exchange meeting" in listing.inner_text()
    # the documents plot: its month labels carry their year
    labels = page.locator("#pa-timeline").inner_text()
    assert re.search(r"\b[A-Z][a-z]{2} 20\d\d\b", labels), labels[:300]
    # a point opens the line of the timeline that states it
    point = strip.locator("a.pa-tl-point", has=page.locator("title", has_text="First R2R exchange meeting")).first
    doc = open_popup(page, point)
    assert "First R2R exchange meeting" in squash(" ".join(doc.locator("article mark").all_inner_texts()))
    assert doc.locator("mark#quote").is_visible()
    doc.screenshot(path=str(ARTIFACTS / "e2e-sources-6-milestone-source.png"))


def test_the_glossary_says_what_a_term_means_here_with_its_source(page, app_server):
    kick = next(r for r in app_server[2].glossary("KICK") if r.term == "KICK")
    # what it means here: a sentence of the corpus about KICK, not its expansion again
    assert kick.meaning == "Keihanna Open Innovation Center"
    assert kick.explanation and not kick.explanation.startswith(kick.meaning + ".")
    assert len(kick.explanation.split()) >= 8 and kick.source_title
    page.get_by_role("tab", name="Glossary").click()
    glossary = page.locator("#pa-glossary")
    glossary.wait_for(state="visible", timeout=10_000)
    glossary.locator("input[placeholder^='Search']").first.fill("KICK")
    page.wait_for_timeout(600)
    shot(page, "7-glossary", full_page=True)
    shown = squash(glossary.inner_text())
    assert kick.explanation in shown and "What it means here" in shown
    link = glossary.get_by_role("link", name=kick.source_title).last
    doc = open_popup(page, link)
    marked = squash(" ".join(doc.locator("article mark").all_inner_texts()))
    assert marked == kick.explanation
    assert doc.locator("mark#quote").is_visible()
    doc.screenshot(path=str(ARTIFACTS / "e2e-sources-8-glossary-source.png"))

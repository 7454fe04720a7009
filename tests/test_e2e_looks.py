# ruff: noqa: F811 - the fixtures imported from test_e2e_ui are requested by name as test arguments
"""End-to-end: how the app looks, in headless Chromium. Light and dark themes (``?__theme=dark`` and the OS
setting) measured for text contrast, a 390-px-wide phone, the Filters label when filters are active, and the
Documents tab's delete confirmation. Screenshots go to test-artifacts/e2e-looks-*.png.

Uses the app and browser of test_e2e_ui (same corpus, fake embeddings). Run with ``python -m pytest -m e2e``.
"""

from __future__ import annotations

import pytest
from test_e2e_ui import ANSWER_TIMEOUT_MS, ARTIFACTS, app_server, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

MIN_CONTRAST = 4.5  # WCAG AA for normal-size text
PHONE = {"width": 390, "height": 844}

# The contrast of an element's text against what is painted behind it: the first opaque background among it
# and its ancestors, with the translucent ones in between blended over it (gradients are not followed).
CONTRAST_JS = """
(el) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || []; return m.length < 3 ? [0, 0, 0, 0] :
    [+m[0], +m[1], +m[2], m.length > 3 ? +m[3] : 1]; };
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const bg = parse(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let rgb = [255, 255, 255];
  for (const [r, g, b, a] of layers.reverse()) rgb = [r * a + rgb[0] * (1 - a), g * a + rgb[1] * (1 - a),
                                                      b * a + rgb[2] * (1 - a)];
  const fg = parse(getComputedStyle(el).color);
  const text = [0, 1, 2].map(i => fg[i] * fg[3] + rgb[i] * (1 - fg[3]));
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 :
    Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [l1, l2] = [lum(text), lum(rgb)].sort((a, b) => b - a);
  return {ratio: (l1 + 0.05) / (l2 + 0.05), text: text.map(Math.round), background: rgb.map(Math.round),
          backgroundLuminance: lum(rgb)};
}
"""

# Text that must be readable in both themes: before an answer, after one, and in the other tabs.
WELCOME_TEXT = ["#pa-chat .pa-welcome h2", "#pa-chat .pa-welcome p", "#pa-chat .example-text",
                "#pa-sources h3", "#pa-sources p"]
ANSWER_TEXT = ["#pa-sources h3", "#pa-sources .pa-title", "#pa-sources .pa-meta", "#pa-sources .pa-badge",
               "#pa-sources .pa-passage", "#pa-sources .pa-passage mark", "#pa-sources .pa-actions a",
               "#pa-chat .pa-cite", "#pa-chat .pa-ref"]
OVERVIEW_TEXT = [".pa-stat b", ".pa-stat span", ".pa-types .pa-badge"]


def open_app(browser, url: str, *, query: str = "", color_scheme: str = "light", viewport: dict | None = None):
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 950}, color_scheme=color_scheme)
    page = context.new_page()
    page.goto(url + "/" + query)
    page.locator("#pa-chat button.example").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(1000)  # the refresh-on-load settles
    return page


def contrast_problems(page, selectors: list[str]) -> list[str]:
    problems = []
    for selector in selectors:
        elements = page.locator(selector)
        assert elements.count() > 0, f"nothing matches {selector}"
        m = elements.first.evaluate(CONTRAST_JS)
        if m["ratio"] < MIN_CONTRAST:
            problems.append(f"{selector}: {m['ratio']:.2f} (text {m['text']} on {m['background']})")
    return problems


def answer_a_starter(page) -> None:
    page.locator("#pa-chat button.example").first.click()
    page.locator("#pa-chat .pa-answer:not(.pa-pending)").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator("#pa-sources .pa-source").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(300)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_both_themes_are_readable(browser, app_server, theme):
    page = open_app(browser, app_server[0], query="?__theme=dark" if theme == "dark" else "")
    try:
        is_dark = page.evaluate("document.body.classList.contains('dark')")
        assert is_dark == (theme == "dark")
        assert contrast_problems(page, WELCOME_TEXT) == []
        card = page.locator("#pa-chat button.example").first.evaluate(CONTRAST_JS)
        if theme == "dark":  # the starter cards follow the theme instead of staying white
            assert card["backgroundLuminance"] < 0.1, card
        page.screenshot(path=str(ARTIFACTS / f"e2e-looks-{theme}.png"))
        answer_a_starter(page)
        assert contrast_problems(page, ANSWER_TEXT) == []
        page.screenshot(path=str(ARTIFACTS / f"e2e-looks-{theme}-answer.png"))
        source = page.locator("#pa-sources .pa-source").first.evaluate(CONTRAST_JS)
        assert (source["backgroundLuminance"] < 0.1) == (theme == "dark"), source
        page.locator("#pa-chat button[aria-label='Dislike']").last.click()  # the feedback panel
        page.locator("#pa-feedback").first.wait_for(state="visible", timeout=5000)
        assert contrast_problems(page, ["#pa-feedback p", "#pa-feedback label span"]) == []
        page.locator("#pa-feedback").first.screenshot(path=str(ARTIFACTS / f"e2e-looks-{theme}-feedback.png"))
        page.locator("#pa-feedback button", has_text="Skip").first.click()
        page.get_by_role("tab", name="Overview").click()
        page.locator(".pa-stat").first.wait_for()
        assert contrast_problems(page, OVERVIEW_TEXT) == []
    finally:
        page.context.close()


def test_the_os_dark_setting_is_followed_too(browser, app_server):
    page = open_app(browser, app_server[0], color_scheme="dark")
    try:
        assert page.evaluate("document.body.classList.contains('dark')")
        assert contrast_problems(page, WELCOME_TEXT) == []
        with page.context.expect_page() as opened:  # the document page follows the OS setting as well
            answer_a_starter(page)
            page.locator("#pa-sources a.pa-open").first.click()
        doc = opened.value
        doc.wait_for_load_state()
        assert contrast_problems(doc, ["h1", ".meta", "mark#quote"]) == []
        assert doc.locator("main").evaluate(CONTRAST_JS)["backgroundLuminance"] < 0.1
        doc.screenshot(path=str(ARTIFACTS / "e2e-looks-dark-document.png"))
    finally:
        page.context.close()


def test_a_phone_gets_a_usable_layout(browser, app_server):
    page = open_app(browser, app_server[0], viewport=PHONE)
    try:
        width = PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        header = page.locator("#pa-header")
        assert header.evaluate("e => e.scrollWidth <= e.clientWidth")
        box = header.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
        health = page.locator("#pa-header .pa-health").bounding_box()
        assert health and health["x"] >= box["x"] and health["x"] + health["width"] <= box["x"] + box["width"]
        assert health["y"] + health["height"] <= box["y"] + box["height"]  # the status text stays in the banner
        tabs = page.get_by_role("tab")
        names = [tabs.nth(i).inner_text().strip() for i in range(tabs.count())]
        assert names == ["Chat", "Glossary", "Timeline", "Overview", "Documents"]  # none hidden in a "..." menu
        for i in range(tabs.count()):
            tab = tabs.nth(i).bounding_box()
            assert tab and tab["x"] >= 0 and tab["x"] + tab["width"] <= width, names[i]
        assert not page.locator("#pa-tabs .overflow-menu").is_visible()
        question = page.locator("#pa-question textarea").bounding_box()
        assert question and question["width"] >= width * 0.75  # a question box one can type in
        page.screenshot(path=str(ARTIFACTS / "e2e-looks-phone.png"), full_page=True)
        answer_a_starter(page)
        assert page.locator("#pa-chat a.pa-ref").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / "e2e-looks-phone-answer.png"), full_page=True)
        page.get_by_role("tab", name="Documents").click()
        admin = page.locator("#pa-admin")
        admin.wait_for(state="visible")
        page.wait_for_timeout(500)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the list scrolls, not the page
        for column in ("Type", "Date"):  # readable columns instead of one letter a line
            cell = admin.locator("th", has_text=column).first.bounding_box()
            assert cell and cell["width"] >= 45, (column, cell)
        page.screenshot(path=str(ARTIFACTS / "e2e-looks-phone-documents.png"), full_page=True)
    finally:
        page.context.close()


def test_a_closed_filters_panel_says_which_filters_are_active(browser, app_server):
    page = open_app(browser, app_server[0])
    try:
        label = page.locator("#pa-filters button.label-wrap")
        assert label.inner_text().split("\n")[0].strip() == "Filters"
        label.click()
        panel = page.locator("#pa-filters")
        panel.get_by_text("report", exact=True).click()
        date_from = panel.locator("input.time").first
        date_from.fill("2023-01-01")
        date_from.press("Enter")
        for box in panel.locator(".timebox").all():  # the calendar buttons are not clipped by their block
            button = box.locator("button").bounding_box()
            block = box.locator("xpath=ancestor::div[contains(@class,'block')][1]").bounding_box()
            assert button and block and button["x"] + button["width"] <= block["x"] + block["width"] + 0.5
        page.wait_for_timeout(500)
        label.click()  # closed again
        page.wait_for_timeout(300)
        assert not panel.get_by_text("Document type").is_visible()
        text = label.inner_text().split("\n")[0].strip()
        assert text == "Filters (2 active: report · from 2023-01-01)", text
        page.locator("#pa-filters").screenshot(path=str(ARTIFACTS / "e2e-looks-filter-hint.png"))
        answers = page.locator("#pa-chat .pa-answer:not(.pa-pending)")
        page.fill("#pa-question textarea", "What were the 2023 webinars?")
        page.click("#pa-ask")
        answers.first.wait_for(timeout=ANSWER_TIMEOUT_MS)
        page.screenshot(path=str(ARTIFACTS / "e2e-looks-filter-answer.png"))
        label.click()
        panel.get_by_text("report", exact=True).click()
        date_from.fill("")
        date_from.press("Enter")
        page.wait_for_timeout(500)
        assert label.inner_text().split("\n")[0].strip() == "Filters"
    finally:
        page.context.close()


def test_delete_without_the_confirm_box_keeps_the_document_and_says_to_tick_it(browser, app_server):
    page = open_app(browser, app_server[0])
    try:
        page.get_by_role("tab", name="Documents").click()
        admin = page.locator("#pa-admin")
        admin.wait_for(state="visible")
        rows = admin.locator("table tbody tr").count()
        dropdown = admin.get_by_label("Document")
        dropdown.click()
        dropdown.fill("glossary")
        page.get_by_role("option", name="guides/glossary.md").first.click()
        assert dropdown.input_value() == "guides/glossary.md"
        admin.get_by_role("button", name="Delete").click()
        report = page.locator("#pa-sync-report")
        report.get_by_text("tick the box").wait_for(timeout=ANSWER_TIMEOUT_MS)
        page.wait_for_timeout(500)
        assert "guides/glossary.md is still chosen" in report.inner_text()
        assert dropdown.input_value() == "guides/glossary.md"  # the choice is kept
        assert not admin.get_by_label("Delete its file").is_checked()
        assert admin.locator("table tbody tr").count() == rows  # nothing was deleted
        page.screenshot(path=str(ARTIFACTS / "e2e-looks-delete-confirm.png"), full_page=True)
    finally:
        page.context.close()

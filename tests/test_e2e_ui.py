"""End-to-end: the real app in headless Chromium (Debian's ``chromium`` driven by Playwright from PyPI).

The app runs on a free loopback port over a copy of the sample corpus plus one document full of markup,
with bag-of-words fake embeddings (syncing takes seconds). Screenshots go to test-artifacts/ for people to look
at. Run with ``python -m pytest -m e2e`` (scripts/ci_e2e.sh installs Chromium and Playwright first).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import write_md
from test_ui import XSS_TEXT, XSS_TITLE, ui_assistant

from benchmarks.ports import free_port
from programme_assistant.appdata.state import AppData
from programme_assistant.ui import create_app

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ANSWER_TIMEOUT_MS = 30_000


@contextmanager
def serve_app(tmp: Path, extra: dict[str, str] | None = None):
    """The real app on a free loopback port over a copy of the sample corpus, the XSS banner and ``extra``
    documents ({path in the corpus: file text}); yields (url, app data, assistant) and stops it afterwards."""
    import uvicorn

    shutil.copytree(REPO / "corpus", tmp / "corpus")
    write_md(tmp / "corpus", "news/2023-04-20-webinar-banner.md", XSS_TITLE, [XSS_TEXT], type="news", date="2023-04-20")
    for name, text in (extra or {}).items():
        (tmp / "corpus" / name).write_text(text, encoding="utf-8")
    assistant = ui_assistant(tmp, chunk_size=900, chunk_overlap=120)
    data = AppData.sqlite(tmp / "feedback.sqlite")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(assistant, data), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        pytest.fail("the app did not start within 30 s")
    try:
        yield url, data, assistant
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        data.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("e2e")) as (url, data, _):
        yield url, data.feedback


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ci_e2e.sh (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[e2e]' (or run scripts/ci_e2e.sh)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.goto(app_server[0])
    page.locator("#pa-chat button.example").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    yield page
    context.close()


def shot(page, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=full_page)


def squash(text: str) -> str:
    return " ".join(text.split())


def ask(page, question: str) -> None:
    answers = page.locator("#pa-chat .pa-answer:not(.pa-pending)").count()
    page.fill("#pa-question textarea", question)
    page.click("#pa-ask")
    page.locator("#pa-chat .pa-answer:not(.pa-pending)").nth(answers).wait_for(timeout=ANSWER_TIMEOUT_MS)


def test_starter_question_gives_a_cited_answer_whose_source_opens(page):
    page.wait_for_timeout(1000)  # the page's refresh-on-load settles
    shot(page, "1-welcome")
    starter = page.locator("#pa-chat button.example").first
    question = squash(starter.inner_text())
    assert question.endswith("?")
    starter.click()
    page.locator("#pa-chat .pa-answer:not(.pa-pending)").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.locator("#pa-sources .pa-source").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(300)
    shot(page, "2-answer")
    assert question in squash(page.locator("#pa-chat .pa-question").first.inner_text())
    answer = page.locator("#pa-chat .pa-answer").first
    assert answer.locator("a.pa-ref").count() >= 1, "the answer has no [n] citation"
    card = page.locator("#pa-sources .pa-source").first
    # an entry lists each sentence cited from its document, every sentence the answer cites under its number marked
    marked = [squash(text) for text in card.locator("mark").all_inner_texts()]
    title = squash(card.locator(".pa-title").inner_text())
    assert marked and all(marked) and title
    with page.context.expect_page() as opened:
        card.locator("a.pa-open").click()
    doc = opened.value
    doc.wait_for_load_state()
    doc.wait_for_timeout(300)
    doc.screenshot(path=str(ARTIFACTS / "e2e-3-source-document.png"))
    assert squash(doc.locator("h1").inner_text()) == title
    # the document opens at the citation's sentence, one of those marked (a mark per cell or item)
    assert squash(" ".join(doc.locator("article mark").all_inner_texts())) in marked
    assert doc.locator("mark#quote").is_visible()


def test_follow_up_then_new_chat(page):
    page.locator("#pa-chat button.example").first.click()
    page.locator("#pa-chat .pa-answer:not(.pa-pending)").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    ask(page, "And when did it end?")
    assert page.locator("#pa-chat .pa-question").count() == 2
    shot(page, "4-follow-up")
    page.click("#pa-new-chat")
    page.locator("#pa-chat button.example").first.wait_for(timeout=5000)
    assert page.locator("#pa-chat .pa-question").count() == 0
    assert "Sources" in page.locator("#pa-sources").inner_text()


def test_markup_in_documents_is_shown_and_never_runs(page):
    ask(page, "What did the hydrogen webinar banner show in its corner?")
    sources = page.locator("#pa-sources")
    sources.locator(".pa-source").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    text = sources.inner_text() + page.locator("#pa-chat").inner_text()
    assert "<script>alert('x')</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert page.locator("#pa-sources script, #pa-chat script, #pa-sources img, #pa-chat .pa-answer img").count() == 0
    shot(page, "5-markup-shown-as-text")
    card = sources.locator(".pa-source", has_text="onerror").first
    with page.context.expect_page() as opened:
        card.locator("a.pa-open").click()
    doc = opened.value
    doc.wait_for_load_state()
    doc.wait_for_timeout(500)
    assert "<script>alert('x')</script>" in doc.locator("article").inner_text()
    assert doc.locator("article script, article img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_thumbs_down_with_a_reason_is_stored(page, app_server):
    feedback = app_server[1]
    before = len(feedback.records("down"))
    ask(page, "Where was the third plenary exchange meeting held?")
    page.locator("#pa-chat button[aria-label='Dislike']").last.click()
    page.locator("#pa-feedback").first.wait_for(state="visible", timeout=5000)
    page.get_by_label("incomplete").check()
    page.locator("#pa-feedback textarea").first.fill("It should say the date too.")
    shot(page, "6-feedback")
    page.locator("#pa-feedback button", has_text="Send").first.click()
    page.locator("#pa-feedback").first.wait_for(state="hidden", timeout=5000)
    downs = feedback.records("down")
    assert len(downs) == before + 1
    assert downs[-1].question == "Where was the third plenary exchange meeting held?"
    assert (downs[-1].reason, downs[-1].comment) == ("incomplete", "It should say the date too.")


def test_newcomer_and_maintainer_tabs(page):
    for tab, check in [
        ("Glossary", "#pa-glossary"),
        ("Timeline", "#pa-timeline"),
        ("Overview", ".pa-stats"),
        ("Documents", "#pa-admin"),
    ]:
        page.get_by_role("tab", name=tab).click()
        page.locator(check).first.wait_for(state="visible", timeout=10_000)
        page.wait_for_timeout(800)
        shot(page, f"7-{tab.lower()}", full_page=True)
    page.get_by_role("tab", name="Glossary").click()
    page.locator("#pa-glossary input[placeholder^='Search']").first.fill("Region-to-Region")
    page.wait_for_timeout(500)
    glossary = page.locator("#pa-glossary").inner_text()
    assert "R2R" in glossary and "Region-to-Region" in glossary and "AAM" not in glossary
    page.get_by_role("tab", name="Overview").click()
    assert re.search(r"\b27\s*documents", page.locator(".pa-stats").inner_text())


def test_maintainer_uploads_a_file_and_deletes_it(page, tmp_path):
    upload = tmp_path / "2024-02-01-tofu-factory-visit.md"
    upload.write_text("---\ntitle: Tofu factory visit\ntype: minutes\n---\n# Tofu factory visit\n\n"
                      "The delegation toured a tofu factory in Kyoto on 1 February 2024.\n", encoding="utf-8")
    page.get_by_role("tab", name="Documents").click()
    admin = page.locator("#pa-admin")
    admin.wait_for(state="visible")
    page.locator("#pa-upload input[type=file]").set_input_files(str(upload))
    page.wait_for_timeout(1000)  # the upload reaches the server
    admin.get_by_role("button", name="Add and sync").click()
    report = page.locator("#pa-sync-report")
    report.get_by_text("1 added").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "2024-02-01-tofu-factory-visit.md" in report.inner_text()
    shot(page, "8-upload-report", full_page=True)
    page.get_by_role("tab", name="Chat").click()
    ask(page, "Which factory did the delegation tour in Kyoto?")
    assert "Tofu factory visit" in page.locator("#pa-sources").inner_text()
    page.get_by_role("tab", name="Documents").click()
    dropdown = admin.get_by_label("Document")
    dropdown.click()
    dropdown.fill("tofu")
    page.get_by_role("option", name="2024-02-01-tofu-factory-visit.md").first.click()
    admin.get_by_label("Delete its file").check()
    admin.get_by_role("button", name="Delete").click()
    report.get_by_text("1 deleted").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert "Deleted 2024-02-01-tofu-factory-visit.md" in report.inner_text()

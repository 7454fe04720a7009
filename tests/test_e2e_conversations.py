"""End-to-end: kept conversations in the chat (headless Chromium). A reload comes back to the open
conversation; the list reopens, renames and deletes; another browser sees none of them."""

from __future__ import annotations

import pytest
from test_e2e_ui import ANSWER_TIMEOUT_MS, CHROMIUM_ARGS, app_server, ask, browser, page, shot, squash  # noqa: F401

pytestmark = pytest.mark.e2e

LIST = "#pa-conversation-list"


def listed(page) -> list[str]:
    return [squash(t) for t in page.locator(f"{LIST} label").all_inner_texts()]


def wait_listed(page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('{LIST} label').length === {count}",
                           timeout=ANSWER_TIMEOUT_MS)


def test_a_conversation_survives_a_reload_and_reopens_from_the_list(page, browser, app_server):
    ask(page, "Where was the third plenary held?")
    ask(page, "And who attended it?")
    wait_listed(page, 1)
    assert listed(page)[0].startswith("Where was the third plenary held?")
    first_answer = squash(page.locator("#pa-chat .pa-answer").first.inner_text())
    shot(page, "conversations-1-kept")

    page.reload()  # the same browser: the open conversation comes back, sources and all
    page.locator("#pa-chat .pa-answer").nth(1).wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert squash(page.locator("#pa-chat .pa-answer").first.inner_text()) == first_answer
    assert squash(page.locator("#pa-chat .pa-question").nth(1).inner_text()) == "And who attended it?"
    page.locator("#pa-sources .pa-source").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    shot(page, "conversations-2-after-reload")

    page.click("#pa-new-chat-side")  # a new chat, kept from its first answer
    page.locator("#pa-chat .pa-answer").first.wait_for(state="detached", timeout=5000)
    ask(page, "Which prefectures did Group A visit during the study visit?")
    wait_listed(page, 2)
    assert listed(page)[0].startswith("Which prefectures")

    page.locator(f"{LIST} label", has_text="Where was the third plenary").click()  # reopen the first
    page.wait_for_function("document.querySelectorAll('#pa-chat .pa-answer').length === 2", timeout=10000)
    assert squash(page.locator("#pa-chat .pa-answer").first.inner_text()) == first_answer

    page.locator("#pa-conversation-edit").get_by_text("Rename or delete the open chat").click()
    page.fill("#pa-conversation-title textarea", "Plenary venue and attendance")
    page.click("#pa-conversation-rename")
    page.wait_for_function(f"[...document.querySelectorAll('{LIST} label')].some(l => "
                           "l.innerText.includes('Plenary venue and attendance'))", timeout=10000)
    shot(page, "conversations-3-renamed")

    other = browser.new_context(viewport={"width": 1400, "height": 950})  # another browser: none of these
    stranger = other.new_page()
    stranger.goto(app_server[0])
    stranger.locator("#pa-chat button.example").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    stranger.wait_for_timeout(1000)
    assert listed(stranger) == [] and stranger.locator("#pa-chat .pa-answer").count() == 0
    other.close()

    page.once("dialog", lambda d: d.accept())
    page.click("#pa-conversation-delete")
    wait_listed(page, 1)
    assert "Plenary venue" not in " ".join(listed(page))
    assert page.locator("#pa-chat .pa-answer").count() == 0


def test_on_a_phone_the_list_starts_closed_and_closes_after_a_pick(browser, app_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(app_server[0])
    phone.locator("#pa-chat button.example").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    closed = "!document.querySelector('.sidebar.open')"
    phone.wait_for_function(closed, timeout=10000)  # the chat is what a phone shows first
    ask(phone, "Where was the third plenary held?")
    phone.click(".sidebar button.toggle-button")
    phone.locator(".sidebar.open").wait_for(timeout=5000)
    wait_listed(phone, 1)
    phone.click("#pa-new-chat-side")  # a new chat from the list: the list closes
    phone.wait_for_function(closed, timeout=10000)
    # the old chat's answer goes before the next question is asked (ask() counts the answers shown first)
    phone.locator("#pa-chat .pa-answer").first.wait_for(state="detached", timeout=10000)
    ask(phone, "Which prefectures did Group A visit during the study visit?")
    phone.click(".sidebar button.toggle-button")
    wait_listed(phone, 2)
    shot(phone, "conversations-4-phone-list")
    phone.locator(f"{LIST} label", has_text="Where was the third plenary").click()
    phone.wait_for_function(closed, timeout=10000)
    phone.wait_for_function("document.querySelector('#pa-chat .pa-question')?.innerText.includes('third plenary')",
                            timeout=10000)
    context.close()

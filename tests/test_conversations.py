"""Kept conversations: the store (SQLite and PostgreSQL), the schema migrations, the HTTP API, the chat
controller and the terminal chat's commands. A user never sees another user's conversations."""

from __future__ import annotations

import base64
import sqlite3

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from test_ui import ui_assistant

from programme_assistant.appdata.state import AppData
from programme_assistant.errors import ConfigError, NotFoundError
from programme_assistant.models import Answer, Citation
from programme_assistant.ui import create_app
from programme_assistant.ui.chat import ChatController

ALICE, BOB = "user:alice", "user:bob"


def answer(question: str, text: str = "It was in Barcelona [1].") -> Answer:
    cite = Citation(1, "c1", "minutes/plenary.md", "Third plenary", "2023-06-09", "minutes", "Venue", 2,
                    "corpus/minutes/plenary.md", None, "The plenary was in Barcelona.", "The plenary was in Barcelona.",
                    10, 40)
    return Answer(question=question, text=text, citations=[cite], standalone_question=question)


# --- the store -------------------------------------------------------------------------------------------
def test_a_conversation_keeps_its_turns_with_their_citations(app_data):
    store = app_data.conversations
    conv = store.create(ALICE, "  Where was   the third plenary held? ")
    assert conv.title == "Where was the third plenary held?"
    assert store.add_turn(ALICE, conv.id, answer("Where was the third plenary held?"), answer_id="a1",
                          filters={"doc_types": ["minutes"]}) == 0
    assert store.add_turn(ALICE, conv.id, answer("And the fourth?", "In Osaka [1]."), answer_id="a2") == 1
    got = store.get(ALICE, conv.id)
    assert [t.question for t in got.turns] == ["Where was the third plenary held?", "And the fourth?"]
    assert got.history == [("Where was the third plenary held?", "It was in Barcelona [1]."),
                           ("And the fourth?", "In Osaka [1].")]
    first = got.turns[0]
    assert first.answer_id == "a1" and first.filters == {"doc_types": ["minutes"]}
    assert first.answer.citations[0].quote == "The plenary was in Barcelona." and first.answer.citations[0].page == 2
    (listed,) = store.list(ALICE)
    assert (listed.id, listed.turn_count) == (conv.id, 2)


def test_the_list_is_most_recent_first_and_rename_and_delete_work(app_data):
    store = app_data.conversations
    older = store.create(ALICE, "older")
    newer = store.create(ALICE, "newer")
    assert [c.title for c in store.list(ALICE)] == ["newer", "older"]
    store.add_turn(ALICE, older.id, answer("q"), answer_id="x")  # used again: comes first
    assert [c.title for c in store.list(ALICE)] == ["older", "newer"]
    assert store.rename(ALICE, newer.id, "Plenary venues").title == "Plenary venues"
    with pytest.raises(ConfigError):
        store.rename(ALICE, newer.id, "   ")
    store.delete(ALICE, older.id)
    assert [c.title for c in store.list(ALICE)] == ["Plenary venues"]
    with pytest.raises(NotFoundError):
        store.get(ALICE, older.id)


def test_another_owner_sees_nothing_and_cannot_touch_it(app_data):
    store = app_data.conversations
    conv = store.create(ALICE, "mine")
    store.add_turn(ALICE, conv.id, answer("q"), answer_id="x")
    assert store.list(BOB) == []
    for attempt in (
        lambda: store.get(BOB, conv.id),
        lambda: store.rename(BOB, conv.id, "stolen"),
        lambda: store.delete(BOB, conv.id),
        lambda: store.add_turn(BOB, conv.id, answer("q2"), answer_id="y"),
        lambda: store.get(ALICE, "not-an-id"),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert store.get(ALICE, conv.id).title == "mine" and store.get(ALICE, conv.id).turn_count == 1


# --- migrations --------------------------------------------------------------------------------------------
YESTERDAY = """
CREATE TABLE feedback (
    answer_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    reason TEXT NOT NULL DEFAULT '', comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL,
    standalone_question TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL, refused INTEGER NOT NULL DEFAULT 0,
    answerer TEXT NOT NULL DEFAULT '', citations TEXT NOT NULL DEFAULT '[]', history TEXT NOT NULL DEFAULT '[]',
    filters TEXT NOT NULL DEFAULT '{}', settings TEXT NOT NULL DEFAULT '{}'
);
"""


def test_yesterdays_sqlite_file_is_upgraded_without_losing_a_row(tmp_path):
    """The feedback file as the app wrote it before the app database had migrations (no alembic_version)."""
    path = tmp_path / "feedback.sqlite"
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode=WAL")
    old.executescript(YESTERDAY)
    for n in range(25):
        old.execute(
            "INSERT INTO feedback (answer_id, created_at, vote, reason, question, answer, citations) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (f"id{n:02d}", f"2026-11-{n % 28 + 1:02d}T10:00:00+00:00", "down" if n % 3 else "up",
             "wrong" if n % 3 else "", f"question {n}", f"answer {n}", '[{"doc_id": "news/a.md"}]'))
    old.commit()
    old.close()

    data = AppData.sqlite(path)
    records = data.feedback.records()
    assert len(records) == 25 and {r.answer_id for r in records} == {f"id{n:02d}" for n in range(25)}
    assert records[0].citations == [{"doc_id": "news/a.md"}]
    assert data.db.revision() == "0002_conversations"
    assert data.conversations.list(ALICE) == []  # the new tables are there
    data.feedback.vote("id00", "down", answer("question 0"))  # and the old table takes writes
    data.close()

    again = AppData.sqlite(path)  # opening an upgraded file again changes nothing
    assert len(again.feedback.records()) == 25 and again.db.revision() == "0002_conversations"
    again.close()


def test_a_new_database_is_created_at_the_newest_revision(app_data):
    assert app_data.feedback.records() == []
    assert app_data.db.revision() == "0002_conversations"


def test_an_unreachable_database_is_a_clear_error(tmp_path):
    from programme_assistant.errors import DatabaseError

    data = AppData.from_url("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseError) as err:
        data.conversations.list(ALICE)
    assert "127.0.0.1:1" in err.value.message and "PA_DATABASE_URL" in err.value.fix
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(DatabaseError):
        AppData.sqlite(blocked / "db.sqlite").feedback.vote("a", "up", answer("q"))


def test_settings_reject_a_database_url_that_is_not_sqlite_or_postgres():
    from programme_assistant.config import Settings

    with pytest.raises(ConfigError, match="PA_DATABASE_URL"):
        Settings(database_url="mysql://u:secret@host/db")
    assert Settings(database_url="postgresql+psycopg://u@h/db").resolved_database_url().startswith("postgresql")


# --- the HTTP API ------------------------------------------------------------------------------------------
@pytest.fixture
def api(tmp_path, app_data):
    assistant = ui_assistant(tmp_path)
    with TestClient(create_app(assistant, app_data)) as c:
        yield c


def test_ask_keeps_a_conversation_and_follow_ups_use_it(api):
    me = {"X-Client-Id": "client-one-1234"}
    r = api.post("/api/ask", json={"question": "Which prefectures did Group A visit during the study visit?",
                                   "new_conversation": True}, headers=me)
    assert r.status_code == 200, r.text
    conv_id, first = r.json()["conversation_id"], r.json()
    assert first["answer_id"] and not first["refused"]
    r = api.post("/api/ask", json={"question": "And Group B?", "conversation_id": conv_id}, headers=me)
    assert r.status_code == 200 and r.json()["conversation_id"] == conv_id
    assert "Group B" in r.json()["standalone_question"] and "prefecture" in r.json()["standalone_question"].lower()

    (listed,) = api.get("/api/conversations", headers=me).json()
    assert listed["id"] == conv_id and listed["turns"] == 2
    assert listed["title"] == "Which prefectures did Group A visit during the study visit?"
    full = api.get(f"/api/conversations/{conv_id}", headers=me).json()
    assert [t["question"] for t in full["turns"]] == [
        "Which prefectures did Group A visit during the study visit?", "And Group B?"]
    assert full["turns"][0]["answer"]["text"] == first["text"]
    assert full["turns"][0]["answer"]["citations"][0]["quote"] == first["citations"][0]["quote"]

    r = api.patch(f"/api/conversations/{conv_id}", json={"title": "Study visit groups"}, headers=me)
    assert r.status_code == 200 and r.json()["title"] == "Study visit groups"
    assert api.delete(f"/api/conversations/{conv_id}", headers=me).status_code == 204
    assert api.get(f"/api/conversations/{conv_id}", headers=me).status_code == 404
    assert api.get("/api/conversations", headers=me).json() == []


def test_another_client_cannot_see_or_continue_it(api):
    mine, theirs = {"X-Client-Id": "client-mine-1234"}, {"X-Client-Id": "client-theirs-99"}
    conv_id = api.post("/api/ask", json={"question": "Where was the third plenary held?", "new_conversation": True},
                       headers=mine).json()["conversation_id"]
    assert api.get("/api/conversations", headers=theirs).json() == []
    assert api.get(f"/api/conversations/{conv_id}", headers=theirs).status_code == 404
    assert api.delete(f"/api/conversations/{conv_id}", headers=theirs).status_code == 404
    assert api.patch(f"/api/conversations/{conv_id}", json={"title": "x"}, headers=theirs).status_code == 404
    r = api.post("/api/ask", json={"question": "And then?", "conversation_id": conv_id}, headers=theirs)
    assert r.status_code == 404 and "conversation" in r.json()["error"]
    assert len(api.get("/api/conversations", headers=mine).json()) == 1


def test_conversation_requests_need_an_identity_and_one_history(api):
    r = api.get("/api/conversations")
    assert r.status_code == 400 and "X-Client-Id" in r.json()["fix"]
    assert api.get("/api/conversations", headers={"X-Client-Id": "short"}).status_code == 400
    r = api.post("/api/ask", json={"question": "Where?", "conversation_id": "a" * 32, "history": [["q", "a"]]},
                 headers={"X-Client-Id": "client-one-1234"})
    assert r.status_code == 422
    # without a conversation the API stays stateless, as before
    r = api.post("/api/ask", json={"question": "Where was the third plenary held?"})
    assert r.status_code == 200 and "conversation_id" not in r.json()


def test_with_a_login_each_user_sees_only_their_own(tmp_path, app_data):
    assistant = ui_assistant(tmp_path, login_users=SecretStr("alice:wonder land,bob:builder"))

    def basic(user: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    alice, bob = basic("alice", "wonder land"), basic("bob", "builder")
    with TestClient(create_app(assistant, app_data)) as c:
        conv_id = c.post("/api/ask", json={"question": "Where was the third plenary held?",
                                           "new_conversation": True}, headers=alice).json()["conversation_id"]
        # a client id cannot borrow alice's identity, and bob sees nothing of hers
        assert c.get("/api/conversations", headers={**bob, "X-Client-Id": "alice-alice-alice"}).json() == []
        assert c.get(f"/api/conversations/{conv_id}", headers=bob).status_code == 404
        assert [x["id"] for x in c.get("/api/conversations", headers=alice).json()] == [conv_id]
    assert [x.id for x in app_data.conversations.list("user:alice")] == [conv_id]


# --- the chat controller --------------------------------------------------------------------------------
def test_the_chat_keeps_and_reopens_a_conversation_per_browser(tmp_path, app_data):
    assistant = ui_assistant(tmp_path)
    controller = ChatController(assistant, app_data)
    me = controller.owner({}, "browser-aaaa-1111")
    other = controller.owner({}, "browser-bbbb-2222")
    *_, (messages, turns, _, _) = controller.respond("Which prefectures did Group A visit during the study visit?",
                                                     [], [])
    conv_id = controller.keep(me, "", turns[-1])
    *_, (messages, turns, _, _) = controller.respond("And Group B?", messages, turns)
    assert controller.keep(me, conv_id, turns[-1]) == conv_id

    reopened, reopened_turns, panel, opened = controller.open(me, conv_id)  # what a reload shows
    assert opened == conv_id and reopened == messages
    assert [t.answer.text for t in reopened_turns] == [t.answer.text for t in turns]
    assert [t.message_index for t in reopened_turns] == [1, 3] and reopened_turns[1].history == turns[1].history
    assert "pa-source" in panel or "Sources" in panel
    assert [label for label, _ in controller.conversation_choices(me)][0].startswith("Which prefectures")
    assert controller.conversation_choices(other) == []
    assert controller.open(other, conv_id)[3] == ""  # another browser gets an empty chat, not this one
    assert controller.rename(me, conv_id, "Groups") == "Renamed."
    assert controller.delete(me, conv_id) == "Conversation deleted." and controller.conversation_choices(me) == []


def test_without_a_store_nothing_is_kept_and_the_chat_still_answers(tmp_path):
    controller = ChatController(ui_assistant(tmp_path))
    assert controller.owner({}, "browser-aaaa-1111") is None
    *_, (_, turns, _, _) = controller.respond("Where was the third plenary held?", [], [])
    assert controller.keep(None, "", turns[-1]) == "" and controller.conversation_choices(None) == []


# --- the terminal chat ----------------------------------------------------------------------------------
def test_terminal_chat_commands():
    from programme_assistant.cli import chat_command

    history = [("Where was the third plenary held?", "In Barcelona [1]."), ("And the fourth?", "In Osaka [1].")]
    listed = chat_command("/history", history)
    assert "2 turn(s)" in listed and "1. Where was the third plenary held?" in listed and "In Osaka" in listed
    assert chat_command("/new", history) == ("New conversation: the 2 earlier turn(s) are forgotten; "
                                             "follow-ups start afresh.")
    assert history == []
    assert chat_command("/history", history) == "No questions in this conversation yet."
    assert "Unknown command /frobnicate" in chat_command("/frobnicate", history)

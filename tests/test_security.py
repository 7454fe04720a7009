"""Regression tests for the defects found by attacking the app on loopback (issue #12): each failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from test_ui import ui_assistant

from programme_assistant.config import Settings
from programme_assistant.errors import ConfigError, StoreError
from programme_assistant.ui import create_app
from programme_assistant.ui.maintainers import PasswordThrottle


# --- 1. any server file could be copied into the corpus ----------------------------------------------------
def gradio_call(client: TestClient, button: str, files: list[str], session: str = "s1",
                choice: str = "(top level)") -> dict:
    """Call the event of ``button`` the way a raw client would (POST queue/join, read the event stream)."""
    config = client.get("/config").json()
    components = {c["id"]: c for c in config["components"]}
    fn, dep = next((i, d) for i, d in enumerate(config["dependencies"])
                   if any(components.get(t[0], {}).get("props", {}).get("value") == button for t in d["targets"]))
    data: list[object] = []
    for cid in dep["inputs"]:
        kind = components[cid]["type"]
        data.append([{"path": f, "orig_name": Path(f).name, "meta": {"_type": "gradio.FileData"}} for f in files]
                    if kind == "file" else choice if kind == "dropdown" else None)
    joined = client.post("/gradio_api/queue/join", json={"data": data, "fn_index": fn, "session_hash": session,
                                                           "event_data": None, "trigger_id": dep["targets"][0][0]})
    assert joined.status_code == 200, joined.text
    with client.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the event never completed")


def test_a_server_path_sent_as_an_upload_is_not_copied_into_the_corpus(tmp_path):
    secret = tmp_path / "outside" / "secret-notes.md"
    secret.parent.mkdir()
    secret.write_text("# Secret\n\nThe vault code is 1234.\n")
    assistant = ui_assistant(tmp_path)
    with TestClient(create_app(assistant)) as client:
        result = gradio_call(client, "Add and sync", [str(secret)])
        assert not result.get("success", True)
        assert not (Path(assistant.settings.corpus_dir) / "secret-notes.md").exists()
        assert "secret-notes.md" not in {d.doc_id for d in assistant.documents()}
        assert client.get("/documents/view/secret-notes.md").status_code == 404


def test_uploads_come_only_from_the_upload_folder_and_never_overwrite(tmp_path):
    from programme_assistant.ui.maintainers import CorpusEditor, add_and_sync

    assistant = ui_assistant(tmp_path)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    editor = CorpusEditor(assistant, upload_root=uploads)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("# Elsewhere\n\nNot uploaded.\n")
    report, note = add_and_sync(editor, True, [str(elsewhere)], "(top level)")
    assert report is None and "not uploaded through this page" in note
    original = (Path(assistant.settings.corpus_dir) / "news/plenary.md").read_text()
    twin = uploads / "plenary.md"
    twin.write_text("# Replaced\n\nSomething else entirely.\n")
    report, note = add_and_sync(editor, True, [str(twin)], "news")
    assert report is None and "already in the corpus" in note
    assert (Path(assistant.settings.corpus_dir) / "news/plenary.md").read_text() == original


def test_no_document_editing_for_other_machines_without_a_password_or_login(tmp_path):
    with pytest.raises(ConfigError, match="PA_HOST=0.0.0.0"):
        Settings(host="0.0.0.0").check_exposure()
    Settings(host="0.0.0.0", admin_password=SecretStr("pw")).check_exposure()
    Settings(host="0.0.0.0", login_users=SecretStr("ann:pw")).check_exposure()
    Settings(host="0.0.0.0", document_editing=False).check_exposure()
    Settings(host="127.0.0.1").check_exposure()
    with pytest.raises(ConfigError):
        create_app(ui_assistant(tmp_path, host="0.0.0.0"))


# --- 2. store down -> 500 ----------------------------------------------------------------------------------
class _Unreachable:
    """A Chroma collection whose server has gone away: every call raises what the HTTP client raises."""

    def __getattr__(self, name: str):
        def fail(*args, **kwargs):
            raise httpx.ConnectError("[Errno 111] Connection refused")

        return fail


def test_store_down_gives_503_naming_the_store_and_a_degraded_health(tmp_path):
    assistant = ui_assistant(tmp_path)
    store = assistant.search.store
    store.where = "the Chroma server at 127.0.0.1:8765"
    with TestClient(create_app(assistant), raise_server_exceptions=False) as client:
        working = store._collection
        store._collection = _Unreachable()
        ask = client.post("/api/ask", json={"question": "Where was the third plenary held?"})
        assert ask.status_code == 503 and "127.0.0.1:8765" in ask.json()["error"] and ask.json()["fix"]
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert "127.0.0.1:8765" in health.json()["reason"]
        page = client.get("/")
        assert page.status_code == 200
        store._collection = working  # the server is back: everything works again by itself
        assert client.post("/api/ask", json={"question": "Where was the third plenary held?"}).status_code == 200
        assert client.get("/api/health").json()["status"] == "ok"


def test_the_header_says_the_index_is_unavailable_instead_of_failing(tmp_path):
    from programme_assistant.ui import header_html

    assistant = ui_assistant(tmp_path)
    assistant.search.store._collection = _Unreachable()
    html = header_html(assistant)
    assert "Index unavailable" in html and "PA_CHROMA_HOST" in html


def test_chat_shows_a_message_when_the_store_is_down(tmp_path):
    from programme_assistant.ui.chat import ChatController

    assistant = ui_assistant(tmp_path)
    assistant.search.store._collection = _Unreachable()
    *_, (messages, _turns, _sources, _box) = ChatController(assistant).respond("Where was the plenary?", [], [])
    assert "cannot be reached" in messages[-1]["content"]


# --- 4. disk full during ingest ------------------------------------------------------------------------------
def test_a_full_disk_stops_the_sync_with_a_report_and_the_next_run_repairs(settings, corpus, fake_embedder):
    from conftest import make_sync, write_md

    for i in range(3):
        write_md(corpus, f"news/n{i}.md", f"News {i}", [f"Paragraph {i} about hydrogen buses in Aichi."])
    sync = make_sync(settings, fake_embedder)
    real_upsert = sync.store.upsert
    calls = {"n": 0}

    def upsert_until_full(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return real_upsert(*args, **kwargs)

    sync.store.upsert = upsert_until_full
    report = sync.sync(corpus)
    assert not report.ok and "full" in report.stopped and "nothing is lost" in report.stopped_fix
    assert report.to_dict()["stopped"] and report.counts()["failed"] == 2
    sync.store.upsert = real_upsert
    again = sync.sync(corpus)
    assert again.ok and again.counts()["added"] + again.counts()["updated"] == 2 and again.total_chunks == 3
    assert again.repaired  # the file whose write was cut off is reconciled, as after a kill


def test_cli_ingest_prints_the_full_disk_and_exits_1(tmp_path, monkeypatch, capsys):
    from conftest import CountingFakeEmbedding, write_md

    from programme_assistant import assistant as assistant_module
    from programme_assistant import cli
    from programme_assistant.retrieval.store import ChunkStore

    corpus = tmp_path / "c"
    write_md(corpus, "a.md", "A", ["Some text about the programme."])
    monkeypatch.setattr(assistant_module, "build_embedder", lambda s: CountingFakeEmbedding(size=16, embedded=[]))

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ChunkStore, "upsert", full)
    assert cli.main(["ingest", str(corpus), "--index", str(tmp_path / "i"), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert "is full" in out["stopped"] and out["ok"] is False


# --- 5. bad input -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory):
    assistant = ui_assistant(tmp_path_factory.mktemp("sec"))
    with TestClient(create_app(assistant)) as c:
        yield c


def test_a_lone_surrogate_is_a_422_not_a_500(client):
    body = '{"question": "Keihanna \\ud800 meeting"}'
    r = client.post("/api/ask", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "unicode string" in r.text and "ud800" in r.text
    body = '{"question": "Where?", "history": [["When \\udfff was it?", "x"]]}'
    assert client.post("/api/ask", content=body, headers={"content-type": "application/json"}).status_code == 422


def test_request_size_and_history_are_bounded(client):
    huge = {"question": "Where was it?", "history": [["q" * 1000, "a" * 1000]] * 2000}
    r = client.post("/api/ask", json=huge)
    assert r.status_code == 413 and "PA_MAX_REQUEST_KB" in r.json()["fix"]
    many = {"question": "Where was it?", "history": [["q", "a"]] * 51}
    r = client.post("/api/ask", json=many)
    assert r.status_code == 413 and "PA_MAX_HISTORY_TURNS" in r.json()["detail"]


def test_impossible_and_reversed_dates_are_422(client):
    for filters in ({"date_from": "2023-13-45"}, {"date_to": "2023-02-30"},
                    {"date_from": "2023-06-01", "date_to": "2023-01-01"}):
        r = client.post("/api/ask", json={"question": "Which meetings?", "filters": filters})
        assert r.status_code == 422, filters
    ok = client.post("/api/ask", json={"question": "Which meetings?",
                                       "filters": {"date_from": "2023-06", "date_to": "2023-06"}})
    assert ok.status_code == 200


def test_a_month_filter_covers_the_whole_month():
    from programme_assistant.models import Filters

    june = Filters(date_from="2023-06", date_to="2023-06")
    assert june.matches({"date_int": 20230628}) and june.matches({"date_int": 20230601})
    assert not june.matches({"date_int": 20230701})


# --- 6. configuration and password guessing ---------------------------------------------------------------------
def test_empty_admin_password_and_userless_login_are_refused():
    with pytest.raises(ConfigError, match="PA_ADMIN_PASSWORD"):
        Settings(admin_password=SecretStr(""))
    with pytest.raises(ConfigError, match="PA_LOGIN_USERS"):
        Settings(login_users=SecretStr(" "))


def test_wrong_admin_passwords_are_throttled_per_client():
    now = [0.0]
    throttle = PasswordThrottle(free=3, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait("10.0.0.1") == 0
        throttle.failed("10.0.0.1")
    throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == pytest.approx(2.0) and throttle.wait("10.0.0.2") == 0
    now[0] += 2.0
    throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == pytest.approx(4.0)  # doubles
    throttle.succeeded("10.0.0.1")
    assert throttle.wait("10.0.0.1") == 0


# --- 7. links, the locked panel ----------------------------------------------------------------------------------
def test_only_web_addresses_become_links_in_the_viewer():
    from programme_assistant.models import SourceDocument
    from programme_assistant.ui.viewer import document_page, is_web_address

    assert is_web_address("https://example.org/a") and not is_web_address("javascript:alert(1)")
    assert not is_web_address("data:text/html,x") and not is_web_address("/etc/passwd")
    doc = SourceDocument(doc_id="a.md", text="# A\n\nText.", title="A", source_path="a.md", content_hash="",
                         url="javascript:alert(1)")
    page = document_page(doc, None, None)
    assert 'href="javascript' not in page and "javascript:alert(1)" in page


def test_the_locked_documents_tab_sends_no_folder_or_document_list(tmp_path):
    from programme_assistant.ui.maintainers import DOCUMENT_COLUMNS

    assistant = ui_assistant(tmp_path, admin_password=SecretStr("s3cret"))
    with TestClient(create_app(assistant)) as client:
        config = client.get("/config").json()
        assert str(Path(assistant.settings.corpus_dir)) not in json.dumps(config)
        panel = [c for c in config["components"] if c["props"].get("value", {}) and isinstance(
            c["props"]["value"], dict) and c["props"]["value"].get("headers") == DOCUMENT_COLUMNS]
        assert panel and all(not c["props"]["value"]["data"] for c in panel)
        delete_list = [c for c in config["components"] if c["props"].get("label") == "Document"]
        assert delete_list and all(not c["props"].get("choices") for c in delete_list)


def test_a_store_error_names_a_read_only_folder_or_a_full_disk():
    from programme_assistant.retrieval.store import store_failure

    full = store_failure(OSError(28, "No space left on device"), "the index folder /x", "store passages")
    assert "full" in full.message and "PA_CHROMA_HOST" not in full.fix
    readonly = store_failure(Exception("attempt to write a readonly database"), "the index folder /x", "store")
    assert "read-only" in readonly.message and "PA_CHROMA_HOST" not in readonly.fix
    gone = store_failure(httpx.ConnectError("refused"), "the Chroma server at h:1", "search")
    assert isinstance(gone, StoreError) and "PA_CHROMA_HOST" in gone.fix


def test_a_raw_call_to_a_locked_tab_gets_no_document_list(tmp_path):
    assistant = ui_assistant(tmp_path, admin_password=SecretStr("s3cret"))
    with TestClient(create_app(assistant)) as client:
        result = gradio_call(client, "Sync folder now", [], session="locked")
        table, victim = result["output"]["data"][:2]
        assert "Unlock the tab first" in json.dumps(result["output"]["data"])
        assert "value" not in table and "choices" not in victim  # nothing of the index is sent


def test_after_an_upload_the_header_counts_the_new_document(tmp_path):
    from programme_assistant.ui import header_html
    from programme_assistant.ui.maintainers import CorpusEditor, add_and_sync

    assistant = ui_assistant(tmp_path)
    assert "6 documents" in header_html(assistant)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "new.md").write_text("# New\n\nA new note about the programme.\n")
    add_and_sync(CorpusEditor(assistant, upload_root=uploads), True, [str(uploads / "new.md")], "(top level)")
    assert "7 documents" in header_html(assistant)
    with TestClient(create_app(assistant)) as client:  # the event's outputs include the header
        config = client.get("/config").json()
        components = {c["id"]: c for c in config["components"]}
        add = next(d for d in config["dependencies"] if any(
            components.get(t[0], {}).get("props", {}).get("value") == "Add and sync" for t in d["targets"]))
        assert any(components[o]["props"].get("elem_id") is None and "pa-header" in str(components[o]["props"])
                   for o in add["outputs"])


def test_delete_without_the_confirm_box_keeps_the_chosen_document(tmp_path):
    assistant = ui_assistant(tmp_path)
    with TestClient(create_app(assistant)) as client:
        result = gradio_call(client, "Delete", [], session="del", choice="news/plenary.md")
        victim = result["output"]["data"][1]
        assert "tick the box" in json.dumps(result["output"]["data"])
        assert "choices" in victim and "value" not in victim  # the choice stays as it was


def test_a_read_only_index_is_answered_from_a_copy_and_not_synced(tmp_path, monkeypatch):
    import os

    from programme_assistant import assistant as assistant_module
    from programme_assistant.assistant import Assistant

    built = ui_assistant(tmp_path)  # an index that exists, then turns read-only
    real_access = os.access
    index = built.settings.index_dir
    monkeypatch.setattr(assistant_module.os, "access",
                        lambda path, mode: False if Path(path) == index else real_access(path, mode))
    reopened = Assistant.from_settings(built.settings, embedder=built.search.store.embedder)
    assert reopened.read_only_from == index and reopened.settings.index_dir != index
    assert "Palau Robert" in reopened.ask("Where was the third plenary held?").text
    with pytest.raises(StoreError, match="read-only"):
        reopened.sync()

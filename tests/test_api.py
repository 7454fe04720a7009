"""The HTTP API, the document routes and the login, through FastAPI's test client on the whole app
(API + document viewer + mounted Gradio UI), over the small corpus of test_ui.py."""

from __future__ import annotations

import base64
import re
import threading
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from test_ui import ui_assistant

from programme_assistant.ui import create_app


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One app for the tests that only read (building it takes a second or two)."""
    assistant = ui_assistant(tmp_path_factory.mktemp("api"))
    with TestClient(create_app(assistant)) as c:
        yield assistant, c


@pytest.fixture
def assistant(shared):
    return shared[0]


@pytest.fixture
def client(shared):
    return shared[1]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_health_reports_index_models_and_last_sync(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["documents"] == 6 and body["chunks"] > 6
    assert body["embedding_model"] == "BagOfWordsEmbedding" and body["answerer"] == "extractive"
    assert body["last_sync"] and body["llm_model"] is None and body["retrieval_mode"] == "hybrid"


def test_ask_returns_the_answer_as_json(client):
    r = client.post("/api/ask", json={"question": "Which prefectures did Group B visit during the study visit?"})
    assert r.status_code == 200
    body = r.json()
    assert not body["refused"] and "Osaka" in body["text"] and "[1]" in body["text"]
    c = body["citations"][0]
    assert c["doc_id"] == "minutes/visit.md" and c["quote"] in c["passage"] and c["number"] == 1
    assert set(body["timings"]) >= {"rewrite", "retrieve", "answer", "total"} and body["retrieved"]


def test_ask_with_history_and_filters(client):
    first = client.post("/api/ask", json={"question": "Which prefectures did Group A visit during the study visit?"})
    follow = client.post(
        "/api/ask", json={"question": "And Group B?", "history": [[first.json()["question"], first.json()["text"]]]}
    ).json()
    assert "Osaka" in follow["text"] and follow["standalone_question"] != "And Group B?"
    filtered = client.post(
        "/api/ask",
        json={
            "question": "Where was the third plenary held?",
            "filters": {"doc_types": ["minutes"], "date_to": "2023"},
        },
    ).json()
    assert all(c["doc_type"] == "minutes" for c in filtered["citations"])
    assert all(r["doc_id"] == "minutes/visit.md" for r in filtered["retrieved"])


def test_ask_of_an_index_that_holds_no_documents_is_an_error_that_says_to_ingest(tmp_path):
    from test_answering import BagOfWordsEmbedding
    from test_ui import ui_settings

    from programme_assistant.assistant import Assistant

    assistant = Assistant.from_settings(ui_settings(tmp_path), embedder=BagOfWordsEmbedding())  # never synced
    with TestClient(create_app(assistant)) as c:
        r = c.post("/api/ask", json={"question": "Which prefectures did Group B visit?"})
    assert r.status_code == 503 and "holds no documents" in r.json()["error"]
    assert "programme-assistant ingest" in r.json()["fix"]


def test_ask_rejects_bad_requests(client, assistant):
    assert client.post("/api/ask", json={"question": "  "}).status_code == 422
    assert client.post("/api/ask", json={}).status_code == 422
    assert client.post("/api/ask", json={"question": "x", "filters": {"date_from": "last week"}}).status_code == 422
    assert client.post("/api/ask", json={"question": "x", "history": [["only one"]]}).status_code == 422
    long = "word " * assistant.settings.max_question_chars
    r = client.post("/api/ask", json={"question": long})
    assert r.status_code == 413 and "PA_MAX_QUESTION_CHARS" in r.json()["detail"]


def test_many_questions_at_once_are_all_answered(tmp_path):
    assistant = ui_assistant(tmp_path, concurrency_limit=2)
    results: list[int] = []
    with TestClient(create_app(assistant)) as c:

        def ask(i: int) -> None:
            q = ["Where was the third plenary held?", "Which prefectures did Group A visit?"][i % 2]
            results.append(c.post("/api/ask", json={"question": q}).status_code)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert results == [200] * 12


def test_document_view_renders_text_as_text_and_highlights(client, assistant):
    answer = assistant.ask("What did the hydrogen webinar banner show in its corner?")
    c = next(c for c in answer.citations if c.doc_id == "news/banner.md")
    r = client.get(f"/documents/view/{c.doc_id}", params={"start": c.quote_start, "end": c.quote_end})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    html = r.text
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<mark id="quote">' in html
    original = re.search(r'<div class="links"><a href="([^"]+)"', html).group(1)
    page = f"http://testserver/documents/view/{c.doc_id}"
    assert urljoin(page, original) == "http://testserver/documents/file/news/banner.md"
    assert client.get(urljoin(page, original)).status_code == 200


def test_original_files_are_served_inertly(client):
    r = client.get("/documents/file/news/banner.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "sandbox" in r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"
    assert "<script>alert('x')</script>" in r.text  # the bytes as they are, shown as text


@pytest.mark.parametrize(
    "path",
    [
        "/documents/file/../pyproject.toml",
        "/documents/file/%2e%2e/%2e%2e/pyproject.toml",
        "/documents/file/news/..%2F..%2Ffeedback.sqlite",
        "/documents/file//etc/passwd",
        "/documents/file/%2Fetc%2Fpasswd",
        "/documents/view/..%2F..%2Findex%2Fmanifest-programme.sqlite",
        "/documents/file/news/missing.md",
        "/documents/file/news%00/banner.md",
    ],
)
def test_no_path_traversal(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "root:" not in r.text and "[build-system]" not in r.text


def test_a_file_added_outside_the_index_is_not_served(client, assistant):
    path = assistant.settings.corpus_dir / "news" / "unsynced.md"
    path.write_text("# Not yet\n\nsecret draft")
    try:
        assert client.get("/documents/file/news/unsynced.md").status_code == 404
    finally:
        path.unlink()


def test_the_api_docs_page_needs_no_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and "cdn." not in page.text
    for asset in ("/api/docs-static/swagger-ui-bundle.js", "/api/docs-static/swagger-ui.css"):
        assert asset in page.text and client.get(asset).status_code == 200
    assert client.get("/api/openapi.json").json()["paths"]["/api/ask"]


def test_the_chat_page_is_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "gradio" in r.text.lower() and "Programme Assistant" in r.text


def test_login_protects_ui_api_and_documents(tmp_path):
    assistant = ui_assistant(tmp_path, login_users=SecretStr("alice:wonder land,bob:builder"))
    with TestClient(create_app(assistant)) as c:
        for path in [
            "/",
            "/api/health",
            "/documents/view/news/plenary.md",
            "/documents/file/news/plenary.md",
            "/gradio_api/info",
            "/config",
        ]:
            r = c.get(path)
            assert r.status_code == 401, path
            assert r.headers["www-authenticate"].startswith("Basic ")
        assert c.get("/api/health", headers=basic("alice", "wrong")).status_code == 401
        assert c.get("/api/health", headers=basic("mallory", "builder")).status_code == 401
        assert c.get("/api/health", headers={"Authorization": "Basic !!!"}).status_code == 401
        assert c.post("/api/ask", json={"question": "Where was the third plenary held?"}).status_code == 401
        ok = basic("alice", "wonder land")
        assert c.get("/api/health", headers=ok).status_code == 200
        assert c.get("/", headers=basic("bob", "builder")).status_code == 200
        assert c.get("/documents/view/news/plenary.md", headers=ok).status_code == 200
        r = c.post("/api/ask", json={"question": "Where was the third plenary held?"}, headers=ok)
        assert r.status_code == 200 and "Palau Robert" in r.json()["text"]


def test_serve_listens_first_then_prints_the_address(monkeypatch, capsys):
    import uvicorn
    from fastapi import FastAPI

    from programme_assistant.errors import ConfigError
    from programme_assistant.ui.server import bind, serve, url_for

    served: list[object] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append(sockets))
    taken = bind("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(FastAPI(), "127.0.0.1", port, login=False)
        assert served == [] and "ready" not in capsys.readouterr().out
    finally:
        taken.close()
    serve(FastAPI(), "127.0.0.1", port, login=False)
    out = capsys.readouterr().out
    assert f"programme-assistant is ready: http://127.0.0.1:{port}" in out and "warning" not in out
    assert len(served) == 1 and served[0][0].getsockname()[1] == port
    served[0][0].close()
    assert url_for("0.0.0.0", 7860) == "http://127.0.0.1:7860" and url_for("::1", 80) == "http://[::1]:80"


def test_sync_over_http_needs_editing_and_the_admin_password(tmp_path):
    assistant = ui_assistant(tmp_path, admin_password=SecretStr("s3cret"))
    (assistant.settings.corpus_dir / "news" / "2024-02-01-new-call.md").write_text(
        "---\ntitle: New call\ntype: news\ndate: 2024-02-01\n---\n\nThe fourth call opens on 1 March 2024 for "
        "cluster organisations in Galicia.\n", encoding="utf-8")
    with TestClient(create_app(assistant)) as c:
        r = c.post("/api/sync")
        assert r.status_code == 403 and "X-Admin-Password" in r.json()["fix"]
        assert c.post("/api/sync", headers={"X-Admin-Password": "wrong"}).status_code == 403
        r = c.post("/api/sync", headers={"X-Admin-Password": "s3cret"})
        assert r.status_code == 200, r.text
        assert r.json()["ok"] and r.json()["counts"]["added"] == 1
        answer = c.post("/api/ask", json={"question": "When does the fourth call open?"}).json()
        assert "1 March 2024" in answer["text"]
    locked = ui_assistant(tmp_path / "locked", document_editing=False)
    with TestClient(create_app(locked)) as c:
        r = c.post("/api/sync")
        assert r.status_code == 403 and "PA_DOCUMENT_EDITING" in r.json()["fix"]

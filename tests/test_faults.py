"""The fault suite (issue #12): what happens to the index and the app when things go wrong for real.

- kill -9 during cold syncs, at three moments of successive syncs; the next sync must leave exactly what a clean
  sync leaves;
- files changed and deleted while a sync runs;
- the disk filling up during a sync (a 1 MiB tmpfs; needs root to mount, skipped otherwise);
- a Chroma server (``chroma run`` on loopback) killed mid-session, then restarted.

The syncs run the real CLI in a subprocess with the real embedding model on the sample corpus; the Chroma server
test answers with fake embeddings in-process. Run with ``make faults`` (CI runs it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from benchmarks.ports import free_port

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "programme_assistant"]


def ingest(corpus: Path, index: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    return subprocess.run([*CLI, "ingest", str(corpus), "--index", str(index), "--json"], capture_output=True,
                          text=True, timeout=timeout, env=env)


def start_ingest(corpus: Path, index: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    return subprocess.Popen([*CLI, "ingest", str(corpus), "--index", str(index), "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def index_state(index: Path) -> dict[str, tuple[str, str, int]]:
    """chunk id -> (doc id, text, chunk index) of everything stored, read as the app reads it."""
    from langchain_core.embeddings import DeterministicFakeEmbedding

    from programme_assistant.retrieval.store import ChunkStore, make_chroma_client

    store = ChunkStore(make_chroma_client(index), "programme", DeterministicFakeEmbedding(size=8))
    data = store.all_chunks()
    return {cid: (str(m["doc_id"]), text, int(m["chunk_index"]))
            for cid, text, m in zip(data["ids"], data["documents"], data["metadatas"], strict=True)}


def manifest_docs(index: Path) -> dict[str, tuple[str, ...]]:
    from programme_assistant.ingest.manifest import Manifest

    manifest = Manifest(index / "manifest-programme.sqlite")
    try:
        return {d: r.chunk_ids for d, r in manifest.records().items() if r.status == "complete"}
    finally:
        manifest.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("faults") / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    return corpus


@pytest.fixture(scope="module")
def reference_index(sample, tmp_path_factory) -> Path:
    """The index a clean, uninterrupted sync of the sample corpus leaves (tests copy it, never change it)."""
    index = tmp_path_factory.mktemp("reference") / "index"
    done = ingest(sample, index)
    assert done.returncode == 0, done.stderr[-2000:]
    return index


@pytest.fixture(scope="module")
def reference(reference_index) -> dict[str, tuple[str, str, int]]:
    state = index_state(reference_index)
    assert len(state) > 100
    return state


def completed_files(index: Path) -> int:
    """How many files the manifest of a running sync has recorded as complete (0 before it exists)."""
    import sqlite3

    path = index / "manifest-programme.sqlite"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT count(*) FROM files WHERE status = 'complete'").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:  # created but its tables not yet
        return 0


def kill_when(process: subprocess.Popen[str], index: Path, files: int, timeout: float = 600) -> None:
    """kill -9 ``process`` as soon as its sync has recorded ``files`` files complete."""
    deadline = time.monotonic() + timeout
    while completed_files(index) < files:
        if process.poll() is not None:
            pytest.fail(f"the sync ended before {files} files were complete: {process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the sync did not complete {files} files within {timeout} s")
        time.sleep(0.1)
    kill_9(process, f"after {files} files")


def kill_9(process: subprocess.Popen[str], moment: str) -> None:
    """kill -9 a sync that must still be running at ``moment``."""
    if process.poll() is not None:
        pytest.fail(f"the sync finished before the kill {moment}: make the corpus larger")
    process.send_signal(signal.SIGKILL)
    process.wait()


def test_kill_9_at_three_moments_of_successive_syncs_then_a_sync_equals_a_clean_one(sample, reference_index,
                                                                                  reference, tmp_path):
    """Each sync is killed at a later moment than the one before, so each starts from what a killed sync left:
    while the process starts (the store being created), once the first file is stored (chunks being written),
    once every file is stored (the answer sentences being embedded into the vector cache)."""
    files = len(manifest_docs(reference_index))
    index = tmp_path / "index"
    process = start_ingest(sample, index)
    time.sleep(4.0)
    kill_9(process, "at 4 s")
    kill_when(start_ingest(sample, index), index, 1)
    assert 1 <= completed_files(index) < files
    kill_when(start_ingest(sample, index), index, files)
    repaired = ingest(sample, index)
    assert repaired.returncode == 0, repaired.stderr[-2000:]
    report = json.loads(repaired.stdout)
    assert report["ok"] and report["total_chunks"] == len(reference)
    assert report["prepared_sentences"] > 0  # the killed embedding of answer sentences was finished
    state = index_state(index)
    assert state == reference  # same ids, same texts, same documents: no duplicate, nothing missing
    assert sorted(c for ids in manifest_docs(index).values() for c in ids) == sorted(reference)
    assert lexical_state(index) == {cid: text for cid, (_doc, text, _i) in reference.items()}  # BM25's too


def lexical_state(index: Path) -> dict[str, str]:
    """chunk id -> text of every passage in the lexical index on disk, as a new process opens it."""
    import sqlite3

    db = sqlite3.connect(index / "lexical-programme.sqlite")
    try:
        assert db.execute("SELECT value FROM meta WHERE key = 'dirty'").fetchone() == ("0",)
        return dict(db.execute("SELECT chunk_id, text FROM passages").fetchall())
    finally:
        db.close()


def test_files_changed_and_deleted_during_a_sync(sample, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(sample, corpus)
    index = tmp_path / "index"
    process = start_ingest(corpus, index)
    time.sleep(5.0)
    changed = corpus / "news/2022-10-20-six-regions-five-prefectures-join-r2r.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA late correction: the kick-off moved online.\n",
                       encoding="utf-8")
    (corpus / "minutes/2022-07-13-first-exchange-meeting.md").unlink()
    process.communicate(timeout=600)
    assert process.returncode in (0, 1)
    again = ingest(corpus, index)
    assert again.returncode == 0, again.stderr[-2000:]
    clean_index = tmp_path / "clean"
    assert ingest(corpus, clean_index).returncode == 0
    assert index_state(index) == index_state(clean_index)
    assert not any(doc == "minutes/2022-07-13-first-exchange-meeting.md" for doc, _, _ in index_state(index).values())


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


def test_a_full_disk_is_reported_and_the_next_sync_with_space_repairs(sample, reference, tmp_path):
    index = tmp_path / "small"
    if not _mount_tmpfs(index, "1m"):
        pytest.skip("mounting a tmpfs needs root")
    try:
        full = ingest(sample, index)
        assert full.returncode == 1, full.stdout[-2000:] + full.stderr[-2000:]
        assert "Traceback" not in full.stderr
        report = json.loads(full.stdout)  # the report is still written
        assert "full" in report["stopped"] and str(index) in report["stopped"] and not report["ok"]
        subprocess.run(["mount", "-o", "remount,size=256m", str(index)], check=True)
        repaired = ingest(sample, index)
        assert repaired.returncode == 0, repaired.stderr[-2000:]
        assert index_state(index) == reference
    finally:
        subprocess.run(["umount", "-l", str(index)], capture_output=True)


# --- a Chroma server killed mid-session -------------------------------------------------------------------------


def _start_chroma(path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.fail("the chroma command (chromadb's server) is not in the virtual environment")
    with log.open("ab") as out:
        server = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
                                   str(port)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"chroma run exited: {log.read_text()[-2000:]}")
            time.sleep(0.3)
    server.kill()
    pytest.fail(f"chroma run did not answer within 60 s: {log.read_text()[-2000:]}")


def test_a_chroma_server_killed_mid_session_gives_503_then_recovers(tmp_path):
    from fastapi.testclient import TestClient
    from test_ui import ui_assistant

    from programme_assistant.ui import create_app

    port = free_port()
    data, log = tmp_path / "chroma-data", tmp_path / "chroma.log"
    server = _start_chroma(data, port, log)
    try:
        assistant = ui_assistant(tmp_path, chroma_host="127.0.0.1", chroma_port=port)
        question = {"question": "Where was the third plenary held?"}
        with TestClient(create_app(assistant), raise_server_exceptions=False) as client:
            first = client.post("/api/ask", json=question)
            assert first.status_code == 200 and "Palau Robert" in first.json()["text"]
            server.send_signal(signal.SIGKILL)
            server.wait()
            down = client.post("/api/ask", json=question)
            assert down.status_code == 503 and f"127.0.0.1:{port}" in down.json()["error"]
            health = client.get("/api/health")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert client.get("/").status_code == 200  # the page itself still loads
            server = _start_chroma(data, port, log)
            deadline = time.monotonic() + 30
            again = client.post("/api/ask", json=question)
            while again.status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.5)
                again = client.post("/api/ask", json=question)
            assert again.status_code == 200 and "Palau Robert" in again.json()["text"]
            assert client.get("/api/health").json()["status"] == "ok"
    finally:
        server.kill()
        server.wait()


def test_two_workers_over_one_chroma_server_see_each_others_syncs(tmp_path):
    """Stateless workers: each keeps its own lexical index in its own folder; a sync through one is searched by
    the other within a few seconds (the store's index version, compared at most once per lexical_refresh_s)."""
    from conftest import wait_for_lexical_hit, write_md
    from test_answering import BagOfWordsEmbedding
    from test_ui import ui_settings, write_ui_corpus

    from programme_assistant.assistant import Assistant
    from programme_assistant.models import Filters

    port = free_port()
    server = _start_chroma(tmp_path / "chroma-data", port, tmp_path / "chroma.log")
    try:
        first = ui_settings(tmp_path / "one", chroma_host="127.0.0.1", chroma_port=port)
        write_ui_corpus(first.corpus_dir)
        writer = Assistant.from_settings(first, embedder=BagOfWordsEmbedding())
        assert writer.sync().ok
        reader = Assistant.from_settings(ui_settings(tmp_path / "two", chroma_host="127.0.0.1", chroma_port=port),
                                         embedder=BagOfWordsEmbedding())
        assert reader.search.lexical("Palau Robert", 1, Filters())  # caught up from the server at start
        assert reader.search.lexical("Yumeshima pavilion", 3, Filters()) == []
        write_md(first.corpus_dir, "news/expo.md", "Expo", ["The Yumeshima island hosts the expo pavilion."])
        assert writer.sync().ok
        seen = wait_for_lexical_hit(reader.search, "Yumeshima pavilion", "news/expo.md", 10,
                                    "the second worker did not see the first one's sync")
        assert seen < 5
        assert reader.ask("Where is the expo pavilion?").citations[0].doc_id == "news/expo.md"
    finally:
        server.kill()
        server.wait()


def test_a_read_only_index_answers_and_refuses_to_sync(sample, reference_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(reference_index, index)
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", str(index), str(index)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a read-only bind mount needs root")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(index)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
        asked = subprocess.run([*CLI, "ask", "Where was the second exchange meeting held?", "--index", str(index)],
                               capture_output=True, text=True, timeout=300, env=env)
        assert asked.returncode == 0 and "Keihanna" in asked.stdout  # answered from a private copy
        synced = ingest(sample, index)
        assert synced.returncode == 2 and "read-only" in synced.stderr and "Traceback" not in synced.stderr
        assert "PA_CHROMA_HOST" not in synced.stderr
    finally:
        subprocess.run(["umount", "-l", str(index)], capture_output=True)

"""The cluster on one machine (scripts/cluster.sh, as `make cluster` runs it): a Chroma server, PostgreSQL, two
workers and HAProxy on loopback. A sync through one worker is found by the other; conversations live in
PostgreSQL, so any worker continues any of them; a worker killed with -9 does not stop the answers.

Run with ``python -m pytest -m cluster`` (.ci/run does); it takes a minute or two (one sync of the corpus).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from benchmarks.cluster import cluster_env

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[1]
NEW_DOC = """---
title: Fifth exchange call
type: news
date: 2024-05-02
---

The fifth exchange call of the strand opens on 17 June 2024 and is reserved for maritime clusters of the
Azores and Shizuoka.
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    state = Path(f"/tmp/pa-cluster-test-{os.getpid()}")  # PostgreSQL's own user must reach it: not under /root
    shutil.rmtree(state, ignore_errors=True)
    corpus = tmp / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env, ports = cluster_env(state, PA_CORPUS_DIR=str(corpus))
    lb, w1 = ports["balancer"], ports["worker"]
    started = subprocess.run(["bash", "scripts/cluster.sh", "start"], cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=900)
    try:
        assert started.returncode == 0, started.stderr[-3000:] + started.stdout[-2000:]
        assert f"http://127.0.0.1:{lb}" in started.stdout
        yield {"lb": f"http://127.0.0.1:{lb}", "workers": [f"http://127.0.0.1:{w1}", f"http://127.0.0.1:{w1 + 1}"],
               "corpus": corpus, "state": state}
    finally:
        subprocess.run(["bash", "scripts/cluster.sh", "stop"], cwd=REPO, env=env, capture_output=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def ask(base: str, question: str, **extra: object) -> dict:
    r = httpx.post(f"{base}/api/ask", json={"question": question, **extra}, timeout=60,
                   headers={"X-Client-Id": "cluster-test-client"})
    assert r.status_code == 200, r.text
    return r.json()


def test_any_worker_continues_a_conversation_kept_in_postgres(cluster):
    one, two = cluster["workers"]
    first = ask(one, "Which prefectures did Group A visit during the study visit?", new_conversation=True)
    follow = ask(two, "And Group B?", conversation_id=first["conversation_id"])
    assert "Group B" in follow["standalone_question"]
    listed = httpx.get(f"{cluster['lb']}/api/conversations", headers={"X-Client-Id": "cluster-test-client"}).json()
    assert [(c["id"], c["turns"]) for c in listed] == [(first["conversation_id"], 2)]


def test_a_sync_through_one_worker_is_found_by_the_other(cluster):
    """Both sides of worker two's search see the new passage within seconds, without a restart: the dense side
    (the Chroma server) and the lexical side (its index file, caught up when the store's index version moved)."""
    one, two = cluster["workers"]
    question = "When does the fifth exchange call open for the maritime clusters of the Azores and Shizuoka?"
    new_doc = "news/2024-05-02-fifth-call.md"

    def found(answer: dict) -> dict | None:
        return next((r for r in answer["retrieved"] if r["doc_id"] == new_doc), None)

    assert found(ask(two, question)) is None
    (cluster["corpus"] / "news" / "2024-05-02-fifth-call.md").write_text(NEW_DOC, encoding="utf-8")
    report = httpx.post(f"{one}/api/sync", timeout=300).json()
    assert report["ok"] and report["counts"]["added"] == 1
    deadline, hit = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        hit = found(ask(two, question))
        if hit and hit["lexical_score"] and hit["dense_score"]:
            break
        time.sleep(0.5)
    assert hit is not None, "worker two never retrieved the passage synced through worker one"
    assert hit["dense_score"] and hit["lexical_score"], hit
    assert ask(two, question)["retrieved"][0]["doc_id"] == new_doc


def test_the_ui_sticks_to_one_worker(cluster):
    with httpx.Client(base_url=cluster["lb"], timeout=30) as client:
        first = client.get("/")
        assert first.status_code == 200 and "PA_WORKER" in client.cookies
        worker = client.cookies["PA_WORKER"]
        for _ in range(4):
            client.get("/config")
            assert client.cookies["PA_WORKER"] == worker


def test_killing_a_worker_keeps_the_answers_coming(cluster):
    pid = int((cluster["state"] / "run" / "worker1.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    answered = [ask(cluster["lb"], "Where was the third plenary held?") for _ in range(12)]
    assert all("Palau Robert" in a["text"] for a in answered)
    health = httpx.get(f"{cluster['lb']}/api/health", timeout=10)
    assert health.status_code == 200

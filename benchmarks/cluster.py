"""Answers per second through the balancer with 1 and 2 workers, beside today's single process, in one run;
memory per worker (``make bench-cluster``; ``make bench`` runs it after the single-process figures).

Runs the bounded load test of benchmarks/soak.py (C clients x Q questions on /api/ask, a /api/health prober)
against: today's single process (``app.py``, embedded Chroma, SQLite), then the cluster of scripts/cluster.sh
(Chroma server, PostgreSQL, 2 workers, HAProxy) on free loopback ports: straight at worker 1 (no balancer),
through HAProxy with worker 2 taken out of rotation (its runtime API), and through HAProxy with both. Prints a
table and writes benchmarks/results/cluster.{json,md}.

    python -m benchmarks.cluster [--clients 8] [--per-client 10] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, RESULTS_DIR, machine_info, markdown_table, write_results
from benchmarks.ports import free_port, free_ports
from benchmarks.soak import run as load
from benchmarks.soak import start_app


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def cluster_env(state: Path, **extra: str) -> tuple[dict[str, str], dict[str, int]]:
    """The environment that runs scripts/cluster.sh with two workers on free loopback ports, state in ``state``
    (``extra``: more PA_ variables), and the ports: balancer, worker (the first; the second is the next port),
    chroma, postgres."""
    lb, w1, _w2, chroma, pg = free_ports(5, consecutive=True)  # the second worker takes the port after the first
    env = {**os.environ, "PA_CLUSTER_DIR": str(state), "PA_CLUSTER_PORT": str(lb), "PA_CLUSTER_WORKERS": "2",
           "PA_CLUSTER_WORKER_PORT": str(w1), "PA_CLUSTER_CHROMA_PORT": str(chroma), "PA_CLUSTER_PG_PORT": str(pg),
           "PA_CLUSTER_BIN": str(Path(sys.executable).parent), **extra}
    return env, {"balancer": lb, "worker": w1, "chroma": chroma, "postgres": pg}


def haproxy(state: Path, command: str) -> str:
    """One command on HAProxy's runtime API (its admin socket)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(state / "run" / "haproxy.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--keep", action="store_true", help="leave the cluster running afterwards")
    args = parser.parse_args(argv)

    rows: list[dict[str, Any]] = []
    single = Path(f"/tmp/pa-single-bench-{os.getpid()}")
    (single / "index").mkdir(parents=True, exist_ok=True)
    port = free_port()
    log(f"today's single process on 127.0.0.1:{port} (embedded store; syncs the corpus first)")
    app = start_app(single / "index", port, single / "app.log")
    try:
        load(f"http://127.0.0.1:{port}", 2, 2, args.timeout)  # warm
        log(f"single process: {args.clients} clients x {args.per_client} questions")
        result = load(f"http://127.0.0.1:{port}", args.clients, args.per_client, args.timeout)
        result.update(setup="today: one process, embedded store", worker_rss_mb=[rss_mb(app.pid)])
        rows.append(result)
    finally:
        app.terminate()
        app.wait(timeout=30)
        shutil.rmtree(single, ignore_errors=True)

    state = Path(f"/tmp/pa-cluster-bench-{os.getpid()}")
    env, ports = cluster_env(state)
    lb, w1 = ports["balancer"], ports["worker"]
    log(f"starting the cluster in {state}")
    t0 = time.perf_counter()
    started = subprocess.run(["bash", "scripts/cluster.sh", "start"], cwd=REPO_ROOT, env=env, text=True,
                             capture_output=True)
    if started.returncode:
        print(started.stderr, file=sys.stderr)
        return 1
    start_s = round(time.perf_counter() - t0, 1)
    workers = [f"http://127.0.0.1:{w1}", f"http://127.0.0.1:{w1 + 1}"]
    balancer = f"http://127.0.0.1:{lb}"
    pids = [int((state / "run" / f"worker{n}.pid").read_text()) for n in (1, 2)]
    try:
        for base in (*workers, balancer):  # warm both workers (first answers load models and caches)
            load(base, 2, 2, args.timeout)
        runs = [("one worker, direct (no balancer)", workers[0], None),
                ("balancer, 1 worker", balancer, "disable"),
                ("balancer, 2 workers", balancer, "enable")]
        for label, base, w2 in runs:
            if w2:
                for backend in ("api", "ui"):
                    haproxy(state, f"{w2} server {backend}/w2")
                time.sleep(1.5)
            log(f"{label}: {args.clients} clients x {args.per_client} questions")
            result = load(base, args.clients, args.per_client, args.timeout)
            result.update(setup=label, worker_rss_mb=[rss_mb(p) for p in pids])
            rows.append(result)
    finally:
        if not args.keep:
            subprocess.run(["bash", "scripts/cluster.sh", "stop"], cwd=REPO_ROOT, env=env, capture_output=True)
            shutil.rmtree(state, ignore_errors=True)

    table = markdown_table(
        ["setup", "answers", "errors", "answers/s", "answer p50 s", "answer p95 s", "health p95 ms",
         "worker RSS MB"],
        [[r["setup"], r["answers"], r["errors"], r["answers_per_s"], r["answer_p50_s"], r["answer_p95_s"],
          r["health_p95_ms"], " / ".join(str(m) for m in r["worker_rss_mb"])] for r in rows])
    text = (f"# Cluster: answers per second through HAProxy\n\n{table}\n\n"
            f"Cluster start (Chroma server, PostgreSQL, sync of the corpus, 2 workers, HAProxy): {start_s} s. "
            f"Machine: {machine_info()}\n")
    print(text)
    write_results(RESULTS_DIR, "cluster", {"runs": rows, "start_seconds": start_s, "machine": machine_info()}, text)
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

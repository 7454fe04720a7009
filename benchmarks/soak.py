"""Bounded load test (``make soak``): the app on loopback, 20 clients x 10 questions on /api/ask, and a prober on
/api/health every quarter second. Prints answers, errors, answer latency, throughput and health latency.

It measures; the bar (0 errors, health p95 under 1 s while answers queue) lives in issue #12. ``--check`` exits
1 when the bar is missed.

    python -m benchmarks.soak [--clients 20] [--per-client 10] [--index DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import REPO_ROOT, RESULTS_DIR, percentile
from benchmarks.ports import free_port

QUESTIONS = [
    "Which Japanese prefectures took part in the R2R strand?",
    "When and where was the second exchange meeting held?",
    "What were the dates of the study visit to Japan in November 2022?",
    "Who moderated the energy transition and hydrogen webinar?",
    "What is Keihanna?",
    "What is Casa Asia's role in the programme?",
    "Which European regions joined the R2R strand?",
    "What were the 2023 webinars about?",
    "What happened at the third plenary exchange at Palau Robert?",
    "What does S3 stand for?",
]


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def start_app(index: Path, port: int, out: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PA_")}
    env.update(PA_PORT=str(port), PA_HOST="127.0.0.1", PA_INDEX_DIR=str(index),
               PA_FEEDBACK_DB=str(index / "feedback.sqlite"))
    with out.open("wb") as sink:
        app = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, stdout=sink,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if app.poll() is not None:
            raise SystemExit(f"the app exited: {out.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return app
        except OSError:
            time.sleep(1)
    app.kill()
    raise SystemExit("the app did not answer within 600 s")


def run(base: str, clients: int, per_client: int, timeout: float) -> dict[str, Any]:
    answers: list[float] = []
    errors: list[str] = []
    health: list[float | None] = []
    lock = threading.Lock()
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=10) as r:
                    r.read()
                health.append(time.perf_counter() - t0)
            except OSError:
                health.append(None)
            stop.wait(0.25)

    def client(n: int) -> None:
        for i in range(per_client):
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            body = json.dumps({"question": question}).encode()
            request = urllib.request.Request(f"{base}/api/ask", data=body,
                                             headers={"content-type": "application/json"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=timeout) as r:
                    payload = json.loads(r.read())
                ok = bool(payload.get("text"))
                with lock:
                    (answers.append(time.perf_counter() - t0) if ok else errors.append("empty answer"))
            except (OSError, ValueError) as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {str(exc)[:80]}")

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    stop.set()
    prober.join()
    measured = [h for h in health if h is not None]
    return {
        "clients": clients, "questions": clients * per_client, "seconds": round(seconds, 1),
        "answers": len(answers), "errors": len(errors), "error_kinds": sorted(set(errors))[:5],
        "answers_per_s": round(len(answers) / seconds, 2),
        "answer_p50_s": round(percentile(answers, 50), 2) if answers else None,
        "answer_p95_s": round(percentile(answers, 95), 2) if answers else None,
        "health_probes": len(health), "health_failed": health.count(None),
        "health_p50_ms": round(percentile(measured, 50) * 1000, 1) if measured else None,
        "health_p95_ms": round(percentile(measured, 95) * 1000, 1) if measured else None,
        "health_max_ms": round(max(measured) * 1000, 1) if measured else None,
        "health_over_1s": sum(h > 1.0 for h in measured),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--index", type=Path, help="index folder (default: a new temporary one, synced first)")
    parser.add_argument("--check", action="store_true", help="exit 1 when errors > 0 or health p95 >= 1 s")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pa-soak-") as tmp:
        index = args.index or Path(tmp) / "index"
        index.mkdir(parents=True, exist_ok=True)
        port = free_port()
        log(f"starting the app on 127.0.0.1:{port} (index {index}; a first start syncs the sample corpus)")
        app = start_app(index, port, Path(tmp) / "app.log")
        try:
            log(f"{args.clients} clients x {args.per_client} questions, health probed every 0.25 s")
            result = run(f"http://127.0.0.1:{port}", args.clients, args.per_client, args.timeout)
        finally:
            app.terminate()
            app.wait(timeout=30)
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S %z")
    result["cpus"] = os.cpu_count()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "soak-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nSoak ({result['measured_at']}, {result['cpus']} CPUs): {result['clients']} clients x "
          f"{args.per_client} questions in {result['seconds']} s")
    print(f"  answers {result['answers']}/{result['questions']}, errors {result['errors']} "
          f"{result['error_kinds'] or ''}")
    print(f"  answer latency p50 {result['answer_p50_s']} s, p95 {result['answer_p95_s']} s; "
          f"{result['answers_per_s']} answers/s")
    print(f"  /api/health: {result['health_probes']} probes, p50 {result['health_p50_ms']} ms, "
          f"p95 {result['health_p95_ms']} ms, max {result['health_max_ms']} ms, over 1 s: "
          f"{result['health_over_1s']}, failed: {result['health_failed']}")
    met = result["errors"] == 0 and result["health_failed"] == 0 and (result["health_p95_ms"] or 0) < 1000
    print(f"  bar (0 errors, health p95 < 1 s): {'met' if met else 'MISSED'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    raise SystemExit(main())

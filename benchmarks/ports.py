"""Loopback ports for the servers the tests and benchmarks start (apps, workers, a Chroma server, PostgreSQL,
HAProxy, an LLM server).

A port the kernel hands out for ``bind(("127.0.0.1", 0))`` lies in its ephemeral range, the same range it draws the
local end of every outgoing connection from. Between picking such a port and a server binding it, a client socket
(a sync talking to the Chroma server, a worker to PostgreSQL) may take it, and the server then fails with "address
already in use". So the ports here are drawn from outside that range and checked to bind."""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # well above the ports system services listen on
HIGHEST = 65_535


def ephemeral_range(source: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The kernel's ephemeral port range (Linux's default when it cannot be read)."""
    try:
        low, high = (int(v) for v in source.read_text().split()[:2])
    except (OSError, ValueError):
        return 32_768, 60_999
    return low, high


def _binds(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n: int, *, consecutive: bool = False, ephemeral: tuple[int, int] | None = None,
               attempts: int = 2_000) -> list[int]:
    """``n`` distinct loopback ports that bind now and lie outside the ephemeral range (``consecutive``: a run of
    ``n`` ports in a row, for a script that numbers its workers from a first port)."""
    low, high = ephemeral if ephemeral is not None else ephemeral_range()
    spans = [(a, b) for a, b in ((LOWEST, low - 1), (high + 1, HIGHEST)) if b - a + 1 >= n]
    if not spans:
        raise RuntimeError(f"no room for {n} ports outside the ephemeral range {low}-{high}")
    rng = random.SystemRandom()
    chosen: list[int] = []
    for _ in range(attempts):
        a, b = rng.choice(spans)
        if consecutive:
            start = rng.randint(a, b - n + 1)
            run = list(range(start, start + n))
            if all(_binds(p) for p in run):
                return run
        else:
            port = rng.randint(a, b)
            if port not in chosen and _binds(port):
                chosen.append(port)
                if len(chosen) == n:
                    return chosen
    raise RuntimeError(f"found only {len(chosen)} of {n} free ports outside the ephemeral range {low}-{high}")


def free_port() -> int:
    """One loopback port that binds now, outside the ephemeral range."""
    return free_ports(1)[0]

"""Questionnaire submission throughput against an authenticated no-op, on one server.

    .venv/bin/python bench/submissions.py [--seconds 8] [--concurrency 1 8 32]

gunicorn on PostgreSQL (a fresh database ``keel_bench``), by default as the
README's production line runs it (3 sync workers, persistent database
connections), a nurse's API token. For each concurrency level the script runs, side by side in
the same run and against the same server:

- ``POST /api/v1/monitoring/patients/{id}/ratings``: a PHQ-9 scored by the
  instrument library, the alert rules of the clinic's protocol evaluated on the
  patient's history, the rating and its audit event written in one transaction
  (each request with its own idempotency key, spread over the clinic's patients);
- ``GET /api/v1/ping``: the same authentication and middleware, no work.

It prints requests per second, p50 and p99 latency for both and the ratio of
submission throughput to no-op throughput (issue 7 target: >= 0.5), and, from
Linux's ``/proc/stat``, how busy the machine's processors were during each cell
and the processor time each request cost the whole machine (load generator,
gunicorn and PostgreSQL together). When the processors are close to 100 % busy,
throughput is set by that cost, so the ratio cannot be raised by moving work to
another process on the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from bench.liveserver import Fixture, Server, prepare_database, use_database

DATABASE = "keel_bench"
PHQ9 = [1, 2, 1, 1, 2, 1, 1, 0, 0]


def _machine_cpu() -> tuple[float, float]:
    """Seconds the machine's processors have been busy and in total so far (``/proc/stat``)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


@dataclass(frozen=True)
class Cell:
    """What one kind of request did at one concurrency."""

    rps: float
    latencies: list[float]
    errors: int
    busy: float  # share of the machine's processor time that was busy
    cpu_ms: float  # busy processor time per answered request, whole machine


def _run(url: str, fx: Fixture, kind: str, clients: int, seconds: float) -> Cell:
    """Run ``clients`` threads for ``seconds`` and measure them."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        nonlocal errors
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {fx.token}"
        sent = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            if kind == "noop":
                response = session.get(f"{url}/api/v1/ping", timeout=60)
            else:
                patient = fx.patient_ids[(number + sent * clients) % len(fx.patient_ids)]
                response = session.post(
                    f"{url}/api/v1/monitoring/patients/{patient}/ratings",
                    json={"instrument_id": "phq9", "answers": PHQ9, "purpose": "check_in"},
                    headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
                    timeout=60,
                )
            elapsed = (time.perf_counter() - started) * 1000
            sent += 1
            with lock:
                if response.status_code in (200, 201):
                    latencies.append(elapsed)
                else:
                    errors += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began, (busy, total) = time.monotonic(), _machine_cpu()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, (busy_after, total_after) = time.monotonic() - began, _machine_cpu()
    busy, total = busy_after - busy, total_after - total
    answered = len(latencies) + errors
    return Cell(
        rps=len(latencies) / elapsed,
        latencies=latencies,
        errors=errors,
        busy=busy / total if total else float("nan"),
        cpu_ms=busy * 1000 / answered if answered else float("nan"),
    )


def _columns(cell: Cell, width: int) -> str:
    return (
        f"{cell.rps:>{width}.1f} {statistics.median(cell.latencies):>7.1f} "
        f"{_pct(cell.latencies, 99):>7.1f} {cell.busy * 100:>3.0f}% {cell.cpu_ms:>6.1f}"
    )


def _pct(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    # The README's production line: gunicorn's sync worker, 3 processes.
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    use_database(DATABASE)
    fx = prepare_database(DATABASE)
    server = Server(token=fx.token, workers=args.workers, threads=args.threads)
    server.start()
    print(
        f"gunicorn {'sync' if args.threads == 1 else 'gthread'}, {args.workers} workers x "
        f"{args.threads} threads, PostgreSQL (persistent connections), "
        f"{len(fx.patient_ids)} patients, {args.seconds:.0f} s per cell"
    )
    print(
        f"{'clients':>7} | {'submit req/s':>12} {'p50 ms':>7} {'p99 ms':>7} {'CPU':>4} "
        f"{'CPU ms':>6} | {'no-op req/s':>11} {'p50 ms':>7} {'p99 ms':>7} {'CPU':>4} "
        f"{'CPU ms':>6} | {'ratio':>5} | errors"
    )
    worst = float("inf")
    cpu_ratios: list[float] = []
    try:
        # Warm-up: load the code paths (protocol, instruments) in every worker.
        _run(server.url, fx, "submit", 4, 2.0)
        for clients in args.concurrency:
            noop = _run(server.url, fx, "noop", clients, args.seconds)
            sub = _run(server.url, fx, "submit", clients, args.seconds)
            ratio = sub.rps / noop.rps if noop.rps else float("nan")
            worst = min(worst, ratio)
            print(
                f"{clients:>7} | {_columns(sub, 12)} | {_columns(noop, 11)} | "
                f"{ratio:>5.2f} | {sub.errors + noop.errors}"
            )
            cpu_ratios.append(noop.cpu_ms / sub.cpu_ms)
    finally:
        server.stop()
    print(f"lowest submission / no-op throughput ratio: {worst:.2f} (target >= 0.5)")
    print(
        "CPU: share of the machine's processors busy during the cell; CPU ms: busy processor "
        "time per request (load generator, gunicorn and PostgreSQL together).\n"
        "No-op / submission processor time per request: "
        + ", ".join(f"{r:.2f}" for r in cpu_ratios)
        + " (where CPU is near 100 %, the throughput ratio cannot exceed this)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

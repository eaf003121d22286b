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
submission throughput to no-op throughput (issue 7 target: >= 0.5).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from bench.liveserver import Fixture, Server, prepare_database, use_database

DATABASE = "keel_bench"
PHQ9 = [1, 2, 1, 1, 2, 1, 1, 0, 0]


def _run(
    url: str, fx: Fixture, kind: str, clients: int, seconds: float
) -> tuple[float, list[float], int]:
    """Run ``clients`` threads for ``seconds``; return req/s, latencies (ms) and errors."""
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
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - began), latencies, errors


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
        f"{'clients':>7} | {'submit req/s':>12} {'p50 ms':>7} {'p99 ms':>7} | "
        f"{'no-op req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>5} | errors"
    )
    worst = float("inf")
    try:
        # Warm-up: load the code paths (protocol, instruments) in every worker.
        _run(server.url, fx, "submit", 4, 2.0)
        for clients in args.concurrency:
            noop_rps, noop_lat, noop_err = _run(server.url, fx, "noop", clients, args.seconds)
            sub_rps, sub_lat, sub_err = _run(server.url, fx, "submit", clients, args.seconds)
            ratio = sub_rps / noop_rps if noop_rps else float("nan")
            worst = min(worst, ratio)
            print(
                f"{clients:>7} | {sub_rps:>12.1f} {statistics.median(sub_lat):>7.1f} "
                f"{_pct(sub_lat, 99):>7.1f} | {noop_rps:>11.1f} "
                f"{statistics.median(noop_lat):>7.1f} {_pct(noop_lat, 99):>7.1f} | "
                f"{ratio:>5.2f} | {sub_err + noop_err}"
            )
    finally:
        server.stop()
    print(f"lowest submission / no-op throughput ratio: {worst:.2f} (target >= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

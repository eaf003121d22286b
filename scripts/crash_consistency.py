"""Crash consistency: SIGKILL the server under concurrent writes, then prove nothing was lost.

    .venv/bin/python scripts/crash_consistency.py [--rounds 20] [--clients 8]

Against gunicorn on PostgreSQL (a fresh database ``keel_crash``), client threads
send questionnaire submissions (PHQ-9, each with its own idempotency key) and
vital signs (also keyed). At a random moment in each round the whole server
process group is killed with SIGKILL and restarted; clients then retry every
write whose answer they never got, with the same key. Afterwards the script
proves, reading the database directly:

- every write acknowledged with a 2xx is stored exactly once, under its key,
  with the id the server returned, and has its audit event (same transaction);
- no orphan rows: every row the run stored has its audit event, and no audit
  event names a row that does not exist;
- the same idempotency key sent 100 times concurrently stores one record.

It prints its figures and exits 1 on any violation. ``KEEL_BENCH_ADMIN_URL``
points at another PostgreSQL server (default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

from bench.liveserver import Fixture, Server, prepare_database, use_database

DATABASE = "keel_crash"
PHQ9 = [1, 2, 1, 1, 2, 1, 1, 0, 0]


@dataclass
class Ledger:
    """What the clients know: acknowledged keys (with ids) and keys still unanswered."""

    acknowledged: dict[str, tuple[str, int]] = field(default_factory=dict)
    unanswered: dict[str, str] = field(default_factory=dict)
    sent: int = 0
    errors_5xx: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _write(
    session: requests.Session, base: str, fx: Fixture, kind: str, key: str
) -> tuple[int, int]:
    if kind == "rating":
        # Spread over the clinic's patients, as a clinic's day would be.
        patient_id = fx.patient_ids[sum(key.encode()) % len(fx.patient_ids)]
        response = session.post(
            f"{base}/api/v1/monitoring/patients/{patient_id}/ratings",
            json={"instrument_id": "phq9", "answers": PHQ9, "purpose": "check_in"},
            headers={"Idempotency-Key": key},
            timeout=30,
        )
    else:
        response = session.post(
            f"{base}/api/v1/treatment/sessions/{fx.session_id}/vitals",
            json={
                "context": "pre_dose",
                "systolic_bp": 122,
                "diastolic_bp": 78,
                "heart_rate": 70,
                "spo2": 98,
                "idempotency_key": key,
            },
            timeout=30,
        )
    body = response.json() if response.content else {}
    if kind == "vitals" and isinstance(body.get("vitals"), dict):
        body = body["vitals"]
    return response.status_code, int(body.get("id", 0))


def _client(
    base: str,
    fx: Fixture,
    ledger: Ledger,
    stop: threading.Event,
    seed: int,
    queue: list[tuple[str, str]],
) -> None:
    """Send writes until the server dies: first ``queue`` (retries, same keys), then new ones."""
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {fx.token}"
    while not stop.is_set():
        if queue:
            kind, key = queue.pop()
        else:
            kind, key = rng.choice(("rating", "vitals")), f"crash-{uuid.uuid4().hex}"
        with ledger.lock:
            ledger.unanswered[key] = kind
            ledger.sent += 1
        try:
            status, row_id = _write(session, base, fx, kind, key)
        except (requests.RequestException, ValueError):
            # The server died mid-request (refused, reset, or cut off mid-body: requests
            # raises ChunkedEncodingError for that one): the key stays unanswered.
            return
        with ledger.lock:
            if 200 <= status < 300:
                ledger.acknowledged[key] = (kind, row_id)
                ledger.unanswered.pop(key, None)
            elif status >= 500:
                ledger.errors_5xx += 1


def _round(fx: Fixture, ledger: Ledger, clients: int, rng: random.Random) -> None:
    server = Server(token=fx.token, workers=2, threads=4)
    server.start()
    stop = threading.Event()
    retries = [(kind, key) for key, kind in ledger.unanswered.items()]
    threads = [
        threading.Thread(
            target=_client,
            args=(server.url, fx, ledger, stop, rng.randrange(10**6), retries[n::clients]),
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(0.5, 3.0))
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=15)


def _drain(fx: Fixture, ledger: Ledger) -> None:
    """After the last crash: a calm server answers every write still unanswered."""
    server = Server(token=fx.token, workers=2, threads=4)
    server.start()
    try:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {fx.token}"
        for key, kind in list(ledger.unanswered.items()):
            status, row_id = _write(session, server.url, fx, kind, key)
            if 200 <= status < 300:
                ledger.acknowledged[key] = (kind, row_id)
                del ledger.unanswered[key]
    finally:
        server.stop()


def _same_key_100_times(fx: Fixture) -> tuple[int, set[int], set[int]]:
    server = Server(token=fx.token, workers=2, threads=8)
    server.start()
    key = f"crash-same-{uuid.uuid4().hex}"
    try:

        def send(_n: int) -> tuple[int, int]:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {fx.token}"
            return _write(session, server.url, fx, "rating", key)

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(send, range(100)))
    finally:
        server.stop()
    from keel.monitoring.models import Assessment

    stored = Assessment.objects.filter(idempotency_key=key).count()
    return stored, {status for status, _ in results}, {row for _, row in results}


def _verify(ledger: Ledger) -> list[str]:
    from django.db import connection

    from keel.audit.models import AuditEvent
    from keel.monitoring.models import Assessment
    from keel.treatment.models import VitalSigns

    connection.close()  # a fresh connection sees everything committed
    problems: list[str] = []
    models: dict[str, tuple[Any, str]] = {
        "rating": (Assessment, "assessment"),
        "vitals": (VitalSigns, "vital_signs"),
    }
    for key, (kind, row_id) in ledger.acknowledged.items():
        model, _object_type = models[kind]
        rows = list(model.objects.filter(idempotency_key=key).values_list("pk", flat=True))
        if rows != [row_id]:
            problems.append(f"{kind} {key}: acknowledged as {row_id}, stored as {rows}")
    for kind, (model, object_type) in models.items():
        stored = set(
            model.objects.filter(idempotency_key__startswith="crash-").values_list("pk", flat=True)
        )
        audited = {
            int(i)
            for i in AuditEvent.objects.filter(
                object_type=object_type, action="create"
            ).values_list("object_id", flat=True)
        }
        if orphans := stored - audited:
            problems.append(f"{kind}: {len(orphans)} rows without their audit event")
        existing = set(model.objects.filter(pk__in=audited).values_list("pk", flat=True))
        if ghosts := audited - existing:
            problems.append(f"{kind}: {len(ghosts)} audit events name rows that do not exist")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    use_database(DATABASE)
    started = time.monotonic()
    fx = prepare_database(DATABASE)
    rng = random.Random(args.seed)
    ledger = Ledger()
    for number in range(1, args.rounds + 1):
        _round(fx, ledger, args.clients, rng)
        print(
            f"round {number:2d}: {len(ledger.acknowledged):5d} acknowledged, "
            f"{len(ledger.unanswered):3d} unanswered at the kill",
            flush=True,
        )
    _drain(fx, ledger)
    problems = _verify(ledger)
    stored, statuses, ids = _same_key_100_times(fx)
    if stored != 1 or len(ids) != 1 or not statuses <= {200, 201}:
        problems.append(f"same key x100: {stored} rows, statuses {statuses}, ids {ids}")
    if ledger.errors_5xx:
        problems.append(f"{ledger.errors_5xx} answers with status 5xx")
    print()
    print(f"rounds (SIGKILL)                   {args.rounds}")
    print(f"writes sent (incl. retries)        {ledger.sent}")
    print(f"acknowledged with 2xx              {len(ledger.acknowledged)}")
    print(f"  each stored exactly once         {'yes' if not problems else 'NO'}")
    print(f"never answered (after the drain)   {len(ledger.unanswered)}")
    print(f"same key sent 100x concurrently    {stored} row(s), statuses {sorted(statuses)}")
    print(f"5xx answers                        {ledger.errors_5xx}")
    print(f"time                               {time.monotonic() - started:.0f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("RESULT:", "PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

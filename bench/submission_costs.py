"""Where a questionnaire submission's time goes, next to the authenticated no-op.

    .venv/bin/python bench/submission_costs.py [--requests 300]

In process (Django's test client, no HTTP server, a persistent PostgreSQL
connection to a fresh database ``keel_costs`` built like ``bench/liveserver.py``
builds ``keel_bench``): the same PHQ-9 submission as ``bench/submissions.py``
and ``GET /api/v1/ping``. Prints, per request, the CPU time of this process
(Django) and of its PostgreSQL backend, the SQL statements, and the Django CPU
of each part of a submission (nested parts are indented; a part's time
includes the parts under it), and what a submission would cost without its alert
work, and without its audit event too (the most the design options in
docs/performance.md could save; measured by leaving the work out in this
process). Figures vary by a few tenths of a millisecond from run to run on a
shared machine; the shares are what to read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.liveserver import prepare_database, use_database

DATABASE = "keel_costs"
PHQ9 = [1, 2, 1, 1, 2, 1, 1, 0, 0]

#: (module, function, depth): the parts of a submission that are timed.
PARTS = (
    ("keel.monitoring.api", "access_patient_monitoring", 0),
    ("keel.monitoring.api", "clinician_rating_record", 0),
    ("keel.monitoring.services", "patient_doses", 1),
    ("keel.monitoring.services", "alerts_evaluate", 1),
    ("keel.alerts.services", "patient_history", 2),
    ("keel.alerts.history", "_ratings", 3),
    ("keel.alerts.history", "_diary", 3),
    ("keel.alerts.history", "_risk_modifiers", 3),
    ("keel.alerts.services", "evaluate_alerts", 2),
    ("keel.monitoring.services", "audit_record", 1),
)


def _timed(
    spent: dict[str, float], name: str, func: Callable[..., object]
) -> Callable[..., object]:
    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return wrapper


class _Counter:
    """A database execute wrapper that keeps each statement's SQL."""

    def __init__(self, statements: list[str]) -> None:
        self.statements = statements

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.statements.append(sql)
        return execute(sql, params, many, context)


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (Linux /proc)."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    use_database(DATABASE)
    fx = prepare_database(DATABASE)

    import importlib

    from django.db import connection
    from django.test import Client

    spent: dict[str, float] = defaultdict(float)
    for module_name, name, _depth in PARTS:
        module = importlib.import_module(module_name)
        setattr(module, name, _timed(spent, name, getattr(module, name)))

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {fx.token}")

    def submit(n: int) -> None:
        patient = fx.patient_ids[n % len(fx.patient_ids)]
        response = client.post(
            f"/api/v1/monitoring/patients/{patient}/ratings",
            {"instrument_id": "phq9", "answers": PHQ9, "purpose": "check_in"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"cost-{uuid.uuid4().hex}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"submission answered {response.status_code}")

    def noop(_n: int) -> None:
        if client.get("/api/v1/ping").status_code != 200:
            raise RuntimeError("ping failed")

    print(f"{args.requests} requests each, in process, PostgreSQL; per request:")
    for label, call in (("no-op", noop), ("submission", submit)):
        for n in range(20):  # warm-up: code paths, protocol, instruments
            call(n)
        statements: list[str] = []
        with connection.execute_wrapper(_Counter(statements)):
            call(0)
        spent.clear()
        wall, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu()
        for n in range(args.requests):
            call(n)
        wall = (time.perf_counter() - wall) * 1000 / args.requests
        cpu = (time.process_time() - cpu) * 1000 / args.requests
        backend = (_backend_cpu() - backend) * 1000 / args.requests
        print(
            f"  {label:<10} wall {wall:5.1f} ms | Django CPU {cpu:5.1f} ms | "
            f"PostgreSQL CPU {backend:4.1f} ms | {len(statements)} SQL statements (not counting BEGIN/COMMIT)"
        )
    print("  parts of a submission (Django CPU):")
    for _module, name, depth in PARTS:
        print(
            f"    {'  ' * depth}{name:<{34 - 2 * depth}} {spent[name] * 1000 / args.requests:5.2f} ms"
        )
    _what_if(submit, noop, args.requests)
    return 0


def _cpu_per_request(call: Callable[[int], None], requests: int) -> float:
    """Django plus PostgreSQL CPU milliseconds per call, after a warm-up."""
    for n in range(20):
        call(n)
    cpu, backend = time.process_time(), _backend_cpu()
    for n in range(requests):
        call(n)
    return ((time.process_time() - cpu) + (_backend_cpu() - backend)) * 1000 / requests


def _what_if(submit: Callable[[int], None], noop: Callable[[int], None], requests: int) -> None:
    """The design options of docs/performance.md, priced by leaving the work out.

    Not a configuration Keel has: the alert work (doses, history, rules) and then the
    audit event are replaced by nothing in this process only, to show the most either
    option could save. Deferring the work would still cost an enqueue on top.
    """
    import keel.monitoring.services as services

    noop_ms = _cpu_per_request(noop, requests)
    rows = [("as built", _cpu_per_request(submit, requests))]
    names = ("alerts_evaluate", "patient_doses", "audit_record")
    saved = {name: getattr(services, name) for name in names}
    try:
        setattr(services, "alerts_evaluate", lambda **_kw: None)  # noqa: B010
        setattr(services, "patient_doses", lambda _patient: ())  # noqa: B010
        rows.append(("without the alert work", _cpu_per_request(submit, requests)))
        setattr(services, "audit_record", lambda **_kw: None)  # noqa: B010
        rows.append(("without alert work and audit", _cpu_per_request(submit, requests)))
    finally:
        for name, func in saved.items():
            setattr(services, name, func)
    print("  what if (Django + PostgreSQL CPU per request; ratio = no-op / submission):")
    print(f"    {'no-op':<42} {noop_ms:5.2f} ms")
    for label, cost in rows:
        print(f"    {'submission ' + label:<42} {cost:5.2f} ms   ratio {noop_ms / cost:4.2f}")


if __name__ == "__main__":
    sys.exit(main())

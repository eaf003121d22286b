"""Benchmark: the clinician worklist's first page at 100, 1,000 and 10,000 patients.

Run from the repository root::

    .venv/bin/python bench/worklist.py                 # throwaway SQLite DB in a temp dir
    DATABASE_URL=postgres://... .venv/bin/python bench/worklist.py   # an EMPTY throwaway DB
    .venv/bin/python bench/worklist.py --postgres       # a fresh database on local PostgreSQL
    .venv/bin/python bench/worklist.py --sizes 100,1000 --runs 10

It builds one clinic per size with synthetic patients (bulk inserts: courses,
sessions with doses, ratings, diary days, check-in assignments, alerts for
some), then requests ``/outcomes/worklist/`` as that clinic's nurse through
Django's test client (the whole stack: middleware, gate, audit of the 50
rows shown, template) and prints, per size, the SQL queries of one request
and the median and p95 time over ``--runs`` requests, and the ratio of the
median time at the largest size to the one before it.

Targets (issue 7, section 6): the same query count at every size; time grows
less than 2x from 1,000 to 10,000 patients. The figures are printed, never
asserted: a benchmark on a shared machine must not fail a build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


#: The database ``--postgres`` drops and creates on ``KEEL_BENCH_ADMIN_URL`` (bench/liveserver.py).
POSTGRES_DATABASE = "keel_bench_worklist"


def _setup_django(database_url: str | None, folder: str, *, postgres: bool) -> str:
    """Point Django at the benchmark database, migrate it, return a label for it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if postgres:
        from bench.liveserver import recreate_database, use_database

        recreate_database(POSTGRES_DATABASE)
        url = use_database(POSTGRES_DATABASE)
        label = "PostgreSQL, fresh database " + url.split("@")[-1]
    elif database_url:
        os.environ["DATABASE_URL"] = database_url
        label = "DATABASE_URL " + database_url.split("@")[-1]
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        label = f"SQLite, throwaway file in {folder}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    return label


# ---------------------------------------------------------------- synthetic clinic


class _Inserter:
    """Fast multi-row INSERTs for the big tables (bulk_create's per-object cost is too slow).

    Values are adapted to the database once per distinct value (dates, times,
    decimals and JSON repeat a lot), then sent with ``executemany``.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.cache: dict[tuple[int, object], object] = {}

    def _adapt(self, field: Any, value: object) -> object:
        if value is None or isinstance(value, bool | int | str):
            return value
        key = (id(field), value if not isinstance(value, list | dict) else repr(value))
        if key not in self.cache:
            self.cache[key] = field.get_db_prep_save(value, self.connection)
        return self.cache[key]

    def insert(self, model: Any, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        given = list(rows[0])
        # Columns not given take the model's default, so new model fields do not break this.
        defaults = {
            f.name: f.get_default()
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in given and f.attname not in given
        }
        names = given + list(defaults)
        fields = [model._meta.get_field(name) for name in names]
        rows = [{**row, **defaults} for row in rows]
        quote = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - model metadata only
            quote(model._meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        values = [
            tuple(self._adapt(f, row[name]) for f, name in zip(fields, names, strict=True))
            for row in rows
        ]
        with self.connection.cursor() as cursor:
            for start in range(0, len(values), 5000):
                cursor.executemany(sql, cast(Any, values[start : start + 5000]))


def _build_clinic(size: int, index: int) -> tuple[Any, Any]:
    """One clinic with ``size`` synthetic patients; returns (clinic, its nurse)."""
    from django.utils import timezone

    from keel.accounts.models import Clinic, Membership, User
    from keel.accounts.roles import Role
    from keel.alerts.models import Alert, AlertCategory, AlertLevel, AlertPriority
    from keel.intake.models import (
        DecisionOutcome,
        EligibilityDecision,
        Evaluation,
        EvaluationStatus,
    )
    from keel.monitoring.models import Assessment, AssessmentPurpose, Assignment, DiaryEntry
    from keel.patients.models import Patient
    from keel.treatment.models import (
        CourseStatus,
        DoseAdministration,
        Route,
        SessionState,
        TreatmentCourse,
        TreatmentSession,
    )

    rows = _Inserter()
    batch = 2000
    prefix = "".join(chr(65 + (index * 3 + i) % 26) for i in range(3))
    clinic = Clinic.objects.create(
        name=f"Benchmark clinic {size}",
        slug=f"bench-{size}-{index}",
        time_zone="America/Chicago",
        mrn_prefix=prefix,
    )
    # Logins without a usable password: the benchmark signs in with force_login.
    nurse = User.objects.create_user(username=f"bench-nurse-{index}", password=None)
    physician = User.objects.create_user(username=f"bench-doc-{index}", password=None)
    Membership.objects.create(user=nurse, clinic=clinic, role=Role.NURSE)
    Membership.objects.create(user=physician, clinic=clinic, role=Role.PHYSICIAN)

    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(timezone=clinic.tzinfo)
    stamps = {"created_at": now, "updated_at": now}
    patients = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic,
                mrn=f"{prefix}{i:06d}",
                given_name="Bench",
                family_name=f"Patient{i:05d}",
                birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                administrative_sex="female" if i % 2 else "male",
                weight_kg=Decimal("70.0"),
            )
            for i in range(size)
        ],
        batch_size=batch,
    )
    # 85 % have an active course; 10 % only check-ins; 5 % are not active.
    with_course = [p for i, p in enumerate(patients) if i % 20 < 17]
    with_checkins = [p for i, p in enumerate(patients) if i % 20 < 19]
    evaluations = Evaluation.objects.bulk_create(
        [
            Evaluation(patient=p, status=EvaluationStatus.DECIDED, antimanic_agents=["lithium"])
            for p in with_course
        ],
        batch_size=batch,
    )
    decisions = EligibilityDecision.objects.bulk_create(
        [
            EligibilityDecision(
                patient=e.patient,
                evaluation=e,
                outcome=DecisionOutcome.ELIGIBLE,
                protocol_id="keel-default",
                protocol_version="bench",
                facts={},
                findings=[],
                decided_by=physician,
                decided_at=now - dt.timedelta(days=60),
            )
            for e in evaluations
        ],
        batch_size=batch,
    )
    courses = TreatmentCourse.objects.bulk_create(
        [
            TreatmentCourse(
                patient=d.patient,
                decision=d,
                route=Route.IV_RACEMIC_KETAMINE,
                dose_mg_per_kg=Decimal("0.50"),
                induction_sessions=6,
                status=CourseStatus.ACTIVE,
                activated_at=now - dt.timedelta(days=50),
            )
            for d in decisions
        ],
        batch_size=batch,
    )
    sessions: list[dict[str, object]] = []
    for n, course in enumerate(courses):
        given = n % 9  # 0..8 sessions given: some in induction, some in maintenance
        for k in range(given):
            when = now - dt.timedelta(days=3 * (given - k) + 1, hours=n % 5)
            sessions.append(
                {
                    "course": course.pk,
                    "patient": course.patient_id,
                    "number": k + 1,
                    "scheduled_for": when,
                    "state": SessionState.DISCHARGED.value,
                    "dose_started_at": when,
                    "discharged_at": when + dt.timedelta(hours=2),
                    "abort_reason": "",
                    "escort_name": "",
                    "escort_phone": "",
                    "lock_version": 0,
                    **stamps,
                }
            )
        sessions.append(
            {
                "course": course.pk,
                "patient": course.patient_id,
                "number": given + 1,
                "scheduled_for": now + dt.timedelta(days=1 + n % 14, hours=n % 7),
                "state": SessionState.SCHEDULED.value,
                "dose_started_at": None,
                "discharged_at": None,
                "abort_reason": "",
                "escort_name": "",
                "escort_phone": "",
                "lock_version": 0,
                **stamps,
            }
        )
    rows.insert(TreatmentSession, sessions)
    given_sessions = TreatmentSession.objects.filter(
        patient__clinic=clinic, state=SessionState.DISCHARGED
    ).values_list("pk", "scheduled_for")
    rows.insert(
        DoseAdministration,
        [
            {
                "session": pk,
                "route": Route.IV_RACEMIC_KETAMINE.value,
                "drug": "racemic_ketamine",
                "concentration_mg_per_ml": Decimal("10.00"),
                "lot": "BENCH-LOT",
                "dosing_weight_kg": Decimal("70.0"),
                "dose_mg": Decimal("35.00"),
                "volume_ml": Decimal("3.50"),
                "calculation": ["70.0 kg x 0.50 mg/kg = 35.0 mg"],
                "prepared_by": nurse.pk,
                "prepared_at": when,
                "verified_by": physician.pk,
                "verified_at": when,
                "administered_by": nurse.pk,
                "started_at": when,
            }
            for pk, when in given_sessions
        ],
    )
    ratings: list[dict[str, object]] = []

    def rating(p: Any, instrument_id: str, total: int, days: float, purpose: str) -> None:
        ratings.append(
            {
                "patient": p.pk,
                "instrument_id": instrument_id,
                "instrument_version": "1",
                "form_version": "bench",
                "answers": [],
                "total": total,
                "band": "",
                "flags": [],
                "complete": True,
                "purpose": purpose,
                "acute_post_dose": False,
                "taken_at": now - dt.timedelta(days=days),
                "idempotency_key": "",
                **stamps,
            }
        )

    for i, p in enumerate(with_checkins):
        for instrument_id, base in (
            ("phq9", 20),
            ("qids_sr16", 17),
            ("madrs", 32),
            ("asrm", 2),
            ("ymrs", 3),
        ):
            rating(p, instrument_id, base, 56, AssessmentPurpose.BASELINE.value)
        for week in range(6):  # weekly self-reports, improving
            rating(p, "phq9", max(0, 19 - 2 * week - i % 4), 42 - 7 * week - i % 3, "check_in")
            rating(p, "asrm", (i + week) % 8, 41 - 7 * week, "check_in")
        for k in range(3):
            rating(p, "qids_sr16", 15 - 3 * k, 35 - 14 * k, "check_in")
            rating(p, "madrs", 30 - 5 * k, 30 - 10 * k, "pre_session")
            rating(p, "ymrs", 2 + (i + k) % 6, 30 - 10 * k, "pre_session")
    rows.insert(Assessment, ratings)
    # Some patients stopped writing the diary a few days ago (i % 7 days missed).
    diary: list[dict[str, object]] = [
        {
            "patient": p.pk,
            "entry_date": today - dt.timedelta(days=d + 1),
            "mood": (i + d) % 5 - 2,
            "sleep_hours": Decimal("6.5") + Decimal(d % 3),
            "felt_less_need_for_sleep": False,
            "irritability": d % 2,
            "energy": 0,
            "medication_taken_as_prescribed": True,
            "recorded_at": now - dt.timedelta(days=d + 1),
            "acute_post_dose": False,
            "idempotency_key": "",
            **stamps,
        }
        for i, p in enumerate(with_checkins)
        for d in range(i % 7, 21)
    ]
    rows.insert(DiaryEntry, diary)
    rows.insert(
        Assignment,
        [
            {
                "patient": p.pk,
                "instrument_id": instrument_id,
                "frequency": frequency,
                "start_date": start,
                "end_date": None,
                "active": True,
                **stamps,
            }
            for i, p in enumerate(with_checkins)
            for instrument_id, frequency, start in (
                ("diary", "daily", today - dt.timedelta(days=42)),
                ("phq9", "weekly", today - dt.timedelta(days=42 + i % 7)),
                ("asrm", "weekly", today - dt.timedelta(days=42 + i % 5)),
            )
        ],
    )
    kinds = (
        (AlertCategory.SUICIDALITY, AlertPriority.URGENT, ""),
        (AlertCategory.MOOD_ELEVATION, AlertPriority.ROUTINE, AlertLevel.AMBER),
        (AlertCategory.MISSED_CHECK_IN, AlertPriority.ROUTINE, ""),
        (AlertCategory.WORSENING_DEPRESSION, AlertPriority.ROUTINE, ""),
    )
    alerts = []
    for i, p in enumerate(patients):
        if i % 12:
            continue  # about 8 % of patients have an open alert
        category, priority, level = kinds[(i // 12) % len(kinds)]
        raised = now - dt.timedelta(hours=1 + i % 48)
        alerts.append(
            Alert(
                clinic=clinic,
                patient=p,
                category=category,
                priority=priority,
                level=level,
                rule_id=f"bench.{category}",
                protocol_id="keel-default",
                protocol_version="bench",
                title="Synthetic benchmark alert",
                action="Review the patient.",
                raised_at=raised,
                ack_due_at=raised + dt.timedelta(hours=1),
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=batch)
    return clinic, nurse


# ---------------------------------------------------------------- measuring


def _client(nurse: Any, url: str) -> tuple[Any, int]:
    """A signed-in client, warmed up, and the SQL query count of one request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(nurse)
    for _ in range(2):  # warm-up: session, protocol file, template cache
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return client, len(ctx.captured_queries)


def _timed(client: Any, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="patients per clinic")
    parser.add_argument("--runs", type=int, default=15, help="timed requests per size")
    parser.add_argument("--url", default="/outcomes/worklist/", help="the page to request")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway SQLite file")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"use a fresh PostgreSQL database {POSTGRES_DATABASE!r} (KEEL_BENCH_ADMIN_URL)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    folder = tempfile.mkdtemp(prefix="keel-bench-")
    try:
        return _run(args, sizes, folder)
    finally:
        if args.keep:
            print(f"(kept {folder})")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace, sizes: list[int], folder: str) -> int:
    label = _setup_django(os.environ.get("DATABASE_URL") or None, folder, postgres=args.postgres)
    from django.db import connection, transaction

    from keel.patients.models import Patient

    if Patient.objects.exists():
        print("The database already holds patients: give an empty, throwaway database.")
        return 2

    print(f"Keel worklist benchmark: {label}")
    version = ".".join(str(part) for part in connection.get_database_version())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")  # PGOPTIONS="-c jit=off" turns it off for this run
            version += f" (jit {cursor.fetchone()[0]})"
    print(
        f"Python {platform.python_version()}, {connection.vendor} {version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    built: list[tuple[int, Any]] = []
    for index, size in enumerate(sizes):
        start = time.perf_counter()
        with transaction.atomic():
            _clinic, nurse = _build_clinic(size, index)
        print(f"  built {size:>6} patients in {time.perf_counter() - start:5.1f} s", flush=True)
        built.append((size, nurse))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a running database would have

    print()
    print(f"First page of {args.url} as the clinic's nurse, {args.runs} runs each")
    print(f"{'patients':>9} {'queries':>8} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
    clients = {size: _client(nurse, args.url) for size, nurse in built}
    # Interleaved (one request per size in turn), so that load from other processes on a
    # shared machine falls on every size alike.
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(args.runs):
        for size in sizes:
            times[size].append(_timed(clients[size][0], args.url))
    medians: dict[int, float] = {}
    for size in sizes:
        medians[size] = statistics.median(times[size])
        print(
            f"{size:>9,} {clients[size][1]:>8} {medians[size] * 1000:>10.1f} "
            f"{_p95(times[size]) * 1000:>8.1f} {min(times[size]) * 1000:>8.1f}",
            flush=True,
        )
    if len(sizes) >= 2:
        big, before = sizes[-1], sizes[-2]
        ratio = medians[big] / medians[before]
        print()
        print(f"median time at {big:,} / at {before:,} patients: {ratio:.2f}x (target < 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

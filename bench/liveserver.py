"""A production-like Keel server for the benchmarks and the crash script.

``prepare_database`` creates a fresh database (PostgreSQL by default: the scripts
are about a production-like setup), migrates it and builds a small clinic through
Keel's own services: a nurse with an API token and a cleared patient with a
session at the pre-session checks (so vitals can be recorded). ``Server`` runs
gunicorn on 127.0.0.1 with that database and stops it (SIGTERM, or SIGKILL for
the crash rounds).

The scripts call ``django.setup()`` only after ``use_database`` has put the
database URL in the environment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def use_database(name: str) -> str:
    """Point this process (and its servers) at database ``name``; return the URL."""
    admin = os.environ.get("KEEL_BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    parts = urlsplit(admin)
    url = parts._replace(path=f"/{name}").geturl()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Production-like: no debug query log, no toolbar; the console email backend stays.
    os.environ["DEBUG"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return url


def recreate_database(name: str) -> None:
    """Drop and create database ``name`` on the admin server."""
    import psycopg

    admin = os.environ.get("KEEL_BENCH_ADMIN_URL", DEFAULT_ADMIN_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@dataclass(frozen=True)
class Fixture:
    token: str
    patient_id: int  # the patient with the session
    session_id: int
    patient_ids: tuple[int, ...]  # every patient of the clinic


def prepare_database(name: str) -> Fixture:
    """A fresh, migrated database with a nurse's token and a session at the pre-checks."""
    recreate_database(name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return _build_fixture()


def _build_fixture() -> Fixture:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from keel.accounts.models import Clinic, User
    from keel.accounts.selectors import actor_build
    from keel.accounts.services import api_token_create
    from keel.demo.services import demo_load
    from keel.patients.models import Patient
    from keel.treatment.models import Route
    from keel.treatment.services import (
        course_activate,
        course_create,
        session_check_in,
        session_schedule,
        session_start_prechecks,
    )

    demo_load(histories=False)
    clinic = Clinic.objects.get()
    nurse_user = User.objects.get(username="dana")
    physician = actor_build(user=User.objects.get(username="okafor"), clinic_id=clinic.pk)
    nurse = actor_build(user=nurse_user, clinic_id=clinic.pk)
    if physician is None or nurse is None:
        raise RuntimeError("the demo staff have no membership")
    patient = Patient.objects.get(given_name="Kai")
    course = course_create(
        actor=physician,
        patient=patient,
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg_per_kg=Decimal("0.5"),
        induction_sessions=6,
    )
    course = course_activate(actor=physician, course=course)
    session = session_schedule(
        actor=nurse, course=course, scheduled_for=timezone.now() + dt.timedelta(minutes=5)
    )
    session = session_check_in(
        actor=nurse, session=session, escort_name="Bench Escort", escort_phone="+1 555 0100 999"
    )
    session = session_start_prechecks(actor=nurse, session=session)
    issued = api_token_create(
        user=nurse_user,
        clinic=clinic,
        name="bench",
        scopes=["monitoring:read", "monitoring:write", "treatment:read", "treatment:write"],
        days=1,
    )
    return Fixture(
        token=issued.raw,
        patient_id=patient.pk,
        session_id=session.pk,
        patient_ids=tuple(Patient.objects.order_by("pk").values_list("pk", flat=True)),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving Keel on 127.0.0.1 (sync workers, or gthread with ``threads`` > 1)."""

    def __init__(self, *, token: str, workers: int = 2, threads: int = 8) -> None:
        self.token = token
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            # One thread: gunicorn's default sync worker, as the README's production line runs.
            "sync" if self.threads == 1 else "gthread",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ]
        self.process = subprocess.Popen(  # noqa: S603  (fixed command, our own interpreter)
            command,
            cwd=ROOT,
            env=os.environ.copy(),
            start_new_session=True,  # its own process group: SIGKILL reaches every worker
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90.0) -> None:
        """Wait until every worker answers the API (the first answer loads Keel's code)."""
        import requests

        deadline = time.monotonic() + timeout
        answered = 0
        while time.monotonic() < deadline:
            try:
                # A fresh connection each time, so the requests reach different workers.
                response = requests.get(
                    f"{self.url}/api/v1/ping",
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=10,
                )
                if response.status_code == 200:  # served by Keel, not just the socket
                    answered += 1
                    if answered >= self.workers * 2:
                        return
                    continue
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        """SIGKILL the whole process group: no worker gets to finish anything."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

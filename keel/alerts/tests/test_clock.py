"""The clinic clock: one tick's logic, the start_clock command, and a real db_worker run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import World
from keel.alerts.tasks import clinic_clock, clock_pending, clock_tick
from keel.alerts.tests.helpers import URGENT_MINUTES, finding, raise_alert, rota

Capture = Callable[..., Any]
DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


def _overdue_alert(world: World) -> Any:
    """An urgent alert raised a little over one interval ago (rank 1 already told)."""
    raised = timezone.now() - dt.timedelta(minutes=URGENT_MINUTES + 1)
    return raise_alert(world.patient_a, finding(now=raised), now=raised)


@pytest.mark.django_db
def test_one_tick_escalates_and_reports_each_step(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    rota(world, "nurse_x", "physician_x")
    alert = _overdue_alert(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = clock_tick()
    assert result["escalated"] == 1 and result["raised"] == 0
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert mail.outbox[-1].to == [world.users["physician_x"].email]


@pytest.mark.django_db(transaction=True)
def test_db_worker_runs_the_clock_and_queues_the_next_run(world: World) -> None:
    rota(world, "nurse_x", "physician_x")
    alert = _overdue_alert(world)
    mail.outbox.clear()
    with override_settings(TASKS=DB_TASKS, KEEL_CLOCK_SECONDS=90):
        out = StringIO()
        call_command("start_clock", stdout=out)
        assert "queued" in out.getvalue() and clock_pending()
        call_command("start_clock", stdout=out)  # a second start adds nothing
        assert "already queued" in out.getvalue()
        assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

        runs = DBTaskResult.objects.filter(task_path=clinic_clock.module_path)
        done = runs.get(status=TaskResultStatus.SUCCESSFUL)
        assert done.return_value["escalated"] == 1
        pending = runs.get(status=TaskResultStatus.READY)  # the next run, 90 s later
        assert pending.run_after > timezone.now() + dt.timedelta(seconds=60)
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert [m.to for m in mail.outbox] == [[world.users["physician_x"].email]]
    assert "escalated to you" in mail.outbox[0].subject

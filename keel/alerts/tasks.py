"""The clinic clock: a background task that escalates, evaluates and reminds, then re-queues.

Runs under ``manage.py db_worker`` (django-tasks with ``django_tasks_db``).
``manage.py start_clock`` queues the first run; each run queues the next one
``KEEL_CLOCK_SECONDS`` (default 60) later unless a run is already waiting,
so there is never more than one pending run and a restart of the worker
picks the chain up again. On a backend that cannot run a task later (the
immediate backend used by tests) the run does not re-queue itself.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from keel.alerts.services import alerts_escalate_overdue, alerts_evaluate_clock

logger = logging.getLogger(__name__)

DEFAULT_CLOCK_SECONDS = 60


def clock_seconds() -> int:
    """Seconds between clock runs (setting ``KEEL_CLOCK_SECONDS``, default 60)."""
    value = getattr(settings, "KEEL_CLOCK_SECONDS", DEFAULT_CLOCK_SECONDS)
    return max(1, int(value))


def _send_reminders(now: dt.datetime) -> int | None:
    """Call ``keel.monitoring.services.reminders_send_due`` if it exists (None when not)."""
    services = importlib.import_module("keel.monitoring.services")
    send = getattr(services, "reminders_send_due", None)
    if send is None:
        logger.info("Clock: reminders_send_due is not available yet; reminders skipped")
        return None
    sent = send(now)
    return len(sent) if isinstance(sent, list | tuple) else (sent if isinstance(sent, int) else 0)


def clock_tick(now: dt.datetime | None = None) -> dict[str, int | None]:
    """One run of the clock: escalate overdue alerts, evaluate "clock" rules, send reminders.

    Each step runs even when an earlier one failed (the failure is logged).
    """
    now = now or timezone.now()
    result: dict[str, int | None] = {"escalated": None, "raised": None, "reminders": None}
    try:
        result["escalated"] = len(alerts_escalate_overdue(now))
    except Exception:
        logger.exception("Clock: escalation failed")
    try:
        result["raised"] = len(alerts_evaluate_clock(now))
    except Exception:
        logger.exception("Clock: alert evaluation failed")
    try:
        result["reminders"] = _send_reminders(now)
    except Exception:
        logger.exception("Clock: reminders failed")
    return result


def clock_task_path() -> str:
    """The dotted path django-tasks stores for :func:`clinic_clock`."""
    return clinic_clock.module_path


def clock_pending() -> bool:
    """True when a run of the clock is queued and not yet started."""
    return DBTaskResult.objects.filter(
        task_path=clock_task_path(), status=TaskResultStatus.READY
    ).exists()


def clock_enqueue(*, delay_seconds: int = 0) -> bool:
    """Queue a run of the clock unless one is pending; False when nothing was queued.

    The delay needs a backend that can run a task later (the database
    backend); on others (tests' immediate backend) a delayed run is skipped.
    """
    backend = clinic_clock.get_backend()
    if not backend.supports_defer:
        if delay_seconds:
            return False
        clinic_clock.enqueue()
        return True
    if clock_pending():
        return False
    run_after = timezone.now() + dt.timedelta(seconds=delay_seconds) if delay_seconds else None
    clinic_clock.using(run_after=run_after).enqueue()
    return True


@task()
def clinic_clock() -> dict[str, int | None]:
    """Escalate, evaluate the clock rules, send reminders; then queue the next run."""
    try:
        return clock_tick()
    finally:
        try:
            clock_enqueue(delay_seconds=clock_seconds())
        except Exception:
            logger.exception("Clock: the next run could not be queued")

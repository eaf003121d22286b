"""Background tasks for check-ins (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from keel.monitoring.services import reminders_send_due


@task()
def send_reminders(now: str | None = None) -> int:
    """Send the check-in reminders due now (or at ``now``, an ISO 8601 time); return emails sent.

    The alerts app's clock calls ``reminders_send_due`` itself; this task lets
    the reminders also be queued on their own (for example by a scheduler).
    """
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return reminders_send_due(moment)

"""Queue the first run of the clinic clock (``keel.alerts.tasks.clinic_clock``).

Run it once after ``migrate`` and before ``db_worker``; each run then queues
the next. Running it again while a run is pending does nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from keel.alerts.tasks import clock_enqueue, clock_seconds


class Command(BaseCommand):
    help = "Queue the clinic clock (escalation, clock alert rules, reminders) if not queued."

    def handle(self, *args: Any, **options: Any) -> None:
        if clock_enqueue():
            self.stdout.write(f"Clinic clock queued; it runs every {clock_seconds()} s.")
        else:
            self.stdout.write("Clinic clock already queued.")

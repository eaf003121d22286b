"""manage.py load_demo: the demo clinic with invented people (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from keel.demo.services import demo_load


class Command(BaseCommand):
    help = "Load the demo clinic (staff for every role, a psychiatrist of record, 20 patients)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load()
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo clinic {result.clinic.name} with {result.patient_count} patients."
                )
            )
        else:
            self.stdout.write(f"Demo clinic {result.clinic.name} already loaded; nothing changed.")

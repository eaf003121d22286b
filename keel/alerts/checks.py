"""Deploy check: a clinic with nobody on its on-call rota in the coming 24 hours."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from keel.accounts.models import Clinic
from keel.alerts.selectors import on_call_gaps


@register(deploy=True)
def check_on_call_rota(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """keel.W020: a clinic whose on-call rota is empty on a day of the coming 24 hours.

    Urgent alerts then go to every physician and clinic admin of the clinic
    instead of one named person (docs/alerts.md, "On-call rota").
    """
    now = timezone.now()
    try:
        gaps = [(clinic, on_call_gaps(clinic=clinic, now=now)) for clinic in Clinic.objects.all()]
    except DatabaseError:  # no database yet (e.g. before the first migrate)
        return []
    empty = [(clinic, days) for clinic, days in gaps if days]
    if not empty:
        return []
    listed = "; ".join(
        f"{clinic.name} (clinic {clinic.pk}): {', '.join(day.isoformat() for day in days)}"
        for clinic, days in empty
    )
    return [
        Warning(
            f"Nobody is on the on-call rota in the next 24 hours: {listed}.",
            hint=(
                "Urgent alerts then go to every physician and clinic admin of the clinic. A "
                "clinic admin keeps the rota at /alerts/on-call/ (docs/alerts.md)."
            ),
            id="keel.W020",
        )
    ]

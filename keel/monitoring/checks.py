"""Deploy check: patient scales scheduled in a clinic that has not installed their wording."""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import AppConfig
from django.core.checks import CheckMessage, Warning, register
from django.db import DatabaseError

from keel.monitoring.selectors import scales_missing_packs


@register(deploy=True)
def check_text_packs(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """keel.W010: an active assignment of a patient scale with no active text pack (not in the demo).

    Without a pack the portal does not offer the scale (ARCHITECTURE.md,
    "Clinical wording"), so those patients never see it.
    """
    try:
        missing = scales_missing_packs()
    except DatabaseError:  # no database yet (e.g. before the first migrate)
        return []
    if not missing:
        return []
    listed = "; ".join(
        f"{name} (clinic {clinic_id}): {scale}" for clinic_id, name, scale in missing
    )
    return [
        Warning(
            f"Patient scales are scheduled without an installed text pack: {listed}.",
            hint=(
                "The portal does not offer a scale without its licensed wording. A clinic admin "
                "installs it at /monitoring/text-packs/ (docs/text-packs.md)."
            ),
            id="keel.W010",
        )
    ]

"""Reads for ratings."""

from __future__ import annotations

from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.patients.models import Patient


def assessment_latest_by_instrument(
    *, patient: Patient, purpose: AssessmentPurpose
) -> dict[str, Assessment]:
    """The newest rating of each instrument for ``patient`` with ``purpose``."""
    latest: dict[str, Assessment] = {}
    rows = Assessment.objects.filter(patient=patient, purpose=purpose).order_by("-taken_at", "-pk")
    for assessment in rows:
        latest.setdefault(assessment.instrument_id, assessment)
    return latest

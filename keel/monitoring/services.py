"""Writes for ratings: score with the clinical core, store, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.clinical.instruments import InvalidAnswers, UnknownInstrumentError, get_instrument
from keel.common.exceptions import ValidationFailed
from keel.monitoring.models import Assessment, AssessmentPurpose
from keel.patients.models import Patient

OBJECT_TYPE = "assessment"


def assessment_record(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[object],
    purpose: AssessmentPurpose,
    taken_at: dt.datetime | None = None,
    acute_post_dose: bool = False,
) -> Assessment:
    """Score ``answers`` with the instrument library and store the rating.

    ``patient`` must come from a gate. Invalid answers raise
    ``ValidationFailed`` naming the item; nothing is stored.
    """
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrumentError as exc:
        raise ValidationFailed({"instrument_id": [str(exc)]}) from exc
    try:
        score = instrument.score(list(answers))  # type: ignore[arg-type]  # validated by score()
    except InvalidAnswers as exc:
        raise ValidationFailed({"answers": [str(exc)]}) from exc
    when = taken_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed({"taken_at": ["A rating cannot be taken in the future."]})
    assessment = Assessment(
        patient=patient,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        form_version=instrument.form_version,
        answers=list(answers),
        total=score.total,
        band="" if score.band is None else str(score.band),
        flags=sorted(score.flags),
        complete=score.complete,
        purpose=purpose,
        acute_post_dose=acute_post_dose,
        taken_at=when,
        recorded_by=actor.user,
        created_by=actor.user,
        updated_by=actor.user,
    )
    with transaction.atomic():
        assessment.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=OBJECT_TYPE,
            object_id=assessment.pk,
            patient_id=patient.pk,
            detail={"instrument": instrument.id, "purpose": str(purpose)},
        )
    return assessment

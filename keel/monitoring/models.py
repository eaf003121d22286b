"""Ratings: one completed instrument per row, scored by the clinical core."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.common.models import BaseModel
from keel.patients.models import Patient


class AssessmentPurpose(models.TextChoices):
    """Why a rating was taken; baseline ratings feed eligibility and outcomes."""

    BASELINE = "baseline", _("Baseline (intake)")
    PRE_SESSION = "pre_session", _("Before a session")
    IN_SESSION = "in_session", _("During a session")
    CHECK_IN = "check_in", _("Between sessions")


class Assessment(BaseModel):
    """One completed rating (DOMAIN.md "rating"). Maps to FHIR QuestionnaireResponse.

    Scores are stored with the instrument version that produced them and are
    never recomputed in place (STYLE.md section 9, rule 6).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    form_version = models.CharField(max_length=60)
    answers = models.JSONField(help_text=_("One integer (or null) per item, in item order."))
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    flags = models.JSONField(default=list)
    complete = models.BooleanField()
    purpose = models.CharField(max_length=20, choices=AssessmentPurpose.choices)
    acute_post_dose = models.BooleanField(
        default=False,
        help_text=_("Taken in the acute window after a dose; excluded from switch rules."),
    )
    taken_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["patient", "instrument_id", "purpose", "-taken_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="assessment_idempotency_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} for patient {self.patient_id} at {self.taken_at:%Y-%m-%d}"

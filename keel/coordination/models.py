"""Coordination with the psychiatrist of record: invitations, plan acknowledgement, letters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keel.intake.models import EligibilityDecision
from keel.patients.models import Patient, PsychiatristOfRecord


class PsychiatristInvitation(models.Model):
    """A single-use, expiring link that lets a psychiatrist of record create their login."""

    psychiatrist = models.ForeignKey(
        PsychiatristOfRecord, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.psychiatrist} ({self.email})"

    @property
    def is_usable(self) -> bool:
        """True until used or expired."""
        return self.used_at is None and self.expires_at > timezone.now()


class AcknowledgementKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the psychiatrist of record")
    EXCEPTION = "exception", _("Not possible: physician's documented reason")


class PlanAcknowledgement(models.Model):
    """The psychiatrist of record confirming a treatment plan, or a physician's reasoned exception.

    Tied to one eligibility decision: a new decision needs a new acknowledgement.
    Append-only.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="plan_acknowledgements"
    )
    decision = models.ForeignKey(
        EligibilityDecision, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    kind = models.CharField(max_length=16, choices=AcknowledgementKind.choices)
    psychiatrist = models.ForeignKey(
        PsychiatristOfRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="exception") | ~models.Q(comment=""),
                name="acknowledgement_exception_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id}"


class CoordinationLetter(models.Model):
    """A PDF letter to the psychiatrist of record, stored so it downloads back byte-for-byte."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="coordination_letters"
    )
    decision = models.ForeignKey(
        EligibilityDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    psychiatrist = models.ForeignKey(
        PsychiatristOfRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-generated_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.generated_at:%Y-%m-%d})"

"""Alerts: findings that need a human, their lifecycle, escalation and the on-call rota.

Lifecycle (ARCHITECTURE.md, "alerts"): open -> acknowledged -> resolved. Escalation,
notification, hold clearance, same-day contact and psychiatrist review are events on an
alert, not states. Each alert stores the protocol id and version, the rule id and the
facts that fired it, so re-running the protocol on the stored facts reproduces it.
Maps to FHIR Flag / DetectedIssue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.accounts.models import Clinic
from keel.common.models import BaseModel
from keel.patients.models import Patient


class AlertCategory(models.TextChoices):
    SUICIDALITY = "suicidality", _("Suicidality")
    MOOD_ELEVATION = "mood_elevation", _("Mood elevation")
    WORSENING_DEPRESSION = "worsening_depression", _("Worsening depression")
    MISSED_CHECK_IN = "missed_check_in", _("Missed check-ins")
    NON_RESPONSE = "non_response", _("Non-response after induction")


class AlertPriority(models.TextChoices):
    """Urgent alerts escalate along the on-call rota when not acknowledged in time."""

    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class AlertLevel(models.TextChoices):
    """Mood-elevation level (REFERENCE.md section 5.2); empty for other categories."""

    NONE = "", _("None")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class SessionHold(models.TextChoices):
    """What an alert holds: amber until a physician clears it; red until same-day
    contact is made and a psychiatrist records a review (REFERENCE.md section 5.2)."""

    NONE = "", _("No hold")
    AMBER = "amber", _("Next session held until a physician clears it")
    RED = "red", _("Next session held until contact and a psychiatrist review")


class Alert(BaseModel):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="alerts")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    category = models.CharField(max_length=24, choices=AlertCategory.choices)
    priority = models.CharField(max_length=10, choices=AlertPriority.choices)
    level = models.CharField(max_length=8, choices=AlertLevel.choices, blank=True, default="")
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    rule_id = models.CharField(max_length=120)
    protocol_id = models.CharField(max_length=60)
    protocol_version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    action = models.TextField(
        max_length=2000, help_text=_("What staff should do, from the protocol rule.")
    )
    facts = models.JSONField(default=dict, help_text=_("The facts that fired the rule."))
    evidence_key = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Names the data that fired the rule; the same evidence never raises twice."),
    )
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    raised_at = models.DateTimeField()
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True, max_length=4000)
    hold = models.CharField(max_length=8, choices=SessionHold.choices, blank=True, default="")
    hold_cleared_at = models.DateTimeField(null=True, blank=True)
    hold_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_made_at = models.DateTimeField(null=True, blank=True)
    psychiatric_review_at = models.DateTimeField(null=True, blank=True)
    psychiatric_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "status", "priority"]),
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["status", "ack_due_at"]),
        ]
        constraints = [
            # One unresolved alert per rule per patient: a rule that keeps firing adds
            # to the open alert instead of opening a second one.
            models.UniqueConstraint(
                fields=["patient", "rule_id"],
                condition=~models.Q(status="resolved"),
                name="alert_one_unresolved_per_rule",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} for patient {self.patient_id} ({self.status})"

    @property
    def holds_next_session(self) -> bool:
        """True while this alert still holds the patient's next session."""
        return bool(self.hold) and self.hold_cleared_at is None


class AlertEventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    REFIRED = "refired", _("Rule fired again")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    NOTIFIED = "notified", _("Notified")
    CONTACT_MADE = "contact_made", _("Same-day contact made")
    CONTACT_ATTEMPTED = "contact_attempted", _("Contact attempted, patient not reached")
    PSYCHIATRIC_REVIEW = "psychiatric_review", _("Psychiatrist review recorded")
    HOLD_CLEARED = "hold_cleared", _("Hold cleared")


class AlertEvent(models.Model):
    """One thing that happened to an alert (never edited)."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=AlertEventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, max_length=4000)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on alert {self.alert_id}"


class ContactMethod(models.TextChoices):
    """How staff contacted the patient about an alert (REFERENCE.md section 7)."""

    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class RiskBasis(models.TextChoices):
    """What the risk assessment that resolves a suicidality alert rests on."""

    CSSRS = "cssrs", _("C-SSRS result")
    JUDGEMENT = "judgement", _("Clinician's risk judgement")


class DosingDecision(models.TextChoices):
    DOSE = "dose", _("Dose today")
    DO_NOT_DOSE = "do_not_dose", _("Do not dose today")


class CssrsLevel(models.TextChoices):
    """The level of a C-SSRS (REFERENCE.md section 1.7, section 7)."""

    NONE = "none", _("None (all answers no)")
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")


class SuicideDosingAssessment(BaseModel):
    """A physician's same-day assessment of an urgent suicidality alert before a dose.

    REFERENCE.md section 7 tier 2: "same-day assessment by a licensed clinician and the
    prescriber documents the dosing decision". A C-SSRS "since last visit" is done in
    this visit (the stored rating is linked when it was entered in Keel) and the decision
    is written with its reason. The go / no-go reads the latest one of the clinic day
    (``keel.alerts.selectors.suicide_dosing_gate``). Never edited: a new one supersedes.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="suicide_dosing_assessments"
    )
    assessed_on = models.DateField(help_text=_("The clinic's date of the assessment."))
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cssrs = models.ForeignKey(
        "monitoring.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The C-SSRS since last visit taken in this visit, when entered in Keel."),
    )
    cssrs_level = models.CharField(max_length=10, choices=CssrsLevel.choices)
    decision = models.CharField(max_length=12, choices=DosingDecision.choices)
    reason = models.TextField(max_length=4000)
    alert_ids = models.JSONField(
        default=list, help_text=_("The urgent suicidality alerts open when it was recorded.")
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["patient", "assessed_on"])]

    def __str__(self) -> str:
        return f"Same-day assessment for patient {self.patient_id} on {self.assessed_on}"


class OnCallEntry(models.Model):
    """One place on a clinic's on-call rota: urgent alerts go to rank 1 first, then 2, ...

    Entries may be limited to a date range (a week's rota); an entry without dates
    stands until removed.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="on_call")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    phone = models.CharField(max_length=32, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic", "rank", "pk"]

    def __str__(self) -> str:
        return f"On call #{self.rank} for clinic {self.clinic_id}"

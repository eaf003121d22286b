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


class DiaryEntry(BaseModel):
    """The patient's daily mood / sleep record (REFERENCE.md section 1.10). Maps to FHIR
    QuestionnaireResponse (or Observations for mood and sleep hours)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diary_entries")
    entry_date = models.DateField(help_text=_("The day the entry describes (clinic time zone)."))
    mood = models.SmallIntegerField()
    sleep_hours = models.DecimalField(max_digits=4, decimal_places=1)
    felt_less_need_for_sleep = models.BooleanField()
    irritability = models.SmallIntegerField()
    energy = models.SmallIntegerField()
    medication_taken_as_prescribed = models.BooleanField()
    recorded_at = models.DateTimeField()
    acute_post_dose = models.BooleanField(default=False)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-entry_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "entry_date"], name="diary_one_entry_per_day"
            ),
            models.UniqueConstraint(
                fields=["patient", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="diary_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Diary for patient {self.patient_id} on {self.entry_date}"


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every four weeks")


class Assignment(BaseModel):
    """An instrument scheduled for a patient with a frequency (DOMAIN.md)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assignments")
    instrument_id = models.CharField(max_length=40, help_text=_("An instrument id or 'diary'."))
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["patient", "instrument_id", "pk"]
        indexes = [models.Index(fields=["active", "patient"])]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.frequency} for patient {self.patient_id}"


class ReminderSent(models.Model):
    """One reminder sent for one due occurrence of an assignment (never sent twice)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reminders")
    due_on = models.DateField()
    sent_at = models.DateTimeField()
    channel = models.CharField(max_length=20, default="email")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "due_on"], name="reminder_once_per_due")
        ]

    def __str__(self) -> str:
        return f"Reminder for assignment {self.assignment_id} due {self.due_on}"


class TextPackStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class TextPack(BaseModel):
    """Official, licensed wording of one instrument, installed by a clinic (ARCHITECTURE.md,
    "Clinical wording"). Imported from a FHIR Questionnaire and checked against the
    instrument's items and answer values; Keel never ships the wording itself."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="text_packs"
    )
    instrument_id = models.CharField(max_length=40)
    instrument_version = models.CharField(max_length=20)
    language = models.CharField(max_length=16, default="en-US")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300, help_text=_("Where the wording came from."))
    licence_note = models.TextField(blank=True, max_length=2000)
    items = models.JSONField(help_text=_("Item texts and answer texts keyed by item number."))
    questionnaire = models.JSONField(help_text=_("The imported FHIR Questionnaire, as given."))
    status = models.CharField(
        max_length=10, choices=TextPackStatus.choices, default=TextPackStatus.ACTIVE
    )

    class Meta:
        ordering = ["clinic", "instrument_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument_id", "language"],
                condition=models.Q(status="active"),
                name="text_pack_one_active_per_instrument",
            )
        ]

    def __str__(self) -> str:
        return f"Text pack {self.instrument_id} ({self.language}) for clinic {self.clinic_id}"


class PortalInvitation(models.Model):
    """A single-use, expiring link that lets a patient create their portal login."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Portal invitation for patient {self.patient_id}"


class PortalNotInvitedReason(models.TextChoices):
    """Why a patient starting treatment was not invited to the portal."""

    NO_EMAIL = "no_email", _("No email address")
    NO_PHONE = "no_phone", _("No phone or device to use it")
    DECLINED = "declined", _("The patient declined")
    OTHER = "other", _("Another reason (see the note)")


class PortalNotInvited(models.Model):
    """A recorded reason for not inviting the patient to the portal (issue 18: a course's
    activation offers the invitation or records why not). A later invitation supersedes it."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="portal_not_invited"
    )
    reason = models.CharField(max_length=20, choices=PortalNotInvitedReason.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Portal not invited ({self.reason}) for patient {self.patient_id}"

"""Treatment courses, sessions as a state machine, pre-session checks, vitals and doses."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keel.common.models import BaseModel
from keel.intake.models import EligibilityDecision
from keel.patients.models import Patient

# Physiological plausibility bounds for entered vitals (input validation, not clinical
# thresholds): values outside them are typing errors and are refused with a 4xx.
SYSTOLIC_RANGE = (50, 260)
DIASTOLIC_RANGE = (20, 160)
HEART_RATE_RANGE = (20, 250)
SPO2_RANGE = (50, 100)
RESPIRATORY_RATE_RANGE = (4, 60)


def _bounded(low: int, high: int) -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(low), MaxValueValidator(high)]


class Route(models.TextChoices):
    IV_RACEMIC_KETAMINE = "iv_racemic_ketamine", _("IV racemic ketamine")
    INTRANASAL_ESKETAMINE = "intranasal_esketamine", _("Intranasal esketamine")
    IM_RACEMIC_KETAMINE = "im_racemic_ketamine", _("IM racemic ketamine")


class CourseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class TreatmentCourse(BaseModel):
    """Route, dose plan and planned sessions (induction, then maintenance). Maps to FHIR CarePlan."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    decision = models.ForeignKey(
        EligibilityDecision, on_delete=models.PROTECT, related_name="courses"
    )
    route = models.CharField(_("route"), max_length=32, choices=Route.choices)
    dose_mg_per_kg = models.DecimalField(
        _("dose (mg/kg)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("2.00"))],
    )
    esketamine_dose_mg = models.PositiveSmallIntegerField(
        _("esketamine dose (mg)"), null=True, blank=True
    )
    induction_sessions = models.PositiveSmallIntegerField(
        _("induction sessions"), validators=_bounded(1, 24)
    )
    maintenance_sessions = models.PositiveSmallIntegerField(
        _("maintenance sessions"), default=0, validators=[MaxValueValidator(104)]
    )
    schedule_note = models.TextField(_("schedule"), blank=True, max_length=2000)
    status = models.CharField(
        max_length=16, choices=CourseStatus.choices, default=CourseStatus.PLANNED
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status__in=["planned", "active"]),
                name="course_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        route="intranasal_esketamine",
                        esketamine_dose_mg__isnull=False,
                        dose_mg_per_kg__isnull=True,
                    )
                    | (
                        ~models.Q(route="intranasal_esketamine")
                        & models.Q(dose_mg_per_kg__isnull=False, esketamine_dose_mg__isnull=True)
                    )
                ),
                name="course_dose_matches_route",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_route_display()} course for patient {self.patient_id} ({self.status})"


class SessionState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CHECKED_IN = "checked_in", _("Checked in")
    PRE_CHECKS = "pre_checks", _("Pre-session checks")
    DOSING = "dosing", _("Dosing")
    MONITORING = "monitoring", _("Monitoring")
    RECOVERY = "recovery", _("Recovery")
    DISCHARGED = "discharged", _("Discharged")
    ABORTED = "aborted", _("Aborted")
    HANDED_OFF = "handed_off", _("Handed off")
    CANCELLED = "cancelled", _("Cancelled")


#: The states the state machine never leaves.
TERMINAL_STATES: frozenset[str] = frozenset(
    {
        SessionState.DISCHARGED,
        SessionState.ABORTED,
        SessionState.HANDED_OFF,
        SessionState.CANCELLED,
    }
)
#: Ended before any dose was given: such a session does not use up a planned session.
UNDOSED_END_STATES: frozenset[str] = frozenset({SessionState.ABORTED, SessionState.CANCELLED})


class HandOffKind(models.TextChoices):
    """How a dosed session ended without discharge (a physician records it)."""

    EMERGENCY_TRANSFER = "emergency_transfer", _("Transferred to emergency care")
    AGAINST_MEDICAL_ADVICE = "against_medical_advice", _("Left against medical advice")


class CancelCause(models.TextChoices):
    """Why a booked session was cancelled before it was dosed."""

    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")


class TreatmentSession(BaseModel):
    """One dosing visit and its state machine (never call it Session). Maps to FHIR Encounter."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.PROTECT, related_name="sessions")
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    number = models.PositiveSmallIntegerField()
    scheduled_for = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=SessionState.choices, default=SessionState.SCHEDULED
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    abort_reason = models.TextField(blank=True, max_length=2000)
    escort_name = models.CharField(_("escort's name"), max_length=200, blank=True)
    escort_phone = models.CharField(_("escort's phone"), max_length=32, blank=True)
    dose_started_at = models.DateTimeField(null=True, blank=True)
    infusion_ended_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_escort_name = models.CharField(
        _("escort at hand-off"),
        max_length=200,
        blank=True,
        help_text=_("Who took the patient home, recorded at discharge."),
    )
    consent = models.ForeignKey(
        "consent.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The signed consent the session was booked under."),
    )
    cancel_cause = models.CharField(
        _("cancelled because"), max_length=24, choices=CancelCause.choices, blank=True
    )
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True, max_length=2000)
    hand_off_kind = models.CharField(
        _("hand-off"), max_length=24, choices=HandOffKind.choices, blank=True
    )
    hand_off_reason = models.TextField(_("reason for the hand-off"), blank=True, max_length=2000)
    hand_off_destination = models.CharField(
        _("transferred to"),
        max_length=200,
        blank=True,
        help_text=_("Where the patient was taken (emergency transfer)."),
    )
    hand_off_informed = models.CharField(
        _("who was told"),
        max_length=200,
        blank=True,
        help_text=_("Who was told the patient left against medical advice."),
    )
    hand_off_escort_present = models.BooleanField(_("an escort was present"), null=True, blank=True)
    hand_off_instructions = models.TextField(_("instructions given"), blank=True, max_length=2000)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    handed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scheduled_for", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="session_number_unique_in_course"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="handed_off")
                | (
                    ~models.Q(hand_off_kind="")
                    & ~models.Q(hand_off_reason="")
                    & models.Q(handed_off_at__isnull=False, dose_started_at__isnull=False)
                ),
                name="session_hand_off_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="cancelled")
                | (
                    ~models.Q(cancel_cause="")
                    & ~models.Q(cancel_reason="")
                    & models.Q(dose_started_at__isnull=True)
                ),
                name="session_cancel_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of course {self.course_id} ({self.state})"

    @property
    def is_over(self) -> bool:
        """Discharged, aborted, handed off or cancelled: the states never left."""
        return self.state in TERMINAL_STATES


class PrecheckOutcomeChoice(models.TextChoices):
    GO = "go", _("Go")
    NEEDS_PHYSICIAN = "needs_physician", _("Needs physician")
    NO_GO = "no_go", _("No-go")


class PreSessionCheck(models.Model):
    """The go / needs physician / no-go checklist with its provenance. Append-only."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="prechecks"
    )
    outcome = models.CharField(max_length=20, choices=PrecheckOutcomeChoice.choices)
    protocol_id = models.CharField(max_length=64)
    protocol_version = models.CharField(max_length=32)
    facts = models.JSONField()
    findings = models.JSONField()
    fired_rule_ids = models.JSONField(default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    physician_override_reason = models.TextField(blank=True, max_length=2000)
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    physician_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Pre-check {self.get_outcome_display()} for session {self.session_id}"


class VitalContext(models.TextChoices):
    PRE_DOSE = "pre_dose", _("Before dosing")
    RECHECK = "recheck", _("Re-check after rest")
    DURING = "during", _("During monitoring")
    RECOVERY = "recovery", _("Recovery")


class VitalSigns(models.Model):
    """One set of vital signs. Maps to FHIR Observation (vital-signs profile)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    context = models.CharField(max_length=16, choices=VitalContext.choices)
    taken_at = models.DateTimeField()
    systolic_bp = models.PositiveSmallIntegerField(
        _("systolic BP (mmHg)"), validators=_bounded(*SYSTOLIC_RANGE)
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        _("diastolic BP (mmHg)"), validators=_bounded(*DIASTOLIC_RANGE)
    )
    heart_rate = models.PositiveSmallIntegerField(
        _("heart rate (/min)"), validators=_bounded(*HEART_RATE_RANGE)
    )
    spo2 = models.PositiveSmallIntegerField(_("SpO2 (%)"), validators=_bounded(*SPO2_RANGE))
    respiratory_rate = models.PositiveSmallIntegerField(
        _("respiratory rate (/min)"),
        null=True,
        blank=True,
        validators=_bounded(*RESPIRATORY_RATE_RANGE),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(systolic_bp__gt=models.F("diastolic_bp")),
                name="vitals_systolic_above_diastolic",
            ),
            models.UniqueConstraint(
                fields=["session", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="vitals_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.systolic_bp}/{self.diastolic_bp} at {self.taken_at:%H:%M}"


class DoseAdministration(models.Model):
    """What was given (high-alert medicine: a second clinician verifies before it starts)."""

    session = models.OneToOneField(TreatmentSession, on_delete=models.PROTECT, related_name="dose")
    route = models.CharField(max_length=32, choices=Route.choices)
    drug = models.CharField(max_length=64)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    lot = models.CharField(max_length=64)
    dosing_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=7, decimal_places=2)
    volume_ml = models.DecimalField(max_digits=7, decimal_places=2)
    calculation = models.JSONField(help_text=_("The arithmetic, one line per step."))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True)
                | ~models.Q(verified_by=models.F("prepared_by")),
                name="dose_verifier_is_a_second_clinician",
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__isnull=True) | models.Q(verified_at__isnull=False),
                name="dose_verified_before_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dose_mg} mg {self.drug} for session {self.session_id}"


class SessionEventKind(models.TextChoices):
    STOP_RULE = "stop_rule", _("Stop or pause rule fired")
    INTERVENTION = "intervention", _("Intervention")
    ADVERSE_EVENT = "adverse_event", _("Adverse event")
    NOTE = "note", _("Note")
    TRANSITION = "transition", _("State change")


class SessionEvent(models.Model):
    """Something that happened in a session: a fired stop rule, an intervention, a note."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=SessionEventKind.choices)
    rule_id = models.CharField(max_length=120, blank=True)
    text = models.TextField(max_length=4000)
    data = models.JSONField(default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class RemsExport(models.Model):
    """A Spravato REMS patient monitoring form, printed from the session record. Append-only.

    The form id and version name the schema the items came from (keel/treatment/rems_forms.py);
    ``items`` is the snapshot of every item's value, ``pdf`` the bytes as generated.
    """

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="rems_exports"
    )
    form_id = models.CharField(max_length=64)
    form_version = models.CharField(max_length=32)
    items = models.JSONField()
    pdf = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-generated_at", "-pk"]

    def __str__(self) -> str:
        return f"REMS form {self.form_version} for session {self.session_id}"


class ExitDecision(models.TextChoices):
    """A physician's decision on a positive exit check."""

    MAY_LEAVE = "may_leave", _("May go home")
    STAYS = "stays", _("Stays: not fit to leave yet")


class ExitCheck(models.Model):
    """The nurse's exit check at discharge (REFERENCE.md section 6, "Safety" and "Mobility").

    Append-only: the newest check of a session is the one discharge reads. A
    positive finding holds discharge until a physician records a decision
    with its reason on that check.
    """

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="exit_checks"
    )
    new_suicidal_ideation = models.BooleanField(_("new suicidal ideation"))
    mood_elevation = models.BooleanField(_("mood elevation still present"))
    perceptual_change = models.BooleanField(_("perceptual change still present"))
    walks_steadily = models.BooleanField(_("walks steadily without help"))
    nausea_or_dizziness = models.BooleanField(_("significant nausea or dizziness"))
    note = models.TextField(blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    physician_decision = models.CharField(
        max_length=12, choices=ExitDecision.choices, blank=True, default=""
    )
    physician_reason = models.TextField(blank=True, max_length=2000)
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    physician_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(physician_decision="", physician__isnull=True)
                    | (~models.Q(physician_decision="") & models.Q(physician__isnull=False))
                ),
                name="exit_check_decision_has_a_physician",
            )
        ]

    def __str__(self) -> str:
        return f"Exit check for session {self.session_id} at {self.recorded_at:%H:%M}"


class AdverseEventCategory(models.TextChoices):
    NAUSEA_VOMITING = "nausea_vomiting", _("Nausea or vomiting")
    EMERGENCE_REACTION = "emergence_reaction", _("Emergence reaction")
    BP_TREATMENT = "bp_treatment", _("Blood pressure treatment given")
    DESATURATION = "desaturation", _("Desaturation with intervention")
    OTHER = "other", _("Other")


class AdverseEvent(models.Model):
    """An adverse event in a session: what, when, what was done. Maps to FHIR AdverseEvent."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    category = models.CharField(max_length=24, choices=AdverseEventCategory.choices)
    occurred_at = models.DateTimeField()
    description = models.TextField(max_length=2000)
    action_taken = models.TextField(max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} in session {self.session_id}"

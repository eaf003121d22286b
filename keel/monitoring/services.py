"""Writes for check-ins: ratings, diary entries, assignments, portal invitations, reminders, text packs.

Every write validates, stores, audits in the same transaction and, for a
stored rating or diary entry, runs the protocol's alert rules
(``keel.alerts.services.alerts_evaluate``) in that transaction too.
Submissions carry an idempotency key: the same key twice returns the row
stored the first time (never a second row, never a second alert), also when
two requests race (the unique constraint decides; the loser reads the winner).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from keel.accounts.catalogue import MonitoringPerm
from keel.accounts.models import Clinic, User
from keel.accounts.roles import AccountType
from keel.accounts.selectors import Actor
from keel.accounts.services import outside_user_create
from keel.alerts.history import patient_doses
from keel.alerts.services import alerts_evaluate
from keel.audit.models import AuditAction
from keel.audit.services import audit_denied, audit_record
from keel.clinical.alerts import DosePoint
from keel.clinical.alerts.timing import last_dose_before
from keel.clinical.instruments import DiaryEntry as DiaryRecord
from keel.clinical.instruments import (
    Instrument,
    InvalidAnswers,
    UnknownInstrumentError,
    get_instrument,
)
from keel.clinical.params import ParamValue
from keel.clinical.protocol import resolve_params
from keel.clinical.schedules import occurrence_due
from keel.clinical.sessions import acute_post_dose, session_params
from keel.common.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.intake.protocols import protocol_for_clinic
from keel.monitoring.defaults import DEFAULTS, CoursePhase
from keel.monitoring.models import (
    Assessment,
    AssessmentPurpose,
    Assignment,
    DiaryEntry,
    Frequency,
    PortalInvitation,
    PortalNotInvited,
    PortalNotInvitedReason,
    ReminderSent,
    TextPack,
    TextPackStatus,
)
from keel.monitoring.selectors import (
    ACTION_STATES,
    DEFAULT_LANGUAGE,
    DIARY,
    assessment_by_key,
    clinic_today,
    demo_mode,
    diary_by_key,
    diary_for_day,
    instrument_title,
    invitation_by_hash,
    invitation_pending,
    last_completed_by_instrument,
    reminder_candidates,
    text_pack_active,
    text_packs_active,
)
from keel.monitoring.textpacks import PATIENT_SCALES, parse_questionnaire
from keel.patients.models import Patient

logger = logging.getLogger(__name__)

OBJECT_TYPE = "assessment"
T = TypeVar("T")

#: What staff may enter at a visit: the clinician-rated scales, and patient scales from paper.
CLINICIAN_SCALES = ("madrs", "ymrs")
STAFF_ENTRY_SCALES = (*CLINICIAN_SCALES, *PATIENT_SCALES)
VISIT_PURPOSES = (AssessmentPurpose.PRE_SESSION, AssessmentPurpose.CHECK_IN)
SCHEDULABLE = (DIARY, *PATIENT_SCALES)
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
DEFAULT_INVITATION_DAYS = 7


@dataclass(frozen=True)
class Submitted(Generic[T]):
    """A stored submission and whether this call stored it (False: a replay of the same key)."""

    record: T
    created: bool


def _clean_key(idempotency_key: str) -> str:
    key = idempotency_key.strip()
    if key and not IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            {"idempotency_key": ["Use 1-64 letters, digits, '.', '_', ':' or '-'."]}
        )
    return key


def _acute(patient: Patient, when: dt.datetime, doses: tuple[DosePoint, ...]) -> bool:
    """True when ``when`` falls in the acute window after the patient's last dose (§5.2)."""
    last = last_dose_before(doses, when)
    if last is None:
        return False
    return acute_post_dose(when, last.at, session_params(protocol_for_clinic(patient.clinic_id)))


# ---------------------------------------------------------------- ratings


def assessment_record(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[object],
    purpose: AssessmentPurpose,
    taken_at: dt.datetime | None = None,
    acute_post_dose: bool = False,
    idempotency_key: str = "",
) -> Assessment:
    """Score ``answers`` with the instrument library and store the rating.

    ``patient`` must come from a gate. Invalid answers raise
    ``ValidationFailed`` naming the item; nothing is stored. With an
    ``idempotency_key`` a repeated call returns the rating stored first.
    """
    return assessment_submit(
        actor=actor,
        patient=patient,
        instrument_id=instrument_id,
        answers=answers,
        purpose=purpose,
        taken_at=taken_at,
        acute_post_dose=acute_post_dose,
        idempotency_key=idempotency_key,
    ).record


def instrument_params(*, patient: Patient, instrument: Instrument) -> dict[str, ParamValue]:
    """The clinic's protocol values of the parameters ``instrument`` scores with.

    One source of truth for the suicide-item and C-SSRS thresholds (REFERENCE.md
    section 7, section 10): the stored band and flags, which the go / no-go and the
    portal read, use the same values as the clinic's alert rules, not the code defaults
    of ``keel.clinical.params``.
    """
    values = resolve_params(protocol_for_clinic(patient.clinic_id))
    params: dict[str, ParamValue] = {}
    for spec in instrument.params:
        value = values.get(spec.name.value)
        if isinstance(value, int | str) and not isinstance(value, bool):
            params[spec.name.value] = value
    return params


def _replay(existing: Assessment, instrument_id: str) -> Submitted[Assessment]:
    if existing.instrument_id != instrument_id:
        raise Conflict("This idempotency key was already used for a different questionnaire.")
    return Submitted(existing, created=False)


def assessment_submit(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[object],
    purpose: AssessmentPurpose,
    taken_at: dt.datetime | None = None,
    acute_post_dose: bool | None = None,
    idempotency_key: str = "",
) -> Submitted[Assessment]:
    """Store one rating once; run the alert rules on it. A replayed key returns the first row.

    ``acute_post_dose`` None: worked out from the patient's doses (§5.2 window).

    The key is not looked up first: the unique constraint refuses a second row and the
    first one is answered then (a retry costs a rolled-back insert, a fresh rating
    saves a query).
    """
    key = _clean_key(idempotency_key)
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrumentError as exc:
        raise ValidationFailed({"instrument_id": [str(exc)]}) from exc
    params = instrument_params(patient=patient, instrument=instrument)
    try:
        score = instrument.score(list(answers), params)  # type: ignore[arg-type]  # validated
    except InvalidAnswers as exc:
        raise ValidationFailed({"answers": [str(exc)]}) from exc
    when = taken_at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed({"taken_at": ["A rating cannot be taken in the future."]})
    # Read once: the acute window below and the alert rules both need the doses.
    doses = patient_doses(patient)
    if acute_post_dose is None:
        acute_post_dose = _acute(patient, when, doses)
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
        idempotency_key=key,
        created_by=actor.user,
        updated_by=actor.user,
    )
    try:
        with transaction.atomic():
            assessment.save()
            alerts_evaluate(
                patient=patient,
                trigger_kind="rating",
                trigger_ref=f"assessment:{assessment.pk}",
                actor=actor,
                doses=doses,
            )
            # Last: the audit chain's lock is held until COMMIT, so taking it after the
            # alert rules keeps concurrent submissions from queueing behind them.
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type=OBJECT_TYPE,
                object_id=assessment.pk,
                patient_id=patient.pk,
                clinic_id=patient.clinic_id,
                detail={"instrument": instrument.id, "purpose": str(purpose)},
            )
    except IntegrityError:
        # A concurrent request stored the same key first: answer with its row.
        existing = assessment_by_key(patient=patient, idempotency_key=key)
        if not key or existing is None:
            raise
        return _replay(existing, instrument_id)
    return Submitted(assessment, created=True)


def scale_offered(*, patient: Patient, instrument_id: str) -> bool:
    """True when the portal may show this scale: an active text pack, or the demo's own labels."""
    if instrument_id not in PATIENT_SCALES:
        return False
    if demo_mode():
        return True
    return text_pack_active(clinic_id=patient.clinic_id, instrument_id=instrument_id) is not None


def portal_rating_submit(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[int | None],
    idempotency_key: str = "",
) -> Submitted[Assessment]:
    """A patient's own check-in scale (purpose check_in), only for a scale the portal offers."""
    key = _clean_key(idempotency_key)
    existing = assessment_by_key(patient=patient, idempotency_key=key)
    if existing is not None:
        return _replay(existing, instrument_id)
    if instrument_id not in PATIENT_SCALES:
        raise ValidationFailed(
            {"instrument_id": [f"Choose one of the portal's scales: {', '.join(PATIENT_SCALES)}."]}
        )
    if not any(value is not None for value in answers):
        raise ValidationFailed({"answers": ["Answer at least one question."]})
    if not scale_offered(patient=patient, instrument_id=instrument_id):
        raise Conflict(
            "This questionnaire is not available in the portal: the clinic has not "
            "installed its wording yet."
        )
    now = timezone.now()
    return assessment_submit(
        actor=actor,
        patient=patient,
        instrument_id=instrument_id,
        answers=answers,
        purpose=AssessmentPurpose.CHECK_IN,
        taken_at=now,
        idempotency_key=key,
    )


def clinician_rating_record(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[int | None],
    purpose: AssessmentPurpose,
    taken_at: dt.datetime | None = None,
    idempotency_key: str = "",
) -> Submitted[Assessment]:
    """A rating staff enter at a visit: MADRS or YMRS, or a patient scale from a paper form."""
    if instrument_id not in STAFF_ENTRY_SCALES:
        raise ValidationFailed(
            {"instrument_id": [f"Ratings at a visit are {', '.join(STAFF_ENTRY_SCALES)}."]}
        )
    if purpose not in VISIT_PURPOSES:
        raise ValidationFailed(
            {"purpose": ["A visit rating is taken before a session or between sessions."]}
        )
    when = taken_at or timezone.now()
    return assessment_submit(
        actor=actor,
        patient=patient,
        instrument_id=instrument_id,
        answers=answers,
        purpose=purpose,
        taken_at=when,
        idempotency_key=idempotency_key,
    )


# ---------------------------------------------------------------- the daily diary


def _diary_field(message: str) -> str:
    field = message.split(":", 1)[0].strip()
    return field if field.isidentifier() else "diary"


def diary_submit(
    *,
    actor: Actor,
    patient: Patient,
    mood: int,
    sleep_hours: Decimal | int | float,
    felt_less_need_for_sleep: bool,
    irritability: int,
    energy: int,
    medication_taken_as_prescribed: bool,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Submitted[DiaryEntry]:
    """Store today's diary entry (clinic time zone): one per day; run the alert rules on it.

    The same key again returns the stored entry; the same values again the
    same day return it too; different values the same day are a 409.
    """
    key = _clean_key(idempotency_key)
    existing = diary_by_key(patient=patient, idempotency_key=key)
    if existing is not None:
        return Submitted(existing, created=False)
    try:
        record = DiaryRecord.create(
            mood=mood,
            sleep_hours=sleep_hours,
            felt_less_need_for_sleep=felt_less_need_for_sleep,
            irritability=irritability,
            energy=energy,
            medication_taken_as_prescribed=medication_taken_as_prescribed,
        )
    except InvalidAnswers as exc:
        raise ValidationFailed({_diary_field(str(exc)): [str(exc)]}) from exc
    try:
        hours = record.sleep_hours.quantize(Decimal("0.1"))
    except InvalidOperation as exc:  # pragma: no cover - bounded by the range check
        raise ValidationFailed({"sleep_hours": ["Enter hours like 7 or 7.5."]}) from exc
    if hours != record.sleep_hours:
        raise ValidationFailed({"sleep_hours": ["Use at most one decimal place, e.g. 7.5."]})
    moment = now or timezone.now()
    day = clinic_today(patient, moment)
    same_day = diary_for_day(patient=patient, day=day)
    if same_day is not None:
        return _diary_same_day(same_day, record)
    doses = patient_doses(patient)  # the acute window and the alert rules
    entry = DiaryEntry(
        patient=patient,
        entry_date=day,
        mood=record.mood,
        sleep_hours=hours,
        felt_less_need_for_sleep=record.felt_less_need_for_sleep,
        irritability=record.irritability,
        energy=record.energy,
        medication_taken_as_prescribed=record.medication_taken_as_prescribed,
        recorded_at=moment,
        acute_post_dose=_acute(patient, moment, doses),
        idempotency_key=key,
        created_by=actor.user,
        updated_by=actor.user,
    )
    try:
        with transaction.atomic():
            entry.save()
            alerts_evaluate(
                patient=patient,
                trigger_kind="diary",
                trigger_ref=f"diary:{entry.pk}",
                actor=actor,
                doses=doses,
            )
            audit_record(  # last: see assessment_submit (the chain lock lasts until COMMIT)
                actor=actor,
                action=AuditAction.CREATE,
                object_type="diary_entry",
                object_id=entry.pk,
                patient_id=patient.pk,
                clinic_id=patient.clinic_id,
                detail={"entry_date": day.isoformat()},
            )
    except IntegrityError:
        # Raced by the same key (same row) or by another entry for the same day.
        existing = diary_by_key(patient=patient, idempotency_key=key)
        if key and existing is not None:
            return Submitted(existing, created=False)
        same_day = diary_for_day(patient=patient, day=day)
        if same_day is None:
            raise
        return _diary_same_day(same_day, record)
    return Submitted(entry, created=True)


def _diary_same_day(entry: DiaryEntry, record: DiaryRecord) -> Submitted[DiaryEntry]:
    same = (
        entry.mood == record.mood
        and Decimal(entry.sleep_hours) == record.sleep_hours
        and entry.felt_less_need_for_sleep == record.felt_less_need_for_sleep
        and entry.irritability == record.irritability
        and entry.energy == record.energy
        and entry.medication_taken_as_prescribed == record.medication_taken_as_prescribed
    )
    if same:
        return Submitted(entry, created=False)
    raise Conflict(
        "Today's diary is already filled in, with different answers. Keel keeps the first "
        "one; if something in it needs correcting, tell the clinic."
    )


# ---------------------------------------------------------------- assignments


def _audit_assignment(
    actor: Actor, assignment: Assignment, action: AuditAction, **detail: object
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="assignment",
        object_id=assignment.pk,
        patient_id=assignment.patient_id,
        detail={"instrument": assignment.instrument_id, **detail},
    )


def assignment_create(
    *,
    actor: Actor,
    patient: Patient,
    instrument_id: str,
    frequency: Frequency | str,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Assignment:
    """Schedule a check-in (the diary or a patient scale) for the patient."""
    errors: dict[str, list[str]] = {}
    if instrument_id not in SCHEDULABLE:
        errors["instrument_id"] = [f"Schedule one of: {', '.join(SCHEDULABLE)}."]
    if frequency not in Frequency.values:
        errors["frequency"] = [f"Choose one of: {', '.join(Frequency.values)}."]
    start = start_date or clinic_today(patient)
    if end_date is not None and end_date < start:
        errors["end_date"] = ["The end date is before the start date."]
    if errors:
        raise ValidationFailed(errors)
    if Assignment.objects.filter(
        patient=patient, instrument_id=instrument_id, active=True
    ).exists():
        raise Conflict(
            f"{instrument_title(instrument_id)} is already scheduled for this patient; "
            "end that schedule first."
        )
    assignment = Assignment(
        patient=patient,
        instrument_id=instrument_id,
        frequency=Frequency(frequency),
        start_date=start,
        end_date=end_date,
        active=True,
        created_by=actor.user,
        updated_by=actor.user,
    )
    with transaction.atomic():
        assignment.save()
        _audit_assignment(actor, assignment, AuditAction.CREATE, frequency=str(frequency))
    return assignment


def assignment_end(
    *, actor: Actor, assignment: Assignment, end_date: dt.date | None = None
) -> Assignment:
    """Stop a schedule (from today, clinic time zone, unless another end date is given)."""
    if not assignment.active:
        raise Conflict("This schedule has already ended.")
    day = end_date or clinic_today(assignment.patient)
    assignment.active = False
    assignment.end_date = max(day, assignment.start_date)
    assignment.updated_by = actor.user
    with transaction.atomic():
        assignment.save(update_fields=["active", "end_date", "updated_by", "updated_at"])
        _audit_assignment(
            actor, assignment, AuditAction.UPDATE, ended=assignment.end_date.isoformat()
        )
    return assignment


@dataclass(frozen=True)
class DefaultsApplied:
    """What applying a phase's defaults changed."""

    created: list[Assignment]
    ended: list[Assignment]
    kept: list[Assignment]


def assignment_defaults_apply(
    *, actor: Actor, patient: Patient, phase: CoursePhase | str
) -> DefaultsApplied:
    """Schedule the phase's defaults (REFERENCE.md §0): new ones start today, a different
    frequency replaces the current schedule, a matching one is kept; nothing else changes."""
    try:
        chosen = CoursePhase(phase)
    except ValueError as exc:
        raise ValidationFailed(
            {"phase": [f"Choose one of: {', '.join(p.value for p in CoursePhase)}."]}
        ) from exc
    today = clinic_today(patient)
    created: list[Assignment] = []
    ended: list[Assignment] = []
    kept: list[Assignment] = []
    with transaction.atomic():
        for default in DEFAULTS[chosen]:
            current = Assignment.objects.filter(
                patient=patient, instrument_id=default.instrument_id, active=True
            ).first()
            if current is not None and current.frequency == default.frequency:
                kept.append(current)
                continue
            if current is not None:
                ended.append(assignment_end(actor=actor, assignment=current, end_date=today))
            created.append(
                assignment_create(
                    actor=actor,
                    patient=patient,
                    instrument_id=default.instrument_id,
                    frequency=default.frequency,
                    start_date=today,
                )
            )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="assignment_defaults",
            object_id=patient.pk,
            patient_id=patient.pk,
            detail={
                "phase": chosen.value,
                "created": [a.pk for a in created],
                "ended": [a.pk for a in ended],
                "kept": [a.pk for a in kept],
            },
        )
    return DefaultsApplied(created=created, ended=ended, kept=kept)


# ---------------------------------------------------------------- portal invitations

INVITATION_OBJECT_TYPE = "portal_invitation"
PORTAL_NOTE_MAX = 500
INVITEE = "invitee"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invitation_days() -> int:
    """How long an invitation link works (setting KEEL_PORTAL_INVITATION_DAYS, default 7)."""
    value = getattr(settings, "KEEL_PORTAL_INVITATION_DAYS", DEFAULT_INVITATION_DAYS)
    days = value if isinstance(value, int) and not isinstance(value, bool) else 0
    return days if days >= 1 else DEFAULT_INVITATION_DAYS


def portal_invite(
    *, actor: Actor, patient: Patient, accept_url_template: str, now: dt.datetime | None = None
) -> PortalInvitation:
    """Email the patient a single-use link to create their portal login.

    ``accept_url_template`` contains ``{token}``. Only the token's SHA-256 is
    stored; a new invitation withdraws the patient's older pending ones. The
    email carries no clinical content.
    """
    if patient.user_id is not None:
        raise Conflict("This patient already has a portal login.")
    if not patient.email:
        raise ValidationFailed(
            {"email": ["Add the patient's email address first: the invitation is sent there."]}
        )
    moment = now or timezone.now()
    days = invitation_days()
    raw = secrets.token_urlsafe(32)
    invitation = PortalInvitation(
        patient=patient,
        token_hash=_hash(raw),
        email=patient.email,
        expires_at=moment + dt.timedelta(days=days),
        created_by=actor.user,
    )
    link = accept_url_template.format(token=raw)
    clinic = patient.clinic
    email = patient.email
    with transaction.atomic():
        replaced = list(
            invitation_pending(patient=patient, now=moment).values_list("pk", flat=True)
        )
        PortalInvitation.objects.filter(pk__in=replaced).update(revoked_at=moment)
        invitation.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type=INVITATION_OBJECT_TYPE,
            object_id=invitation.pk,
            patient_id=patient.pk,
            detail={"days": days, "replaced": replaced},
        )
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{clinic.name}: your patient portal login",
                message=render_to_string(
                    "monitoring/email/invitation.txt",
                    {"clinic": clinic, "link": link, "days": days},
                ),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


def portal_not_invited_record(
    *, actor: Actor, patient: Patient, reason: PortalNotInvitedReason | str, note: str = ""
) -> PortalNotInvited:
    """Record why the patient is not invited to the portal (no email, no phone, declined...).

    Shown with the course and the portal status until an invitation supersedes it.
    """
    if not actor.has(MonitoringPerm.INVITE_PATIENT):
        raise PermissionDenied("You may not manage this patient's portal access.")
    if patient.user_id is not None:
        raise Conflict("This patient already has a portal login.")
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if reason not in PortalNotInvitedReason.values:
        errors["reason"] = [f"Choose one of: {', '.join(PortalNotInvitedReason.values)}."]
    elif reason == PortalNotInvitedReason.OTHER and not note:
        errors["note"] = ["Say why the patient is not invited."]
    if len(note) > PORTAL_NOTE_MAX:
        errors["note"] = [f"Keep the note under {PORTAL_NOTE_MAX} characters."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        record = PortalNotInvited.objects.create(
            patient=patient, reason=reason, note=note, recorded_by=actor.user
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="portal_not_invited",
            object_id=record.pk,
            patient_id=patient.pk,
            detail={"reason": str(reason)},
        )
    return record


def portal_invitations_revoke(
    *, actor: Actor, patient: Patient, now: dt.datetime | None = None
) -> int:
    """Withdraw the patient's pending invitation links; return how many were withdrawn."""
    moment = now or timezone.now()
    with transaction.atomic():
        pending = list(invitation_pending(patient=patient, now=moment).values_list("pk", flat=True))
        PortalInvitation.objects.filter(pk__in=pending).update(revoked_at=moment)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=INVITATION_OBJECT_TYPE,
            object_id=pending[0] if len(pending) == 1 else None,
            patient_id=patient.pk,
            detail={"revoked": pending},
        )
    return len(pending)


def _invitation_problem(invitation: PortalInvitation | None, moment: dt.datetime) -> str:
    if invitation is None:
        return "unknown"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None or invitation.patient.user_id is not None:
        return "used"
    if invitation.expires_at <= moment:
        return "expired"
    return ""


def portal_invitation_open(*, raw_token: str, now: dt.datetime | None = None) -> PortalInvitation:
    """The invitation behind a link, if it still works; otherwise the denial is audited and 404.

    Unknown, used, expired and withdrawn links are refused the same way, so
    the answer never tells which one it was.
    """
    moment = now or timezone.now()
    invitation = invitation_by_hash(token_hash=_hash(raw_token)) if raw_token else None
    problem = _invitation_problem(invitation, moment)
    if problem:
        audit_denied(
            actor=None,
            username=INVITEE,
            action=AuditAction.READ,
            object_type=INVITATION_OBJECT_TYPE,
            object_id=invitation.pk if invitation is not None else None,
            patient_id=invitation.patient_id if invitation is not None else None,
            clinic_id=invitation.patient.clinic_id if invitation is not None else None,
            detail={"reason": problem},
        )
        raise NotFound("This link no longer works.")
    assert invitation is not None  # noqa: S101 - no problem means an invitation was found
    return invitation


def portal_invitation_viewed(*, invitation: PortalInvitation) -> None:
    """Record that a working invitation link was opened."""
    audit_record(
        actor=None,
        username=INVITEE,
        action=AuditAction.READ,
        object_type=INVITATION_OBJECT_TYPE,
        object_id=invitation.pk,
        patient_id=invitation.patient_id,
        clinic_id=invitation.patient.clinic_id,
    )


def portal_invitation_accept(
    *, raw_token: str, username: str, password: str, now: dt.datetime | None = None
) -> User:
    """Create the patient's portal login from a working invitation (single use)."""
    moment = now or timezone.now()
    invitation = portal_invitation_open(raw_token=raw_token, now=moment)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Choose a username."]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["This username is taken; choose another."]
    try:
        validate_password(password, User(username=username, email=invitation.email))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(errors)
    patient = invitation.patient
    with transaction.atomic():
        locked = PortalInvitation.objects.select_for_update().get(pk=invitation.pk)
        fresh = Patient.objects.select_for_update().get(pk=patient.pk)
        if (
            locked.used_at is not None
            or locked.revoked_at is not None
            or locked.expires_at <= moment
            or fresh.user_id is not None
        ):
            raise NotFound("This link no longer works.")
        user = patient_login_create(
            patient=fresh,
            username=username,
            password=password,
            email=invitation.email,
            detail={"via": INVITATION_OBJECT_TYPE, "invitation": locked.pk},
        )
        locked.used_at = moment
        locked.save(update_fields=["used_at"])
    return user


def patient_login_create(
    *, patient: Patient, username: str, password: str, email: str, detail: dict[str, object]
) -> User:
    """Create ``patient``'s portal login, link it and audit it (``detail`` says how).

    Called by an accepted invitation, and by the demo loader for its patients.
    """
    with transaction.atomic():
        try:
            user = outside_user_create(
                username=username,
                password=password,
                first_name=patient.given_name,
                last_name=patient.family_name,
                email=email,
                account_type=AccountType.PATIENT,
            )
        except ValidationError as exc:
            raise ValidationFailed(exc.message_dict) from exc
        Patient.objects.filter(pk=patient.pk).update(user=user)
        audit_record(
            actor=None,
            username=username,
            action=AuditAction.CREATE,
            object_type="user",
            object_id=user.pk,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            detail=detail,
        )
    return user


# ---------------------------------------------------------------- reminders


def portal_link(path_name: str = "portal:today") -> str:
    """An absolute portal address: setting ``KEEL_BASE_URL`` (if set) plus the path."""
    base = str(getattr(settings, "KEEL_BASE_URL", "")).rstrip("/")
    return base + reverse(path_name)


def reminders_send_due(now: dt.datetime) -> int:
    """Email each patient whose check-ins are due (or overdue) today; return the emails sent.

    "Today" is the clinic's date. One email per patient and run, listing no
    clinical detail; each (assignment, due date) is reminded at most once,
    recorded in ``ReminderSent`` whose unique constraint settles concurrent
    runs. A scale the portal cannot show (no text pack outside the demo) is
    not reminded. A failed email rolls its rows back, so the next run retries.
    """
    due: dict[int, tuple[Patient, list[tuple[Assignment, dt.date]]]] = {}
    done_cache: dict[int, dict[str, dt.date]] = {}
    pack_cache: dict[int, set[str]] = {}
    demo = demo_mode()
    candidates = list(reminder_candidates())
    already = set(
        ReminderSent.objects.filter(assignment__in=candidates).values_list(
            "assignment_id", "due_on"
        )
    )
    for assignment in candidates:
        patient = assignment.patient
        today = clinic_today(patient, now)
        if assignment.start_date > today or (
            assignment.end_date is not None and assignment.end_date < today
        ):
            continue
        if patient.pk not in done_cache:
            done_cache[patient.pk] = last_completed_by_instrument(patient=patient)
        state = occurrence_due(
            assignment.frequency,
            assignment.start_date,
            assignment.end_date,
            done_cache[patient.pk].get(assignment.instrument_id),
            today,
        )
        if state.status not in ACTION_STATES or state.due_on is None:
            continue
        # A daily diary can only be filled in for today: each day is its own occurrence.
        due_on = today if assignment.frequency == Frequency.DAILY else state.due_on
        if (assignment.pk, due_on) in already:
            continue
        if assignment.instrument_id != DIARY and not demo:
            if patient.clinic_id not in pack_cache:
                pack_cache[patient.clinic_id] = set(
                    text_packs_active(clinic_id=patient.clinic_id, instrument_ids=PATIENT_SCALES)
                )
            if assignment.instrument_id not in pack_cache[patient.clinic_id]:
                continue
        due.setdefault(patient.pk, (patient, []))[1].append((assignment, due_on))
    sent = 0
    for patient, items in due.values():
        try:
            if _remind(patient, items, now):
                sent += 1
        except Exception:  # one patient's failure must not stop the others
            logger.exception("Reminder for patient id %s failed", patient.pk)
    return sent


def _remind(patient: Patient, items: list[tuple[Assignment, dt.date]], now: dt.datetime) -> bool:
    user = patient.user
    email = (user.email if user is not None else "") or patient.email
    if not email:
        return False
    with transaction.atomic():
        new: list[ReminderSent] = []
        for assignment, due_on in items:
            try:
                with transaction.atomic():
                    new.append(
                        ReminderSent.objects.create(
                            assignment=assignment, due_on=due_on, sent_at=now, channel="email"
                        )
                    )
            except IntegrityError:
                continue  # another run reminded this one already
        if not new:
            return False
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="reminder",
            object_id=new[0].pk,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            detail={"assignments": [r.assignment_id for r in new], "channel": "email"},
        )
        # Sent inside the transaction: if sending fails, the rows roll back and a later run retries.
        send_mail(
            subject=f"{patient.clinic.name}: a check-in is waiting for you",
            message=render_to_string(
                "monitoring/email/reminder.txt",
                {"clinic": patient.clinic, "count": len(new), "link": portal_link()},
            ),
            from_email=None,
            recipient_list=[email],
        )
    return True


# ---------------------------------------------------------------- text packs


def text_pack_install(
    *,
    actor: Actor,
    clinic: Clinic,
    questionnaire: object,
    instrument_id: str = "",
    language: str = "",
    source: str,
    licence_note: str = "",
) -> TextPack:
    """Check a FHIR Questionnaire against the instrument and install it as the active pack.

    The pack it replaces (same instrument and language) is retired. Problems
    raise ``ValidationFailed`` naming the field; nothing is stored.
    """
    parsed = parse_questionnaire(questionnaire, instrument_id=instrument_id)
    errors: dict[str, list[str]] = {}
    source = source.strip()
    if not source:
        errors["source"] = ["Say where the wording comes from (publisher, licence, file)."]
    lang = (language or parsed.language or DEFAULT_LANGUAGE).strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        errors["language"] = ["Use a language tag such as en-US or es."]
    if errors:
        raise ValidationFailed(errors)
    pack = TextPack(
        clinic=clinic,
        instrument_id=parsed.instrument_id,
        instrument_version=parsed.instrument_version,
        language=lang,
        title=parsed.title,
        source=source[:300],
        licence_note=(licence_note.strip() or parsed.copyright)[:2000],
        items=parsed.items_json(),
        questionnaire=questionnaire,
        status=TextPackStatus.ACTIVE,
        created_by=actor.user,
        updated_by=actor.user,
    )
    try:
        with transaction.atomic():
            previous = list(
                TextPack.objects.select_for_update()
                .filter(
                    clinic=clinic,
                    instrument_id=parsed.instrument_id,
                    language=lang,
                    status=TextPackStatus.ACTIVE,
                )
                .values_list("pk", flat=True)
            )
            TextPack.objects.filter(pk__in=previous).update(
                status=TextPackStatus.RETIRED, updated_by=actor.user, updated_at=timezone.now()
            )
            pack.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="text_pack",
                object_id=pack.pk,
                detail={
                    "instrument": pack.instrument_id,
                    "language": lang,
                    "retired": previous,
                    "matched_by": parsed.matched_by,
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            "Another text pack for this scale was installed at the same moment."
        ) from exc
    return pack

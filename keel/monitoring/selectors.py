"""Reads for ratings, diaries, check-in schedules, text packs and portal invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from keel.accounts.models import User
from keel.clinical.instruments import INSTRUMENTS, Flag
from keel.clinical.schedules import ScheduleState, occurrence_due
from keel.monitoring.models import (
    Assessment,
    AssessmentPurpose,
    Assignment,
    DiaryEntry,
    PortalInvitation,
    PortalNotInvited,
    TextPack,
    TextPackStatus,
)
from keel.patients.models import Patient
from keel.treatment.models import CourseStatus, SessionState, TreatmentCourse, TreatmentSession

DIARY = "diary"
DIARY_TITLE = "Daily mood and sleep diary"
DEFAULT_LANGUAGE = "en-US"
#: Schedule states that ask the patient to do something today.
ACTION_STATES = frozenset({"due", "overdue"})


def assessment_latest_by_instrument(
    *, patient: Patient, purpose: AssessmentPurpose
) -> dict[str, Assessment]:
    """The newest rating of each instrument for ``patient`` with ``purpose``."""
    latest: dict[str, Assessment] = {}
    rows = Assessment.objects.filter(patient=patient, purpose=purpose).order_by("-taken_at", "-pk")
    for assessment in rows:
        latest.setdefault(assessment.instrument_id, assessment)
    return latest


def assessment_list(*, patient: Patient, limit: int = 50) -> list[Assessment]:
    """The patient's newest ratings (any purpose), newest first."""
    return list(Assessment.objects.filter(patient=patient).order_by("-taken_at", "-pk")[:limit])


def assessment_by_key(*, patient: Patient, idempotency_key: str) -> Assessment | None:
    """The rating stored under ``idempotency_key`` for this patient, if any."""
    if not idempotency_key:
        return None
    return Assessment.objects.filter(patient=patient, idempotency_key=idempotency_key).first()


def assessment_get(*, patient: Patient, assessment_id: int) -> Assessment | None:
    """One of the patient's ratings."""
    return Assessment.objects.filter(patient=patient, pk=assessment_id).first()


def diary_list(*, patient: Patient, limit: int = 60) -> list[DiaryEntry]:
    """The patient's newest diary entries, newest day first."""
    return list(DiaryEntry.objects.filter(patient=patient).order_by("-entry_date", "-pk")[:limit])


def diary_by_key(*, patient: Patient, idempotency_key: str) -> DiaryEntry | None:
    """The diary entry stored under ``idempotency_key`` for this patient, if any."""
    if not idempotency_key:
        return None
    return DiaryEntry.objects.filter(patient=patient, idempotency_key=idempotency_key).first()


def diary_for_day(*, patient: Patient, day: dt.date) -> DiaryEntry | None:
    """The patient's diary entry for ``day`` (at most one exists)."""
    return DiaryEntry.objects.filter(patient=patient, entry_date=day).first()


def clinic_today(patient: Patient, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the patient's clinic's time zone."""
    return timezone.localtime(now or timezone.now(), patient.clinic.tzinfo).date()


#: Suicide flags (REFERENCE.md §7) that put crisis resources first on the next page.
URGENT_FLAGS = frozenset({Flag.SUICIDAL_IDEATION_TIER2.value, Flag.SUICIDAL_IDEATION_TIER3.value})
#: Tier 1 and an unanswered suicide item: the help link is shown prominently.
ROUTINE_FLAGS = frozenset({Flag.SUICIDAL_IDEATION.value, Flag.SUICIDE_ITEM_UNANSWERED.value})
CSSRS_IDS = frozenset({"cssrs_screen", "cssrs_since_last_visit"})
CSSRS_URGENT_LEVELS = frozenset({"moderate", "high"})


def crisis_level(assessment: Assessment) -> str:
    """ "urgent" (tier 2 or 3, C-SSRS moderate or high), "routine" (tier 1, unanswered), or "".

    Decided from the stored rating's own flags and level, whatever the alerts did.
    """
    flags = {str(flag) for flag in assessment.flags or []}
    if flags & URGENT_FLAGS or (
        assessment.instrument_id in CSSRS_IDS and assessment.band in CSSRS_URGENT_LEVELS
    ):
        return "urgent"
    if flags & ROUTINE_FLAGS or (
        assessment.instrument_id in CSSRS_IDS and assessment.band != "none"
    ):
        return "routine"
    return ""


# ---------------------------------------------------------------- assignments and due state


def assignment_list(*, patient: Patient, active_only: bool = False) -> QuerySet[Assignment]:
    """The patient's assignments, active first, then by instrument."""
    rows = Assignment.objects.filter(patient=patient)
    if active_only:
        rows = rows.filter(active=True)
    return rows.order_by("-active", "instrument_id", "-start_date", "pk")


def assignment_get(*, patient: Patient, assignment_id: int) -> Assignment | None:
    """One of the patient's assignments."""
    return Assignment.objects.filter(patient=patient, pk=assignment_id).first()


def last_completed_by_instrument(*, patient: Patient) -> dict[str, dt.date]:
    """The clinic-local day each instrument (and the diary) was last completed.

    Ratings taken during a session (in-session, acute post-dose) do not count
    as a completed check-in; any other complete rating does.
    """
    tz = patient.clinic.tzinfo
    done: dict[str, dt.date] = {}
    rows = (
        Assessment.objects.filter(patient=patient, complete=True)
        .exclude(purpose=AssessmentPurpose.IN_SESSION)
        .values("instrument_id")
        .annotate(last=Max("taken_at"))
    )
    for row in rows:
        last = row["last"]
        if isinstance(last, dt.datetime):
            done[str(row["instrument_id"])] = timezone.localtime(last, tz).date()
    diary_last = DiaryEntry.objects.filter(patient=patient).aggregate(last=Max("entry_date"))
    if isinstance(diary_last.get("last"), dt.date):
        done[DIARY] = diary_last["last"]
    return done


def instrument_title(instrument_id: str) -> str:
    """What staff and patients call an instrument (the diary included)."""
    if instrument_id == DIARY:
        return DIARY_TITLE
    instrument = INSTRUMENTS.get(instrument_id)
    return instrument.title if instrument is not None else instrument_id


@dataclass(frozen=True)
class DueItem:
    """One active assignment on one day: its state and whether the patient can fill it in."""

    assignment: Assignment
    title: str
    state: ScheduleState
    last_completed_on: dt.date | None
    pack: TextPack | None
    demo_wording: bool

    @property
    def instrument_id(self) -> str:
        return self.assignment.instrument_id

    @property
    def is_diary(self) -> bool:
        return self.assignment.instrument_id == DIARY

    @property
    def offered(self) -> bool:
        """True when the portal may show it to the patient (diary, text pack, or demo)."""
        return self.is_diary or self.pack is not None or self.demo_wording

    @property
    def needs_action(self) -> bool:
        """True when it is due or overdue today."""
        return self.state.status in ACTION_STATES


def demo_mode() -> bool:
    """True in a demo installation (settings.KEEL_DEMO)."""
    return bool(getattr(settings, "KEEL_DEMO", False))


def due_items(
    *, patient: Patient, today: dt.date | None = None, active_only: bool = True
) -> list[DueItem]:
    """Every (active) assignment of the patient with its state on ``today`` (clinic time zone)."""
    day = today or clinic_today(patient)
    assignments = list(assignment_list(patient=patient, active_only=active_only))
    done = last_completed_by_instrument(patient=patient)
    packs = text_packs_active(
        clinic_id=patient.clinic_id, instrument_ids=[a.instrument_id for a in assignments]
    )
    demo = demo_mode()
    items: list[DueItem] = []
    for assignment in assignments:
        pack = packs.get(assignment.instrument_id)
        items.append(
            DueItem(
                assignment=assignment,
                title=pack.title
                if pack is not None
                else instrument_title(assignment.instrument_id),
                state=occurrence_due(
                    assignment.frequency,
                    assignment.start_date,
                    assignment.end_date,
                    done.get(assignment.instrument_id),
                    day,
                ),
                last_completed_on=done.get(assignment.instrument_id),
                pack=pack,
                demo_wording=pack is None and demo and assignment.instrument_id != DIARY,
            )
        )
    return items


def reminder_candidates() -> QuerySet[Assignment]:
    """Active assignments of patients who have a portal login and an email address."""
    return (
        Assignment.objects.filter(
            active=True, patient__user__isnull=False, patient__user__is_active=True
        )
        .exclude(patient__email="", patient__user__email="")
        .select_related("patient", "patient__clinic", "patient__user")
        .order_by("patient_id", "instrument_id", "pk")
    )


def course_phase_suggestion(*, patient: Patient) -> str:
    """ "maintenance" once the open course's induction sessions are done, else "induction"."""
    course = TreatmentCourse.objects.filter(
        patient=patient, status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).first()
    if course is None:
        return "induction"
    given = TreatmentSession.objects.filter(course=course, state=SessionState.DISCHARGED).count()
    return "maintenance" if given >= course.induction_sessions else "induction"


# ---------------------------------------------------------------- text packs


def text_pack_active(
    *, clinic_id: int, instrument_id: str, language: str = DEFAULT_LANGUAGE
) -> TextPack | None:
    """The clinic's active pack for an instrument (the language asked for, else any)."""
    packs = TextPack.objects.filter(
        clinic_id=clinic_id, instrument_id=instrument_id, status=TextPackStatus.ACTIVE
    )
    return packs.filter(language=language).first() or packs.order_by("language", "pk").first()


def text_packs_active(*, clinic_id: int, instrument_ids: Iterable[str]) -> dict[str, TextPack]:
    """The clinic's active pack per instrument (preferring the default language)."""
    found: dict[str, TextPack] = {}
    rows = TextPack.objects.filter(
        clinic_id=clinic_id, instrument_id__in=set(instrument_ids), status=TextPackStatus.ACTIVE
    ).order_by("instrument_id", "language", "pk")
    for pack in rows:
        current = found.get(pack.instrument_id)
        if current is None or (
            pack.language == DEFAULT_LANGUAGE and current.language != DEFAULT_LANGUAGE
        ):
            found[pack.instrument_id] = pack
    return found


def text_pack_list(*, clinic_id: int) -> QuerySet[TextPack]:
    """Every pack the clinic installed, active first, newest first."""
    return TextPack.objects.filter(clinic_id=clinic_id).order_by(
        "status", "instrument_id", "-created_at", "-pk"
    )


def scales_missing_packs(*, demo: bool | None = None) -> list[tuple[int, str, str]]:
    """(clinic id, clinic name, instrument) for assigned patient scales without an active pack."""
    from keel.monitoring.textpacks import PATIENT_SCALES

    if demo if demo is not None else demo_mode():
        return []
    assigned = (
        Assignment.objects.filter(active=True, instrument_id__in=PATIENT_SCALES)
        .values_list("patient__clinic_id", "patient__clinic__name", "instrument_id")
        .distinct()
    )
    covered = set(
        TextPack.objects.filter(status=TextPackStatus.ACTIVE).values_list(
            "clinic_id", "instrument_id"
        )
    )
    return sorted(
        (int(clinic_id), str(name), str(instrument_id))
        for clinic_id, name, instrument_id in assigned
        if (clinic_id, instrument_id) not in covered
    )


# ---------------------------------------------------------------- the portal


def patient_for_user(*, user: User) -> Patient | None:
    """The patient record a portal login belongs to."""
    return Patient.objects.select_related("clinic").filter(user=user).first()


def invitation_by_hash(*, token_hash: str) -> PortalInvitation | None:
    """The invitation whose token hashes to ``token_hash``."""
    return (
        PortalInvitation.objects.select_related("patient", "patient__clinic")
        .filter(token_hash=token_hash)
        .first()
    )


def invitation_list(*, patient: Patient) -> QuerySet[PortalInvitation]:
    """The patient's invitations, newest first."""
    return PortalInvitation.objects.filter(patient=patient).order_by("-created_at", "-pk")


def invitation_pending(
    *, patient: Patient, now: dt.datetime | None = None
) -> QuerySet[PortalInvitation]:
    """Invitations that still work: not used, not revoked, not expired."""
    return invitation_list(patient=patient).filter(
        used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
    )


@dataclass(frozen=True)
class PortalStatus:
    """Where a patient stands with the portal."""

    state: str  # "active", "invited", "expired", "revoked", "not_invited"
    label: str
    username: str
    invitation: PortalInvitation | None


def portal_status(*, patient: Patient, now: dt.datetime | None = None) -> PortalStatus:
    """Active login, a pending invitation, an expired or revoked one, or none."""
    moment = now or timezone.now()
    if patient.user_id is not None and patient.user is not None:
        state = "active" if patient.user.is_active else "inactive"
        label = "Active login" if patient.user.is_active else "Login switched off"
        return PortalStatus(state, label, patient.user.get_username(), None)
    latest = invitation_list(patient=patient).first()
    if latest is None:
        return PortalStatus("not_invited", "Not invited", "", None)
    if latest.revoked_at is not None:
        return PortalStatus("revoked", "Invitation withdrawn", "", latest)
    if latest.used_at is None and latest.expires_at > moment:
        return PortalStatus("invited", "Invited", "", latest)
    return PortalStatus("expired", "Invitation expired", "", latest)


def portal_not_invited_latest(*, patient: Patient) -> PortalNotInvited | None:
    """The standing reason the patient is not invited to the portal, if one was recorded
    after the last invitation and the patient has no login."""
    if patient.user_id is not None:
        return None
    record = PortalNotInvited.objects.filter(patient=patient).select_related("recorded_by").first()
    if record is None:
        return None
    latest = invitation_list(patient=patient).first()
    if latest is not None and latest.created_at >= record.recorded_at:
        return None
    return record

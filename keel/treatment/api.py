"""/api/v1/treatment: courses, sessions and their transitions, vitals."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Status

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import TreatmentPerm
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import NotFound
from keel.common.schemas import ERROR_RESPONSES
from keel.monitoring.models import Assessment
from keel.treatment.models import (
    AdverseEvent,
    DoseAdministration,
    ExitCheck,
    PreSessionCheck,
    RemsExport,
    Route,
    TreatmentCourse,
    TreatmentSession,
    VitalContext,
    VitalSigns,
)
from keel.treatment.permissions import access_patient_treatment, access_session
from keel.treatment.rems import rems_export_download, rems_export_generate, rems_export_get
from keel.treatment.rems_schemas import RemsExportOut
from keel.treatment.schemas import (
    AbortIn,
    AdverseEventIn,
    AdverseEventOut,
    CheckInIn,
    ChecklistIn,
    CourseCreateIn,
    CourseOut,
    DischargeIn,
    DoseIn,
    DoseOut,
    DoseStopIn,
    ExitCheckIn,
    ExitCheckOut,
    ExitDecisionIn,
    HandOffIn,
    OverrideIn,
    PrecheckOut,
    SessionCancelIn,
    SessionOut,
    SessionRatingIn,
    SessionRatingOut,
    SessionScheduleIn,
    StopActionOut,
    StopEventActIn,
    StopEventOut,
    VitalsCheckedOut,
    VitalsIn,
    VitalsOut,
)
from keel.treatment.selectors import (
    adverse_event_list,
    course_open,
    exit_check_latest,
    precheck_latest,
    vitals_list,
)
from keel.treatment.services import (
    adverse_event_record,
    course_activate,
    course_create,
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    exit_check_physician_decide,
    exit_check_record,
    precheck_physician_decide,
    precheck_record,
    session_abort,
    session_cancel,
    session_check_in,
    session_discharge,
    session_hand_off,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    stop_event_act,
    vitals_record_checked,
)

router = Router()

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
ERRORS = ERROR_RESPONSES


def _course(actor: Actor, patient_id: int, *, action: AuditAction) -> TreatmentCourse:
    patient = access_patient_treatment(actor=actor, patient_id=patient_id, action=action)
    course = course_open(patient=patient)
    if course is None:
        raise NotFound("The patient has no planned or active course.")
    return course


@router.post(
    "/patients/{patient_id}/course",
    response={201: CourseOut, **ERRORS},
    operation_id="course_create",
)
def course_create_api(
    request: HttpRequest, patient_id: Id, payload: CourseCreateIn
) -> Status[TreatmentCourse]:
    """Plan a course for an eligible patient (physicians)."""
    actor = _actor(request)
    patient = access_patient_treatment(
        actor=actor, patient_id=patient_id, action=AuditAction.CREATE
    )
    course = course_create(
        actor=actor,
        patient=patient,
        route=Route(payload.route),
        dose_mg_per_kg=payload.dose_mg_per_kg,
        esketamine_dose_mg=payload.esketamine_dose_mg,
        induction_sessions=payload.induction_sessions,
        maintenance_sessions=payload.maintenance_sessions,
        schedule_note=payload.schedule_note,
    )
    return Status(201, course)


@router.get(
    "/patients/{patient_id}/course", response={200: CourseOut, **ERRORS}, operation_id="course_get"
)
def course_get_api(request: HttpRequest, patient_id: Id) -> TreatmentCourse:
    """The patient's planned or active course."""
    return _course(_actor(request), patient_id, action=AuditAction.READ)


@router.post(
    "/patients/{patient_id}/course/activate",
    response={200: CourseOut, **ERRORS},
    operation_id="course_activate",
)
def course_activate_api(request: HttpRequest, patient_id: Id) -> TreatmentCourse:
    """Activate the planned course: the patient must be cleared for a first session."""
    actor = _actor(request)
    return course_activate(
        actor=actor, course=_course(actor, patient_id, action=AuditAction.UPDATE)
    )


@router.post(
    "/patients/{patient_id}/sessions",
    response={201: SessionOut, **ERRORS},
    operation_id="session_schedule",
)
def session_schedule_api(
    request: HttpRequest, patient_id: Id, payload: SessionScheduleIn
) -> Status[TreatmentSession]:
    """Book the next session of the active course."""
    actor = _actor(request)
    course = _course(actor, patient_id, action=AuditAction.CREATE)
    return Status(
        201, session_schedule(actor=actor, course=course, scheduled_for=payload.scheduled_for)
    )


@router.get(
    "/sessions/{session_id}", response={200: SessionOut, **ERRORS}, operation_id="session_get"
)
def session_get_api(request: HttpRequest, session_id: Id) -> TreatmentSession:
    """One session."""
    return access_session(actor=_actor(request), session_id=session_id)


def _run(request: HttpRequest, session_id: int) -> tuple[Actor, TreatmentSession]:
    actor = _actor(request)
    session = access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.UPDATE,
    )
    return actor, session


@router.post(
    "/sessions/{session_id}/check-in",
    response={200: SessionOut, **ERRORS},
    operation_id="session_check_in",
)
def session_check_in_api(
    request: HttpRequest, session_id: Id, payload: CheckInIn
) -> TreatmentSession:
    """The patient arrived; record the escort."""
    actor, session = _run(request, session_id)
    return session_check_in(
        actor=actor,
        session=session,
        escort_name=payload.escort_name,
        escort_phone=payload.escort_phone,
    )


@router.post(
    "/sessions/{session_id}/pre-checks",
    response={200: SessionOut, **ERRORS},
    operation_id="session_start_prechecks",
)
def session_start_prechecks_api(request: HttpRequest, session_id: Id) -> TreatmentSession:
    """Begin the pre-session checklist."""
    actor, session = _run(request, session_id)
    return session_start_prechecks(actor=actor, session=session)


@router.post(
    "/sessions/{session_id}/abort",
    response={200: SessionOut, **ERRORS},
    operation_id="session_abort",
)
def session_abort_api(request: HttpRequest, session_id: Id, payload: AbortIn) -> TreatmentSession:
    """End the session before its dose has started, with the reason (409 once dosed)."""
    actor, session = _run(request, session_id)
    return session_abort(actor=actor, session=session, reason=payload.reason)


@router.post(
    "/sessions/{session_id}/cancel",
    response={200: SessionOut, **ERRORS},
    operation_id="session_cancel",
)
def session_cancel_api(
    request: HttpRequest, session_id: Id, payload: SessionCancelIn
) -> TreatmentSession:
    """Cancel a booked session before check-in, with the reason; it frees its slot."""
    actor, session = _run(request, session_id)
    return session_cancel(actor=actor, session=session, reason=payload.reason)


@router.post(
    "/sessions/{session_id}/hand-off",
    response={200: SessionOut, **ERRORS},
    operation_id="session_hand_off",
)
def session_hand_off_api(
    request: HttpRequest, session_id: Id, payload: HandOffIn
) -> TreatmentSession:
    """End a dosed session without discharge: emergency transfer or left against advice.

    Physicians only (403 otherwise); the dose must have started (409 otherwise).
    """
    actor, session = _run(request, session_id)
    return session_hand_off(
        actor=actor,
        session=session,
        kind=payload.kind,
        reason=payload.reason,
        destination=payload.destination,
        informed=payload.informed,
        escort_present=payload.escort_present,
        instructions=payload.instructions,
    )


@router.post(
    "/sessions/{session_id}/vitals",
    response={201: VitalsCheckedOut, **ERRORS},
    operation_id="vitals_record",
)
def vitals_record_api(
    request: HttpRequest, session_id: Id, payload: VitalsIn
) -> Status[VitalsCheckedOut]:
    """Record a set of vital signs (an idempotency key makes retries safe).

    After the dose has started the stop rules run at once; their actions come back.
    """
    actor, session = _run(request, session_id)
    vitals, actions = vitals_record_checked(
        actor=actor,
        session=session,
        context=VitalContext(payload.context),
        systolic_bp=payload.systolic_bp,
        diastolic_bp=payload.diastolic_bp,
        heart_rate=payload.heart_rate,
        spo2=payload.spo2,
        respiratory_rate=payload.respiratory_rate,
        taken_at=payload.taken_at,
        idempotency_key=payload.idempotency_key,
    )
    return Status(
        201,
        VitalsCheckedOut(
            vitals=VitalsOut.model_validate(vitals, from_attributes=True),
            stop_actions=[
                StopActionOut(
                    rule_id=a.rule_id, title=a.title, action=a.action, severity=str(a.severity)
                )
                for a in actions
            ],
        ),
    )


@router.get(
    "/sessions/{session_id}/vitals",
    response={200: list[VitalsOut], **ERRORS},
    operation_id="vitals_list",
)
def vitals_list_api(request: HttpRequest, session_id: Id) -> list[VitalSigns]:
    """The session's vital signs in time order."""
    session = access_session(actor=_actor(request), session_id=session_id)
    return list(vitals_list(session=session))


@router.post(
    "/sessions/{session_id}/ratings",
    response={201: SessionRatingOut, **ERRORS},
    operation_id="session_rating_record",
)
def session_rating_record_api(
    request: HttpRequest, session_id: Id, payload: SessionRatingIn
) -> Status[Assessment]:
    """A rating taken in the session (YMRS, ASRM, C-SSRS since last visit, MADRS, MOAA/S, CADSS)."""
    actor, session = _run(request, session_id)
    return Status(
        201,
        session_rating_record(
            actor=actor,
            session=session,
            instrument_id=payload.instrument_id,
            answers=payload.answers,
        ),
    )


@router.post(
    "/sessions/{session_id}/checklist",
    response={201: PrecheckOut, **ERRORS},
    operation_id="precheck_record",
)
def precheck_record_api(
    request: HttpRequest, session_id: Id, payload: ChecklistIn
) -> Status[PreSessionCheck]:
    """Run the go / no-go rules on today's vitals, ratings and this checklist."""
    actor, session = _run(request, session_id)
    answers = payload.model_dump(exclude={"open_mood_alert"})  # the hold comes from alerts
    return Status(201, precheck_record(actor=actor, session=session, answers=answers))


@router.post(
    "/sessions/{session_id}/checklist/override",
    response={200: PrecheckOut, **ERRORS},
    operation_id="precheck_physician_decide",
)
def precheck_physician_decide_api(
    request: HttpRequest, session_id: Id, payload: OverrideIn
) -> PreSessionCheck:
    """A physician overrides fired go / no-go rules with a reason (not the non-overridable ones)."""
    actor, session = _run(request, session_id)
    check = precheck_latest(session=session)
    if check is None:
        raise NotFound("No checklist recorded yet.")
    return precheck_physician_decide(
        actor=actor, check=check, rule_ids=payload.rule_ids, reason=payload.reason
    )


@router.post(
    "/sessions/{session_id}/dose", response={201: DoseOut, **ERRORS}, operation_id="dose_prepare"
)
def dose_prepare_api(
    request: HttpRequest, session_id: Id, payload: DoseIn
) -> Status[DoseAdministration]:
    """Compute and record today's dose (needs a 'go'); the arithmetic comes back."""
    actor, session = _run(request, session_id)
    return Status(
        201,
        dose_prepare(
            actor=actor,
            session=session,
            weight_kg=payload.weight_kg,
            concentration_mg_per_ml=payload.concentration_mg_per_ml,
            lot=payload.lot,
        ),
    )


def _dose(session: TreatmentSession) -> DoseAdministration:
    dose = DoseAdministration.objects.filter(session=session).first()
    if dose is None:
        raise NotFound("No dose prepared yet.")
    return dose


@router.post(
    "/sessions/{session_id}/dose/verify",
    response={200: DoseOut, **ERRORS},
    operation_id="dose_verify",
)
def dose_verify_api(request: HttpRequest, session_id: Id) -> DoseAdministration:
    """A second clinician verifies the dose."""
    actor, session = _run(request, session_id)
    return dose_verify(actor=actor, dose=_dose(session))


@router.post(
    "/sessions/{session_id}/dose/start",
    response={200: SessionOut, **ERRORS},
    operation_id="dose_start",
)
def dose_start_api(request: HttpRequest, session_id: Id) -> TreatmentSession:
    """Administration starts (only once verified); monitoring begins."""
    actor, session = _run(request, session_id)
    return dose_start(actor=actor, dose=_dose(session))


@router.post(
    "/sessions/{session_id}/dose/stop",
    response={200: SessionOut, **ERRORS},
    operation_id="dose_stop",
)
def dose_stop_api(
    request: HttpRequest, session_id: Id, payload: DoseStopIn | None = None
) -> TreatmentSession:
    """The infusion ended; recovery observation begins.

    The stop time is always recorded. Before the planned infusion time a ``reason`` is needed
    (422); with an emergency stop open the session stays in monitoring (409 naming it).
    """
    actor, session = _run(request, session_id)
    return dose_stop(actor=actor, session=session, reason=payload.reason if payload else "")


@router.post(
    "/sessions/{session_id}/stop-events/{event_id}/action",
    response={200: StopEventOut, **ERRORS},
    operation_id="stop_event_act",
)
def stop_event_act_api(
    request: HttpRequest, session_id: Id, event_id: Id, payload: StopEventActIn
) -> StopEventOut:
    """Record the action taken on an open stop event (paused, stopped, physician called ...)."""
    actor, session = _run(request, session_id)
    event = stop_event_act(
        actor=actor,
        session=session,
        event_id=event_id,
        action=payload.action,
        acted_at=payload.acted_at,
        note=payload.note,
    )
    return StopEventOut.from_event(event)


@router.post(
    "/sessions/{session_id}/discharge",
    response={200: SessionOut, **ERRORS},
    operation_id="session_discharge",
)
def session_discharge_api(
    request: HttpRequest, session_id: Id, payload: DischargeIn
) -> TreatmentSession:
    """Discharge: refused (409, naming the unmet criteria) until every criterion is met."""
    actor, session = _run(request, session_id)
    return session_discharge(
        actor=actor,
        session=session,
        escort_present=payload.escort_present,
        no_driving_acknowledged=payload.no_driving_acknowledged,
        escort_name=payload.escort_name,
        overridden=payload.overridden,
        reason=payload.reason,
    )


# ---------------------------------------------------------------- exit check, adverse events


@router.post(
    "/sessions/{session_id}/exit-check",
    response={201: ExitCheckOut, **ERRORS},
    operation_id="exit_check_record",
)
def exit_check_record_api(
    request: HttpRequest, session_id: Id, payload: ExitCheckIn
) -> Status[ExitCheck]:
    """The nurse's exit check in recovery; a positive finding holds discharge for a physician.

    Mood elevation or perceptual change still present raises an amber
    mood-elevation alert; new suicidal ideation an urgent suicidality alert.
    """
    actor, session = _run(request, session_id)
    return Status(
        201,
        exit_check_record(
            actor=actor,
            session=session,
            new_suicidal_ideation=payload.new_suicidal_ideation,
            mood_elevation=payload.mood_elevation,
            perceptual_change=payload.perceptual_change,
            walks_steadily=payload.walks_steadily,
            nausea_or_dizziness=payload.nausea_or_dizziness,
            note=payload.note,
        ),
    )


@router.get(
    "/sessions/{session_id}/exit-check",
    response={200: ExitCheckOut, **ERRORS},
    operation_id="exit_check_get",
)
def exit_check_get_api(request: HttpRequest, session_id: Id) -> ExitCheck:
    """The session's newest exit check (the one discharge reads)."""
    session = access_session(actor=_actor(request), session_id=session_id)
    check = exit_check_latest(session=session)
    if check is None:
        raise NotFound("No exit check recorded yet.")
    return check


@router.post(
    "/sessions/{session_id}/exit-check/decision",
    response={200: ExitCheckOut, **ERRORS},
    operation_id="exit_check_physician_decide",
)
def exit_check_physician_decide_api(
    request: HttpRequest, session_id: Id, payload: ExitDecisionIn
) -> ExitCheck:
    """A physician decides on the newest, positive exit check (may go home, or stays), with why."""
    actor, session = _run(request, session_id)
    check = exit_check_latest(session=session)
    if check is None:
        raise NotFound("No exit check recorded yet.")
    return exit_check_physician_decide(
        actor=actor, check=check, decision=payload.decision, reason=payload.reason
    )


@router.post(
    "/sessions/{session_id}/adverse-events",
    response={201: AdverseEventOut, **ERRORS},
    operation_id="adverse_event_record",
)
def adverse_event_record_api(
    request: HttpRequest, session_id: Id, payload: AdverseEventIn
) -> Status[AdverseEvent]:
    """Record an adverse event of the session (from the dose until the session ends)."""
    actor, session = _run(request, session_id)
    return Status(
        201,
        adverse_event_record(
            actor=actor,
            session=session,
            category=payload.category,
            occurred_at=payload.occurred_at,
            description=payload.description,
            action_taken=payload.action_taken,
        ),
    )


@router.get(
    "/sessions/{session_id}/adverse-events",
    response={200: list[AdverseEventOut], **ERRORS},
    operation_id="adverse_event_list",
)
def adverse_event_list_api(request: HttpRequest, session_id: Id) -> list[AdverseEvent]:
    """The session's adverse events in the order they happened."""
    session = access_session(actor=_actor(request), session_id=session_id)
    return list(adverse_event_list(session=session))


# ---------------------------------------------------------------- REMS monitoring form export


@router.post(
    "/sessions/{session_id}/rems-exports",
    response={201: RemsExportOut, **ERRORS},
    operation_id="rems_export_create",
)
def rems_export_create_api(request: HttpRequest, session_id: Id) -> Status[RemsExport]:
    """Print the Spravato REMS monitoring form from a discharged esketamine session (409 else)."""
    actor = _actor(request)
    session = access_session(
        actor=actor,
        session_id=session_id,
        need=TreatmentPerm.RUN_SESSIONS,
        action=AuditAction.EXPORT,
    )
    return Status(201, rems_export_generate(actor=actor, session=session))


@router.get(
    "/sessions/{session_id}/rems-exports/{export_id}/pdf",
    response={200: None, **ERRORS},
    operation_id="rems_export_pdf",
)
def rems_export_pdf_api(request: HttpRequest, session_id: Id, export_id: Id) -> HttpResponse:
    """The stored REMS form PDF, byte-for-byte."""
    actor = _actor(request)
    session = access_session(actor=actor, session_id=session_id, action=AuditAction.EXPORT)
    export = rems_export_get(session=session, export_id=export_id)
    if export is None:
        raise NotFound()
    response = HttpResponse(
        rems_export_download(actor=actor, export=export), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="keel-rems-{export.form_version}-{export.pk}.pdf"'
    )
    return response

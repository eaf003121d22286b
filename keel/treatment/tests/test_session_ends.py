"""No way around the floors: a dosed session ends by discharge or a physician's hand-off."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from conftest import World
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.treatment.models import (
    DoseAdministration,
    HandOffKind,
    SessionEvent,
    SessionState,
    TreatmentSession,
)
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    precheck_record,
    session_abort,
    session_hand_off,
)
from keel.treatment.tests.helpers import EARLY, scheduled_session
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db

EMERGENCY = {
    "kind": HandOffKind.EMERGENCY_TRANSFER,
    "reason": "Chest pain and BP 200/120 despite rest; needs emergency assessment.",
    "destination": "St Mary's emergency department, by ambulance",
}
AGAINST_ADVICE = {
    "kind": HandOffKind.AGAINST_MEDICAL_ADVICE,
    "reason": "Patient insisted on leaving before the observation time was over.",
    "informed": "Escort Robin Ellery and the psychiatrist of record",
    "escort_present": True,
    "instructions": "No driving until tomorrow; call 988 or 911 if confused or unwell.",
}


def dosed_session(world: World) -> TreatmentSession:
    """Patient A's IV session with the infusion running (state monitoring)."""
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    return dose_start(actor=nurse, dose=dose)


# ---------------------------------------------------------------- services


def test_abort_is_refused_once_the_dose_has_started(world: World) -> None:
    session = dosed_session(world)
    with pytest.raises(Conflict, match=r"discharge.*hand-off"):
        session_abort(
            actor=world.actor("physician_x"),
            session=session,
            reason="Discharge refused, so end it here instead.",
        )
    session = dose_stop(actor=world.actor("nurse_x"), session=session, reason=EARLY)
    with pytest.raises(Conflict, match="hand-off"):
        session_abort(
            actor=world.actor("physician_x"),
            session=session,
            reason="Discharge refused, so end it here instead.",
        )
    session.refresh_from_db()
    assert session.state == SessionState.RECOVERY


def test_abort_before_the_dose_still_works(world: World) -> None:
    session = scheduled_session(world)
    session = session_abort(
        actor=world.actor("nurse_x"), session=session, reason="Patient has a fever today."
    )
    assert session.state == SessionState.ABORTED


def test_emergency_hand_off_ends_the_session_and_records_the_infusion_stop(
    world: World,
) -> None:
    session = dosed_session(world)
    assert session.infusion_ended_at is None
    session = session_hand_off(actor=world.actor("physician_x"), session=session, **EMERGENCY)
    session.refresh_from_db()
    assert session.state == SessionState.HANDED_OFF
    assert session.is_over is True
    assert session.hand_off_kind == HandOffKind.EMERGENCY_TRANSFER
    assert session.hand_off_destination == EMERGENCY["destination"]
    assert session.hand_off_reason == EMERGENCY["reason"]
    assert session.handed_off_by == world.users["physician_x"]
    assert session.infusion_ended_at == session.handed_off_at
    dose = DoseAdministration.objects.get(session=session)
    assert dose.stopped_at == session.handed_off_at
    event = SessionEvent.objects.filter(session=session).latest("pk")
    assert event.data["to"] == "handed_off" and event.data["hand_off"] == "emergency_transfer"
    assert "St Mary's" in event.text
    audit = AuditEvent.objects.filter(object_type="treatment_session", object_id=str(session.pk))
    assert audit.filter(detail__to="handed_off", detail__hand_off="emergency_transfer").exists()


def test_hand_off_in_recovery_keeps_the_recorded_infusion_stop(world: World) -> None:
    session = dose_stop(actor=world.actor("nurse_x"), session=dosed_session(world), reason=EARLY)
    stopped = session.infusion_ended_at
    session = session_hand_off(actor=world.actor("physician_x"), session=session, **AGAINST_ADVICE)
    session.refresh_from_db()
    assert session.state == SessionState.HANDED_OFF
    assert session.infusion_ended_at == stopped
    assert session.hand_off_informed == AGAINST_ADVICE["informed"]
    assert session.hand_off_escort_present is True
    assert session.hand_off_instructions.startswith("No driving")


def test_only_a_physician_records_a_hand_off(world: World) -> None:
    session = dosed_session(world)
    with pytest.raises(PermissionDenied):
        session_hand_off(actor=world.actor("nurse_x"), session=session, **EMERGENCY)
    session.refresh_from_db()
    assert session.state == SessionState.MONITORING


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({**EMERGENCY, "destination": "  "}, "destination"),
        ({**EMERGENCY, "reason": "unwell"}, "reason"),
        ({**AGAINST_ADVICE, "informed": ""}, "informed"),
        ({**AGAINST_ADVICE, "escort_present": None}, "escort_present"),
        ({**AGAINST_ADVICE, "instructions": ""}, "instructions"),
        ({**EMERGENCY, "kind": "walked_out"}, "kind"),
    ],
)
def test_hand_off_names_what_is_missing(
    world: World, values: dict[str, object], field: str
) -> None:
    session = dosed_session(world)
    with pytest.raises(ValidationFailed) as info:
        session_hand_off(actor=world.actor("physician_x"), session=session, **values)  # type: ignore[arg-type]
    assert field in info.value.errors
    session.refresh_from_db()
    assert session.state == SessionState.MONITORING


def test_hand_off_before_the_dose_is_refused(world: World) -> None:
    session = scheduled_session(world)
    with pytest.raises(Conflict, match="abort"):
        session_hand_off(actor=world.actor("physician_x"), session=session, **EMERGENCY)


def test_a_handed_off_session_takes_no_more_steps(world: World) -> None:
    session = session_hand_off(
        actor=world.actor("physician_x"), session=dosed_session(world), **EMERGENCY
    )
    with pytest.raises(Conflict):
        dose_stop(actor=world.actor("nurse_x"), session=session, reason=EARLY)
    with pytest.raises(Conflict):
        session_hand_off(actor=world.actor("physician_x"), session=session, **AGAINST_ADVICE)


# ---------------------------------------------------------------- API


def _post(client: Client, url: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def test_api_abort_after_the_dose_is_409_and_hand_off_ends_it(world: World) -> None:
    session = dosed_session(world)
    url = f"/api/v1/treatment/sessions/{session.pk}"
    physician = world.client("physician_x")
    status, body = _post(physician, f"{url}/abort", {"reason": "Ending it here instead."})
    assert status == 409 and "hand-off" in str(body["detail"]), body
    status, body = _post(world.client("nurse_x"), f"{url}/hand-off", dict(EMERGENCY))
    assert status == 403, body
    status, body = _post(physician, f"{url}/hand-off", {**EMERGENCY, "destination": ""})
    assert status == 422 and "destination" in json.dumps(body), body
    status, body = _post(physician, f"{url}/hand-off", {**EMERGENCY, "reason": ""})
    assert status == 422 and "reason" in json.dumps(body), body
    status, body = _post(physician, f"{url}/hand-off", {**EMERGENCY, "kind": "home"})
    assert status == 422 and "kind" in json.dumps(body), body
    status, body = _post(physician, f"{url}/hand-off", dict(EMERGENCY))
    assert status == 200, body
    assert body["state"] == "handed_off"
    assert body["hand_off_kind"] == "emergency_transfer"
    assert body["hand_off_destination"] == EMERGENCY["destination"]
    assert body["handed_off_at"] and body["infusion_ended_at"]


def test_api_hand_off_against_advice_names_each_missing_field(world: World) -> None:
    session = dosed_session(world)
    status, body = _post(
        world.client("physician_x"),
        f"/api/v1/treatment/sessions/{session.pk}/hand-off",
        {"kind": "against_medical_advice", "reason": AGAINST_ADVICE["reason"]},
    )
    assert status == 422, body
    text = json.dumps(body)
    assert all(name in text for name in ("informed", "escort_present", "instructions")), body


def test_api_hand_off_of_another_clinics_session_is_404(world: World) -> None:
    session = dosed_session(world)
    status, _body = _post(
        world.client("nurse_y"), f"/api/v1/treatment/sessions/{session.pk}/hand-off", EMERGENCY
    )
    assert status == 404

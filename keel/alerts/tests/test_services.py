"""Alert services: raising and dedupe, notifications, every lifecycle step and illegal step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from conftest import World
from keel.accounts.services import membership_psychiatrist_set
from keel.alerts.models import Alert, AlertEvent, AlertEventKind, AlertStatus
from keel.alerts.selectors import session_hold_level, session_holds
from keel.alerts.services import (
    alert_acknowledge,
    alert_clear_hold,
    alert_record_contact,
    alert_record_psychiatric_review,
    alert_resolve,
    alerts_record_findings,
)
from keel.alerts.tests.helpers import (
    RISK,
    amber,
    finding,
    raise_alert,
    reached,
    red,
    rota,
    staff_mail,
)
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _events(alert: Alert) -> list[str]:
    return list(alert.events.order_by("at", "pk").values_list("kind", flat=True))


def _record(world: World, *found: Any, ref: str = "assessment:9") -> list[Alert]:
    return alerts_record_findings(
        patient=world.patient_a,
        findings=list(found),
        trigger_kind="rating",
        trigger_ref=ref,
        actor=None,
    )


def test_raise_stores_provenance_event_and_audit(world: World) -> None:
    alert = raise_alert(world.patient_a, trigger_ref="assessment:41")
    assert (alert.rule_id, alert.protocol_id, alert.protocol_version) == (
        "suicide.phq9_item9.tier2",
        "keel-default",
        "3",
    )
    assert alert.status == AlertStatus.OPEN and alert.clinic == world.clinic_x
    assert (alert.source_type, alert.source_id) == ("assessment", "41")
    assert alert.facts == {"trigger_phq9_item9": 2}
    # Urgent suicidality: the psychiatrist of record, and on call (no rota: everyone).
    assert _events(alert) == ["raised", "notified", "notified", "notified"]
    audit = AuditEvent.objects.get(object_type="alert", object_id=str(alert.pk), action="create")
    assert audit.patient_id == world.patient_a.pk and audit.actor_username == "system"
    assert audit.clinic_id == world.clinic_x.pk


def test_same_evidence_never_raises_twice_and_new_evidence_refires(world: World) -> None:
    first = _record(world, finding(evidence_key="assessment:1"))
    assert len(first) == 1
    assert _record(world, finding(evidence_key="assessment:1")) == []  # same evidence
    assert Alert.objects.count() == 1
    # New evidence while the alert is unresolved: one "fired again" event, no second alert.
    assert _record(world, finding(evidence_key="assessment:2")) == []
    alert = first[0]
    assert _events(alert).count("refired") == 1
    refire = alert.events.get(kind="refired")
    assert refire.detail["evidence_key"] == "assessment:2"
    assert _record(world, finding(evidence_key="assessment:2")) == []  # refire is deduped too
    assert _events(alert).count("refired") == 1
    # Resolved: the same evidence stays silent; new evidence raises a new alert.
    alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)
    reached(world, alert)
    alert_resolve(
        actor=world.actor("nurse_x"), alert=alert, action_taken="Called; C-SSRS low.", risk=RISK
    )
    assert _record(world, finding(evidence_key="assessment:1")) == []
    again = _record(world, finding(evidence_key="assessment:3"))
    assert len(again) == 1 and again[0].pk != alert.pk


def test_bad_trigger_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(ValidationFailed) as exc:
        alerts_record_findings(
            patient=world.patient_a,
            findings=[finding()],
            trigger_kind="rating",
            trigger_ref="diary:3",
            actor=None,
        )
    assert "trigger_ref" in exc.value.errors
    with pytest.raises(ValidationFailed) as exc:
        alerts_record_findings(
            patient=world.patient_a, findings=[], trigger_kind="sms", trigger_ref="", actor=None
        )
    assert "trigger_kind" in exc.value.errors


def test_mood_elevation_notifies_the_psychiatrist_without_identifiers(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    patient = world.patient_a
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(patient, amber())
    psychiatrist = patient.psychiatrist_of_record
    assert psychiatrist is not None
    [message] = mail.outbox
    assert message.to == [psychiatrist.email or psychiatrist.user.email]
    body = message.subject + message.body
    assert f"/alerts/{alert.pk}/" in body and "Clinic X" in body
    for identifier in (
        patient.given_name,
        patient.family_name,
        patient.mrn,
        str(patient.birth_date),
    ):
        assert identifier not in body
    notified = alert.events.get(kind="notified")
    assert notified.to_user == world.users["psychiatrist_a"]
    assert notified.detail["recipient"] == "psychiatrist_of_record"


def test_urgent_alert_notifies_on_call_rank_one(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    nurse, physician = rota(world, "nurse_x", "physician_x")
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(world.patient_a)
    assert [m.to for m in staff_mail()] == [[nurse.email]]
    assert world.patient_a.family_name not in staff_mail()[0].body
    event = alert.events.get(kind="notified", detail__recipient="on_call")
    assert event.to_user == nurse and event.detail["rank"] == 1
    assert physician.email not in {m.to[0] for m in mail.outbox}


# ---------------------------------------------------------------- lifecycle


def test_acknowledge_then_resolve_records_who_and_when(world: World) -> None:
    nurse = world.actor("nurse_x")
    alert = raise_alert(world.patient_a)
    alert = alert_acknowledge(actor=nurse, alert=alert)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == nurse.user and alert.acknowledged_at is not None
    with pytest.raises(Conflict, match="already acknowledged"):
        alert_acknowledge(actor=nurse, alert=alert)
    reached(world, alert)
    with pytest.raises(ValidationFailed) as exc:
        alert_resolve(actor=nurse, alert=alert, action_taken="   ", risk=RISK)
    assert list(exc.value.errors) == ["action_taken"]
    alert = alert_resolve(
        actor=nurse, alert=alert, action_taken="Phoned; C-SSRS screen low.", risk=RISK
    )
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by == nurse.user
    assert alert.action_taken == "Phoned; C-SSRS screen low."
    assert _events(alert)[-3:] == ["acknowledged", "contact_made", "resolved"]
    updates = AuditEvent.objects.filter(
        object_type="alert", object_id=str(alert.pk), action="update"
    )
    assert {e.detail["event"] for e in updates} == {"acknowledged", "contact_made", "resolved"}
    assert all(e.actor_username == "nurse_x" for e in updates)
    with pytest.raises(Conflict, match="already resolved"):
        alert_resolve(actor=nurse, alert=alert, action_taken="Again.")
    with pytest.raises(Conflict):
        alert_acknowledge(actor=nurse, alert=alert)
    with pytest.raises(Conflict):
        alert_record_contact(actor=nurse, alert=alert)


def test_an_open_alert_is_acknowledged_before_it_is_resolved(world: World) -> None:
    alert = raise_alert(world.patient_a)
    with pytest.raises(Conflict, match="Acknowledge"):
        alert_resolve(actor=world.actor("nurse_x"), alert=alert, action_taken="Done.")


def test_roles_without_the_step_get_403(world: World) -> None:
    alert = raise_alert(world.patient_a, amber())
    with pytest.raises(PermissionDenied):
        alert_resolve(actor=world.actor("psychiatrist_a"), alert=alert, action_taken="x")
    with pytest.raises(PermissionDenied):
        alert_clear_hold(actor=world.actor("nurse_x"), alert=alert, note="x")
    with pytest.raises(PermissionDenied):
        alert_record_psychiatric_review(actor=world.actor("nurse_x"), alert=alert, note="x")
    with pytest.raises(PermissionDenied):
        alert_record_psychiatric_review(
            actor=world.actor("psychiatrist_other"), alert=alert, note="x"
        )
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=world.actor("front_desk_x"), alert=alert)
    # The psychiatrist of record reviews; clinic staff acknowledge and resolve.
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=world.actor("psychiatrist_a"), alert=alert)
    with pytest.raises(PermissionDenied):
        alert_record_contact(actor=world.actor("psychiatrist_a"), alert=alert)


def test_amber_hold_is_cleared_by_a_physician(world: World) -> None:
    alert = raise_alert(world.patient_a, amber())
    assert session_hold_level(world.patient_a) == "amber"
    assert session_holds(world.patient_a) == [alert]
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    alert_acknowledge(actor=nurse, alert=alert)
    with pytest.raises(Conflict, match="physician"):
        alert_resolve(actor=nurse, alert=alert, action_taken="Spoke to the patient.")
    with pytest.raises(ValidationFailed) as exc:
        alert_clear_hold(actor=physician, alert=alert, note="")
    assert list(exc.value.errors) == ["note"]
    alert = alert_clear_hold(actor=physician, alert=alert, note="Reviewed: euthymic on call.")
    assert alert.hold_cleared_by == physician.user and not alert.holds_next_session
    assert session_hold_level(world.patient_a) == "none"
    with pytest.raises(Conflict, match="already cleared"):
        alert_clear_hold(actor=physician, alert=alert, note="Again.")
    alert = alert_resolve(actor=nurse, alert=alert, action_taken="Hold cleared; next session kept.")
    assert alert.status == AlertStatus.RESOLVED


def test_a_physician_resolving_an_amber_alert_clears_its_hold(world: World) -> None:
    physician = world.actor("physician_x")
    alert = raise_alert(world.patient_a, amber())
    alert_acknowledge(actor=physician, alert=alert)
    alert = alert_resolve(actor=physician, alert=alert, action_taken="Reviewed; proceed.")
    assert alert.hold_cleared_by == physician.user
    assert _events(alert)[-2:] == ["hold_cleared", "resolved"]


def test_red_hold_needs_contact_and_a_psychiatrist_review(world: World) -> None:
    nurse, physician = world.actor("nurse_x"), world.actor("physician_x")
    alert = raise_alert(world.patient_a, red())
    assert session_hold_level(world.patient_a) == "red"
    alert_acknowledge(actor=nurse, alert=alert)
    with pytest.raises(Conflict, match="red hold"):
        alert_resolve(actor=physician, alert=alert, action_taken="Seen.")
    with pytest.raises(Conflict, match="red hold"):
        alert_clear_hold(actor=physician, alert=alert, note="Seen.")
    alert = alert_record_contact(actor=nurse, alert=alert, note="Reached by phone at 14:10.")
    assert alert.holds_next_session
    with pytest.raises(Conflict, match="already recorded"):
        alert_record_contact(actor=nurse, alert=alert)
    psychiatrist = world.actor("psychiatrist_a")
    with pytest.raises(ValidationFailed) as exc:
        alert_record_psychiatric_review(actor=psychiatrist, alert=alert, note=" ")
    assert list(exc.value.errors) == ["note"]
    alert = alert_record_psychiatric_review(
        actor=psychiatrist, alert=alert, note="Hypomanic features; hold two weeks."
    )
    assert not alert.holds_next_session
    assert alert.hold_cleared_by == psychiatrist.user
    assert session_hold_level(world.patient_a) == "none"
    with pytest.raises(Conflict, match="already recorded"):
        alert_record_psychiatric_review(actor=psychiatrist, alert=alert, note="Also.")
    alert = alert_resolve(actor=nurse, alert=alert, action_taken="Plan agreed with Dr A.")
    assert _events(alert) == [
        "raised",
        "notified",  # psychiatrist of record
        "notified",  # no rota: every physician ...
        "notified",  # ... and clinic admin
        "acknowledged",
        "contact_made",
        "psychiatric_review",
        "hold_cleared",
        "resolved",
    ]


def test_review_first_then_contact_also_lifts_the_red_hold(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    # A clinic physician reviews once the clinic admin records her as a psychiatrist.
    membership = world.users["physician_x"].memberships.get()
    membership_psychiatrist_set(
        actor=world.actor("clinic_admin_x"), membership=membership, is_psychiatrist=True
    )
    alert_record_psychiatric_review(
        actor=world.actor("physician_x"), alert=alert, note="Reviewed the YMRS."
    )
    assert Alert.objects.get(pk=alert.pk).holds_next_session
    alert = alert_record_contact(actor=world.actor("nurse_x"), alert=alert)
    assert not alert.holds_next_session
    assert AlertEvent.objects.filter(alert=alert, kind=AlertEventKind.HOLD_CLEARED).count() == 1


def test_clear_hold_on_an_alert_without_hold_is_a_conflict(world: World) -> None:
    alert = raise_alert(world.patient_a)
    with pytest.raises(Conflict, match="no session"):
        alert_clear_hold(actor=world.actor("physician_x"), alert=alert, note="x")


def test_an_urgent_rule_firing_again_tells_whoever_holds_the_alert(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    nurse, _physician = rota(world, "nurse_x", "physician_x")
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(world.patient_a)
        _record(world, finding(evidence_key="assessment:5"))  # still open: rank 1 again
    assert [m.to for m in staff_mail()] == [[nurse.email], [nurse.email]]
    assert "fired again" in staff_mail()[1].subject
    alert_acknowledge(actor=world.actor("physician_x"), alert=alert)
    with django_capture_on_commit_callbacks(execute=True):
        _record(world, finding(evidence_key="assessment:6"))  # acknowledged: its owner
    assert mail.outbox[-1].to == [world.users["physician_x"].email]
    assert "you acknowledged" in mail.outbox[-1].subject
    assert world.patient_a.family_name not in mail.outbox[-1].body
    assert _events(alert).count("refired") == 2

"""Alert pages: severity order, acknowledge from the alert page only, forms by permission, psychiatrist scope."""

from __future__ import annotations

import pytest

from conftest import World
from keel.alerts.models import AlertStatus
from keel.alerts.services import alert_acknowledge
from keel.alerts.tests.helpers import amber, finding, raise_alert, red
from keel.audit.models import AuditEvent
from keel.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_list_orders_urgent_red_amber_routine_and_filters(world: World) -> None:
    patient = world.patient_a
    routine = raise_alert(
        patient,
        finding(
            rule_id="missed.diary",
            priority="routine",
            category="missed_check_in",
            title="Missed diary days",
            evidence_key="m:1",
        ),
    )
    amber_alert = raise_alert(patient, amber())
    red_alert = raise_alert(patient, red())
    urgent = raise_alert(patient, finding())
    page = world.client("nurse_x").get("/alerts/")
    assert page.status_code == 200
    html = page.content.decode()
    order = [
        html.index(f'id="alert-row-{a.pk}"') for a in (urgent, red_alert, amber_alert, routine)
    ]
    # Red alerts are urgent too: within urgent, the older (the red one) comes first.
    assert order[1] < order[0] < order[2] < order[3]
    assert "Ainsley" in html and world.patient_a.mrn in html
    only_mood = world.client("nurse_x").get("/alerts/?category=mood_elevation").content.decode()
    assert f"alert-row-{amber_alert.pk}" in only_mood and f"alert-row-{routine.pk}" not in only_mood
    reads = AuditEvent.objects.filter(object_type="alert", action="read", actor_username="nurse_x")
    assert reads.filter(patient_id=patient.pk).count() >= 4


def test_the_list_links_to_the_alert_instead_of_acknowledging_in_one_click(world: World) -> None:
    alert = raise_alert(world.patient_a)
    client = world.client("nurse_x")
    html = client.get("/alerts/").content.decode()
    # No acknowledge form on the list: acknowledging means "I have read it and I am on it".
    assert f'action="/alerts/{alert.pk}/acknowledge/"' not in html
    assert "hx-post" not in html
    assert 'data-testid="open-to-acknowledge"' in html
    assert f'href="/alerts/{alert.pk}/" data-testid="open-to-acknowledge"' in html
    # The alert page keeps Acknowledge; posting always lands back on the alert page.
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", HTTP_HX_REQUEST="true")
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"
    alert.refresh_from_db()
    assert (
        alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world.users["nurse_x"]
    )
    # Acknowledged: the list no longer offers it.
    html = client.get("/alerts/").content.decode()
    assert 'data-testid="open-to-acknowledge"' not in html
    response = client.post(f"/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302 and response["Location"] == f"/alerts/{alert.pk}/"


def test_detail_shows_what_fired_and_the_crisis_reminder(world: World) -> None:
    alert = raise_alert(world.patient_a)
    html = world.client("physician_x").get(f"/alerts/{alert.pk}/").content.decode()
    assert "suicide.phq9_item9.tier2" in html and "keel-default version 3" in html
    assert 'data-testid="crisis-resources"' in html and "988" in html and "911" in html
    assert world.clinic_x.phone in html
    assert "Trigger phq9 item9" in html  # the facts, readable
    assert f'action="/alerts/{alert.pk}/acknowledge/"' in html


def test_resolve_with_blank_action_is_422_naming_the_field(world: World) -> None:
    alert = raise_alert(
        world.patient_a, finding(rule_id="suicide.phq9_item9.tier1", priority="routine")
    )
    client = world.client("nurse_x")
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"action_taken": ""})
    assert response.status_code == 302  # open: acknowledge first (a conflict, with the reason)
    alert_acknowledge(actor=world.actor("nurse_x"), alert=alert)
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"action_taken": "  "})
    assert response.status_code == 422
    assert b'id="id_resolve_action_taken-error"' in response.content
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"action_taken": "Called back."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.action_taken == "Called back."


def test_psychiatrist_sees_only_their_own_patients_alerts(world: World) -> None:
    own = raise_alert(world.patient_a, amber())
    stranger = PatientFactory(clinic=world.clinic_x, given_name="Orla", family_name="Vantreese")
    other = raise_alert(stranger, amber(evidence_key="assessment:77"))
    client = world.client("psychiatrist_a")
    html = client.get("/alerts/").content.decode()
    assert f"alert-row-{own.pk}" in html and "Vantreese" not in html
    assert client.get(f"/alerts/{own.pk}/").status_code == 200
    assert client.get(f"/alerts/{other.pk}/").status_code == 404
    assert client.post(f"/alerts/{other.pk}/acknowledge/").status_code == 404
    # The psychiatrist may acknowledge and review, not resolve or clear the hold.
    detail = client.get(f"/alerts/{own.pk}/").content.decode()
    assert f"/alerts/{own.pk}/review/" in detail and f"/alerts/{own.pk}/resolve/" not in detail
    assert f"/alerts/{own.pk}/clear-hold/" not in detail
    response = client.post(f"/alerts/{own.pk}/review/", {"note": "Seen; proceed."})
    assert response.status_code == 302
    outsider = world.client("psychiatrist_other")
    assert f"alert-row-{own.pk}" not in outsider.get("/alerts/").content.decode()
    assert outsider.get(f"/alerts/{own.pk}/").status_code == 404


def test_roles_without_alerts(world: World) -> None:
    alert = raise_alert(world.patient_a, red())
    for who in ("front_desk_x", "clinic_admin_x", "patient_a"):
        client = world.client(who)
        assert client.get("/alerts/").status_code == 403, who
        assert client.get(f"/alerts/{alert.pk}/").status_code == 404, who
    assert world.client("nurse_y").get(f"/alerts/{alert.pk}/").status_code == 404
    assert "alert-row" not in world.client("nurse_y").get("/alerts/").content.decode()


def test_the_patient_page_shows_that_patients_open_alerts(world: World) -> None:
    """The patient page loads its open-alerts panel from the alerts app; the panel lists the
    patient's unresolved alerts (most severe first) with their hold, and nobody else's."""
    patient = world.patient_a
    red_alert = raise_alert(patient, red())
    amber_alert = raise_alert(patient, amber())
    other = raise_alert(PatientFactory(clinic=world.clinic_x), finding(title="Someone else's"))
    client = world.client("physician_x")
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert f'hx-get="/alerts/patient/{patient.pk}/"' in page
    panel = client.get(f"/alerts/patient/{patient.pk}/")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert html.index(red_alert.title) < html.index(amber_alert.title)
    assert f"/alerts/{red_alert.pk}/" in html and "holds the next session" in html
    assert other.title not in html
    reads = AuditEvent.objects.filter(
        object_type="alert", action="read", actor_username="physician_x", patient_id=patient.pk
    )
    assert set(reads.values_list("object_id", flat=True)) >= {
        str(red_alert.pk),
        str(amber_alert.pk),
    }
    # An acknowledged alert is still unresolved: it stays in the panel.
    alert_acknowledge(actor=world.actor("nurse_x"), alert=amber_alert)
    assert amber_alert.title in client.get(f"/alerts/patient/{patient.pk}/").content.decode()


def test_the_patient_alerts_panel_says_when_there_are_none_and_keeps_its_scope(
    world: World,
) -> None:
    assert b"No open or acknowledged alerts." in (
        world.client("nurse_x").get(f"/alerts/patient/{world.patient_a.pk}/").content
    )
    raise_alert(world.patient_a)
    # Another clinic's nurse and the front desk (no clinical record) get 404, nothing listed.
    for who in ("nurse_y", "front_desk_x"):
        assert world.client(who).get(f"/alerts/patient/{world.patient_a.pk}/").status_code == 404
    # The page does not ask for the panel where the person cannot see alerts.
    page = world.client("front_desk_x").get(f"/patients/{world.patient_a.pk}/").content
    assert b"/alerts/patient/" not in page

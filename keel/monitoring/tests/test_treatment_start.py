"""Starting treatment (issue 18 §3): activating a course schedules the induction check-ins when
none are, and the course page offers the portal invitation or records why not."""

from __future__ import annotations

import pytest

from conftest import World
from keel.audit.models import AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.monitoring.defaults import DEFAULTS, CoursePhase
from keel.monitoring.models import Assignment, Frequency, PortalInvitation, PortalNotInvited
from keel.monitoring.selectors import portal_not_invited_latest
from keel.monitoring.services import assignment_create, portal_not_invited_record
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory
from keel.treatment.tests.helpers import active_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(world: World) -> Patient:
    """A clinic X patient with an email address and no portal login yet."""
    patient: Patient = PatientFactory(
        clinic=world.clinic_x, given_name="Corin", family_name="Vantablack", email="c@example.org"
    )
    return patient


def test_activating_a_course_schedules_the_induction_defaults(world: World) -> None:
    assert not Assignment.objects.filter(patient=world.patient_a, active=True).exists()
    active_course(world)
    scheduled = {
        (a.instrument_id, a.frequency)
        for a in Assignment.objects.filter(patient=world.patient_a, active=True)
    }
    assert scheduled == {(d.instrument_id, d.frequency) for d in DEFAULTS[CoursePhase.INDUCTION]}
    assert AuditEvent.objects.filter(
        object_type="assignment_defaults", patient_id=world.patient_a.pk
    ).exists()


def test_a_patient_with_check_ins_keeps_their_schedule(world: World) -> None:
    own = assignment_create(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        instrument_id="diary",
        frequency=Frequency.WEEKLY,
    )
    active_course(world)
    active = list(Assignment.objects.filter(patient=world.patient_a, active=True))
    assert active == [own]


def test_the_course_page_loads_the_check_ins_and_portal_panel(world: World) -> None:
    active_course(world)
    html = world.client("physician_x").get(f"/treatment/patients/{world.patient_a.pk}/")
    assert f'hx-get="/monitoring/patients/{world.patient_a.pk}/treatment-start/"' in (
        html.content.decode()
    )
    panel = world.client("nurse_x").get(
        f"/monitoring/patients/{world.patient_a.pk}/treatment-start/"
    )
    text = panel.content.decode()
    assert panel.status_code == 200
    assert 'data-testid="treatment-start-check-ins"' in text and "weekly" in text
    assert "Active login" in text  # patient A already uses the portal: nothing to offer


def test_the_panel_offers_the_invitation_or_a_reason(world: World, newcomer: Patient) -> None:
    client = world.client("front_desk_x")
    url = f"/monitoring/patients/{newcomer.pk}/treatment-start/"
    text = client.get(url).content.decode()
    assert "No check-ins are scheduled" in text
    assert f'hx-post="/monitoring/patients/{newcomer.pk}/portal/invite/"' in text
    assert 'data-testid="portal-not-invited-form"' in text
    # Inviting from the panel (htmx) answers with the panel, now saying "Invited".
    response = client.post(
        f"/monitoring/patients/{newcomer.pk}/portal/invite/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Invited: link sent to c@example.org" in (
        response.content.decode()
    )
    assert PortalInvitation.objects.filter(patient=newcomer).count() == 1


def test_why_not_invited_is_recorded_and_shown(world: World, newcomer: Patient) -> None:
    client = world.client("nurse_x")
    response = client.post(
        f"/monitoring/patients/{newcomer.pk}/portal/not-invited/",
        {"reason": "no_phone", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Not invited: no phone or device to use it" in text
    assert 'data-testid="portal-not-invited-form"' not in text
    record = PortalNotInvited.objects.get(patient=newcomer)
    assert record.recorded_by == world.users["nurse_x"]
    assert AuditEvent.objects.filter(object_type="portal_not_invited", object_id=record.pk).exists()
    portal = client.get(f"/monitoring/patients/{newcomer.pk}/portal/").content.decode()
    assert 'data-testid="portal-not-invited"' in portal and "No phone or device" in portal
    # Without htmx, back to the portal page.
    response = client.post(
        f"/monitoring/patients/{newcomer.pk}/portal/not-invited/", {"reason": "declined"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/patients/{newcomer.pk}/portal/"


def test_an_invitation_supersedes_the_reason(world: World, newcomer: Patient) -> None:
    actor = world.actor("nurse_x")
    portal_not_invited_record(actor=actor, patient=newcomer, reason="declined")
    assert portal_not_invited_latest(patient=newcomer) is not None
    world.client("nurse_x").post(f"/monitoring/patients/{newcomer.pk}/portal/invite/")
    assert portal_not_invited_latest(patient=newcomer) is None


def test_bad_reasons_are_refused_naming_the_field(world: World, newcomer: Patient) -> None:
    actor = world.actor("nurse_x")
    with pytest.raises(ValidationFailed) as info:
        portal_not_invited_record(actor=actor, patient=newcomer, reason="busy")
    assert list(info.value.errors) == ["reason"]
    with pytest.raises(ValidationFailed) as info:
        portal_not_invited_record(actor=actor, patient=newcomer, reason="other", note=" ")
    assert list(info.value.errors) == ["note"]
    with pytest.raises(Conflict):
        portal_not_invited_record(actor=actor, patient=world.patient_a, reason="declined")
    with pytest.raises(PermissionDenied):
        portal_not_invited_record(
            actor=world.actor("clinic_admin_x"), patient=newcomer, reason="declined"
        )
    assert not PortalNotInvited.objects.exists()

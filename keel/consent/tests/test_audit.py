"""Audit events: gates record consent reads, services record writes, refusals are kept."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import World
from keel.audit.models import AuditAction, AuditEvent, AuditOutcome
from keel.consent.models import ConsentTemplate
from keel.consent.services import consent_template_install_sample
from keel.consent.tests.factories import ALL_CONSENT_TOPICS, ConsentFactory

pytestmark = pytest.mark.django_db


def _consent_events(**filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="consent", **filters).order_by("pk"))


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("nurse_x", "page"),
        ("front_desk_x", "page"),
        ("psychiatrist_a", "page"),
        ("nurse_x", "api"),
    ],
)
def test_reading_a_patients_consent_is_audited(
    world: World, template_v1: ConsentTemplate, who: str, url: str
) -> None:
    path = (
        reverse("consent:patient", args=[world.patient_a.pk])
        if url == "page"
        else f"/api/v1/consent/patients/{world.patient_a.pk}"
    )
    assert world.client(who).get(path).status_code == 200
    [event] = _consent_events(action=AuditAction.READ)
    assert (event.outcome, event.patient_id, event.actor_username, event.clinic_id) == (
        AuditOutcome.SUCCESS,
        world.patient_a.pk,
        world.users[who].username,
        world.clinic_x.pk,
    )


def test_downloading_a_pdf_is_audited_with_the_consent(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = ConsentFactory(patient=world.patient_a, template=template_v1)
    for path in (
        reverse("consent:consent_pdf", args=[consent.pk]),
        f"/api/v1/consent/consents/{consent.pk}/pdf",
    ):
        assert world.client("physician_x").get(path).status_code == 200
    events = _consent_events(action=AuditAction.READ)
    assert [(e.object_id, e.patient_id) for e in events] == [
        (str(consent.pk), world.patient_a.pk)
    ] * 2


def test_signing_and_withdrawing_are_audited_once_each(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("nurse_x")
    base = f"/api/v1/consent/patients/{world.patient_a.pk}"
    body = {
        "template_id": template_v1.pk,
        "signed_name": "Ainsley Zephyrine",
        "confirmed": True,
        "staff_attested": True,
    }
    consent_id = client.post(
        f"{base}/sign", json.dumps(body), content_type="application/json"
    ).json()["id"]
    client.post(
        f"{base}/withdraw", json.dumps({"reason": "Stop."}), content_type="application/json"
    )
    writes = [e for e in _consent_events() if e.action != AuditAction.READ]
    assert [(e.action, e.object_id, e.patient_id) for e in writes] == [
        (AuditAction.CREATE, str(consent_id), world.patient_a.pk),
        (AuditAction.UPDATE, str(consent_id), world.patient_a.pk),
    ]


def test_a_refused_signature_is_audited_as_denied(
    world: World, template_v1: ConsentTemplate
) -> None:
    response = world.client("front_desk_x").post(
        reverse("consent:patient_sign", args=[world.patient_a.pk]),
        {"template_id": template_v1.pk, "signed_name": "Ainsley Zephyrine"},
    )
    assert response.status_code == 404
    [event] = _consent_events(outcome=AuditOutcome.DENIED)
    assert (event.action, event.actor_username, event.detail["need"]) == (
        AuditAction.CREATE,
        "front_desk_x",
        "consent.record_consent",
    )


def test_an_out_of_scope_read_is_denied_for_the_patient_and_the_consent(
    world: World, template_v1: ConsentTemplate
) -> None:
    world.client("nurse_y").get(reverse("consent:patient", args=[world.patient_a.pk]))
    denied = AuditEvent.objects.filter(outcome=AuditOutcome.DENIED)
    assert {e.object_type for e in denied} == {"patient", "consent"}
    assert not AuditEvent.objects.filter(outcome=AuditOutcome.SUCCESS, actor_username="nurse_y")


def test_template_approval_is_audited_with_the_topics(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    world.client("clinic_admin_x").post(
        reverse("consent:template_approve", args=[sample.pk]), {"topics": ALL_CONSENT_TOPICS}
    )
    event = AuditEvent.objects.get(
        object_type="consent_template", action=AuditAction.UPDATE, actor_username="clinic_admin_x"
    )
    assert (event.object_id, event.detail["topics"]) == (str(sample.pk), ALL_CONSENT_TOPICS)


def test_a_refused_template_change_is_audited_as_denied(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    response = world.client("nurse_x").post(
        reverse("consent:template_approve", args=[sample.pk]), {"topics": ALL_CONSENT_TOPICS}
    )
    assert response.status_code == 404
    event = AuditEvent.objects.get(object_type="consent_template", outcome=AuditOutcome.DENIED)
    assert (event.object_id, event.detail["need"]) == (str(sample.pk), "consent.approve_templates")

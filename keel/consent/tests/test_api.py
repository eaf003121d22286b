"""/api/v1/consent: contract, errors naming the field, state conflicts, the PDF download."""

from __future__ import annotations

import hashlib
import json
from typing import get_args

import pytest
from django.test import Client

from conftest import World
from keel.consent.models import CONSENT_TOPICS, Consent, ConsentTemplate, DocumentStatus
from keel.consent.schemas import ConsentTopicValue
from keel.consent.services import consent_template_install_sample
from keel.consent.tests.factories import ALL_CONSENT_TOPICS, ConsentTemplateFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/consent"


def _post(client: Client, url: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(url, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def _sign_body(template: ConsentTemplate, **overrides: object) -> dict[str, object]:
    return {
        "template_id": template.pk,
        "signed_name": "Ainsley Zephyrine",
        "confirmed": True,
        "staff_attested": True,
        **overrides,
    }


def test_topic_codes_in_the_schema_match_the_model() -> None:
    assert set(get_args(ConsentTopicValue)) == {topic.code for topic in CONSENT_TOPICS}


def test_status_sign_status_round_trip(world: World, template_v1: ConsentTemplate) -> None:
    client = world.client("nurse_x")
    url = f"{BASE}/patients/{world.patient_a.pk}"
    before = client.get(url).json()
    assert before["state"] == "none"
    assert before["template"]["version"] == 1
    status, signed = _post(client, f"{url}/sign", _sign_body(template_v1))
    assert status == 201
    assert signed["signed_via"] == "clinic"
    assert signed["recorded_by_id"] == world.users["nurse_x"].pk
    after = client.get(url).json()
    assert after["state"] == "current"
    assert after["consent"] == signed


def test_front_desk_sees_whether_consent_is_in_place(
    world: World, template_v1: ConsentTemplate
) -> None:
    _post(
        world.client("nurse_x"),
        f"{BASE}/patients/{world.patient_a.pk}/sign",
        _sign_body(template_v1),
    )
    response = world.client("front_desk_x").get(f"{BASE}/patients/{world.patient_a.pk}")
    assert response.status_code == 200
    assert response.json()["state"] == "current"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"signed_name": "Somebody Else"}, "signed_name"),
        ({"signed_name": ""}, "signed_name"),
        ({"signed_name": "Ainsley\x00Zephyrine"}, "signed_name"),
        ({"signed_name": "x" * 300}, "signed_name"),
        ({"confirmed": False}, "confirmed"),
        ({"confirmed": "yes"}, "confirmed"),
        ({"confirmed": 1}, "confirmed"),
        ({"staff_attested": False}, "staff_attested"),
        ({"template_id": 0}, "template_id"),
        ({"template_id": "one"}, "template_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_sign_rejects_bad_input_with_422_naming_the_field(
    world: World, template_v1: ConsentTemplate, overrides: dict[str, object], field: str
) -> None:
    status, error = _post(
        world.client("nurse_x"),
        f"{BASE}/patients/{world.patient_a.pk}/sign",
        _sign_body(template_v1, **overrides),
    )
    assert status == 422
    assert field in error["errors"]
    assert field in str(error["detail"])
    assert not Consent.objects.exists()


def test_sign_without_the_required_fields_names_each(
    world: World, template_v1: ConsentTemplate
) -> None:
    status, error = _post(world.client("nurse_x"), f"{BASE}/patients/{world.patient_a.pk}/sign", {})
    assert status == 422
    assert set(error["errors"]) == {"template_id", "signed_name", "confirmed", "staff_attested"}


def test_sign_with_another_clinics_template_is_422(world: World) -> None:
    other = ConsentTemplateFactory(clinic=world.clinic_y)
    status, error = _post(
        world.client("nurse_x"),
        f"{BASE}/patients/{world.patient_a.pk}/sign",
        _sign_body(other),
    )
    assert (status, list(error["errors"])) == (422, ["template_id"])


def test_signing_an_unapproved_template_is_409(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    status, error = _post(
        world.client("nurse_x"), f"{BASE}/patients/{world.patient_a.pk}/sign", _sign_body(sample)
    )
    assert status == 409
    assert "not approved for signing" in str(error["detail"])
    assert not Consent.objects.exists()


def test_signing_twice_is_409(world: World, template_v1: ConsentTemplate) -> None:
    client = world.client("physician_x")
    url = f"{BASE}/patients/{world.patient_a.pk}/sign"
    assert _post(client, url, _sign_body(template_v1))[0] == 201
    status, error = _post(client, url, _sign_body(template_v1))
    assert status == 409
    assert "already signed" in str(error["detail"])


def test_withdraw_needs_a_reason_and_blocks(world: World, template_v1: ConsentTemplate) -> None:
    client = world.client("nurse_x")
    url = f"{BASE}/patients/{world.patient_a.pk}"
    _post(client, f"{url}/sign", _sign_body(template_v1))
    for body in ({}, {"reason": ""}, {"reason": "x" * 1001}, {"reason": "ok", "extra": 1}):
        status, error = _post(client, f"{url}/withdraw", body)
        assert status == 422, body
        assert set(error["errors"]) <= {"reason", "extra"}
    assert _post(client, f"{url}/withdraw", {"reason": "   "})[0] == 422
    status, body = _post(client, f"{url}/withdraw", {"reason": "Wants to stop."})
    assert status == 200
    assert body["state"] == "withdrawn"
    assert body["consent"]["withdrawal_reason"] == "Wants to stop."
    status, error = _post(client, f"{url}/withdraw", {"reason": "Again."})
    assert status == 409


def test_pdf_download_is_the_stored_pdf_byte_for_byte(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("nurse_x")
    _, signed = _post(client, f"{BASE}/patients/{world.patient_a.pk}/sign", _sign_body(template_v1))
    response = client.get(f"{BASE}/consents/{signed['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Zephyrine" not in response["Content-Disposition"]
    stored = bytes(Consent.objects.get(pk=signed["id"]).pdf)
    assert response.content == stored
    assert response.content.startswith(b"%PDF-")
    assert hashlib.sha256(response.content).hexdigest() == signed["pdf_sha256"]


def test_template_list_and_approval_for_the_clinic_admin(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    client = world.client("clinic_admin_x")
    listing = client.get(f"{BASE}/templates").json()
    assert listing["count"] == 1
    item = listing["items"][0]
    assert (item["status"], item["is_sample"], item["approval_marker"]) == (
        "awaiting_approval",
        True,
        "Sample text — awaiting medical director approval",
    )
    status, error = _post(
        client, f"{BASE}/templates/{sample.pk}/approve", {"topics": ["off_label"]}
    )
    assert status == 422
    assert list(error["errors"]) == ["topics"]
    status, error = _post(client, f"{BASE}/templates/{sample.pk}/approve", {"topics": ["x"]})
    assert status == 422
    assert "topics.0" in error["errors"]
    status, approved = _post(
        client, f"{BASE}/templates/{sample.pk}/approve", {"topics": ALL_CONSENT_TOPICS}
    )
    assert status == 200
    assert (approved["status"], approved["approval_marker"]) == ("approved", "")
    assert approved["topics_confirmed"] == ALL_CONSENT_TOPICS
    status, _ = _post(
        client, f"{BASE}/templates/{sample.pk}/approve", {"topics": ALL_CONSENT_TOPICS}
    )
    assert status == 409


def test_templates_of_another_clinic_are_not_found(world: World) -> None:
    other = ConsentTemplateFactory(clinic=world.clinic_y, status=DocumentStatus.DRAFT)
    status, _ = _post(
        world.client("clinic_admin_x"),
        f"{BASE}/templates/{other.pk}/approve",
        {"topics": ALL_CONSENT_TOPICS},
    )
    assert status == 404
    other.refresh_from_db()
    assert other.status == DocumentStatus.DRAFT


def test_missing_and_forbidden_patients_look_the_same(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("nurse_y")
    forbidden = client.get(f"{BASE}/patients/{world.patient_a.pk}")
    missing = client.get(f"{BASE}/patients/987654321")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


def test_the_openapi_document_lists_every_consent_operation(world: World) -> None:
    paths = world.client("nurse_x").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/consent/templates",
        "/api/v1/consent/templates/{template_id}/approve",
        "/api/v1/consent/patients/{patient_id}",
        "/api/v1/consent/patients/{patient_id}/sign",
        "/api/v1/consent/patients/{patient_id}/withdraw",
        "/api/v1/consent/consents/{consent_id}/pdf",
    } <= set(paths)
    pdf = paths["/api/v1/consent/consents/{consent_id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]


def test_the_template_list_takes_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    for version in range(1, 6):
        ConsentTemplateFactory(
            clinic=world.clinic_x, version=version, status=DocumentStatus.RETIRED
        )
    client = world.client("clinic_admin_x")
    # 9: one of them loads the session's second-factor device (django-otp, clinic admins).
    with django_assert_max_num_queries(9):  # type: ignore[operator]
        response = client.get(f"{BASE}/templates")
    assert response.json()["count"] == 5

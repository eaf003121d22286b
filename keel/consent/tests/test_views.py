"""Consent pages: what staff, clinic admins and patients see and can do."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from conftest import World
from keel.consent import sample_texts
from keel.consent.models import Consent, ConsentTemplate, DocumentStatus
from keel.consent.services import (
    consent_template_approve,
    consent_template_create_version,
    consent_template_install_sample,
    consent_template_update,
    education_page_approve,
    education_page_create_version,
    education_page_install_sample,
)
from keel.consent.tests.factories import (
    ALL_CONSENT_TOPICS,
    ALL_EDUCATION_TOPICS,
    ConsentFactory,
)

pytestmark = pytest.mark.django_db

SIGN = {"signed_name": "Ainsley Zephyrine", "confirmed": "on", "staff_attested": "on"}
MARKER = "Sample text — awaiting medical director approval"


def _text(html: bytes) -> str:
    """The page's visible words, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html.decode())).split())


def _patient_url(world: World, page: str = "patient") -> str:
    return reverse(f"consent:{page}", args=[world.patient_a.pk])


# ---------------------------------------------------------------- a patient's consent page


def test_unsigned_patient_sees_the_text_and_the_sign_form(
    world: World, template_v1: ConsentTemplate
) -> None:
    response = world.client("nurse_x").get(_patient_url(world))
    assert response.status_code == 200
    text = _text(response.content)
    assert "Not signed yet: sessions cannot be scheduled" in text
    assert "Ketamine is not approved by the U.S. Food and Drug Administration" in text
    assert "Sign version 1" in text
    assert "I have read this and agree" in text
    assert "I was with the patient and saw them sign in person" in text
    assert MARKER not in text


def test_signing_on_the_page_with_a_wrong_name_keeps_the_input_and_names_the_field(
    world: World, template_v1: ConsentTemplate
) -> None:
    response = world.client("nurse_x").post(
        _patient_url(world, "patient_sign"),
        {**SIGN, "template_id": template_v1.pk, "signed_name": "A. Zephyrine"},
    )
    assert response.status_code == 422
    text = _text(response.content)
    assert "Patient's full name" in text
    assert "must match the patient's name as recorded" in text
    assert 'value="A. Zephyrine"' in response.content.decode()
    assert not Consent.objects.exists()


def test_signing_on_the_page_without_the_tick_boxes_names_both(
    world: World, template_v1: ConsentTemplate
) -> None:
    response = world.client("nurse_x").post(
        _patient_url(world, "patient_sign"),
        {"template_id": template_v1.pk, "signed_name": "Ainsley Zephyrine"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_confirmed-error"' in body
    assert 'id="id_staff_attested-error"' in body


def test_signing_on_the_page_then_the_page_shows_current_consent_and_the_pdf(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("nurse_x")
    response = client.post(
        _patient_url(world, "patient_sign"), {**SIGN, "template_id": template_v1.pk}
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    page = client.get(_patient_url(world))
    text = _text(page.content)
    assert "Consent is current" in text
    assert "Sign version" not in text
    assert reverse("consent:consent_pdf", args=[consent.pk]) in page.content.decode()
    pdf = client.get(reverse("consent:consent_pdf", args=[consent.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]) == bytes(consent.pdf)


def test_a_stale_sign_form_gets_409_with_the_reason(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("physician_x")
    url = _patient_url(world, "patient_sign")
    client.post(url, {**SIGN, "template_id": template_v1.pk})
    again = client.post(url, {**SIGN, "template_id": template_v1.pk})
    assert again.status_code == 409
    assert "already signed version 1" in _text(again.content)
    assert Consent.objects.count() == 1


def test_withdrawing_on_the_page_needs_a_reason_then_blocks(
    world: World, template_v1: ConsentTemplate
) -> None:
    ConsentFactory(patient=world.patient_a, template=template_v1)
    client = world.client("nurse_x")
    url = _patient_url(world, "patient_withdraw")
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 422
    assert "Give the reason for the withdrawal." in _text(empty.content)
    assert client.post(url, {"reason": "Moving away."}).status_code == 302
    text = _text(client.get(_patient_url(world)).content)
    assert "Consent withdrawn: sessions cannot be scheduled" in text
    assert "Reason: Moving away." in text
    assert "Sign version 1" in text


def test_an_outdated_consent_asks_for_the_new_version(
    world: World, template_v1: ConsentTemplate
) -> None:
    ConsentFactory(patient=world.patient_a, template=template_v1)
    admin = world.actor("clinic_admin_x")
    v2 = consent_template_create_version(actor=admin, title="Consent v2", body="New text.")
    consent_template_approve(actor=admin, template=v2, topics=ALL_CONSENT_TOPICS)
    text = _text(world.client("nurse_x").get(_patient_url(world)).content)
    assert "New consent needed" in text
    assert "The patient signed version 1" in text
    assert "Version 2 is in use now" in text
    assert "Sign version 2" in text
    assert "Replaced by a newer version" in text


def test_without_an_approved_template_nobody_can_sign(world: World) -> None:
    consent_template_install_sample(clinic=world.clinic_x)
    text = _text(world.client("nurse_x").get(_patient_url(world)).content)
    assert "no approved consent form yet" in text
    assert "Sign version" not in text
    assert "Ketamine is not approved" not in text


def test_front_desk_sees_the_status_but_no_forms(
    world: World, template_v1: ConsentTemplate
) -> None:
    ConsentFactory(patient=world.patient_a, template=template_v1)
    text = _text(world.client("front_desk_x").get(_patient_url(world)).content)
    assert "Consent is current" in text
    assert "Record a withdrawal" not in text
    assert "Sign version" not in text


# ---------------------------------------------------------------- clinic admin pages


def test_the_sample_is_marked_until_approved_and_offers_the_checklist(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    client = world.client("clinic_admin_x")
    url = reverse("consent:template_detail", args=[sample.pk])
    text = _text(client.get(url).content)
    assert MARKER in text
    assert "Patients cannot sign this version" in text
    assert "Approve version 1 for patients" in text
    for code in ALL_CONSENT_TOPICS:
        assert f'value="{code}"' in client.get(url).content.decode()
    listing = _text(client.get(reverse("consent:template_list")).content)
    assert "Awaiting medical director approval (Keel sample)" not in listing
    assert "Awaiting medical director approval" in listing
    assert "(Keel sample)" in listing

    missing = client.post(
        reverse("consent:template_approve", args=[sample.pk]), {"topics": ["risks"]}
    )
    assert missing.status_code == 422
    assert "Not confirmed" in _text(missing.content)
    sample.refresh_from_db()
    assert sample.status == DocumentStatus.AWAITING_APPROVAL

    done = client.post(
        reverse("consent:template_approve", args=[sample.pk]), {"topics": ALL_CONSENT_TOPICS}
    )
    assert done.status_code == 302
    text = _text(client.get(url).content)
    assert MARKER not in text
    assert "Approve version" not in text


def test_a_new_version_is_prefilled_from_the_latest(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("clinic_admin_x")
    form = client.get(reverse("consent:template_create"))
    assert form.status_code == 200
    assert sample_texts.CONSENT_TITLE in form.content.decode()
    assert "Starts from version 1" in _text(form.content)
    created = client.post(
        reverse("consent:template_create"), {"title": "Revised", "body": "New body.", "draft": "1"}
    )
    assert created.status_code == 302
    draft = ConsentTemplate.objects.get(version=2)
    assert draft.status == DocumentStatus.DRAFT
    # While version 2 is open, "new version" leads to changing it.
    again = client.get(reverse("consent:template_create"))
    assert again.status_code == 302
    assert again["Location"] == reverse("consent:template_edit", args=[draft.pk])


def test_an_approved_version_cannot_be_edited_from_its_page(
    world: World, template_v1: ConsentTemplate
) -> None:
    client = world.client("clinic_admin_x")
    url = reverse("consent:template_edit", args=[template_v1.pk])
    assert client.get(url)["Location"] == reverse("consent:template_create")
    response = client.post(url, {"title": "Changed", "body": "Changed", "send": "1"})
    assert response.status_code == 409
    template_v1.refresh_from_db()
    assert template_v1.title == sample_texts.CONSENT_TITLE


def test_the_text_is_escaped_everywhere(world: World) -> None:
    admin = world.actor("clinic_admin_x")
    hostile = '## <img src=x onerror=alert(1)>\n\n<script>alert("x")</script> & <b>bold</b>'
    sample = consent_template_install_sample(clinic=world.clinic_x)
    template = consent_template_update(
        actor=admin, template=sample, title="<i>Title</i>", body=hostile, submit=True
    )
    consent_template_approve(actor=admin, template=template, topics=ALL_CONSENT_TOPICS)
    for client, url in (
        (world.client("clinic_admin_x"), reverse("consent:template_detail", args=[template.pk])),
        (world.client("nurse_x"), _patient_url(world)),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "<b>bold</b>" not in body
        assert "&lt;script&gt;" in body
        assert "&lt;i&gt;Title&lt;/i&gt;" in body


def test_the_text_preview_renders_headings_and_lists(world: World) -> None:
    response = world.client("clinic_admin_x").post(
        reverse("consent:text_preview"), {"body": "## Risks\n\n- one\n- two\n\nA <b>para</b>."}
    )
    body = response.content.decode()
    assert re.search(r"<h3[^>]*>Risks</h3>", body)
    assert "<li>one</li><li>two</li>" in body
    assert "&lt;b&gt;para&lt;/b&gt;" in body


def test_a_printable_copy_of_a_version_downloads_as_pdf(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    response = world.client("clinic_admin_x").get(reverse("consent:template_pdf", args=[sample.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_education_pages_have_their_own_list_and_approval(world: World) -> None:
    page = education_page_install_sample(clinic=world.clinic_x)
    client = world.client("clinic_admin_x")
    listing = _text(client.get(reverse("consent:education_page_list")).content)
    assert sample_texts.EDUCATION_TITLE in listing
    detail = client.get(reverse("consent:education_page_detail", args=[page.pk]))
    assert "Patients cannot see this version" in _text(detail.content)
    response = client.post(
        reverse("consent:education_page_approve", args=[page.pk]), {"topics": ALL_EDUCATION_TOPICS}
    )
    assert response.status_code == 302


# ---------------------------------------------------------------- the education page for readers


@pytest.mark.parametrize("reader", ["patient_a", "patient_b", "nurse_x", "front_desk_x"])
def test_readers_see_the_approved_page_with_crisis_numbers(world: World, reader: str) -> None:
    admin = world.actor("clinic_admin_x")
    education_page_approve(
        actor=admin,
        page=education_page_install_sample(clinic=world.clinic_x),
        topics=ALL_EDUCATION_TOPICS,
    )
    education_page_create_version(actor=admin, title="Unapproved draft", body="Draft words.")
    response = world.client(reader).get(reverse("consent:education"))
    assert response.status_code == 200
    text = _text(response.content)
    assert "General information from your clinic, Clinic X, not personal medical advice" in text
    assert sample_texts.EDUCATION_TITLE in text
    assert "Ketamine works in a different way" in text
    assert "Draft words" not in text
    body = response.content.decode()
    assert 'href="tel:988"' in body
    assert 'href="tel:911"' in body
    assert 'href="tel:+15550100999"' in body


def test_an_unapproved_page_is_never_shown_to_patients(world: World) -> None:
    education_page_install_sample(clinic=world.clinic_x)
    response = world.client("patient_a").get(reverse("consent:education"))
    text = _text(response.content)
    assert "has not published this page yet" in text
    assert "Ketamine works in a different way" not in text
    assert "988" in text


def test_a_form_for_a_replaced_version_offers_the_new_version(
    world: World, template_v1: ConsentTemplate
) -> None:
    admin = world.actor("clinic_admin_x")
    v2 = consent_template_create_version(actor=admin, title="Consent v2", body="New text.")
    consent_template_approve(actor=admin, template=v2, topics=ALL_CONSENT_TOPICS)
    response = world.client("nurse_x").post(
        _patient_url(world, "patient_sign"), {**SIGN, "template_id": template_v1.pk}
    )
    assert response.status_code == 409
    text = _text(response.content)
    assert "Version 2 is in use now" in text
    assert "Sign version 2" in text
    assert f'name="template_id" value="{v2.pk}"' in response.content.decode()
    assert not Consent.objects.exists()

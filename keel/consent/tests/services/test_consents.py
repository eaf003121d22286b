"""Signing, the PDF copy, re-consent and withdrawal."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import shutil
import subprocess

import pytest
from django.db import IntegrityError, transaction

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent.models import Consent, ConsentTemplate, SignedVia
from keel.consent.rendering import SignatureFacts, consent_pdf_html
from keel.consent.selectors import consent_current, consent_status
from keel.consent.services import (
    ConsentPdfDamaged,
    consent_pdf,
    consent_template_install_sample,
    consent_withdraw,
)
from keel.consent.tests.factories import (
    ConsentFactory,
    ConsentTemplateFactory,
)
from keel.consent.tests.helpers import OFF_LABEL, new_version, sign
from keel.consent.text import text_sha256

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- signing


def test_sign_stores_the_signature_pdf_and_fingerprints(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = sign(world, template_v1)
    assert consent_current(patient=world.patient_a) == consent
    assert consent.recorded_by == world.users["nurse_x"]
    assert (consent.signed_via, consent.confirmed, consent.staff_attested) == (
        SignedVia.CLINIC,
        True,
        True,
    )
    assert consent.body_sha256 == text_sha256(template_v1.body)
    stored = Consent.objects.get(pk=consent.pk)
    pdf = bytes(stored.pdf)
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == stored.pdf_sha256
    event = AuditEvent.objects.get(object_type="consent", action=AuditAction.CREATE)
    assert (event.patient_id, event.object_id, event.detail["version"]) == (
        world.patient_a.pk,
        str(consent.pk),
        1,
    )


def test_the_downloaded_pdf_is_the_stored_pdf_byte_for_byte(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = sign(world, template_v1)
    stored = bytes(Consent.objects.get(pk=consent.pk).pdf)
    assert consent_pdf(consent=Consent.objects.get(pk=consent.pk)) == stored


def test_a_damaged_pdf_copy_is_refused(world: World, template_v1: ConsentTemplate) -> None:
    consent = ConsentFactory(patient=world.patient_a, template=template_v1)
    Consent.objects.filter(pk=consent.pk).update(pdf=b"%PDF-1.7 changed")
    with pytest.raises(ConsentPdfDamaged):
        consent_pdf(consent=Consent.objects.get(pk=consent.pk))


def test_the_pdf_states_the_off_label_use_and_the_signature(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = sign(world, template_v1, signed_name="  ainsley   ZEPHYRINE ")
    html = consent_pdf_html(
        template=template_v1,
        patient=world.patient_a,
        signature=SignatureFacts(
            signed_name=consent.signed_name,
            signed_at=consent.signed_at,
            signed_via_label="In the clinic",
            recorded_by_name="Nurse X",
            staff_attested=True,
            body_sha256=consent.body_sha256,
        ),
    )
    assert OFF_LABEL in html
    assert "ainsley ZEPHYRINE" in html
    assert consent.body_sha256 in html
    text = _pdf_text(bytes(Consent.objects.get(pk=consent.pk).pdf))
    if text is not None:
        assert "Ketamine is not approved by the U.S. Food and Drug Administration" in text
        assert "ainsley ZEPHYRINE" in text


def _pdf_text(pdf: bytes) -> str | None:
    """The PDF's words with pypdf or poppler's pdftotext, when either is installed."""
    if importlib.util.find_spec("pypdf") is not None:  # pragma: no cover - optional
        import pypdf  # type: ignore[import-not-found,unused-ignore]  # optional helper

        reader = pypdf.PdfReader(io.BytesIO(pdf))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return None
    result = subprocess.run(  # noqa: S603  # a fixed local tool reading our own bytes
        [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return " ".join(result.stdout.decode().split())


@pytest.mark.parametrize(
    "typed",
    ["Ainsley Zephyrine", "ainsley zephyrine", "  AINSLEY\tZephyrine  ", "Ainsley  Zephyrine"],
)
def test_sign_accepts_the_name_in_any_case_and_spacing(
    world: World, template_v1: ConsentTemplate, typed: str
) -> None:
    assert sign(world, template_v1, signed_name=typed).pk is not None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"signed_name": "Zephyrine Ainsley"}, "signed_name"),
        ({"signed_name": "Ainsley"}, "signed_name"),
        ({"signed_name": "Bex Quorra"}, "signed_name"),
        ({"signed_name": "   "}, "signed_name"),
        ({"confirmed": False}, "confirmed"),
        ({"staff_attested": False}, "staff_attested"),
    ],
)
def test_sign_refuses_bad_input_naming_the_field(
    world: World, template_v1: ConsentTemplate, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        sign(world, template_v1, **overrides)
    assert list(raised.value.errors) == [field]
    assert not Consent.objects.exists()


def test_sign_refuses_a_template_awaiting_approval(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    with pytest.raises(Conflict, match="not approved for signing"):
        sign(world, sample)
    assert not Consent.objects.exists()


def test_sign_refuses_a_retired_version_and_names_the_current_one(
    world: World, template_v1: ConsentTemplate
) -> None:
    new_version(world)
    with pytest.raises(Conflict, match="Version 2 is in use now"):
        sign(world, template_v1)


def test_sign_refuses_another_clinics_template(world: World) -> None:
    other = ConsentTemplateFactory(clinic=world.clinic_y)
    with pytest.raises(ValidationFailed) as raised:
        sign(world, other)
    assert list(raised.value.errors) == ["template_id"]


def test_signing_the_same_version_twice_is_refused(
    world: World, template_v1: ConsentTemplate
) -> None:
    sign(world, template_v1)
    with pytest.raises(Conflict, match="already signed version 1"):
        sign(world, template_v1)
    assert Consent.objects.count() == 1


def test_the_database_refuses_an_unconfirmed_or_duplicate_consent(
    world: World, template_v1: ConsentTemplate
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(patient=world.patient_a, template=template_v1, confirmed=False)
    ConsentFactory(patient=world.patient_a, template=template_v1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(patient=world.patient_a, template=template_v1)


def test_portal_signing_is_the_patients_own_and_has_no_staff(
    world: World, template_v1: ConsentTemplate
) -> None:
    with pytest.raises(PermissionDenied):
        sign(world, template_v1, signed_via=SignedVia.PORTAL)
    consent = sign(
        world,
        template_v1,
        actor=world.actor("patient_a"),
        signed_via=SignedVia.PORTAL,
        staff_attested=False,
    )
    assert (consent.signed_via, consent.recorded_by) == (SignedVia.PORTAL, None)


# ---------------------------------------------------------------- re-consent and withdrawal


def test_a_new_approved_version_makes_the_consent_outdated_until_signed_again(
    world: World, template_v1: ConsentTemplate
) -> None:
    first = sign(world, template_v1)
    v2 = new_version(world)
    status = consent_status(patient=world.patient_a)
    assert (status.state, status.consent, status.template) == ("outdated", first, v2)
    assert consent_current(patient=world.patient_a) is None
    second = sign(world, v2)
    assert consent_status(patient=world.patient_a).state == "current"
    assert consent_current(patient=world.patient_a) == second


def test_a_draft_version_does_not_change_anyones_consent(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = sign(world, template_v1)
    new_version(world, approve=False)
    assert consent_current(patient=world.patient_a) == consent


def test_withdrawal_needs_a_reason(world: World, template_v1: ConsentTemplate) -> None:
    sign(world, template_v1)
    with pytest.raises(ValidationFailed) as raised:
        consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="  ")
    assert list(raised.value.errors) == ["reason"]
    assert consent_status(patient=world.patient_a).state == "current"


def test_withdrawal_ends_every_standing_consent_and_blocks_scheduling(
    world: World, template_v1: ConsentTemplate
) -> None:
    sign(world, template_v1)
    v2 = new_version(world)
    sign(world, v2)
    withdrawn = consent_withdraw(
        actor=world.actor("physician_x"), patient=world.patient_a, reason="Changed my mind."
    )
    assert len(withdrawn) == 2
    assert consent_current(patient=world.patient_a) is None
    status = consent_status(patient=world.patient_a)
    assert status.state == "withdrawn"
    assert status.consent is not None
    assert (status.consent.withdrawn_by, status.consent.withdrawal_reason) == (
        world.users["physician_x"],
        "Changed my mind.",
    )
    events = AuditEvent.objects.filter(object_type="consent", action=AuditAction.UPDATE)
    assert {e.patient_id for e in events} == {world.patient_a.pk}
    assert events.count() == 2
    assert all("Changed" not in str(e.detail) for e in events)


def test_withdrawing_without_a_signature_is_a_conflict(world: World) -> None:
    with pytest.raises(Conflict, match="no signed consent"):
        consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="No.")


def test_a_patient_who_withdrew_can_sign_again(world: World, template_v1: ConsentTemplate) -> None:
    sign(world, template_v1)
    consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="Paused.")
    again = sign(world, template_v1)
    assert consent_current(patient=world.patient_a) == again


def test_the_pdf_gives_the_signing_time_in_the_clinics_time_zone(
    world: World, template_v1: ConsentTemplate
) -> None:
    """Clinic X is in America/Chicago: 18:30 UTC in January prints as 12:30."""
    html = consent_pdf_html(
        template=template_v1,
        patient=world.patient_a,
        signature=SignatureFacts(
            signed_name="Ainsley Zephyrine",
            signed_at=dt.datetime(2026, 1, 15, 18, 30, tzinfo=dt.UTC),
            signed_via_label="In the clinic",
            recorded_by_name="Nurse X",
            staff_attested=True,
            body_sha256="0" * 64,
        ),
    )
    assert "2026-01-15 12:30 (America/Chicago)" in html

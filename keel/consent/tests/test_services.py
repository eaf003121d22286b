"""Consent services: template versions and approval, signing, withdrawal, the PDF copy."""

from __future__ import annotations

import hashlib
import importlib.util

import pytest
from django.db import IntegrityError, transaction

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent import sample_texts
from keel.consent.models import Consent, ConsentTemplate, DocumentStatus, SignedVia
from keel.consent.rendering import SignatureFacts, consent_pdf_html
from keel.consent.selectors import consent_current, consent_status
from keel.consent.services import (
    ConsentPdfDamaged,
    consent_pdf,
    consent_sign,
    consent_template_approve,
    consent_template_create_version,
    consent_template_install_sample,
    consent_template_submit,
    consent_template_update,
    consent_withdraw,
    education_page_approve,
    education_page_install_sample,
)
from keel.consent.tests.factories import (
    ALL_CONSENT_TOPICS,
    ALL_EDUCATION_TOPICS,
    ConsentFactory,
    ConsentTemplateFactory,
)
from keel.consent.text import text_sha256
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db

OFF_LABEL = "Ketamine is not approved by the U.S. Food and Drug Administration (FDA)"


def _sign(world: World, template: ConsentTemplate, **overrides: object) -> Consent:
    arguments: dict[str, object] = {
        "actor": world.actor("nurse_x"),
        "patient": world.patient_a,
        "template_id": template.pk,
        "signed_name": "Ainsley Zephyrine",
        "confirmed": True,
        "staff_attested": True,
    }
    arguments.update(overrides)
    return consent_sign(**arguments)  # type: ignore[arg-type]


def _new_version(world: World, *, approve: bool = True) -> ConsentTemplate:
    admin = world.actor("clinic_admin_x")
    draft = consent_template_create_version(
        actor=admin, title="Consent, revised", body=sample_texts.CONSENT_BODY + "\n\nRevised."
    )
    if not approve:
        return draft
    return consent_template_approve(actor=admin, template=draft, topics=ALL_CONSENT_TOPICS)


# ---------------------------------------------------------------- the sample and its approval


def test_install_sample_creates_version_1_awaiting_approval_once(world: World) -> None:
    first = consent_template_install_sample(clinic=world.clinic_x)
    again = consent_template_install_sample(clinic=world.clinic_x)
    assert again.pk == first.pk
    assert ConsentTemplate.objects.filter(clinic=world.clinic_x).count() == 1
    assert (first.version, first.status, first.is_sample) == (
        1,
        DocumentStatus.AWAITING_APPROVAL,
        True,
    )
    assert first.approval_marker == "Sample text — awaiting medical director approval"
    event = AuditEvent.objects.get(object_type="consent_template", object_id=str(first.pk))
    assert (event.action, event.actor_username, event.clinic_id) == (
        AuditAction.CREATE,
        "system",
        world.clinic_x.pk,
    )


@pytest.mark.parametrize(
    "statement",
    [
        OFF_LABEL,
        "off-label",
        "Dissociation",
        "Higher blood pressure",
        "Sedation",
        "Mood going too high",
        "hypomania or mania",
        "Misuse",
        "An adult you trust must take you home",
        "Wait until the next day, after a night of restful sleep",
        "Keep taking your mood-stabilizing medicine",
        "your own psychiatrist",
        "withdraw your consent at any time",
        "988",
    ],
)
def test_sample_consent_covers_the_required_topics(statement: str) -> None:
    assert statement in sample_texts.CONSENT_BODY


@pytest.mark.parametrize(
    "statement",
    [
        "Ketamine works in a different way",
        "not approved by the FDA to treat bipolar depression",
        "off-label",
        "does not cure bipolar disorder",
        "mood and sleep check-ins",
        "Your own psychiatrist is in charge",
        "What a session is like",
    ],
)
def test_sample_education_page_covers_the_required_topics(statement: str) -> None:
    assert statement in sample_texts.EDUCATION_BODY


def test_approval_needs_every_topic_and_changes_nothing_without(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    with pytest.raises(ValidationFailed, match="An adult takes the patient home") as raised:
        consent_template_approve(
            actor=world.actor("clinic_admin_x"),
            template=sample,
            topics=["off_label", "risks", "alongside_mood_care"],
        )
    assert list(raised.value.errors) == ["topics"]
    sample.refresh_from_db()
    assert sample.status == DocumentStatus.AWAITING_APPROVAL
    assert sample.approved_at is None


def test_approval_refuses_unknown_topics(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    with pytest.raises(ValidationFailed, match="Unknown topic: weather"):
        consent_template_approve(
            actor=world.actor("clinic_admin_x"),
            template=sample,
            topics=[*ALL_CONSENT_TOPICS, "weather"],
        )


def test_approval_records_who_and_removes_the_sample_marker(
    world: World, template_v1: ConsentTemplate
) -> None:
    assert template_v1.status == DocumentStatus.APPROVED
    assert template_v1.approved_by == world.users["clinic_admin_x"]
    assert template_v1.approved_at is not None
    assert template_v1.approval_marker == ""
    assert all(getattr(template_v1, f"covers_{code}") is True for code in ALL_CONSENT_TOPICS)
    event = AuditEvent.objects.filter(
        object_type="consent_template", object_id=str(template_v1.pk), action=AuditAction.UPDATE
    ).get()
    assert event.detail["status"] == "approved"


def test_approving_a_new_version_retires_the_previous_one(
    world: World, template_v1: ConsentTemplate
) -> None:
    v2 = _new_version(world)
    template_v1.refresh_from_db()
    assert (template_v1.status, v2.status, v2.version) == (
        DocumentStatus.RETIRED,
        DocumentStatus.APPROVED,
        2,
    )
    assert ConsentTemplate.objects.filter(status=DocumentStatus.APPROVED).count() == 1


def test_an_approved_version_cannot_be_approved_again(
    world: World, template_v1: ConsentTemplate
) -> None:
    with pytest.raises(Conflict, match="only a version that was never approved"):
        consent_template_approve(
            actor=world.actor("clinic_admin_x"), template=template_v1, topics=ALL_CONSENT_TOPICS
        )


def test_the_database_allows_one_approved_template_per_clinic(
    world: World, template_v1: ConsentTemplate
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentTemplateFactory(clinic=world.clinic_x, version=7)


def test_an_approved_version_needs_its_topics_in_the_database(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentTemplateFactory(clinic=world.clinic_x, covers_risks=False)


# ---------------------------------------------------------------- versions


def test_editing_an_approved_version_is_refused(world: World, template_v1: ConsentTemplate) -> None:
    with pytest.raises(Conflict, match="Write a new version"):
        consent_template_update(
            actor=world.actor("clinic_admin_x"), template=template_v1, title="x", body="y"
        )
    template_v1.refresh_from_db()
    assert template_v1.title == sample_texts.CONSENT_TITLE


def test_a_new_version_starts_as_draft_with_the_next_number(
    world: World, template_v1: ConsentTemplate
) -> None:
    draft = _new_version(world, approve=False)
    assert (draft.version, draft.status, draft.is_sample) == (2, DocumentStatus.DRAFT, False)
    assert draft.approval_marker == "Draft — not approved for use"


def test_only_one_version_is_written_at_a_time(world: World, template_v1: ConsentTemplate) -> None:
    _new_version(world, approve=False)
    with pytest.raises(Conflict, match="Version 2 is not approved yet"):
        _new_version(world, approve=False)


def test_editing_the_sample_makes_it_the_clinics_own_text(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    edited = consent_template_update(
        actor=world.actor("clinic_admin_x"),
        template=sample,
        title=sample.title,
        body=sample.body + "\n\nOur own paragraph.",
        submit=True,
    )
    assert (edited.is_sample, edited.status) == (False, DocumentStatus.AWAITING_APPROVAL)
    assert edited.approval_marker == "Draft — awaiting medical director approval"


def test_submit_moves_a_draft_to_awaiting_approval_once(
    world: World, template_v1: ConsentTemplate
) -> None:
    admin = world.actor("clinic_admin_x")
    draft = _new_version(world, approve=False)
    submitted = consent_template_submit(actor=admin, template=draft)
    assert submitted.status == DocumentStatus.AWAITING_APPROVAL
    with pytest.raises(Conflict, match="not a draft"):
        consent_template_submit(actor=admin, template=submitted)


def test_version_text_is_validated_naming_the_field(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        consent_template_create_version(actor=world.actor("clinic_admin_x"), title=" ", body="")
    assert set(raised.value.errors) == {"title", "body"}


def test_creating_a_version_needs_the_manage_permission(world: World) -> None:
    with pytest.raises(PermissionDenied):
        consent_template_create_version(actor=world.actor("nurse_x"), title="t", body="b")
    assert not ConsentTemplate.objects.exists()


def test_education_page_sample_follows_the_same_approval_rule(world: World) -> None:
    page = education_page_install_sample(clinic=world.clinic_x)
    assert page.approval_marker == "Sample text — awaiting medical director approval"
    with pytest.raises(ValidationFailed):
        education_page_approve(actor=world.actor("clinic_admin_x"), page=page, topics=["session"])
    approved = education_page_approve(
        actor=world.actor("clinic_admin_x"), page=page, topics=ALL_EDUCATION_TOPICS
    )
    assert approved.status == DocumentStatus.APPROVED


# ---------------------------------------------------------------- signing


def test_sign_stores_the_signature_pdf_and_fingerprints(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = _sign(world, template_v1)
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
    consent = _sign(world, template_v1)
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
    consent = _sign(world, template_v1, signed_name="  ainsley   ZEPHYRINE ")
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
    if importlib.util.find_spec("pypdf") is not None:  # pragma: no cover - optional
        import pypdf  # type: ignore[import-not-found,unused-ignore]  # optional test helper

        reader = pypdf.PdfReader(__import__("io").BytesIO(bytes(consent.pdf)))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "not approved by the U.S. Food and Drug" in " ".join(text.split())


@pytest.mark.parametrize(
    "typed",
    ["Ainsley Zephyrine", "ainsley zephyrine", "  AINSLEY\tZephyrine  ", "Ainsley  Zephyrine"],
)
def test_sign_accepts_the_name_in_any_case_and_spacing(
    world: World, template_v1: ConsentTemplate, typed: str
) -> None:
    assert _sign(world, template_v1, signed_name=typed).pk is not None


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
        _sign(world, template_v1, **overrides)
    assert list(raised.value.errors) == [field]
    assert not Consent.objects.exists()


def test_sign_refuses_a_template_awaiting_approval(world: World) -> None:
    sample = consent_template_install_sample(clinic=world.clinic_x)
    with pytest.raises(Conflict, match="not approved for signing"):
        _sign(world, sample)
    assert not Consent.objects.exists()


def test_sign_refuses_a_retired_version_and_names_the_current_one(
    world: World, template_v1: ConsentTemplate
) -> None:
    _new_version(world)
    with pytest.raises(Conflict, match="Version 2 is in use now"):
        _sign(world, template_v1)


def test_sign_refuses_another_clinics_template(world: World) -> None:
    other = ConsentTemplateFactory(clinic=world.clinic_y)
    with pytest.raises(ValidationFailed) as raised:
        _sign(world, other)
    assert list(raised.value.errors) == ["template_id"]


def test_signing_the_same_version_twice_is_refused(
    world: World, template_v1: ConsentTemplate
) -> None:
    _sign(world, template_v1)
    with pytest.raises(Conflict, match="already signed version 1"):
        _sign(world, template_v1)
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
        _sign(world, template_v1, signed_via=SignedVia.PORTAL)
    consent = _sign(
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
    first = _sign(world, template_v1)
    v2 = _new_version(world)
    status = consent_status(patient=world.patient_a)
    assert (status.state, status.consent, status.template) == ("outdated", first, v2)
    assert consent_current(patient=world.patient_a) is None
    second = _sign(world, v2)
    assert consent_status(patient=world.patient_a).state == "current"
    assert consent_current(patient=world.patient_a) == second


def test_a_draft_version_does_not_change_anyones_consent(
    world: World, template_v1: ConsentTemplate
) -> None:
    consent = _sign(world, template_v1)
    _new_version(world, approve=False)
    assert consent_current(patient=world.patient_a) == consent


def test_withdrawal_needs_a_reason(world: World, template_v1: ConsentTemplate) -> None:
    _sign(world, template_v1)
    with pytest.raises(ValidationFailed) as raised:
        consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="  ")
    assert list(raised.value.errors) == ["reason"]
    assert consent_status(patient=world.patient_a).state == "current"


def test_withdrawal_ends_every_standing_consent_and_blocks_scheduling(
    world: World, template_v1: ConsentTemplate
) -> None:
    _sign(world, template_v1)
    v2 = _new_version(world)
    _sign(world, v2)
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
    _sign(world, template_v1)
    consent_withdraw(actor=world.actor("nurse_x"), patient=world.patient_a, reason="Paused.")
    again = _sign(world, template_v1)
    assert consent_current(patient=world.patient_a) == again


def test_status_is_none_for_a_patient_who_never_signed(
    world: World, template_v1: ConsentTemplate
) -> None:
    status = consent_status(patient=world.patient_a)
    assert (status.state, status.consent, status.template) == ("none", None, template_v1)


def test_status_of_a_clinic_without_an_approved_template(world: World) -> None:
    patient = Patient.objects.get(pk=world.patient_a.pk)
    status = consent_status(patient=patient)
    assert (status.state, status.template) == ("none", None)


def test_the_install_command_is_idempotent_and_names_each_clinic(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("install_consent_samples", stdout=out)
    call_command("install_consent_samples", "--clinic", world.clinic_x.slug, stdout=out)
    assert ConsentTemplate.objects.count() == 2
    assert (
        f"{world.clinic_x.slug}: consent form version 1 (awaiting medical director approval)"
        in out.getvalue()
    )

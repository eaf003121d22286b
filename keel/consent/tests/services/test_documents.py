"""Versioned documents: the samples, versions, approval and its topics."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from conftest import World
from keel.audit.models import AuditAction, AuditEvent
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.consent import sample_texts
from keel.consent.models import ConsentTemplate, DocumentStatus
from keel.consent.services import (
    consent_template_approve,
    consent_template_create_version,
    consent_template_install_sample,
    consent_template_submit,
    consent_template_update,
    education_page_approve,
    education_page_install_sample,
)
from keel.consent.tests.factories import (
    ALL_CONSENT_TOPICS,
    ALL_EDUCATION_TOPICS,
    ConsentTemplateFactory,
)
from keel.consent.tests.helpers import OFF_LABEL, new_version

pytestmark = pytest.mark.django_db


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
    v2 = new_version(world)
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
    draft = new_version(world, approve=False)
    assert (draft.version, draft.status, draft.is_sample) == (2, DocumentStatus.DRAFT, False)
    assert draft.approval_marker == "Draft — not approved for use"


def test_only_one_version_is_written_at_a_time(world: World, template_v1: ConsentTemplate) -> None:
    new_version(world, approve=False)
    with pytest.raises(Conflict, match="Version 2 is not approved yet"):
        new_version(world, approve=False)


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
    draft = new_version(world, approve=False)
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

"""Invitation, acknowledgement, exception, letters and clearance."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core import mail
from django.test import Client

from conftest import World
from keel.accounts.roles import AccountType
from keel.common.exceptions import Conflict, NotFound, ValidationFailed
from keel.coordination.models import AcknowledgementKind
from keel.coordination.selectors import clearance_get
from keel.coordination.services import (
    invitation_accept,
    letter_generate,
    plan_ack_exception,
    plan_acknowledge,
    psychiatrist_invite,
)
from keel.intake.models import DecisionOutcome
from keel.intake.services import eligibility_decide
from keel.intake.tests.helpers import complete_evaluation
from keel.patients.models import PsychiatristOfRecord
from keel.patients.tests.factories import PsychiatristOfRecordFactory

pytestmark = pytest.mark.django_db

PLAN = {
    "treatment_plan": "IV racemic ketamine, six induction sessions.",
    "mood_stabilizer_plan": "Continue lithium; level before session one.",
}
URL = "https://keel.example/coordination/invitations/{token}/"


def _eligible(world: World) -> None:
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        **PLAN,
    )


@pytest.fixture
def uninvited(world: World) -> PsychiatristOfRecord:
    """Patient A's psychiatrist of record without a login yet."""
    psychiatrist = PsychiatristOfRecordFactory(
        clinic=world.clinic_x, email="dr.new@example.invalid", user=None
    )
    world.patient_a.psychiatrist_of_record = psychiatrist
    world.patient_a.save()
    return psychiatrist


def test_invitation_is_emailed_once_and_creates_a_restricted_login(
    world: World, uninvited: PsychiatristOfRecord, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        invitation = psychiatrist_invite(
            actor=world.actor("nurse_x"), patient=world.patient_a, accept_url_template=URL
        )
    assert len(mail.outbox) == 1
    token = re.search(r"invitations/([^/]+)/", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert world.patient_a.family_name not in mail.outbox[0].body
    user = invitation_accept(
        raw_token=token, username="dr_new", password="a-long-enough-passphrase"
    )
    uninvited.refresh_from_db()
    assert (uninvited.user, user.account_type) == (user, AccountType.PSYCHIATRIST_OF_RECORD)
    with pytest.raises(NotFound):
        invitation_accept(raw_token=token, username="dr_new2", password="a-long-enough-passphrase")


def test_invitation_accept_rejects_weak_password_naming_the_field(
    world: World, uninvited: PsychiatristOfRecord, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        psychiatrist_invite(
            actor=world.actor("nurse_x"), patient=world.patient_a, accept_url_template=URL
        )
    token = re.search(r"invitations/([^/]+)/", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed) as info:
        invitation_accept(raw_token=token, username="dr_new", password="short")
    assert "password" in info.value.errors


def test_cannot_invite_a_psychiatrist_who_has_a_login(world: World) -> None:
    with pytest.raises(Conflict):
        psychiatrist_invite(
            actor=world.actor("nurse_x"), patient=world.patient_a, accept_url_template=URL
        )


def test_psychiatrist_of_record_acknowledges_and_the_patient_clears_with_consent(
    world: World,
) -> None:
    _eligible(world)
    assert clearance_get(patient=world.patient_a).acknowledged is False
    ack = plan_acknowledge(
        actor=world.actor("psychiatrist_a"),
        patient=world.patient_a,
        comment="Agree; I will see her in 2 weeks.",
    )
    assert ack.kind == AcknowledgementKind.ACKNOWLEDGED
    clearance = clearance_get(patient=world.patient_a)
    assert (clearance.eligible, clearance.acknowledged) == (True, True)
    assert clearance.cleared is clearance.consent  # consent is the remaining step
    with pytest.raises(Conflict):
        plan_acknowledge(actor=world.actor("psychiatrist_a"), patient=world.patient_a)


def test_another_psychiatrist_cannot_acknowledge(world: World) -> None:
    _eligible(world)
    with pytest.raises(NotFound):
        plan_acknowledge(actor=world.actor("psychiatrist_other"), patient=world.patient_a)


def test_nothing_to_acknowledge_without_an_eligible_decision(world: World) -> None:
    with pytest.raises(Conflict):
        plan_acknowledge(actor=world.actor("psychiatrist_a"), patient=world.patient_a)


def test_physician_exception_needs_a_reason(world: World) -> None:
    _eligible(world)
    with pytest.raises(ValidationFailed) as info:
        plan_ack_exception(actor=world.actor("physician_x"), patient=world.patient_a, reason="")
    assert "reason" in info.value.errors
    ack = plan_ack_exception(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        reason="Psychiatrist retired; new one booked for January.",
    )
    assert ack.kind == AcknowledgementKind.EXCEPTION


def test_letter_is_a_pdf_stored_and_downloaded_byte_for_byte(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    PsychiatristOfRecord.objects.filter(pk=world.patient_a.psychiatrist_of_record_id).update(
        email="dr.a@example.invalid"
    )
    world.patient_a.refresh_from_db()
    _eligible(world)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        letter = letter_generate(actor=world.actor("physician_x"), patient=world.patient_a)
    pdf = bytes(letter.pdf)
    assert pdf.startswith(b"%PDF")
    assert letter.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert len(mail.outbox) == 1 and world.patient_a.family_name not in mail.outbox[0].body
    client = world.client("psychiatrist_a")
    response = client.get(f"/coordination/patients/{world.patient_a.pk}/letters/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert response.content == pdf
    api = Client()
    api.force_login(world.users["nurse_x"])
    assert (
        api.get(
            f"/api/v1/coordination/patients/{world.patient_a.pk}/letters/{letter.pk}/pdf"
        ).content
        == pdf
    )
    assert (
        world.client("nurse_y")
        .get(f"/coordination/patients/{world.patient_a.pk}/letters/{letter.pk}/pdf/")
        .status_code
        == 404
    )

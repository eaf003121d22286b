"""The demo loader: idempotent, every role present, loaded through the services."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from keel.accounts.models import Membership, User
from keel.accounts.roles import AccountType, Role
from keel.audit.chain import verify_chain
from keel.audit.models import AuditAction, AuditEvent
from keel.demo import data
from keel.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_load_demo_creates_the_clinic_once() -> None:
    call_command("load_demo")
    call_command("load_demo")
    assert Patient.objects.count() == len(data.PATIENTS) == 20
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    reyes = User.objects.get(username=data.PSYCHIATRIST_USERNAME)
    assert reyes.account_type == AccountType.PSYCHIATRIST_OF_RECORD
    assert Patient.objects.filter(psychiatrist_of_record__user=reyes).count() == sum(
        p.with_reyes for p in data.PATIENTS
    )


def test_demo_patients_are_registered_through_the_audited_service() -> None:
    call_command("load_demo")
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="patient")
    assert created.count() == 20
    assert set(created.values_list("actor_username", flat=True)) == {"sam"}
    assert verify_chain().ok is True


def test_demo_mrns_are_unique_and_prefixed() -> None:
    call_command("load_demo")
    mrns = list(Patient.objects.values_list("mrn", flat=True))
    assert len(set(mrns)) == 20
    assert all(m.startswith(data.CLINIC_MRN_PREFIX) for m in mrns)

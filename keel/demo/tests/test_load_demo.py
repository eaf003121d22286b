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


def test_demo_shows_the_pathway_personas() -> None:
    """Alex is cleared; Drew and Emery wait for a decision with their telling findings."""
    from keel.coordination.selectors import clearance_get
    from keel.intake.protocols import protocol_for_clinic
    from keel.intake.review import review_run
    from keel.intake.selectors import evaluation_current, evaluation_facts

    call_command("load_demo")
    alex = Patient.objects.get(given_name="Alex")
    assert clearance_get(patient=alex).cleared is True
    fired = {}
    for name in ("Drew", "Emery"):
        patient = Patient.objects.get(given_name=name)
        evaluation = evaluation_current(patient=patient)
        assert evaluation is not None and evaluation.status == "draft"
        review = review_run(
            protocol=protocol_for_clinic(patient.clinic_id),
            facts=evaluation_facts(evaluation=evaluation),
        )
        assert review.missing_blocking == []
        fired[name] = {f.rule_id for f in review.overridable}
    assert "eligibility.psychosis.history" in fired["Drew"]
    assert "eligibility.antimanic.non_qualifying_only" in fired["Emery"]

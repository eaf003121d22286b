"""Shared pytest fixtures: two clinics and a person for every role the matrix tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from keel.accounts.models import Clinic, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor, actor_build
from keel.accounts.tests.factories import ClinicFactory, UserFactory, staff_member
from keel.patients.models import Patient
from keel.patients.tests.factories import PatientFactory, PsychiatristOfRecordFactory

# Transactional and live-server tests flush the database at teardown; the audit
# table's append-only triggers are lifted for that flush only.
pytest_plugins = ["keel.audit.tests.plugin", "tests.browser.fixtures"]

# The suite runs on 2 cores shared by two test workers and the database: Hypothesis's
# timing checks (a per-example deadline, "data generation too slow") would fail tests by
# load, not by a bug. Every example still runs; per-test settings keep their own counts.
settings.register_profile("keel", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("keel")


@dataclass
class World:
    """Clinic X (with patient A) and clinic Y, and one login per role."""

    clinic_x: Clinic
    clinic_y: Clinic
    patient_a: Patient
    users: dict[str, User]

    def actor(self, who: str) -> Actor:
        """The actor for a named person (staff act in their own clinic)."""
        user = self.users[who]
        membership = user.memberships.first()
        actor = actor_build(user=user, clinic_id=membership.clinic_id if membership else None)
        assert actor is not None
        return actor

    def client(self, who: str) -> Client:
        """A test client signed in as ``who`` (anonymous for "anonymous")."""
        from keel.accounts.mfa import mfa_required
        from keel.accounts.tests.mfa_support import mark_session_verified

        client = Client()
        if who != "anonymous":
            user = self.users[who]
            client.force_login(user)
            # Roles that need two-step sign-in get a session that passed it too.
            if mfa_required(user=user):
                mark_session_verified(client, user)
        return client


@pytest.fixture
def world(db: None) -> World:
    clinic_x = ClinicFactory(name="Clinic X", mrn_prefix="XX")
    clinic_y = ClinicFactory(name="Clinic Y", mrn_prefix="YY")
    psychiatrist_user = UserFactory(
        username="psych_a", account_type=AccountType.PSYCHIATRIST_OF_RECORD
    )
    other_psychiatrist_user = UserFactory(
        username="psych_other", account_type=AccountType.PSYCHIATRIST_OF_RECORD
    )
    PsychiatristOfRecordFactory(clinic=clinic_x, user=other_psychiatrist_user)
    psychiatrist = PsychiatristOfRecordFactory(clinic=clinic_x, user=psychiatrist_user)
    patient_a_user = UserFactory(username="patient_a", account_type=AccountType.PATIENT)
    patient_b_user = UserFactory(username="patient_b", account_type=AccountType.PATIENT)
    patient_a = PatientFactory(
        clinic=clinic_x,
        given_name="Ainsley",
        family_name="Zephyrine",
        psychiatrist_of_record=psychiatrist,
        user=patient_a_user,
    )
    PatientFactory(clinic=clinic_x, user=patient_b_user, given_name="Bex", family_name="Quorra")
    users = {
        "physician_x": staff_member(clinic=clinic_x, role=Role.PHYSICIAN, username="physician_x"),
        "nurse_x": staff_member(clinic=clinic_x, role=Role.NURSE, username="nurse_x"),
        "front_desk_x": staff_member(
            clinic=clinic_x, role=Role.FRONT_DESK, username="front_desk_x"
        ),
        "clinic_admin_x": staff_member(
            clinic=clinic_x, role=Role.CLINIC_ADMIN, username="clinic_admin_x"
        ),
        "nurse_y": staff_member(clinic=clinic_y, role=Role.NURSE, username="nurse_y"),
        "psychiatrist_a": psychiatrist_user,
        "psychiatrist_other": other_psychiatrist_user,
        "patient_a": patient_a_user,
        "patient_b": patient_b_user,
    }
    return World(clinic_x=clinic_x, clinic_y=clinic_y, patient_a=patient_a, users=users)

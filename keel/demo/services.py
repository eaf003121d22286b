"""Load the demo clinic through the same services the pages and API use."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from keel.accounts.models import Clinic, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import actor_build
from keel.accounts.services import clinic_create, outside_user_create, staff_user_create
from keel.demo import data
from keel.patients.services import patient_create, psychiatrist_create


@dataclass(frozen=True)
class DemoLoadResult:
    created: bool
    clinic: Clinic
    patient_count: int


def demo_load() -> DemoLoadResult:
    """Create the demo clinic, its staff, Dr Reyes and 20 patients, unless already there."""
    existing = Clinic.objects.filter(slug=data.CLINIC_SLUG).first()
    if existing is not None:
        return DemoLoadResult(
            created=False, clinic=existing, patient_count=existing.patients.count()
        )
    with transaction.atomic():
        clinic = clinic_create(
            name=data.CLINIC_NAME,
            slug=data.CLINIC_SLUG,
            time_zone=data.CLINIC_TIME_ZONE,
            mrn_prefix=data.CLINIC_MRN_PREFIX,
            phone=data.CLINIC_PHONE,
        )
        users: dict[str, User] = {}
        for staff in data.STAFF:
            users[staff.username] = staff_user_create(
                username=staff.username,
                password=data.DEMO_PASSWORD,
                first_name=staff.first_name,
                last_name=staff.last_name,
                email=f"{staff.username}@demo.keel.invalid",
                clinic=clinic,
                role=staff.role,
            )
        reyes_user = outside_user_create(
            username=data.PSYCHIATRIST_USERNAME,
            password=data.DEMO_PASSWORD,
            first_name=data.PSYCHIATRIST_FIRST,
            last_name=data.PSYCHIATRIST_LAST,
            email=f"{data.PSYCHIATRIST_USERNAME}@demo.keel.invalid",
            account_type=AccountType.PSYCHIATRIST_OF_RECORD,
        )
        front_desk = next(p.username for p in data.STAFF if p.role == Role.FRONT_DESK)
        registrar = actor_build(user=users[front_desk], clinic_id=clinic.pk)
        if registrar is None:  # the membership was created just above
            raise RuntimeError("demo front desk user has no membership")
        reyes = psychiatrist_create(
            actor=registrar,
            name=f"Dr {data.PSYCHIATRIST_FIRST} {data.PSYCHIATRIST_LAST}",
            practice=data.PSYCHIATRIST_PRACTICE,
            phone="+1 555 0100 300",
            email=f"{data.PSYCHIATRIST_USERNAME}@demo.keel.invalid",
            user=reyes_user,
        )
        other = psychiatrist_create(
            actor=registrar,
            name=data.OTHER_PSYCHIATRIST,
            practice="Eastside Behavioral Health",
            phone="+1 555 0100 400",
            email="albrecht@demo.keel.invalid",
            user=None,
        )
        for index, person in enumerate(data.PATIENTS):
            patient_create(
                actor=registrar,
                fields={
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    "birth_date": person.birth_date,
                    "administrative_sex": person.sex,
                    "weight_kg": person.weight_kg,
                    "phone": f"+1 555 0142 {index:03d}",
                    "email": f"{person.given_name.lower()}@demo.keel.invalid",
                    "emergency_contact_name": f"{person.given_name}'s partner",
                    "emergency_contact_relationship": "partner",
                    "emergency_contact_phone": f"+1 555 0143 {index:03d}",
                    "psychiatrist_of_record_id": reyes.pk if person.with_reyes else other.pk,
                },
            )
    return DemoLoadResult(created=True, clinic=clinic, patient_count=len(data.PATIENTS))

"""Load the demo clinic through the same services the pages and API use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keel.accounts.mfa import mfa_enrolled, mfa_required_by_role
from keel.accounts.mfa_services import totp_device_install
from keel.accounts.models import Clinic, User
from keel.accounts.roles import AccountType, Role
from keel.accounts.selectors import Actor, actor_build
from keel.accounts.services import clinic_create, outside_user_create, staff_user_create
from keel.consent.models import CONSENT_TOPICS, EDUCATION_TOPICS
from keel.consent.services import (
    consent_sign,
    consent_template_approve,
    consent_template_install_sample,
    education_page_approve,
    education_page_install_sample,
)
from keel.coordination.services import letter_generate, plan_acknowledge
from keel.demo import data
from keel.intake.models import DecisionOutcome
from keel.intake.services import (
    baseline_rating_record,
    eligibility_decide,
    evaluation_start,
    evaluation_update,
)
from keel.inventory.models import Drug
from keel.inventory.services import receipt_record
from keel.patients.models import Patient
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
        _demo_authenticators_install()  # demo databases loaded before two-step sign-in
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
        users[data.PSYCHIATRIST_USERNAME] = reyes_user = outside_user_create(
            username=data.PSYCHIATRIST_USERNAME,
            password=data.DEMO_PASSWORD,
            first_name=data.PSYCHIATRIST_FIRST,
            last_name=data.PSYCHIATRIST_LAST,
            email=f"{data.PSYCHIATRIST_USERNAME}@demo.keel.invalid",
            account_type=AccountType.PSYCHIATRIST_OF_RECORD,
        )
        _demo_authenticators_install()
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
        patients: dict[str, Patient] = {}
        for index, person in enumerate(data.PATIENTS):
            patients[person.given_name] = patient_create(
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
        _load_pathway(clinic=clinic, users=users, patients=patients)
    return DemoLoadResult(created=True, clinic=clinic, patient_count=len(data.PATIENTS))


def _demo_authenticators_install() -> None:
    """Give each demo user whose role needs a second factor the published demo authenticator."""
    usernames = [person.username for person in data.STAFF] + [data.PSYCHIATRIST_USERNAME]
    for user in User.objects.filter(username__in=usernames):
        if mfa_required_by_role(user=user) and not mfa_enrolled(user=user):
            totp_device_install(
                user=user, secret_base32=data.DEMO_TOTP_SECRET, name="Demo authenticator"
            )


def _actor(user: User, clinic: Clinic) -> Actor:
    actor = actor_build(user=user, clinic_id=clinic.pk)
    if actor is None:  # every demo user was given a membership or an account type above
        raise RuntimeError(f"demo user {user} cannot act")
    return actor


def _load_pathway(*, clinic: Clinic, users: dict[str, User], patients: dict[str, Patient]) -> None:
    """Intake to first session: Alex cleared; Drew and Emery evaluated, awaiting decisions."""
    nurse = _actor(users["dana"], clinic)
    physician = _actor(users["okafor"], clinic)
    admin = _actor(users["lee"], clinic)
    template = consent_template_install_sample(clinic=clinic, actor=admin)
    consent_template_approve(
        actor=admin, template=template, topics=[t.code for t in CONSENT_TOPICS]
    )
    page = education_page_install_sample(clinic=clinic, actor=admin)
    education_page_approve(actor=admin, page=page, topics=[t.code for t in EDUCATION_TOPICS])
    level_date = timezone.localdate() - timedelta(days=data.LEVEL_AGE_DAYS)
    for name, changes in data.EVALUATION_CHANGES.items():
        patient = patients[name]
        answers = {**data.EVALUATION_BASE, **changes}
        for level in ("lithium", "valproate"):
            value_key = "lithium_level_mmol_l" if level == "lithium" else "valproate_level_ug_ml"
            if answers.get(value_key) is not None:
                answers[f"{level}_level_date"] = level_date
        evaluation = evaluation_start(actor=nurse, patient=patient)
        evaluation_update(actor=nurse, evaluation=evaluation, fields=answers)
        for instrument_id, item_scores in data.BASELINE_RATINGS.items():
            baseline_rating_record(
                actor=nurse, patient=patient, instrument_id=instrument_id, answers=item_scores
            )
    alex = patients["Alex"]
    eligibility_decide(
        actor=physician,
        patient=alex,
        outcome=DecisionOutcome.ELIGIBLE,
        treatment_plan=data.ALEX_PLAN,
        mood_stabilizer_plan=data.ALEX_MOOD_PLAN,
    )
    consent_sign(
        actor=nurse,
        patient=alex,
        template_id=template.pk,
        signed_name=alex.full_name,
        confirmed=True,
        staff_attested=True,
    )
    reyes = _actor(users[data.PSYCHIATRIST_USERNAME], clinic)
    plan_acknowledge(actor=reyes, patient=alex, comment=data.ALEX_ACK_COMMENT)
    letter_generate(actor=physician, patient=alex, email=False)
    # The controlled-substance ledger: the lot the demo's doses are drawn from.
    receipt_record(
        actor=nurse,
        drug=Drug.RACEMIC_KETAMINE,
        concentration_mg_per_ml=Decimal("10.00"),
        lot_number="KET-2611-A",
        supplier="Demo Pharmaceutical Distributors",
        expires_on=timezone.localdate() + timedelta(days=540),
        quantity_ml=Decimal("100.00"),
        reference="PS-DEMO-0001",
    )

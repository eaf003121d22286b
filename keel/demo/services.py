"""Load the demo clinic through the same services the pages and API use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
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
from keel.coordination.services import letter_generate, plan_ack_exception, plan_acknowledge
from keel.demo import data
from keel.demo.checkins import load_checkins
from keel.demo.sessions import (
    CALM_YMRS,
    CHECKLIST,
    NO_SUICIDALITY,
    PastSession,
    at,
    run_past_session,
)
from keel.intake.models import DecisionOutcome
from keel.intake.services import (
    baseline_rating_record,
    eligibility_decide,
    evaluation_start,
    evaluation_update,
)
from keel.inventory.models import Drug, Lot
from keel.inventory.permissions import Witness
from keel.inventory.selectors import lot_balance
from keel.inventory.services import count_record, receipt_record, waste_record
from keel.patients.models import Patient
from keel.patients.services import patient_create, psychiatrist_create
from keel.treatment.models import Route, TreatmentCourse, VitalContext
from keel.treatment.rems import rems_export_generate
from keel.treatment.services import (
    course_activate,
    course_create,
    precheck_record,
    session_abort,
    session_check_in,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    vitals_record,
)


@dataclass(frozen=True)
class DemoLoadResult:
    created: bool
    clinic: Clinic
    patient_count: int


def demo_load(*, histories: bool = True) -> DemoLoadResult:
    """Create the demo clinic, its staff, Dr Reyes and 20 patients, unless already there.

    ``histories=False`` stops after intake (patients evaluated and cleared, stock
    received): the browser tests that only need a cleared patient load in seconds.
    """
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
        _load_pathway(clinic=clinic, users=users, patients=patients, histories=histories)
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


def _load_pathway(
    *, clinic: Clinic, users: dict[str, User], patients: dict[str, Patient], histories: bool
) -> None:
    """Intake some weeks ago; then each persona's course up to today (DOMAIN.md)."""
    intake_day = timezone.now() - timedelta(days=data.INTAKE_DAYS_AGO)
    with at(intake_day):
        _load_intake(clinic=clinic, users=users, patients=patients)
    if histories:
        _load_courses(clinic=clinic, users=users, patients=patients)
        load_checkins(clinic=clinic, users=users, patients=patients)


def _load_intake(*, clinic: Clinic, users: dict[str, User], patients: dict[str, Patient]) -> None:
    """Evaluations and baseline ratings; cleared patients get a decision, consent and plan."""
    nurse = _actor(users["dana"], clinic)
    physician = _actor(users["okafor"], clinic)
    admin = _actor(users["lee"], clinic)
    reyes = _actor(users[data.PSYCHIATRIST_USERNAME], clinic)
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
        ratings = {**data.BASELINE_RATINGS, **data.BASELINE_CHANGES.get(name, {})}
        for instrument_id, item_scores in ratings.items():
            baseline_rating_record(
                actor=nurse, patient=patient, instrument_id=instrument_id, answers=item_scores
            )
    for name in data.CLEARED:
        patient = patients[name]
        eligibility_decide(
            actor=physician,
            patient=patient,
            outcome=DecisionOutcome.ELIGIBLE,
            treatment_plan=data.PLANS.get(name, data.ALEX_PLAN),
            mood_stabilizer_plan=data.ALEX_MOOD_PLAN,
        )
        consent_sign(
            actor=nurse,
            patient=patient,
            template_id=template.pk,
            signed_name=patient.full_name,
            confirmed=True,
            staff_attested=True,
        )
        if patient.psychiatrist_of_record and patient.psychiatrist_of_record.user_id:
            plan_acknowledge(actor=reyes, patient=patient, comment=data.ALEX_ACK_COMMENT)
        else:
            plan_ack_exception(actor=physician, patient=patient, reason=data.ACK_EXCEPTION_REASON)
    letter_generate(actor=physician, patient=patients["Alex"], email=False)
    # The controlled-substance ledger: the lots the demo's doses are drawn from.
    for lot in data.LOTS:
        receipt_record(
            actor=nurse,
            drug=Drug(lot.drug),
            concentration_mg_per_ml=lot.concentration_mg_per_ml,
            lot_number=lot.lot_number,
            supplier="Demo Pharmaceutical Distributors",
            expires_on=timezone.localdate() + timedelta(days=540),
            quantity_ml=lot.quantity_ml,
            reference=lot.reference,
        )


def _load_courses(*, clinic: Clinic, users: dict[str, User], patients: dict[str, Patient]) -> None:
    """Courses and past sessions: Alex, Blair, Casey, Harper (IV), Gray (esketamine), Finley."""
    nurse = _actor(users["dana"], clinic)
    physician = _actor(users["okafor"], clinic)
    today = timezone.localtime(timezone.now(), clinic.tzinfo).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    for story in data.COURSES:
        patient = patients[story.patient]
        first = today - timedelta(days=story.first_session_days_ago)
        with at(first - timedelta(days=3)):
            course = course_create(
                actor=physician,
                patient=patient,
                route=Route(story.route),
                dose_mg_per_kg=story.dose_mg_per_kg,
                esketamine_dose_mg=story.esketamine_dose_mg,
                induction_sessions=story.induction_sessions,
                schedule_note=story.schedule_note,
            )
            # The demo schedules check-ins itself, dated to each story (keel/demo/checkins.py).
            course = course_activate(actor=physician, course=course, check_in_defaults=False)
        sessions = []
        for index, days in enumerate(story.session_days):
            plan = PastSession(
                start=first + timedelta(days=days),
                weight_kg=patient.weight_kg or Decimal("70"),
                lot=story.lot,
                concentration_mg_per_ml=story.concentration_mg_per_ml,
                escort=f"{patient.given_name}'s partner",
                madrs_total=story.madrs[index] if index < len(story.madrs) else None,
            )
            sessions.append(
                run_past_session(nurse=nurse, physician=physician, course=course, plan=plan)
            )
        if story.route == Route.INTRANASAL_ESKETAMINE and sessions:
            with at(sessions[-1].discharged_at or timezone.now()):
                rems_export_generate(actor=nurse, session=sessions[-1])
        if story.held_today:
            _finley_hold(nurse=nurse, course=course, today=today)
        if len(story.session_days) < story.induction_sessions:
            with at(today - timedelta(days=1)):
                session_schedule(
                    actor=nurse,
                    course=course,
                    scheduled_for=today + timedelta(days=story.next_in_days),
                )
    _ledger_waste_and_count(clinic=clinic, users=users)


def _finley_hold(*, nurse: Actor, course: TreatmentCourse, today: datetime) -> None:
    """Finley: 186/104 at pre-checks, re-checked after rest still above the hold: no-go."""
    start = today - timedelta(days=1)
    with at(start - timedelta(days=2)):
        session = session_schedule(actor=nurse, course=course, scheduled_for=start)
    with at(start):
        session = session_check_in(
            actor=nurse,
            session=session,
            escort_name="Finley's partner",
            escort_phone="+1 555 0144 106",
        )
        session = session_start_prechecks(actor=nurse, session=session)
        vitals_record(
            actor=nurse,
            session=session,
            context=VitalContext.PRE_DOSE,
            systolic_bp=186,
            diastolic_bp=104,
            heart_rate=82,
            spo2=97,
        )
    with at(start + timedelta(minutes=7)):
        vitals_record(
            actor=nurse,
            session=session,
            context=VitalContext.RECHECK,
            systolic_bp=182,
            diastolic_bp=102,
            heart_rate=80,
            spo2=97,
        )
        session_rating_record(actor=nurse, session=session, instrument_id="ymrs", answers=CALM_YMRS)
        session_rating_record(
            actor=nurse,
            session=session,
            instrument_id="cssrs_since_last_visit",
            answers=list(NO_SUICIDALITY),
        )
        precheck_record(
            actor=nurse,
            session=session,
            answers={"weight_kg": Decimal("97.0"), **CHECKLIST},  # type: ignore[dict-item]
        )
    with at(start + timedelta(minutes=10)):
        session_abort(
            actor=nurse,
            session=session,
            reason="Blood pressure above the hard hold after a rested re-check; GP review booked.",
        )


def _ledger_waste_and_count(*, clinic: Clinic, users: dict[str, User]) -> None:
    """One witnessed waste and one physical count (DOMAIN.md: the demo ledger)."""
    nurse = _actor(users["dana"], clinic)
    witness = Witness(user=users["okafor"], authenticated_at=timezone.now())
    lot = Lot.objects.get(clinic=clinic, lot_number=data.LOTS[0].lot_number)
    with at(timezone.now() - timedelta(days=2)):
        waste_record(
            actor=nurse,
            witness=witness,
            lot=lot,
            quantity_ml=Decimal("0.40"),
            note="Residual volume in the syringe after Alex's last dose.",
        )
        count_record(
            actor=nurse,
            witness=witness,
            lot=lot,
            counted_ml=lot_balance(lot_id=lot.pk),
            note="Weekly count.",
        )

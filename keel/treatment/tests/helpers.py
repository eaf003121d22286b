"""Take a test patient to an active course (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from conftest import World
from keel.consent.models import CONSENT_TOPICS
from keel.consent.services import (
    consent_sign,
    consent_template_approve,
    consent_template_install_sample,
)
from keel.coordination.services import plan_acknowledge
from keel.intake.models import DecisionOutcome
from keel.intake.services import eligibility_decide
from keel.intake.tests.helpers import complete_evaluation
from keel.inventory.models import Drug
from keel.inventory.services import receipt_record
from keel.treatment.models import Route, TreatmentCourse, TreatmentSession
from keel.treatment.services import course_activate, course_create, session_schedule

#: The reason a test gives for ending an IV infusion before its planned time.
EARLY = "Ended early in this test"


def cleared_patient(world: World) -> None:
    """Patient A: eligible, consent signed, plan acknowledged; clinic X stocks lot LOT-42."""
    complete_evaluation(actor=world.actor("nurse_x"), patient=world.patient_a)
    eligibility_decide(
        actor=world.actor("physician_x"),
        patient=world.patient_a,
        outcome=DecisionOutcome.ELIGIBLE,
        treatment_plan="IV racemic ketamine, six induction sessions.",
        mood_stabilizer_plan="Continue lithium at the current dose.",
    )
    template = consent_template_install_sample(clinic=world.clinic_x)
    consent_template_approve(
        actor=world.actor("clinic_admin_x"),
        template=template,
        topics=[t.code for t in CONSENT_TOPICS],
    )
    consent_sign(
        actor=world.actor("nurse_x"),
        patient=world.patient_a,
        template_id=template.pk,
        signed_name=world.patient_a.full_name,
        confirmed=True,
        staff_attested=True,
    )
    plan_acknowledge(actor=world.actor("psychiatrist_a"), patient=world.patient_a)
    stocked_lot(world)


def active_course(world: World, route: Route = Route.IV_RACEMIC_KETAMINE) -> TreatmentCourse:
    cleared_patient(world)
    physician = world.actor("physician_x")
    dose = (
        {"esketamine_dose_mg": 56}
        if route == Route.INTRANASAL_ESKETAMINE
        else {"dose_mg_per_kg": Decimal("0.50")}
    )
    course = course_create(
        actor=physician, patient=world.patient_a, route=route, induction_sessions=6, **dose
    )
    return course_activate(actor=physician, course=course)


def stocked_lot(world: World, lot_number: str = "LOT-42") -> None:
    """Clinic X receives 100 mL of racemic ketamine 10 mg/mL (the lot the dose tests name)."""
    receipt_record(
        actor=world.actor("nurse_x"),
        drug=Drug.RACEMIC_KETAMINE,
        concentration_mg_per_ml=Decimal("10.00"),
        lot_number=lot_number,
        supplier="Test Pharma Supply",
        expires_on=timezone.localdate() + dt.timedelta(days=365),
        quantity_ml=Decimal("100.00"),
        reference=f"INV-{lot_number}",
    )


def scheduled_session(world: World) -> TreatmentSession:
    course = active_course(world)
    return session_schedule(
        actor=world.actor("nurse_x"),
        course=course,
        scheduled_for=timezone.now() + dt.timedelta(hours=1),
    )

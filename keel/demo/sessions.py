"""Past treatment sessions for the demo, recorded through the chairside services.

Each step runs at its own moment of the session's past day (``time_machine``
moves the clock for the loader only; ``make demo`` installs it with the
development requirements), so every record, ledger entry and audit event carries
the time it would have had on the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from keel.accounts.selectors import Actor
from keel.treatment.models import Route, TreatmentCourse, TreatmentSession, VitalContext
from keel.treatment.services import (
    dose_prepare,
    dose_start,
    dose_stop,
    dose_verify,
    exit_check_record,
    precheck_record,
    session_check_in,
    session_discharge,
    session_rating_record,
    session_schedule,
    session_start_prechecks,
    vitals_record,
    vitals_record_checked,
)

CHECKLIST: dict[str, object] = {
    "escort_confirmed": True,
    "fasting_confirmed": True,
    "pregnancy_status": "not_applicable",
    "med_change_benzodiazepine": False,
    "med_change_lamotrigine_dose": False,
    "med_change_stimulant": False,
    "med_change_maoi": False,
    "adverse_event_since_last": False,
    "acute_intoxication": False,
}
CALM_YMRS: list[int | None] = [0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
NO_SUICIDALITY: list[int | None] = [0, 0, None, None, None, 0]


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Run the block with the clock stopped at ``moment``."""
    import time_machine  # development requirement, used by the demo loader only

    with time_machine.travel(moment, tick=False):
        yield


def madrs_answers(total: int, *, item10: int = 0) -> list[int | None]:
    """Ten MADRS item scores adding up to ``total`` (item 10 given), spread evenly."""
    items = [0] * 9
    left = total - item10
    index = 0
    while left > 0:
        if items[index % 9] < 6:
            items[index % 9] += 1
            left -= 1
        index += 1
    return [*items, item10]


@dataclass(frozen=True)
class Vitals:
    systolic_bp: int
    diastolic_bp: int
    heart_rate: int
    spo2: int
    respiratory_rate: int = 14

    def record(
        self, *, actor: Actor, session: TreatmentSession, context: VitalContext, checked: bool
    ) -> None:
        """Record these readings (``checked``: through the stop rules, as during dosing)."""
        record = vitals_record_checked if checked else vitals_record
        record(
            actor=actor,
            session=session,
            context=context,
            systolic_bp=self.systolic_bp,
            diastolic_bp=self.diastolic_bp,
            heart_rate=self.heart_rate,
            spo2=self.spo2,
            respiratory_rate=self.respiratory_rate,
        )


@dataclass(frozen=True)
class PastSession:
    """What happened in one past session (times are minutes after booking)."""

    start: dt.datetime
    weight_kg: Decimal
    lot: str
    concentration_mg_per_ml: Decimal
    escort: str
    madrs_total: int | None = None
    pre: Vitals = Vitals(124, 78, 72, 98)
    peak: Vitals = Vitals(142, 88, 84, 97)
    recovery: Vitals = Vitals(126, 80, 72, 98)
    peak_moaas: int = 4
    peak_cadss: tuple[int, ...] = (1, 1, 1, 1, *([0] * 19))


def run_past_session(
    *, nurse: Actor, physician: Actor, course: TreatmentCourse, plan: PastSession
) -> TreatmentSession:
    """Book, run and discharge one session at ``plan.start`` through the services."""
    esketamine = course.route == Route.INTRANASAL_ESKETAMINE

    def minute(n: int) -> dt.datetime:
        return plan.start + dt.timedelta(minutes=n)

    with at(minute(-2880)):
        session = session_schedule(actor=nurse, course=course, scheduled_for=plan.start)
    with at(minute(0)):
        session = session_check_in(
            actor=nurse, session=session, escort_name=plan.escort, escort_phone="+1 555 0144 100"
        )
        session = session_start_prechecks(actor=nurse, session=session)
    with at(minute(3)):
        plan.pre.record(actor=nurse, session=session, context=VitalContext.PRE_DOSE, checked=False)
        session_rating_record(actor=nurse, session=session, instrument_id="ymrs", answers=CALM_YMRS)
        session_rating_record(
            actor=nurse,
            session=session,
            instrument_id="cssrs_since_last_visit",
            answers=list(NO_SUICIDALITY),
        )
        if plan.madrs_total is not None:
            session_rating_record(
                actor=nurse,
                session=session,
                instrument_id="madrs",
                answers=madrs_answers(plan.madrs_total),
            )
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
    with at(minute(6)):
        precheck_record(
            actor=nurse,
            session=session,
            answers={"weight_kg": plan.weight_kg, **CHECKLIST},  # type: ignore[dict-item]
        )
        dose = dose_prepare(
            actor=nurse,
            session=session,
            weight_kg=plan.weight_kg,
            concentration_mg_per_ml=plan.concentration_mg_per_ml,
            lot=plan.lot,
        )
    with at(minute(8)):
        dose_verify(actor=physician, dose=dose)
    with at(minute(10)):
        session = dose_start(actor=nurse, dose=dose)
    stop_after = 60 if esketamine else 50  # IV: a 40-minute infusion from minute 10
    for offset in (25, 40, 55, 70, 85, 100):
        if offset > stop_after and session.infusion_ended_at is None:
            with at(minute(stop_after)):
                session = dose_stop(actor=nurse, session=session)
        vitals = plan.peak if offset == 40 else plan.recovery
        with at(minute(offset)):
            during = session.infusion_ended_at is None
            vitals.record(
                actor=nurse,
                session=session,
                context=VitalContext.DURING if during else VitalContext.RECOVERY,
                checked=during,
            )
            moaas = plan.peak_moaas if offset == 40 else 5
            session_rating_record(
                actor=nurse, session=session, instrument_id="moaas", answers=[moaas]
            )
            if offset == 40:
                session_rating_record(
                    actor=nurse,
                    session=session,
                    instrument_id="cadss",
                    answers=list(plan.peak_cadss),
                )
    done = minute(135 if esketamine else 122)
    with at(done - dt.timedelta(minutes=2)):
        plan.recovery.record(
            actor=nurse, session=session, context=VitalContext.RECOVERY, checked=False
        )
        session_rating_record(actor=nurse, session=session, instrument_id="moaas", answers=[5])
        session_rating_record(actor=nurse, session=session, instrument_id="cadss", answers=[0] * 23)
        exit_check_record(
            actor=nurse,
            session=session,
            new_suicidal_ideation=False,
            mood_elevation=False,
            perceptual_change=False,
            walks_steadily=True,
            nausea_or_dizziness=False,
        )
    with at(done):
        return session_discharge(
            actor=nurse,
            session=session,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name=plan.escort,
        )


def past_sessions(
    *,
    nurse: Actor,
    physician: Actor,
    course: TreatmentCourse,
    plans: list[PastSession],
) -> list[TreatmentSession]:
    """Run several past sessions in order."""
    return [
        run_past_session(nurse=nurse, physician=physician, course=course, plan=plan)
        for plan in plans
    ]

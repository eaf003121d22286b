"""monitoring_schedule, checkpoint_status, acute_post_dose and bp_recheck_rested (fixed clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from keel.clinical.sessions import (
    Checkpoint,
    CheckpointStatus,
    Measure,
    ScheduleError,
    acute_post_dose,
    bp_recheck_rested,
    checkpoint_status,
    monitoring_schedule,
)
from keel.clinical.sessions.tests.helpers import DOSE_START, params

V = "bp hr spo2 rr"
"""One set of vital signs."""


def minutes(value: float) -> datetime:
    """Return the time ``value`` minutes after the fixed dose start."""
    return DOSE_START + timedelta(minutes=value)


def layout(schedule: tuple[Checkpoint, ...]) -> list[tuple[str, str]]:
    """Return (label, measures) pairs, measures as space-separated codes."""
    return [(c.label, " ".join(m.value for m in c.measures)) for c in schedule]


def test_iv_schedule() -> None:
    """IV 40-min infusion: vitals every 10 min during, every 15 after; MOAA/S every 15 to 100."""
    schedule = monitoring_schedule("iv_racemic_ketamine", DOSE_START, minutes(40), params())
    assert layout(schedule) == [
        ("pre-dose", f"{V} cadss"),
        ("+10 min", V),
        ("+15 min", "moaas"),
        ("+20 min", V),
        ("+30 min", f"{V} moaas"),
        ("+40 min", f"{V} cadss"),
        ("+45 min", "moaas"),
        ("+55 min", V),
        ("+60 min", "moaas"),
        ("+70 min", V),
        ("+75 min", "moaas"),
        ("+85 min", V),
        ("+90 min", "moaas"),
        ("+100 min", f"{V} moaas cadss"),
    ]
    first = schedule[0]
    assert first.pre_dose is True
    assert first.at == DOSE_START
    assert first.overdue_after == minutes(5)
    assert any("Dunlop 2018" in reason for reason in schedule[1].reasons)
    assert any("before discharge" in reason for reason in schedule[-1].reasons)


def test_iv_planned_infusion_when_the_end_is_not_known() -> None:
    """No infusion end yet: the planned 40 min (iv_ketamine_infusion_minutes) is used."""
    planned = monitoring_schedule("iv_racemic_ketamine", DOSE_START, None, params())
    actual = monitoring_schedule("iv_racemic_ketamine", DOSE_START, minutes(40), params())
    assert planned == actual


def test_iv_longer_infusion_moves_the_post_infusion_cadence() -> None:
    """A 45.5-min infusion: end vitals at +46, then every 15 min to +106 (60 after the end)."""
    schedule = monitoring_schedule("iv_racemic_ketamine", DOSE_START, minutes(45.5), params())
    vitals = [
        c.minutes for c in schedule if Measure.BLOOD_PRESSURE in c.measures and not c.pre_dose
    ]
    assert vitals == [10, 20, 30, 40, 46, 61, 76, 91, 106]
    assert schedule[-1].minutes == 106


def test_esketamine_schedule() -> None:
    """Esketamine: BP before, at ~40 min and before discharge at 120; MOAA/S every 15 min."""
    schedule = monitoring_schedule("intranasal_esketamine", DOSE_START, None, params())
    assert layout(schedule) == [
        ("pre-dose", f"{V} cadss"),
        ("+15 min", "moaas"),
        ("+30 min", "moaas"),
        ("+40 min", f"{V} cadss"),
        ("+45 min", "moaas"),
        ("+60 min", "moaas"),
        ("+75 min", "moaas"),
        ("+90 min", "moaas"),
        ("+105 min", "moaas"),
        ("+120 min", f"{V} moaas cadss"),
    ]
    assert any("label / REMS" in reason for reason in schedule[3].reasons)


def test_im_schedule_uses_the_post_administration_cadence() -> None:
    """IM: no infusion; vitals every 15 min from the injection; observation to 90 min."""
    schedule = monitoring_schedule("im_racemic_ketamine", DOSE_START, None, params())
    assert layout(schedule) == [
        ("pre-dose", f"{V} cadss"),
        ("+15 min", f"{V} moaas"),
        ("+30 min", f"{V} moaas"),
        ("+40 min", "cadss"),
        ("+45 min", f"{V} moaas"),
        ("+60 min", f"{V} moaas"),
        ("+75 min", f"{V} moaas"),
        ("+90 min", f"{V} moaas cadss"),
    ]


def test_clinic_tuned_observation_extends_the_schedule() -> None:
    """A 90-min IV observation after the infusion: the schedule runs to +130."""
    tuned = replace(params(), iv_ketamine_min_observation_minutes=90)
    schedule = monitoring_schedule("iv_racemic_ketamine", DOSE_START, minutes(40), tuned)
    assert schedule[-1].minutes == 130
    moaas = [c.minutes for c in schedule if Measure.MOAAS in c.measures]
    assert moaas == [15, 30, 45, 60, 75, 90, 105, 120, 130]


@pytest.mark.parametrize(
    ("route", "start", "end", "match"),
    [
        ("intranasal_esketamine", DOSE_START, minutes(10), "infusion_end must be None"),
        ("im_racemic_ketamine", DOSE_START, minutes(1), "no infusion end"),
        ("iv_racemic_ketamine", DOSE_START, DOSE_START, "after dose_start"),
        ("iv_racemic_ketamine", DOSE_START.replace(tzinfo=None), None, "timezone-aware"),
        ("iv_racemic_ketamine", DOSE_START, minutes(40).replace(tzinfo=None), "timezone-aware"),
        ("oral", DOSE_START, None, "unknown route 'oral'"),
    ],
)
def test_unusable_schedule_requests(
    route: str, start: datetime, end: datetime | None, match: str
) -> None:
    """Each unusable request raises ScheduleError."""
    with pytest.raises(ScheduleError, match=match):
        monitoring_schedule(route, start, end, params())


# ---------------------------------------------------------------- checkpoint status

ESKETAMINE = monitoring_schedule("intranasal_esketamine", DOSE_START, None, params())


def statuses(recorded: dict[str, list[datetime]], now: datetime) -> dict[str, str]:
    """Return label -> status of the esketamine schedule."""
    return {
        s.checkpoint.label: s.status.value for s in checkpoint_status(ESKETAMINE, recorded, now)
    }


def test_before_dosing_only_the_pre_dose_checkpoint_is_due() -> None:
    """At -10 min nothing is recorded: pre-dose due, everything else upcoming."""
    result = statuses({}, minutes(-10))
    assert result["pre-dose"] == "due"
    assert {result[label] for label in result if label != "pre-dose"} == {"upcoming"}


def test_fixed_clock_due_overdue_done() -> None:
    """At +42: pre-dose and +15 done; +30 overdue (no MOAA/S); +40 due (BP taken, CADSS not)."""
    recorded = {
        "bp": [minutes(-8), minutes(41)],
        "hr": [minutes(-8), minutes(41)],
        "spo2": [minutes(-8), minutes(41)],
        "rr": [minutes(-8), minutes(41)],
        "cadss": [minutes(-6)],
        "moaas": [minutes(16)],
    }
    states = {s.checkpoint.label: s for s in checkpoint_status(ESKETAMINE, recorded, minutes(42))}
    assert states["pre-dose"].status is CheckpointStatus.DONE
    assert states["+15 min"].status is CheckpointStatus.DONE
    assert states["+30 min"].status is CheckpointStatus.OVERDUE
    assert states["+40 min"].status is CheckpointStatus.DUE
    assert states["+40 min"].missing == (Measure.CADSS,)
    assert states["+45 min"].status is CheckpointStatus.UPCOMING
    assert states["+120 min"].status is CheckpointStatus.UPCOMING


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (29, CheckpointStatus.UPCOMING),
        (30, CheckpointStatus.DUE),
        (35, CheckpointStatus.DUE),  # the grace (5 min) is inclusive
        (36, CheckpointStatus.OVERDUE),
    ],
)
def test_grace_edges(now: int, status: CheckpointStatus) -> None:
    """The +30 MOAA/S checkpoint: due from +30, overdue after +35."""
    assert statuses({}, minutes(now))["+30 min"] == status.value


def test_a_late_recording_counts_for_the_nearest_checkpoint() -> None:
    """MOAA/S at +37 counts for +30 (7 min late), not +45; at +38 it counts for +45."""
    assert statuses({"moaas": [minutes(37)]}, minutes(50))["+30 min"] == "done"
    at_38 = statuses({"moaas": [minutes(38)]}, minutes(50))
    assert (at_38["+30 min"], at_38["+45 min"]) == ("overdue", "done")


def test_pre_dose_readings_never_count_after_the_dose() -> None:
    """A pre-dose MOAA/S does not satisfy +15; vitals after the dose do not satisfy pre-dose."""
    result = statuses({"moaas": [minutes(-1)], "bp": [minutes(1)]}, minutes(20))
    assert result["+15 min"] == "due"
    assert result["pre-dose"] == "overdue"


def test_status_rejects_naive_times_and_unknown_measures() -> None:
    """Times must be timezone-aware; measures must be known."""
    with pytest.raises(ScheduleError, match="timezone-aware"):
        checkpoint_status(ESKETAMINE, {}, minutes(1).replace(tzinfo=None))
    with pytest.raises(ScheduleError, match="timezone-aware"):
        checkpoint_status(ESKETAMINE, {"bp": [minutes(1).replace(tzinfo=None)]}, minutes(1))
    with pytest.raises(ScheduleError, match="unknown measure 'temp'"):
        checkpoint_status(ESKETAMINE, {"temp": [minutes(1)]}, minutes(1))


def test_other_time_zones_compare_by_instant() -> None:
    """A recording stamped in another zone counts at its instant."""
    plus_two = timezone(timedelta(hours=2))
    local = minutes(15).astimezone(plus_two)
    assert statuses({"moaas": [local]}, minutes(20))["+15 min"] == "done"


# ---------------------------------------------------------------- acute window, BP re-check


@pytest.mark.parametrize(
    ("hours_after", "acute"),
    [(-0.1, False), (0, True), (2, True), (4, True), (4.01, False)],
)
def test_acute_post_dose_window(hours_after: float, acute: bool) -> None:
    """Ratings 0-4 h after a dose (both ends included) are acute post-dose."""
    taken = DOSE_START + timedelta(hours=hours_after)
    assert acute_post_dose(taken, DOSE_START, params()) is acute


def test_no_dose_means_not_acute() -> None:
    """A rating with no previous dose is not acute."""
    assert acute_post_dose(DOSE_START, None, params()) is False
    with pytest.raises(ScheduleError, match="timezone-aware"):
        acute_post_dose(DOSE_START.replace(tzinfo=None), DOSE_START, params())


@pytest.mark.parametrize(("rest", "rested"), [(4.9, False), (5, True), (12, True)])
def test_bp_recheck_rest(rest: float, rested: bool) -> None:
    """A re-check counts after 5 min of seated rest from the first reading."""
    first = minutes(-20)
    assert bp_recheck_rested(first, first + timedelta(minutes=rest), params()) is rested

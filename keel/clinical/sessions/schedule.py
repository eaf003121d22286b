"""Monitoring schedule of a session: what to measure when, and what is due or overdue.

Provenance (STYLE.md section 7)

1. Identity: ``monitoring_schedule``, ``checkpoint_status``,
   ``acute_post_dose``, ``bp_recheck_rested``; protocol keel-default v2
   parameters; last checked against REFERENCE.md §0, §1.8, §1.9, §2.1, §2.2,
   §3.1, §5.2, §6 and §10 on 2026-11-26.
2. Source:
   - IV racemic ketamine: vital signs every 10 min during the infusion and
     every 15 min after (typical timing, Dunlop BW et al., J Affect Disord
     2018, 684 infusions [src], §2.1); observation >= 60 min after infusion
     end (project convention, §6).
   - Esketamine: BP before dosing, at about 40 min and before the end of the
     session; observation >= 2 h from the first device (label / REMS [src],
     §2.2, §2.3).
   - Every route: SpO2 and respiratory rate with each set of vital signs;
     MOAA/S every 15 min from the dose to >= 90 min, then until discharge
     (project convention, §1.9); CADSS pre-dose, ~40 min and at the end of
     observation (project convention, §0, §1.8).
   - Acute post-dose window: ratings 0-4 h after a dose (project convention,
     §5.2). BP re-check after 5 min of seated rest (project convention,
     §3.1).
3. Licence/IP: no third-party text.
4. Logic: the schedule runs from the dose start to the end of observation,
   the later of the route's observation minimum and the MOAA/S minimum
   duration; the last checkpoint is "before discharge". Checkpoints at the
   same time are merged. A recording counts for the checkpoint of its measure
   whose time is nearest (ties: the earlier one); pre-dose checkpoints take
   only recordings at or before the dose start, later ones only recordings
   after it. Status: done (every measure recorded), overdue (not done more
   than ``checkpoint_overdue_grace_minutes`` after its time), due (not done,
   its time has come; a pre-dose checkpoint is due from the start), upcoming.
5. Safety items: none fire alerts here; the stop rules (kind ``stop``) act
   on the readings.
6. Review status: unreviewed.

Datetimes are parameters and must be timezone-aware; nothing here reads the
clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from keel.clinical.acute_window import in_acute_window
from keel.clinical.routes import Route
from keel.clinical.sessions.params import SessionParams


class ScheduleError(ValueError):
    """Raised for an unusable schedule request (naive datetime, end before start...)."""


class Measure(StrEnum):
    """What is measured at a checkpoint."""

    BLOOD_PRESSURE = "bp"
    HEART_RATE = "hr"
    SPO2 = "spo2"
    RESPIRATORY_RATE = "rr"
    MOAAS = "moaas"
    CADSS = "cadss"


VITAL_SIGNS: Final[tuple[Measure, ...]] = (
    Measure.BLOOD_PRESSURE,
    Measure.HEART_RATE,
    Measure.SPO2,
    Measure.RESPIRATORY_RATE,
)
"""One set of vital signs: BP and heart rate, with SpO2 and respiratory rate (§1.9)."""

_MEASURE_ORDER: Final = tuple(Measure)


class CheckpointStatus(StrEnum):
    """Where a checkpoint stands at a given time."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One time in the schedule and what to measure then.

    ``at`` is when it is due (a pre-dose checkpoint: the dose start, taken
    before it); ``overdue_after`` is ``at`` plus the grace; ``minutes`` is
    the offset from the dose start; ``reasons`` say why each measure is due,
    with the REFERENCE.md basis.
    """

    at: datetime
    overdue_after: datetime
    dose_start: datetime
    minutes: int
    pre_dose: bool
    measures: tuple[Measure, ...]
    label: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckpointState:
    """A checkpoint's status at ``now`` and the measures still missing."""

    checkpoint: Checkpoint
    status: CheckpointStatus
    missing: tuple[Measure, ...]


def monitoring_schedule(
    route: Route | str,
    dose_start: datetime,
    infusion_end: datetime | None,
    params: SessionParams,
) -> tuple[Checkpoint, ...]:
    """Return the session's checkpoints in time order, pre-dose first.

    ``dose_start`` is the start of the infusion, the first esketamine device
    or the IM injection. ``infusion_end`` is the end of an IV infusion (None:
    planned as ``dose_start + iv_ketamine_infusion_minutes``); it must be
    None for esketamine; for IM it is None (the injection is the end of
    administration). Raises :class:`ScheduleError`. Example::

        schedule = monitoring_schedule("intranasal_esketamine", start, None, params)
        [(c.minutes, c.measures) for c in schedule]
    """
    _aware(dose_start, "dose_start")
    checked = _route(route)
    grace = timedelta(minutes=params.checkpoint_overdue_grace_minutes)
    plan = _Plan(dose_start, grace)
    if checked is Route.INTRANASAL_ESKETAMINE:
        if infusion_end is not None:
            raise ScheduleError(
                "esketamine observation runs from the first device; infusion_end must be None"
            )
        _esketamine(plan, params)
    else:
        end = _administration_end(checked, dose_start, infusion_end, params)
        _racemic(plan, end, params, infusion=checked is Route.IV_RACEMIC_KETAMINE)
    return plan.checkpoints()


def checkpoint_status(
    checkpoints: Sequence[Checkpoint],
    recorded: Mapping[Measure | str, Sequence[datetime]],
    now: datetime,
) -> tuple[CheckpointState, ...]:
    """Return each checkpoint's status at ``now`` given when each measure was recorded.

    ``recorded`` maps a measure (``"bp"``, ``"moaas"``...) to the times it
    was recorded in this session. Each recording counts for one checkpoint:
    the nearest one of its measure on the same side of the dose start (see
    the module docstring). Example::

        states = checkpoint_status(schedule, {"bp": [t1, t2], "moaas": [t2]}, now)
        [s.status for s in states]  # [done, done, due, upcoming, ...]
    """
    _aware(now, "now")
    satisfied: set[tuple[int, Measure]] = set()
    for raw_measure, times in recorded.items():
        measure = _measure(raw_measure)
        candidates = [
            (index, checkpoint)
            for index, checkpoint in enumerate(checkpoints)
            if measure in checkpoint.measures
        ]
        for taken_at in times:
            _aware(taken_at, f"recorded[{measure.value}]")
            index = _nearest(candidates, taken_at)
            if index is not None:
                satisfied.add((index, measure))
    states = []
    for index, checkpoint in enumerate(checkpoints):
        missing = tuple(m for m in checkpoint.measures if (index, m) not in satisfied)
        states.append(
            CheckpointState(
                checkpoint=checkpoint, status=_status(checkpoint, missing, now), missing=missing
            )
        )
    return tuple(states)


def acute_post_dose(
    taken_at: datetime, last_dose_at: datetime | None, params: SessionParams
) -> bool:
    """Return True when a rating falls in the acute post-dose window of the last dose.

    The window is 0 to ``switch_acute_post_dose_exclusion_hours`` after the
    dose, both ends included (REFERENCE.md §5.2: ratings made 0-4 h after a
    dose are tagged acute post-dose and do not feed the switch rules). A
    rating before the dose, or with no dose, is not acute. Example::

        acute_post_dose(dose + timedelta(hours=4), dose, params)  # True
    """
    _aware(taken_at, "taken_at")
    if last_dose_at is None:
        return False
    _aware(last_dose_at, "last_dose_at")
    return in_acute_window(taken_at, last_dose_at, params.switch_acute_post_dose_exclusion_hours)


def bp_recheck_rested(
    first_reading_at: datetime, recheck_at: datetime, params: SessionParams
) -> bool:
    """Return True when a BP re-check was taken after the required seated rest.

    The rest is counted from the first (raised) reading, with the patient kept
    seated: ``recheck_at - first_reading_at >= predose_bp_recheck_rest_minutes``
    (REFERENCE.md §3.1). The app sets the ``predose_bp_rechecked`` fact from
    this. Example::

        bp_recheck_rested(t0, t0 + timedelta(minutes=5), params)  # True
    """
    _aware(first_reading_at, "first_reading_at")
    _aware(recheck_at, "recheck_at")
    rest = timedelta(minutes=params.predose_bp_recheck_rest_minutes)
    return recheck_at - first_reading_at >= rest


# ---------------------------------------------------------------- building the schedule


class _Plan:
    """Collects (minutes, measure, reason) and merges them into checkpoints."""

    def __init__(self, dose_start: datetime, grace: timedelta) -> None:
        self.dose_start = dose_start
        self.grace = grace
        self.pre: dict[Measure, str] = {}
        self.post: dict[int, dict[Measure, list[str]]] = {}

    def before_dose(self, measures: Sequence[Measure], reason: str) -> None:
        for measure in measures:
            self.pre.setdefault(measure, reason)

    def at(self, minutes: int, measures: Sequence[Measure], reason: str) -> None:
        slot = self.post.setdefault(minutes, {})
        for measure in measures:
            reasons = slot.setdefault(measure, [])
            if reason not in reasons:
                reasons.append(reason)

    def checkpoints(self) -> tuple[Checkpoint, ...]:
        result = []
        if self.pre:
            result.append(self._checkpoint(0, self.pre.keys(), self.pre.values(), pre_dose=True))
        for minutes in sorted(self.post):
            slot = self.post[minutes]
            reasons = [reason for texts in slot.values() for reason in texts]
            result.append(self._checkpoint(minutes, slot.keys(), reasons, pre_dose=False))
        return tuple(result)

    def _checkpoint(
        self,
        minutes: int,
        measures: Iterable[Measure],
        reasons: Iterable[str],
        *,
        pre_dose: bool,
    ) -> Checkpoint:
        at = self.dose_start + timedelta(minutes=minutes)
        wanted = set(measures)
        return Checkpoint(
            at=at,
            overdue_after=at + self.grace,
            dose_start=self.dose_start,
            minutes=minutes,
            pre_dose=pre_dose,
            measures=tuple(m for m in _MEASURE_ORDER if m in wanted),
            label="pre-dose" if pre_dose else f"+{minutes} min",
            reasons=tuple(dict.fromkeys(reasons)),
        )


def _racemic(plan: _Plan, end: int, params: SessionParams, *, infusion: bool) -> None:
    """IV (and IM, as an administration of zero length): Dunlop cadence, then discharge."""
    horizon = max(
        end + params.iv_ketamine_min_observation_minutes, params.moaas_min_duration_minutes
    )
    plan.before_dose(VITAL_SIGNS, "pre-dose vital signs, the discharge baseline (§2.1, §3.1, §6)")
    plan.before_dose((Measure.CADSS,), "pre-dose CADSS (§0, §1.8)")
    if infusion:
        step = params.iv_bp_interval_infusion_minutes
        during = f"vital signs every {step} min during the infusion (Dunlop 2018, §2.1)"
        for minutes in range(step, end, step):
            plan.at(minutes, VITAL_SIGNS, during)
        plan.at(end, VITAL_SIGNS, "vital signs at the end of the infusion (§2.1)")
    step = params.iv_bp_interval_post_infusion_minutes
    after = (
        f"vital signs every {step} min after the infusion (Dunlop 2018, §2.1)"
        if infusion
        else f"vital signs every {step} min after the IM injection (Dunlop cadence; convention)"
    )
    for minutes in range(end + step, horizon, step):
        plan.at(minutes, VITAL_SIGNS, after)
    _common(plan, horizon, params)


def _esketamine(plan: _Plan, params: SessionParams) -> None:
    """Esketamine: BP before, ~40 min and before discharge; >= 120 min (§2.2, §2.3)."""
    horizon = max(params.esketamine_min_observation_minutes, params.moaas_min_duration_minutes)
    plan.before_dose(VITAL_SIGNS, "BP before dosing (label / REMS, §2.2)")
    plan.before_dose((Measure.CADSS,), "pre-dose CADSS (§0, §1.8)")
    if params.esketamine_bp_post_dose_minutes < horizon:
        plan.at(
            params.esketamine_bp_post_dose_minutes,
            VITAL_SIGNS,
            f"BP {params.esketamine_bp_post_dose_minutes} min after dosing (label / REMS: "
            "about 40 min, §2.2)",
        )
    _common(plan, horizon, params)


def _common(plan: _Plan, horizon: int, params: SessionParams) -> None:
    """MOAA/S cadence, CADSS at ~40 min, and the before-discharge checkpoint."""
    step = params.moaas_interval_minutes
    moaas = (
        f"MOAA/S every {step} min from the dose, for at least "
        f"{params.moaas_min_duration_minutes} min (§1.9)"
    )
    for minutes in range(step, horizon, step):
        plan.at(minutes, (Measure.MOAAS,), moaas)
    if params.cadss_post_dose_minutes < horizon:
        plan.at(
            params.cadss_post_dose_minutes,
            (Measure.CADSS,),
            f"CADSS at {params.cadss_post_dose_minutes} min, near the dissociation peak (§0, §1.8)",
        )
    plan.at(
        horizon,
        (*VITAL_SIGNS, Measure.MOAAS, Measure.CADSS),
        "before discharge: end of observation (§2.2, §2.3, §6)",
    )


def _administration_end(
    route: Route, dose_start: datetime, infusion_end: datetime | None, params: SessionParams
) -> int:
    """Return the end of administration in whole minutes from the dose start."""
    if route is Route.IM_RACEMIC_KETAMINE:
        if infusion_end is not None:
            raise ScheduleError("an IM injection has no infusion end; pass None")
        return 0
    if infusion_end is None:
        return params.iv_ketamine_infusion_minutes
    _aware(infusion_end, "infusion_end")
    if infusion_end <= dose_start:
        raise ScheduleError("infusion_end must be after dose_start")
    # A checkpoint falls on a whole minute: round a part minute up.
    return math.ceil((infusion_end - dose_start).total_seconds() / 60)


# ---------------------------------------------------------------- status


def _nearest(candidates: Sequence[tuple[int, Checkpoint]], taken_at: datetime) -> int | None:
    best: tuple[timedelta, datetime, int] | None = None
    for index, checkpoint in candidates:
        before_dose = taken_at <= checkpoint.dose_start
        if before_dose is not checkpoint.pre_dose:
            continue
        key = (abs(taken_at - checkpoint.at), checkpoint.at, index)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _status(
    checkpoint: Checkpoint, missing: tuple[Measure, ...], now: datetime
) -> CheckpointStatus:
    if not missing:
        return CheckpointStatus.DONE
    if now > checkpoint.overdue_after:
        return CheckpointStatus.OVERDUE
    if checkpoint.pre_dose or now >= checkpoint.at:
        return CheckpointStatus.DUE
    return CheckpointStatus.UPCOMING


def _route(route: Route | str) -> Route:
    try:
        return Route(route)
    except ValueError:
        allowed = ", ".join(member.value for member in Route)
        raise ScheduleError(f"unknown route {route!r} (allowed: {allowed})") from None


def _measure(measure: Measure | str) -> Measure:
    try:
        return Measure(measure)
    except ValueError:
        allowed = ", ".join(member.value for member in Measure)
        raise ScheduleError(f"unknown measure {measure!r} (allowed: {allowed})") from None


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ScheduleError(f"{name} must be timezone-aware; got {moment!r}")

"""Safety floors: the limits no protocol, parameter or override may loosen.

Provenance (STYLE.md section 7)

1. Identity: ``SAFETY_FLOORS``; last checked against REFERENCE.md §1.9,
   §3.1, §6 and §10 on 2026-12-08 (issue 15).
2. Source: each floor names its source; the limits are the ones REFERENCE.md
   gives (BP hard hold §3.1, SpO2 emergency §1.9, discharge §6, label
   observation and escort §2.2 / §6). The IV / IM observation floor of 30
   minutes is the low end of common practice, a project convention
   (UNCONFIRMED in REFERENCE.md §6).
3. Licence/IP: no third-party text.
4. Logic: a clinic may make a floor stricter, never looser. Two checks:
   - a parameter that sets a floor's threshold has a bound
     (:data:`FLOOR_PARAMETERS`): a protocol default, a rule example or a
     clinic value past it is refused (:func:`floor_parameter_problem`,
     called while parsing and by ``resolve_params``);
   - each floor has probes, facts at the limit that must stop the patient:
     evaluated on a protocol with its resolved values, at least one rule of
     the probe's kind must fire and be not overridable
     (:func:`check_floors`). This catches a floor rule removed, marked
     overridable, rewritten, or switched off through a parameter
     (``escort_required: false``).
5. Safety items: all of them.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final

from keel.clinical.protocol.model import Protocol, RuleKind, Value


class Bound(StrEnum):
    """How a floor parameter's value is limited."""

    AT_MOST = "at_most"
    """The value may be lower (stricter), never higher."""
    AT_LEAST = "at_least"
    """The value may be higher (stricter), never lower."""
    EXACTLY = "exactly"
    """Only this value is allowed (a switch that must stay on)."""


@dataclass(frozen=True, slots=True)
class FloorParameter:
    """A protocol parameter that sets a floor's threshold, and its bound."""

    name: str
    bound: Bound
    limit: Value

    def allows(self, value: object) -> bool:
        """Return whether ``value`` is at the floor or stricter."""
        if self.bound is Bound.EXACTLY:
            return value == self.limit
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return False
        limit = self.limit
        assert isinstance(limit, int | Decimal)  # noqa: S101 - numeric bounds are declared below
        return value <= limit if self.bound is Bound.AT_MOST else value >= limit

    @property
    def wording(self) -> str:
        """Return the bound in words, e.g. ``"at most 180"``."""
        limit = str(self.limit).lower() if isinstance(self.limit, bool) else str(self.limit)
        return {
            Bound.AT_MOST: f"at most {limit}",
            Bound.AT_LEAST: f"at least {limit}",
            Bound.EXACTLY: f"exactly {limit}",
        }[self.bound]


@dataclass(frozen=True, slots=True)
class FloorProbe:
    """Facts at a floor's limit: some rule of ``kind`` must fire and be not overridable."""

    kind: RuleKind
    facts: Mapping[str, object]
    note: str


@dataclass(frozen=True, slots=True)
class SafetyFloor:
    """One rule that protects life whatever a clinic configures."""

    id: str
    title: str
    limit: str
    source: str
    parameters: tuple[FloorParameter, ...]
    probes: tuple[FloorProbe, ...]
    rule_ids: tuple[str, ...]
    """The keel-default rules that carry the floor (for display and the 409 wording)."""


_IV_ROUTES: Final = ("iv_racemic_ketamine", "im_racemic_ketamine")
_ROUTES: Final = ("iv_racemic_ketamine", "intranasal_esketamine", "im_racemic_ketamine")

SAFETY_FLOORS: Final[tuple[SafetyFloor, ...]] = (
    SafetyFloor(
        id="predose_bp_hard_hold",
        title="Pre-dose blood pressure hard hold",
        limit="180 systolic / 100 diastolic at rest (a clinic may set lower values)",
        source="REFERENCE.md §3.1 (Swiss ketamine label, 180/100 mmHg at rest)",
        parameters=(
            FloorParameter("predose_bp_hold_systolic_min", Bound.AT_MOST, 180),
            FloorParameter("predose_bp_hold_diastolic_min", Bound.AT_MOST, 100),
        ),
        probes=(
            FloorProbe(
                RuleKind.PRECHECK,
                {
                    "predose_systolic_bp": 180,
                    "predose_diastolic_bp": 90,
                    "predose_bp_rechecked": False,
                },
                "systolic 180, not re-checked",
            ),
            FloorProbe(
                RuleKind.PRECHECK,
                {
                    "predose_systolic_bp": 150,
                    "predose_diastolic_bp": 100,
                    "predose_bp_rechecked": False,
                },
                "diastolic 100, not re-checked",
            ),
            FloorProbe(
                RuleKind.PRECHECK,
                {
                    "predose_systolic_bp": 186,
                    "predose_diastolic_bp": 104,
                    "predose_bp_rechecked": True,
                    "recheck_systolic_bp": 180,
                    "recheck_diastolic_bp": 96,
                },
                "rested re-check still at 180 systolic",
            ),
            FloorProbe(
                RuleKind.PRECHECK,
                {
                    "predose_systolic_bp": 150,
                    "predose_diastolic_bp": 92,
                    "predose_bp_rechecked": True,
                    "recheck_systolic_bp": 170,
                    "recheck_diastolic_bp": 100,
                },
                "rested re-check at 100 diastolic",
            ),
        ),
        rule_ids=("precheck.bp.hard_hold",),
    ),
    SafetyFloor(
        id="predose_spo2_emergency",
        title="Pre-dose SpO2 below the emergency level",
        limit="below 90 % no dose (a clinic may set a higher level)",
        source="REFERENCE.md §1.9 (SpO2 < 90 %: emergency response)",
        parameters=(FloorParameter("spo2_emergency_below", Bound.AT_LEAST, 90),),
        probes=(FloorProbe(RuleKind.PRECHECK, {"predose_spo2": 89}, "SpO2 89 % before the dose"),),
        rule_ids=("precheck.spo2.below_emergency_level",),
    ),
    SafetyFloor(
        id="discharge_sedation",
        title="Sedation resolved at discharge",
        limit="MOAA/S 5 (fully alert)",
        source="REFERENCE.md §6 (sedation: MOAA/S = 5)",
        parameters=(FloorParameter("discharge_moaas_required", Bound.AT_LEAST, 5),),
        probes=tuple(
            FloorProbe(RuleKind.DISCHARGE, {"latest_moaas": score}, f"MOAA/S {score}")
            for score in range(5)
        ),
        rule_ids=("discharge.sedation.moaas",),
    ),
    SafetyFloor(
        id="discharge_dissociation",
        title="Dissociation resolved at discharge",
        limit="CADSS at most 4, or back to the pre-dose value if that was higher "
        "(a clinic may set a lower maximum)",
        source="REFERENCE.md §6 (dissociation: CADSS back to ≤ 4 or the pre-dose value)",
        parameters=(FloorParameter("discharge_cadss_max", Bound.AT_MOST, 4),),
        probes=(
            FloorProbe(
                RuleKind.DISCHARGE, {"latest_cadss": 5, "predose_cadss": 0}, "CADSS 5, pre-dose 0"
            ),
            FloorProbe(
                RuleKind.DISCHARGE, {"latest_cadss": 46, "predose_cadss": 2}, "CADSS 46, pre-dose 2"
            ),
            FloorProbe(
                RuleKind.DISCHARGE, {"latest_cadss": 8, "predose_cadss": 7}, "CADSS 8, pre-dose 7"
            ),
        ),
        rule_ids=("discharge.dissociation.cadss",),
    ),
    SafetyFloor(
        id="discharge_spo2_baseline",
        title="SpO2 back to the pre-dose baseline at discharge",
        limit="at or above the pre-dose reading (offset at least 0)",
        source="REFERENCE.md §6 (discharge is blocked while SpO2 is below baseline)",
        parameters=(FloorParameter("discharge_spo2_min", Bound.AT_LEAST, 0),),
        probes=(
            FloorProbe(
                RuleKind.DISCHARGE,
                {"latest_spo2": 95, "predose_spo2": 96},
                "SpO2 95 % against a pre-dose 96 %",
            ),
        ),
        rule_ids=("discharge.spo2.below_baseline",),
    ),
    SafetyFloor(
        id="minimum_observation",
        title="Minimum observation time",
        limit="esketamine 120 min from the first device; IV / IM ketamine 30 min after the "
        "infusion end or injection (the clinic's default stays 60)",
        source="REFERENCE.md §6 and §2.2 (esketamine: label / REMS); IV / IM: project "
        "convention, the low end of common practice (UNCONFIRMED)",
        parameters=(
            FloorParameter("esketamine_min_observation_minutes", Bound.AT_LEAST, 120),
            FloorParameter("iv_ketamine_min_observation_minutes", Bound.AT_LEAST, 30),
            FloorParameter("iv_ketamine_observation_floor_minutes", Bound.AT_LEAST, 30),
        ),
        probes=(
            FloorProbe(
                RuleKind.DISCHARGE,
                {"route": "intranasal_esketamine", "minutes_since_dose_start": 119},
                "esketamine, 119 min after the first device",
            ),
            *(
                FloorProbe(
                    RuleKind.DISCHARGE,
                    {"route": route, "minutes_since_infusion_end": 29},
                    f"{route}, 29 min after the end",
                )
                for route in _IV_ROUTES
            ),
        ),
        rule_ids=(
            "discharge.observation.esketamine_minimum",
            "discharge.observation.iv_floor",
        ),
    ),
    SafetyFloor(
        id="escort_at_hand_off",
        title="An escort at hand-off",
        limit="required and named, every route",
        source="REFERENCE.md §6 (a responsible adult takes the patient home); esketamine label",
        parameters=(FloorParameter("escort_required", Bound.EXACTLY, True),),
        probes=tuple(
            FloorProbe(
                RuleKind.DISCHARGE,
                {"route": route, "escort_present": False},
                f"{route}, no escort present",
            )
            for route in _ROUTES
        ),
        rule_ids=("discharge.escort.not_present",),
    ),
    SafetyFloor(
        id="no_driving_instruction",
        title="The no-driving instruction",
        limit="acknowledged by the patient before leaving",
        source="REFERENCE.md §6 (no driving until the next day after restful sleep)",
        parameters=(),
        probes=(
            FloorProbe(
                RuleKind.DISCHARGE,
                {"no_driving_acknowledged": False},
                "instruction not acknowledged",
            ),
        ),
        rule_ids=("discharge.instructions.no_driving",),
    ),
)

FLOOR_PARAMETERS: Final[Mapping[str, tuple[SafetyFloor, FloorParameter]]] = {
    parameter.name: (floor, parameter) for floor in SAFETY_FLOORS for parameter in floor.parameters
}
"""Each floor parameter's name -> its floor and bound."""

FLOOR_RULE_IDS: Final[Mapping[str, SafetyFloor]] = {
    rule_id: floor for floor in SAFETY_FLOORS for rule_id in floor.rule_ids
}
"""Each keel-default rule that carries a floor -> the floor."""


def floor_parameter_problem(name: str, value: object) -> str | None:
    """Return why ``value`` loosens a safety floor, or None when it does not.

    Parameters that set no floor always pass. Example::

        floor_parameter_problem("discharge_spo2_min", -1)
        # 'parameter discharge_spo2_min: safety floor "SpO2 back to ..."'
    """
    entry = FLOOR_PARAMETERS.get(name)
    if entry is None:
        return None
    floor, parameter = entry
    if parameter.allows(value):
        return None
    return (
        f"parameter {name}: safety floor {floor.title!r} ({floor.source}): "
        f"must be {parameter.wording}, got {value!r}; a clinic may make a floor stricter, "
        "never looser"
    )


@dataclass(frozen=True, slots=True)
class FloorViolation:
    """One way a protocol (with a clinic's values) loosens a floor."""

    floor: SafetyFloor
    message: str

    def __str__(self) -> str:
        return f"safety floor {self.floor.id} ({self.floor.title}): {self.message}"


def check_floors(
    protocol: Protocol, values: Mapping[str, object] | None = None
) -> tuple[FloorViolation, ...]:
    """Return every way ``protocol`` with the clinic's ``values`` loosens a floor.

    Empty when every floor holds: each floor parameter is within its bound
    and each probe makes a rule of its kind fire that is not overridable.
    Example::

        violations = check_floors(protocol, {"escort_required": False})
        [str(v) for v in violations]
    """
    # Imported here: the engine imports this module to check parameter values.
    from keel.clinical.protocol.engine import evaluate

    problems: list[FloorViolation] = []
    for name, raw in (values or {}).items():
        problem = floor_parameter_problem(name, _plain(raw))
        if problem is not None:
            problems.append(FloorViolation(FLOOR_PARAMETERS[name][0], problem))
    safe = _safe(values)
    for floor in SAFETY_FLOORS:
        for probe in floor.probes:
            findings = evaluate(protocol, probe.facts, params=safe, kinds=[probe.kind])
            stops = [f for f in findings if f.fired and not f.overridable]
            if not stops:
                fired = sorted(f.rule_id for f in findings if f.fired)
                problems.append(
                    FloorViolation(
                        floor,
                        f"{probe.note}: no {probe.kind.value} rule that cannot be overridden "
                        "fires" + (f" (overridable only: {', '.join(fired)})" if fired else ""),
                    )
                )
    return tuple(_unique(problems))


def _safe(values: Mapping[str, object] | None) -> dict[str, object]:
    """The clinic values without those already reported as loosening a floor parameter."""
    return {
        name: value
        for name, value in (values or {}).items()
        if name not in FLOOR_PARAMETERS or floor_parameter_problem(name, _plain(value)) is None
    }


def _plain(value: object) -> object:
    return Decimal(repr(value)) if isinstance(value, float) else value


def _unique(problems: list[FloorViolation]) -> list[FloorViolation]:
    seen: set[str] = set()
    out: list[FloorViolation] = []
    for problem in problems:
        if str(problem) not in seen:
            seen.add(str(problem))
            out.append(problem)
    return out

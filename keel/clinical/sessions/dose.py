"""Dose calculation for a treatment session, with its arithmetic shown.

Provenance (STYLE.md section 7)

1. Identity: ``compute_dose``, protocol keel-default v2 parameters; last
   checked against REFERENCE.md §2.1, §2.2 and §10 on 2026-11-26.
2. Source: IV racemic ketamine 0.5 mg/kg over 40 min (bipolar RCTs,
   Diazgranados 2010, Zarate 2012 [src]; Andrade 2017 [src]); dose rounded to
   the nearest 0.5 mg and a protocol maximum of 0.75 mg/kg per session
   (project convention, top of the range reported by Andrade 2017 [src]);
   dosing weight basis UNCONFIRMED (default: actual body weight). Esketamine:
   28 mg per device (2 sprays), 56 mg = 2 devices, 84 mg = 3 devices, 5 min
   between devices (SPRAVATO label [src]).
3. Licence/IP: no third-party text.
4. Arithmetic: exact decimal arithmetic (``Decimal``), never binary floats.
   The dose is ``mg/kg x dosing weight`` rounded to the nearest
   ``dose_rounding_mg`` with ROUND_HALF_UP (a dose exactly half-way between
   two steps goes up: 36.25 mg -> 36.5 mg at a 0.5 mg step), the rule
   clinicians apply by hand; banker's rounding (ROUND_HALF_EVEN) would round
   some half-way doses down and others up. A planned dose above
   ``iv_ketamine_max_mg_per_kg_per_session`` x weight is refused. If rounding
   up would cross the maximum (a plan at the maximum itself), the dose is
   rounded down to the step below instead, so the dose never exceeds the
   maximum; the arithmetic says so.
5. Safety items: the maximum is a refusal, never a warning (REFERENCE.md
   §2.1: "a higher entered dose is not accepted"). IM racemic ketamine is
   refused: REFERENCE.md gives no IM dose or maximum.
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from keel.clinical.protocol.facts import to_decimal
from keel.clinical.routes import Route
from keel.clinical.sessions.params import SessionParams

ESKETAMINE_DEVICE_MG: Final = 28
"""Esketamine per nasal spray device (2 sprays, one per nostril), SPRAVATO label [src]."""

ESKETAMINE_DOSES_MG: Final[tuple[int, ...]] = (28, 56, 84)
"""The label's doses: 1, 2 or 3 devices (56/84 mg; 28 mg start at age 65+ [src: MIMS HK])."""

ESKETAMINE_DEVICE_INTERVAL_MINUTES: Final = 5
"""Wait between devices, SPRAVATO label [src] (REFERENCE.md §2.2)."""

TIMES: Final = "\u00d7"
"""The multiplication sign used in the arithmetic lines."""

ARROW: Final = "\u2192"
"""The arrow between a calculated and a rounded dose."""

_ROUNDING_NOTE: Final = "rounded to the nearest"


class DoseError(ValueError):
    """Raised when a dose cannot be calculated or is above the protocol maximum."""


@dataclass(frozen=True, slots=True)
class DosePlan:
    """The course's dose plan: mg/kg (IV) or a fixed dose in mg (esketamine).

    ``mg_per_kg=None`` on an IV plan means the protocol's standard dose
    (``iv_ketamine_dose_mg_per_kg``).
    """

    mg_per_kg: Decimal | None = None
    fixed_mg: int | None = None


@dataclass(frozen=True, slots=True)
class DoseCalculation:
    """A calculated dose with the arithmetic that produced it, one line per step.

    ``lines`` is what the dose screen shows and the dose record stores;
    ``parameters`` holds every protocol parameter the calculation read.
    """

    route: Route
    dose_mg: Decimal
    lines: tuple[str, ...]
    mg_per_kg: Decimal | None = None
    dosing_weight_kg: Decimal | None = None
    weight_basis: str | None = None
    unrounded_mg: Decimal | None = None
    maximum_mg: Decimal | None = None
    devices: int | None = None
    parameters: Mapping[str, Decimal | int | str] = field(
        default_factory=lambda: MappingProxyType({})
    )


def compute_dose(
    route: Route | str,
    plan: DosePlan,
    weight_kg: Decimal | int | float | None,
    params: SessionParams,
) -> DoseCalculation:
    """Return today's dose for ``route`` from ``plan`` and the dosing weight.

    IV racemic ketamine: ``mg/kg x weight_kg``, rounded to the nearest
    ``dose_rounding_mg`` (halves up), refused above
    ``iv_ketamine_max_mg_per_kg_per_session x weight_kg``. ``weight_kg`` is the
    dosing weight on the clinic's ``dosing_weight_basis`` (today's weight for
    the default, actual body weight). Esketamine: a fixed 28, 56 or 84 mg as
    devices of 28 mg; ``weight_kg`` is not used. Raises :class:`DoseError`
    with a message for the dose screen. Example::

        plan = DosePlan(mg_per_kg=Decimal("0.5"))
        calc = compute_dose("iv_racemic_ketamine", plan, Decimal("72.4"), params)
        calc.dose_mg  # Decimal("36.0")
        calc.lines[1]  # "0.5 mg/kg x 72.4 kg = 36.2 mg -> rounded to the nearest 0.5 mg = 36.0 mg"
        # (written with the multiplication sign and an arrow: TIMES, ARROW)
    """
    try:
        checked = Route(route)
    except ValueError:
        allowed = ", ".join(member.value for member in Route)
        raise DoseError(f"unknown route {route!r} (allowed: {allowed})") from None
    if checked is Route.INTRANASAL_ESKETAMINE:
        return _esketamine(plan)
    if checked is Route.IM_RACEMIC_KETAMINE:
        raise DoseError(
            "IM racemic ketamine: the protocol has no IM dose or maximum (REFERENCE.md §2 "
            "covers IV racemic ketamine and esketamine only); the prescriber sets the dose."
        )
    return _iv(plan, weight_kg, params)


def _iv(
    plan: DosePlan, weight_kg: Decimal | int | float | None, params: SessionParams
) -> DoseCalculation:
    if plan.fixed_mg is not None:
        raise DoseError("IV racemic ketamine is dosed by weight: give the plan in mg/kg")
    weight = None if weight_kg is None else to_decimal(weight_kg)
    if weight is None or weight <= 0:
        raise DoseError(f"today's weight is needed for an IV dose; got {weight_kg!r}")
    standard = plan.mg_per_kg is None
    planned = params.iv_ketamine_dose_mg_per_kg if plan.mg_per_kg is None else plan.mg_per_kg
    mg_per_kg = to_decimal(planned)
    if mg_per_kg is None or mg_per_kg <= 0:
        raise DoseError(f"the planned dose must be above 0 mg/kg; got {planned!r}")
    step = params.dose_rounding_mg
    max_per_kg = params.iv_ketamine_max_mg_per_kg_per_session
    unrounded = mg_per_kg * weight
    maximum = max_per_kg * weight
    per_weight = f"{TIMES} {_fmt(weight)} kg"
    max_text = (
        f"{_fmt(max_per_kg)} mg/kg {per_weight} = {_fmt(maximum)} mg "
        "(iv_ketamine_max_mg_per_kg_per_session)"
    )
    if unrounded > maximum:
        raise DoseError(
            f"{_fmt(mg_per_kg)} mg/kg {per_weight} = {_fmt(unrounded)} mg is above the protocol "
            f"maximum of {max_text}; this dose is not accepted."
        )
    steps = (unrounded / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    dose = _at_step(steps * step, step)
    lines = [
        f"Dosing weight: {_fmt(weight)} kg ({params.dosing_weight_basis})",
        f"{_fmt(mg_per_kg)} mg/kg {TIMES} {_fmt(weight)} kg = {_fmt(unrounded)} mg {ARROW} "
        f"{_ROUNDING_NOTE} {_fmt(step)} mg = {_fmt_dose(dose)} mg",
    ]
    if standard:
        lines[1] += " (protocol standard dose, iv_ketamine_dose_mg_per_kg)"
    if dose > maximum:
        floored = (unrounded / step).quantize(Decimal(1), rounding=ROUND_FLOOR)
        dose = _at_step(floored * step, step)
        lines.append(
            f"Rounding up would exceed the protocol maximum: rounded down to {_fmt_dose(dose)} mg"
        )
    if dose <= 0:
        raise DoseError(
            f"{_fmt(mg_per_kg)} mg/kg {TIMES} {_fmt(weight)} kg = {_fmt(unrounded)} mg rounds "
            f"to {_fmt_dose(dose)} mg; check the weight and the plan"
        )
    lines.append(f"Protocol maximum: {max_text}")
    lines.append(f"Dose: {_fmt_dose(dose)} mg")
    parameters: dict[str, Decimal | int | str] = {
        "dose_rounding_mg": step,
        "iv_ketamine_max_mg_per_kg_per_session": max_per_kg,
        "dosing_weight_basis": params.dosing_weight_basis,
    }
    if standard:
        parameters["iv_ketamine_dose_mg_per_kg"] = mg_per_kg
    return DoseCalculation(
        route=Route.IV_RACEMIC_KETAMINE,
        dose_mg=dose,
        lines=tuple(lines),
        mg_per_kg=mg_per_kg,
        dosing_weight_kg=weight,
        weight_basis=params.dosing_weight_basis,
        unrounded_mg=unrounded,
        maximum_mg=maximum,
        parameters=MappingProxyType(parameters),
    )


def _esketamine(plan: DosePlan) -> DoseCalculation:
    if plan.mg_per_kg is not None or plan.fixed_mg is None:
        raise DoseError("esketamine is a fixed dose: give the plan in mg (28, 56 or 84)")
    if isinstance(plan.fixed_mg, bool) or plan.fixed_mg not in ESKETAMINE_DOSES_MG:
        allowed = ", ".join(str(mg) for mg in ESKETAMINE_DOSES_MG)
        raise DoseError(
            f"esketamine {plan.fixed_mg} mg is not a label dose; allowed: {allowed} mg "
            f"(devices of {ESKETAMINE_DEVICE_MG} mg)"
        )
    devices = plan.fixed_mg // ESKETAMINE_DEVICE_MG
    noun = "device" if devices == 1 else "devices"
    lines = (
        f"Fixed dose {plan.fixed_mg} mg = {devices} {noun} {TIMES} {ESKETAMINE_DEVICE_MG} mg "
        "(2 sprays per device, one per nostril)",
        f"Wait {ESKETAMINE_DEVICE_INTERVAL_MINUTES} min between devices; not weight-based",
        f"Dose: {plan.fixed_mg} mg",
    )
    return DoseCalculation(
        route=Route.INTRANASAL_ESKETAMINE,
        dose_mg=Decimal(plan.fixed_mg),
        lines=lines,
        devices=devices,
    )


def _at_step(value: Decimal, step: Decimal) -> Decimal:
    """Return ``value`` written with the step's decimal places (36 -> 36.0 at 0.5 mg)."""
    exponent = step.normalize().as_tuple().exponent
    if not isinstance(exponent, int):  # pragma: no cover - parameters are finite numbers
        raise DoseError(f"dose_rounding_mg must be a finite number; got {step}")
    return value.quantize(Decimal(1).scaleb(min(exponent, 0)))


def _fmt(value: Decimal) -> str:
    """Return ``value`` without trailing zeros, never in exponent form (36.20 -> "36.2")."""
    return format(value.normalize(), "f")


def _fmt_dose(value: Decimal) -> str:
    """Return a rounded dose as written at its step (``Decimal("36.0")`` -> "36.0")."""
    return format(value, "f")

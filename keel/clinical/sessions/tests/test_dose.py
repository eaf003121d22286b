"""compute_dose: the arithmetic, rounding edges, the protocol maximum and esketamine devices."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from keel.clinical.sessions import (
    ESKETAMINE_DEVICE_MG,
    DoseError,
    DosePlan,
    Route,
    compute_dose,
)
from keel.clinical.sessions.dose import ARROW, TIMES
from keel.clinical.sessions.tests.helpers import params

HALF = Decimal("0.5")


def test_brief_example_arithmetic() -> None:
    """0.5 mg/kg x 72.4 kg = 36.2 mg -> rounded to the nearest 0.5 mg = 36.0 mg."""
    calc = compute_dose(Route.IV_RACEMIC_KETAMINE, DosePlan(HALF), Decimal("72.4"), params())
    assert calc.dose_mg == Decimal("36.0")
    assert str(calc.dose_mg) == "36.0"
    assert calc.lines == (
        "Dosing weight: 72.4 kg (actual_body_weight)",
        f"0.5 mg/kg {TIMES} 72.4 kg = 36.2 mg {ARROW} rounded to the nearest 0.5 mg = 36.0 mg",
        f"Protocol maximum: 0.75 mg/kg {TIMES} 72.4 kg = 54.3 mg "
        "(iv_ketamine_max_mg_per_kg_per_session)",
        "Dose: 36.0 mg",
    )
    assert calc.lines[1] == (
        "0.5 mg/kg \u00d7 72.4 kg = 36.2 mg \u2192 rounded to the nearest 0.5 mg = 36.0 mg"
    )
    assert (calc.unrounded_mg, calc.maximum_mg) == (Decimal("36.2"), Decimal("54.3"))
    assert calc.weight_basis == "actual_body_weight"
    assert calc.parameters["dose_rounding_mg"] == HALF


@pytest.mark.parametrize(
    ("mg_per_kg", "weight", "unrounded", "dose"),
    [
        ("0.5", "72.3", "36.15", "36.0"),
        ("0.5", "72.5", "36.25", "36.5"),  # exactly half-way: up (ROUND_HALF_UP)
        ("0.5", "72.6", "36.3", "36.5"),
        ("0.5", "73.4", "36.7", "36.5"),
        ("0.5", "73.5", "36.75", "37.0"),  # exactly half-way: up
        ("0.5", "70", "35", "35.0"),
        ("0.25", "1", "0.25", "0.5"),  # 0.25 -> 0.5
        ("0.25", "3", "0.75", "1.0"),  # 0.75 -> 1.0
    ],
)
def test_rounding_to_the_nearest_half_mg_halves_up(
    mg_per_kg: str, weight: str, unrounded: str, dose: str
) -> None:
    """Round to the nearest 0.5 mg; a dose exactly half-way between steps goes up."""
    plan = DosePlan(Decimal(mg_per_kg))
    calc = compute_dose("iv_racemic_ketamine", plan, Decimal(weight), params())
    assert calc.unrounded_mg == Decimal(unrounded)
    assert str(calc.dose_mg) == dose


def test_a_dose_that_rounds_to_zero_is_refused() -> None:
    """0.5 mg/kg x 0.4 kg = 0.2 mg rounds to 0.0 mg: refused, never a 0 mg dose."""
    with pytest.raises(DoseError, match=r"rounds to 0\.0 mg"):
        compute_dose("iv_racemic_ketamine", DosePlan(HALF), Decimal("0.4"), params())


def test_standard_dose_when_the_plan_gives_none() -> None:
    """No mg/kg in the plan: the protocol's standard 0.5 mg/kg, named in the arithmetic."""
    calc = compute_dose("iv_racemic_ketamine", DosePlan(), 80, params())
    assert calc.dose_mg == Decimal("40.0")
    assert "protocol standard dose" in calc.lines[1]
    assert calc.parameters["iv_ketamine_dose_mg_per_kg"] == HALF


def test_float_weight_is_read_through_its_repr() -> None:
    """72.4 as a float is 72.4, not its binary expansion."""
    calc = compute_dose("iv_racemic_ketamine", DosePlan(HALF), 72.4, params())
    assert calc.dosing_weight_kg == Decimal("72.4")


@pytest.mark.parametrize(
    ("mg_per_kg", "weight", "accepted"),
    [
        ("0.75", "80", True),  # 60 mg = the maximum
        ("0.76", "80", False),
        ("1.0", "60", False),
    ],
)
def test_the_protocol_maximum_is_a_refusal(mg_per_kg: str, weight: str, accepted: bool) -> None:
    """Above 0.75 mg/kg x weight the dose is not accepted, with the arithmetic in the error."""
    plan = DosePlan(Decimal(mg_per_kg))
    if accepted:
        calc = compute_dose("iv_racemic_ketamine", plan, Decimal(weight), params())
        assert calc.maximum_mg is not None
        assert calc.dose_mg <= calc.maximum_mg
        return
    with pytest.raises(DoseError, match=r"above the protocol maximum of 0\.75 mg/kg"):
        compute_dose("iv_racemic_ketamine", plan, Decimal(weight), params())


def test_rounding_never_crosses_the_maximum() -> None:
    """0.75 mg/kg x 72.35 kg = 54.2625 mg: rounding up to 54.5 would cross; 54.0 instead."""
    calc = compute_dose(
        "iv_racemic_ketamine", DosePlan(Decimal("0.75")), Decimal("72.35"), params()
    )
    assert calc.maximum_mg == Decimal("54.2625")
    assert calc.dose_mg == Decimal("54.0")
    assert "rounded down to 54.0 mg" in calc.lines[2]


def test_clinic_tuned_rounding_and_maximum() -> None:
    """A 1 mg step and a 0.6 mg/kg maximum change the arithmetic accordingly."""
    tuned = replace(
        params(), dose_rounding_mg=Decimal(1), iv_ketamine_max_mg_per_kg_per_session=Decimal("0.6")
    )
    calc = compute_dose("iv_racemic_ketamine", DosePlan(HALF), Decimal("72.4"), tuned)
    assert str(calc.dose_mg) == "36"
    assert "rounded to the nearest 1 mg = 36 mg" in calc.lines[1]
    with pytest.raises(DoseError, match="above the protocol maximum"):
        compute_dose("iv_racemic_ketamine", DosePlan(Decimal("0.7")), 70, tuned)


@pytest.mark.parametrize(("mg", "devices"), [(28, 1), (56, 2), (84, 3)])
def test_esketamine_fixed_doses_as_devices(mg: int, devices: int) -> None:
    """28/56/84 mg = 1/2/3 devices of 28 mg; weight not used."""
    calc = compute_dose("intranasal_esketamine", DosePlan(fixed_mg=mg), None, params())
    assert (calc.dose_mg, calc.devices) == (Decimal(mg), devices)
    assert calc.lines[0].startswith(f"Fixed dose {mg} mg = {devices} device")
    assert f"{TIMES} {ESKETAMINE_DEVICE_MG} mg" in calc.lines[0]
    assert calc.lines[-1] == f"Dose: {mg} mg"


@pytest.mark.parametrize("mg", [0, 14, 42, 70, 112])
def test_esketamine_other_doses_are_refused(mg: int) -> None:
    """Only the label's fixed doses are accepted."""
    with pytest.raises(DoseError, match="not a label dose; allowed: 28, 56, 84 mg"):
        compute_dose("intranasal_esketamine", DosePlan(fixed_mg=mg), None, params())


@pytest.mark.parametrize(
    ("route", "plan", "weight", "match"),
    [
        ("iv_racemic_ketamine", DosePlan(fixed_mg=40), 70, "dosed by weight"),
        ("iv_racemic_ketamine", DosePlan(HALF), None, "today's weight is needed"),
        ("iv_racemic_ketamine", DosePlan(HALF), 0, "today's weight is needed"),
        ("iv_racemic_ketamine", DosePlan(HALF), float("nan"), "today's weight is needed"),
        ("iv_racemic_ketamine", DosePlan(Decimal(0)), 70, "above 0 mg/kg"),
        ("intranasal_esketamine", DosePlan(HALF), 70, "fixed dose"),
        ("intranasal_esketamine", DosePlan(), None, "fixed dose"),
        ("im_racemic_ketamine", DosePlan(HALF), 70, "no IM dose or maximum"),
        ("oral", DosePlan(HALF), 70, "unknown route 'oral'"),
    ],
)
def test_unusable_requests_are_refused(
    route: str, plan: DosePlan, weight: Decimal | int | float | None, match: str
) -> None:
    """Each unusable request raises DoseError with a message for the dose screen."""
    with pytest.raises(DoseError, match=match):
        compute_dose(route, plan, weight, params())

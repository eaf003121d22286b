"""Safety floors: a clinic may make them stricter, never looser (issue 15)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.clinical.protocol import ProtocolError, evaluate, resolve_params
from keel.clinical.protocol.floors import (
    FLOOR_PARAMETERS,
    FLOOR_RULE_IDS,
    SAFETY_FLOORS,
    Bound,
    check_floors,
    floor_parameter_problem,
)
from keel.clinical.protocol.tests.test_default_protocol import default_protocol

LOOSER = {
    "predose_bp_hold_systolic_min": 181,
    "predose_bp_hold_diastolic_min": 101,
    "spo2_emergency_below": 89,
    "discharge_moaas_required": 4,
    "discharge_cadss_max": 5,
    "discharge_spo2_min": -1,
    "esketamine_min_observation_minutes": 119,
    "iv_ketamine_min_observation_minutes": 29,
    "iv_ketamine_observation_floor_minutes": 29,
    "escort_required": False,
}
STRICTER = {
    "predose_bp_hold_systolic_min": 170,
    "predose_bp_hold_diastolic_min": 95,
    "spo2_emergency_below": 92,
    "discharge_moaas_required": 5,
    "discharge_cadss_max": 2,
    "discharge_spo2_min": 1,
    "esketamine_min_observation_minutes": 150,
    "iv_ketamine_min_observation_minutes": 30,
    "iv_ketamine_observation_floor_minutes": 45,
    "escort_required": True,
}


def test_the_shipped_protocol_holds_every_floor() -> None:
    """keel-default loosens nothing, and every floor rule it names exists and is hard."""
    protocol = default_protocol()
    assert check_floors(protocol) == ()
    for rule_id in FLOOR_RULE_IDS:
        rule = protocol.rule(rule_id)
        assert rule.overridable is False, rule_id
    assert set(FLOOR_PARAMETERS) <= set(protocol.parameters)


def test_every_floor_parameter_has_a_looser_and_a_stricter_case() -> None:
    """The tables below cover each floor parameter."""
    assert set(LOOSER) == set(FLOOR_PARAMETERS) == set(STRICTER)


@pytest.mark.parametrize(("name", "value"), sorted(LOOSER.items()))
def test_a_clinic_value_that_loosens_a_floor_is_refused(name: str, value: object) -> None:
    """resolve_params (how a clinic's values are checked) refuses it, naming the floor."""
    protocol = default_protocol()
    floor, _parameter = FLOOR_PARAMETERS[name]
    with pytest.raises(ProtocolError, match=f"parameter {name}: safety floor"):
        resolve_params(protocol, {name: value})
    violations = check_floors(protocol, {name: value})
    assert [v.floor.id for v in violations] == [floor.id]
    assert floor.title in str(violations[0])


def test_stricter_clinic_values_are_accepted() -> None:
    """Every floor may be made stricter."""
    protocol = default_protocol()
    resolve_params(protocol, STRICTER)
    assert check_floors(protocol, STRICTER) == ()


def test_a_stricter_value_takes_effect() -> None:
    """A clinic hold at 170 systolic stops a 172 reading the default would let through."""
    protocol = default_protocol()
    facts = {"predose_systolic_bp": 172, "predose_diastolic_bp": 90, "predose_bp_rechecked": False}
    by_default = evaluate(protocol, facts, kinds=["precheck"])
    stricter = evaluate(
        protocol, facts, params={"predose_bp_hold_systolic_min": 170}, kinds=["precheck"]
    )
    hold = "precheck.bp.hard_hold"
    assert [f.fired for f in by_default if f.rule_id == hold] == [False]
    assert [f.fired for f in stricter if f.rule_id == hold] == [True]


def test_parameters_that_set_no_floor_pass() -> None:
    """Only floor parameters are bounded here."""
    assert floor_parameter_problem("lithium_level_fail_below", Decimal("0.1")) is None
    assert floor_parameter_problem("discharge_bp_near_baseline_mmhg", 60) is None


@given(st.integers(min_value=-500, max_value=500))
def test_numeric_floor_bounds_hold_for_any_value(value: int) -> None:
    """A numeric floor value is refused exactly when it is past the floor."""
    for name, (_floor, parameter) in FLOOR_PARAMETERS.items():
        if parameter.bound is Bound.EXACTLY:
            continue
        assert isinstance(parameter.limit, int)
        looser = (
            value > parameter.limit if parameter.bound is Bound.AT_MOST else value < parameter.limit
        )
        assert (floor_parameter_problem(name, value) is not None) is looser, (name, value)


def test_each_floor_names_its_limit_and_source() -> None:
    """docs/clinical/protocol.md and the protocol page show these."""
    ids = [floor.id for floor in SAFETY_FLOORS]
    assert len(ids) == len(set(ids)) == 8
    for floor in SAFETY_FLOORS:
        assert floor.limit
        assert "REFERENCE.md" in floor.source
        assert floor.probes

"""Section 10 defaults used by the instruments, and parameter resolution."""

from __future__ import annotations

import pytest

from keel.clinical.params import (
    PARAMETERS,
    InvalidParameterError,
    ParamName,
    resolve_params,
)

# REFERENCE.md §10, typed in: name -> (default, unit).
SECTION_10: dict[str, tuple[int | str, str]] = {
    "phq9_item9_tier1_min": (1, "item score"),
    "phq9_item9_tier2_min": (2, "item score"),
    "qids_item12_tier1_min": (1, "item score"),
    "qids_item12_tier2_min": (2, "item score"),
    "madrs_item10_cssrs_min": (2, "item score"),
    "madrs_item10_tier2_min": (4, "item score"),
    "madrs_item10_high_risk_min": (6, "item score"),
    "cssrs_q6_followup_missing_level": ("high", "C-SSRS level"),
    "cssrs_since_last_visit_q6_yes_level": ("high", "C-SSRS level"),
}


def test_declared_parameters_are_exactly_the_instrument_ones() -> None:
    """The mapping holds the nine instrument parameters of section 10."""
    assert set(PARAMETERS) == set(SECTION_10) == {name.value for name in ParamName}


@pytest.mark.parametrize(("name", "expected"), sorted(SECTION_10.items()))
def test_defaults_units_and_basis(name: str, expected: tuple[int | str, str]) -> None:
    """Each default, unit and basis matches REFERENCE.md §10."""
    spec = PARAMETERS[name]
    assert (spec.default, spec.unit) == expected
    assert type(spec.default) is type(expected[0])
    assert spec.basis.strip()
    assert spec.used_in.startswith("REFERENCE.md §")


def test_parameters_mapping_is_read_only() -> None:
    """Defaults cannot be changed in place; clinics override per call."""
    with pytest.raises(TypeError):
        PARAMETERS["phq9_item9_tier1_min"] = PARAMETERS["phq9_item9_tier2_min"]  # type: ignore[index]


def test_resolve_params_merges_overrides() -> None:
    """Overrides replace defaults; the rest keep their defaults."""
    specs = (PARAMETERS["phq9_item9_tier1_min"], PARAMETERS["phq9_item9_tier2_min"])
    values = resolve_params(specs, {"phq9_item9_tier2_min": 3})
    assert values.integer(ParamName.PHQ9_ITEM9_TIER1_MIN) == 1
    assert values.integer(ParamName.PHQ9_ITEM9_TIER2_MIN) == 3


def test_resolve_params_with_none_returns_defaults() -> None:
    """No overrides -> defaults."""
    spec = PARAMETERS["cssrs_q6_followup_missing_level"]
    assert resolve_params((spec,), None).text(ParamName.CSSRS_Q6_FOLLOWUP_MISSING_LEVEL) == "high"


def test_unknown_parameter_lists_accepted_names() -> None:
    """The error names the unknown parameter and what is accepted."""
    with pytest.raises(InvalidParameterError, match=r"unknown parameter 'nope'.*accepted: none"):
        resolve_params((), {"nope": 1})

"""session_params: the helper parameters come from the protocol, typed and checked."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from keel.clinical.protocol import ProtocolError, resolve_params
from keel.clinical.protocol.tests.helpers import default_protocol
from keel.clinical.sessions import HELPER_PARAMETERS, SessionParams, session_params
from keel.clinical.sessions.tests.helpers import params


def test_defaults_are_reference_section_10() -> None:
    """The shipped values are the REFERENCE.md defaults (and the named conventions)."""
    assert params() == SessionParams(
        iv_ketamine_dose_mg_per_kg=Decimal("0.5"),
        iv_ketamine_infusion_minutes=40,
        dosing_weight_basis="actual_body_weight",
        dose_rounding_mg=Decimal("0.5"),
        iv_ketamine_max_mg_per_kg_per_session=Decimal("0.75"),
        moaas_interval_minutes=15,
        moaas_min_duration_minutes=90,
        moaas_nurse_vitals_interval_minutes=5,
        iv_bp_interval_infusion_minutes=10,
        iv_bp_interval_post_infusion_minutes=15,
        esketamine_bp_post_dose_minutes=40,
        cadss_post_dose_minutes=40,
        iv_ketamine_min_observation_minutes=60,
        esketamine_min_observation_minutes=120,
        checkpoint_overdue_grace_minutes=5,
        switch_acute_post_dose_exclusion_hours=4,
        predose_bp_recheck_rest_minutes=5,
        no_driving_until="next_day_after_restful_sleep",
    )


def test_every_helper_parameter_is_in_the_protocol_with_a_basis() -> None:
    """Each helper parameter is declared in keel-default with a unit and a basis."""
    protocol = default_protocol()
    for name in HELPER_PARAMETERS:
        parameter = protocol.parameters[name]
        assert parameter.unit, name
        assert parameter.basis, name


def test_clinic_overrides_go_through_the_protocol() -> None:
    """A clinic's values are validated by resolve_params, then typed."""
    tuned = session_params(
        default_protocol(), {"dose_rounding_mg": 1, "moaas_interval_minutes": 10}
    )
    assert tuned.dose_rounding_mg == Decimal(1)
    assert tuned.moaas_interval_minutes == 10
    with pytest.raises(ProtocolError, match="parameter moaas_interval_minutes: expected integer"):
        session_params(default_protocol(), {"moaas_interval_minutes": 7.5})
    with pytest.raises(ProtocolError, match="unknown parameter 'dose_rounding'"):
        session_params(default_protocol(), {"dose_rounding": 1})


def test_missing_or_mistyped_helper_parameter_is_named() -> None:
    """A clinic protocol that dropped or retyped a helper parameter is refused by name."""
    values = dict(resolve_params(default_protocol()))
    del values["cadss_post_dose_minutes"]
    with pytest.raises(ProtocolError, match="parameter cadss_post_dose_minutes: the session"):
        SessionParams.from_values(values)
    values = {**resolve_params(default_protocol()), "dosing_weight_basis": 3}
    with pytest.raises(ProtocolError, match="parameter dosing_weight_basis: expected text"):
        SessionParams.from_values(values)
    values = {**resolve_params(default_protocol()), "moaas_interval_minutes": "15"}
    with pytest.raises(
        ProtocolError, match="parameter moaas_interval_minutes: expected an integer"
    ):
        SessionParams.from_values(values)
    values = {**resolve_params(default_protocol()), "dose_rounding_mg": True}
    with pytest.raises(ProtocolError, match="parameter dose_rounding_mg: expected a number"):
        SessionParams.from_values(values)


@pytest.mark.parametrize("name", ["dose_rounding_mg", "moaas_interval_minutes"])
def test_zero_intervals_and_steps_are_refused(name: str) -> None:
    """A zero step or interval would loop forever or divide by zero: refused."""
    with pytest.raises(ProtocolError, match=f"parameter {name}: must be above 0"):
        replace(params(), **{name: 0})

"""Typed values of the protocol parameters the session helpers read.

The dose arithmetic, the monitoring schedule, the acute post-dose window and
the BP re-check timing read REFERENCE.md section 10 values that no rule
compares with (for example ``dose_rounding_mg``). They live in the protocol
file beside the rule parameters, so one versioned file holds every value a
clinic's medical director confirms, and a clinic tunes them the same way:
``resolve_params(protocol, clinic_values)``. :func:`session_params` turns
the resolved values into a typed :class:`SessionParams`.

Nothing here has a default of its own: every value comes from the protocol
(REFERENCE.md section 10: configuration, never a constant in code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Final

from keel.clinical.protocol import Protocol, ProtocolError, Value, resolve_params


@dataclass(frozen=True, slots=True)
class SessionParams:
    """Resolved session-helper parameters; each field is the §10 parameter of that name."""

    # Dose arithmetic (REFERENCE.md §2.1, §10)
    iv_ketamine_dose_mg_per_kg: Decimal
    iv_ketamine_infusion_minutes: int
    dosing_weight_basis: str
    dose_rounding_mg: Decimal
    iv_ketamine_max_mg_per_kg_per_session: Decimal
    # Monitoring schedule (REFERENCE.md §0, §1.8, §1.9, §2.1, §2.2, §6)
    moaas_interval_minutes: int
    moaas_min_duration_minutes: int
    moaas_nurse_vitals_interval_minutes: int
    iv_bp_interval_infusion_minutes: int
    iv_bp_interval_post_infusion_minutes: int
    esketamine_bp_post_dose_minutes: int
    cadss_post_dose_minutes: int
    iv_ketamine_min_observation_minutes: int
    esketamine_min_observation_minutes: int
    checkpoint_overdue_grace_minutes: int
    # Ratings and pre-checks (REFERENCE.md §3.1, §5.2, §6)
    switch_acute_post_dose_exclusion_hours: int
    predose_bp_recheck_rest_minutes: int
    no_driving_until: str

    def __post_init__(self) -> None:
        """Refuse values the helpers cannot use (zero intervals, a zero rounding step)."""
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, Decimal | int) and value <= 0:
                raise ProtocolError(f"parameter {spec.name}: must be above 0, got {value}")

    @classmethod
    def from_values(cls, values: Mapping[str, Value]) -> SessionParams:
        """Return the typed parameters from resolved protocol values.

        Raises :class:`ProtocolError` naming a parameter that is absent or of
        the wrong type (a clinic protocol that dropped one, for example).
        """
        return cls(
            iv_ketamine_dose_mg_per_kg=_decimal(values, "iv_ketamine_dose_mg_per_kg"),
            iv_ketamine_infusion_minutes=_int(values, "iv_ketamine_infusion_minutes"),
            dosing_weight_basis=_text(values, "dosing_weight_basis"),
            dose_rounding_mg=_decimal(values, "dose_rounding_mg"),
            iv_ketamine_max_mg_per_kg_per_session=_decimal(
                values, "iv_ketamine_max_mg_per_kg_per_session"
            ),
            moaas_interval_minutes=_int(values, "moaas_interval_minutes"),
            moaas_min_duration_minutes=_int(values, "moaas_min_duration_minutes"),
            moaas_nurse_vitals_interval_minutes=_int(values, "moaas_nurse_vitals_interval_minutes"),
            iv_bp_interval_infusion_minutes=_int(values, "iv_bp_interval_infusion_minutes"),
            iv_bp_interval_post_infusion_minutes=_int(
                values, "iv_bp_interval_post_infusion_minutes"
            ),
            esketamine_bp_post_dose_minutes=_int(values, "esketamine_bp_post_dose_minutes"),
            cadss_post_dose_minutes=_int(values, "cadss_post_dose_minutes"),
            iv_ketamine_min_observation_minutes=_int(values, "iv_ketamine_min_observation_minutes"),
            esketamine_min_observation_minutes=_int(values, "esketamine_min_observation_minutes"),
            checkpoint_overdue_grace_minutes=_int(values, "checkpoint_overdue_grace_minutes"),
            switch_acute_post_dose_exclusion_hours=_int(
                values, "switch_acute_post_dose_exclusion_hours"
            ),
            predose_bp_recheck_rest_minutes=_int(values, "predose_bp_recheck_rest_minutes"),
            no_driving_until=_text(values, "no_driving_until"),
        )


def _value(values: Mapping[str, Value], name: str) -> Value:
    if name not in values:
        raise ProtocolError(
            f"parameter {name}: the session helpers need it; declare it under parameters:"
        )
    return values[name]


def _decimal(values: Mapping[str, Value], name: str) -> Decimal:
    value = _value(values, name)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise ProtocolError(f"parameter {name}: expected a number, got {value!r}")


def _int(values: Mapping[str, Value], name: str) -> int:
    value = _value(values, name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ProtocolError(f"parameter {name}: expected an integer, got {value!r}")


def _text(values: Mapping[str, Value], name: str) -> str:
    value = _value(values, name)
    if isinstance(value, str):
        return value
    raise ProtocolError(f"parameter {name}: expected text, got {value!r}")


HELPER_PARAMETERS: Final[tuple[str, ...]] = tuple(spec.name for spec in fields(SessionParams))
"""Names of the protocol parameters the session helpers read."""


def session_params(
    protocol: Protocol, overrides: Mapping[str, object] | None = None
) -> SessionParams:
    """Return the session-helper parameters of ``protocol`` with a clinic's ``overrides``.

    Raises :class:`ProtocolError` for an unknown or mistyped override (see
    ``resolve_params``) or a missing helper parameter. Example::

        params = session_params(protocol, {"dose_rounding_mg": 1})
        params.dose_rounding_mg  # Decimal("1")
    """
    return SessionParams.from_values(resolve_params(protocol, overrides))

"""Default clinical parameters used by the rating instruments.

Every value here is a **default** from REFERENCE.md section 10 ("Default
parameters (project convention)"). A clinic's medical director confirms or
changes each one before go-live; the app layer stores the clinic's values as
configuration and passes overrides to ``Instrument.score(..., params=...)``.
Nothing in this module reads configuration: it only declares names, defaults,
units and the basis of each default.

Name suffixes follow REFERENCE.md section 10: ``_min`` fires at >= value,
``_max`` at <= value, ``_below`` at < value, ``_above`` at > value. The
``_level`` parameters hold a C-SSRS triage level ("low", "moderate", "high").

Only the parameters that the instruments themselves use are declared here;
alert timing, switch rules and the other section 10 defaults belong to the
protocol engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

ParamValue = int | str
"""A parameter value: an integer threshold or a text setting."""


class InvalidParameterError(ValueError):
    """Raised when a parameter override is unknown or has an unusable value."""


class ParamName(StrEnum):
    """Names of the REFERENCE.md section 10 parameters the instruments use."""

    PHQ9_ITEM9_TIER1_MIN = "phq9_item9_tier1_min"
    PHQ9_ITEM9_TIER2_MIN = "phq9_item9_tier2_min"
    QIDS_ITEM12_TIER1_MIN = "qids_item12_tier1_min"
    QIDS_ITEM12_TIER2_MIN = "qids_item12_tier2_min"
    MADRS_ITEM10_CSSRS_MIN = "madrs_item10_cssrs_min"
    MADRS_ITEM10_TIER2_MIN = "madrs_item10_tier2_min"
    MADRS_ITEM10_HIGH_RISK_MIN = "madrs_item10_high_risk_min"
    CSSRS_Q6_FOLLOWUP_MISSING_LEVEL = "cssrs_q6_followup_missing_level"
    CSSRS_SINCE_LAST_VISIT_Q6_YES_LEVEL = "cssrs_since_last_visit_q6_yes_level"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One named default parameter: value, unit, where it is used and why."""

    name: ParamName
    default: ParamValue
    unit: str
    used_in: str
    basis: str

    def coerce(self, value: object) -> ParamValue:
        """Return ``value`` checked against the type of the default."""
        if isinstance(self.default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidParameterError(
                    f"parameter {self.name}: expected an integer, "
                    f"got {type(value).__name__} {value!r}"
                )
            return int(value)
        if not isinstance(value, str):
            raise InvalidParameterError(
                f"parameter {self.name}: expected text, got {type(value).__name__} {value!r}"
            )
        return str(value)


# Default values (REFERENCE.md section 10), named so that no number is inline.
PHQ9_ITEM9_TIER1_MIN_DEFAULT: Final = 1
PHQ9_ITEM9_TIER2_MIN_DEFAULT: Final = 2
QIDS_ITEM12_TIER1_MIN_DEFAULT: Final = 1
QIDS_ITEM12_TIER2_MIN_DEFAULT: Final = 2
MADRS_ITEM10_CSSRS_MIN_DEFAULT: Final = 2
MADRS_ITEM10_TIER2_MIN_DEFAULT: Final = 4
MADRS_ITEM10_HIGH_RISK_MIN_DEFAULT: Final = 6
CSSRS_Q6_FOLLOWUP_MISSING_LEVEL_DEFAULT: Final = "high"
CSSRS_SINCE_LAST_VISIT_Q6_YES_LEVEL_DEFAULT: Final = "high"

_UNIT_ITEM_SCORE: Final = "item score"
_UNIT_CSSRS_LEVEL: Final = "C-SSRS level"

_SPECS: Final[tuple[ParamSpec, ...]] = (
    ParamSpec(
        name=ParamName.PHQ9_ITEM9_TIER1_MIN,
        default=PHQ9_ITEM9_TIER1_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.1, §7 tier 1",
        basis="Simon 2013 [src]; tiering: project convention",
    ),
    ParamSpec(
        name=ParamName.PHQ9_ITEM9_TIER2_MIN,
        default=PHQ9_ITEM9_TIER2_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.1, §7 tier 2",
        basis=(
            'Simon 2013 ("more than half the days" / "nearly every day" need further '
            "assessment) [src]"
        ),
    ),
    ParamSpec(
        name=ParamName.QIDS_ITEM12_TIER1_MIN,
        default=QIDS_ITEM12_TIER1_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.3, §7 tier 1",
        basis="project convention (mirrors PHQ-9 item 9)",
    ),
    ParamSpec(
        name=ParamName.QIDS_ITEM12_TIER2_MIN,
        default=QIDS_ITEM12_TIER2_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.3, §7 tier 2",
        basis="project convention; anchors [src: IOM 2010 / Rush]",
    ),
    ParamSpec(
        name=ParamName.MADRS_ITEM10_CSSRS_MIN,
        default=MADRS_ITEM10_CSSRS_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.4, §7 tier 1 (in session)",
        basis="anchors, Perroud 2009 [src]; action: project convention",
    ),
    ParamSpec(
        name=ParamName.MADRS_ITEM10_TIER2_MIN,
        default=MADRS_ITEM10_TIER2_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.4, §7 tier 2",
        basis="anchors, Perroud 2009 [src]; action: project convention",
    ),
    ParamSpec(
        name=ParamName.MADRS_ITEM10_HIGH_RISK_MIN,
        default=MADRS_ITEM10_HIGH_RISK_MIN_DEFAULT,
        unit=_UNIT_ITEM_SCORE,
        used_in="REFERENCE.md §1.4, §7 tier 3",
        basis="anchors, Perroud 2009 [src]; action: project convention",
    ),
    ParamSpec(
        name=ParamName.CSSRS_Q6_FOLLOWUP_MISSING_LEVEL,
        default=CSSRS_Q6_FOLLOWUP_MISSING_LEVEL_DEFAULT,
        unit=_UNIT_CSSRS_LEVEL,
        used_in="REFERENCE.md §1.7",
        basis="project convention (fail safe)",
    ),
    ParamSpec(
        name=ParamName.CSSRS_SINCE_LAST_VISIT_Q6_YES_LEVEL,
        default=CSSRS_SINCE_LAST_VISIT_Q6_YES_LEVEL_DEFAULT,
        unit=_UNIT_CSSRS_LEVEL,
        used_in="REFERENCE.md §1.7",
        basis="Columbia triage guidance (any behaviour in the past 3 months = high) [src]",
    ),
)

PARAMETERS: Final[Mapping[str, ParamSpec]] = MappingProxyType(
    {spec.name.value: spec for spec in _SPECS}
)
"""Every instrument parameter by name, with its default, unit and basis."""


@dataclass(frozen=True, slots=True)
class ParamValues:
    """Resolved values for one scoring call (defaults + overrides)."""

    values: Mapping[str, ParamValue]

    def integer(self, name: ParamName) -> int:
        """Return the integer value of ``name``."""
        value = self.values[name.value]
        if not isinstance(value, int):  # pragma: no cover - guarded by ParamSpec.coerce
            raise InvalidParameterError(f"parameter {name}: expected an integer, got {value!r}")
        return value

    def text(self, name: ParamName) -> str:
        """Return the text value of ``name``."""
        value = self.values[name.value]
        if not isinstance(value, str):  # pragma: no cover - guarded by ParamSpec.coerce
            raise InvalidParameterError(f"parameter {name}: expected text, got {value!r}")
        return value


def resolve_params(
    specs: Sequence[ParamSpec], overrides: Mapping[str, ParamValue] | None
) -> ParamValues:
    """Merge ``overrides`` into the defaults of ``specs``.

    Returns a :class:`ParamValues`; raises :class:`InvalidParameterError` (a
    ``ValueError``) naming any override that ``specs`` does not declare or
    whose value has the wrong type. Example::

        resolve_params(specs, {"phq9_item9_tier2_min": 3}).integer(
            ParamName.PHQ9_ITEM9_TIER2_MIN
        )  # -> 3
    """
    by_name = {spec.name.value: spec for spec in specs}
    values: dict[str, ParamValue] = {name: spec.default for name, spec in by_name.items()}
    if overrides is None:
        return ParamValues(values=MappingProxyType(values))
    for name, value in overrides.items():
        spec = by_name.get(name)
        if spec is None:
            accepted = ", ".join(sorted(by_name)) or "none"
            raise InvalidParameterError(
                f"unknown parameter {name!r} for this instrument (accepted: {accepted})"
            )
        values[name] = spec.coerce(value)
    return ParamValues(values=MappingProxyType(values))

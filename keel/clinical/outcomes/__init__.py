"""Change from baseline, response and remission, and the life chart's threshold lines.

Provenance (STYLE.md section 7)

1. Identity: ``change_from_baseline`` and ``thresholds``, reading protocol
   keel-default v3 parameters; last checked against REFERENCE.md §1.1,
   §1.3-§1.6, §5.2 and §10 on 2026-11-26.
2. Source: response >= 50 % reduction from the pre-treatment baseline
   (PHQ-9 [mem], QIDS-SR16 [src via secondary], MADRS: Diazgranados 2010,
   Zarate 2012 [src]); remission PHQ-9 <= 4 [mem], QIDS-SR16 <= 5 (STAR*D
   [src via secondary]), MADRS <= 12 (TRANSFORM-3 [src]); partial response
   25-49 % and non-response < 25 % MADRS reduction at the end of the
   induction course (project convention); YMRS never reports remission
   (``ymrs_remission_rule``: the 0-12 band is "below threshold").
3. Licence/IP: no third-party text.
4. Logic: ``reduction_pct = (baseline - current) / baseline * 100``,
   rounded to 0.1 (half-even; negative when worse). No reduction without
   both totals or with a baseline of 0. ``response`` is reduction >=
   ``response_reduction_min_pct``; ``remission`` current <= the
   instrument's remission maximum; ``partial`` / ``nonresponse`` only for
   MADRS at the end of the induction course. Every number is a parameter
   (pass ``resolve_params(protocol, overrides)``).
5. Safety items: none (display only).
6. Review status: unreviewed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import Final

from keel.clinical.protocol.facts import to_decimal

DEPRESSION_INSTRUMENTS: Final = ("phq9", "qids_sr16", "madrs")
"""Instruments with response and remission (REFERENCE.md §10 "Outcomes")."""

REMISSION_PARAMS: Final = MappingProxyType(
    {
        "phq9": "phq9_remission_max",
        "qids_sr16": "qids_remission_max",
        "madrs": "madrs_remission_max",
    }
)
"""The remission parameter of each depression instrument."""

_TENTH: Final = Decimal("0.1")
_HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Change from baseline on one instrument.

    ``None`` means "does not apply" (for example remission on the YMRS,
    partial response outside the end of induction) or "cannot be computed"
    (a missing total, a baseline of 0).
    """

    reduction_pct: Decimal | None
    response: bool | None
    remission: bool | None
    partial: bool | None
    nonresponse: bool | None


@dataclass(frozen=True, slots=True)
class Threshold:
    """A line the life chart draws: value, short label and the parameter it comes from."""

    value: Decimal
    label: str
    param: str


def _number(params: Mapping[str, object], name: str) -> Decimal:
    try:
        raw = params[name]
    except KeyError:
        raise KeyError(
            f"parameter {name!r} is missing: pass resolve_params(protocol, overrides)"
        ) from None
    value = to_decimal(raw)
    if value is None:
        raise ValueError(f"parameter {name}: expected a number, got {raw!r}")
    return value


def reduction_pct(baseline_total: int | None, current_total: int | None) -> Decimal | None:
    """Return the % reduction from baseline (0.1 precision), or None when it cannot be computed."""
    if baseline_total is None or current_total is None or baseline_total <= 0:
        return None
    value = Decimal(baseline_total - current_total) * _HUNDRED / Decimal(baseline_total)
    return value.quantize(_TENTH, rounding=ROUND_HALF_EVEN)


def change_from_baseline(
    instrument_id: str,
    baseline_total: int | None,
    current_total: int | None,
    params: Mapping[str, object],
    *,
    end_of_induction: bool = False,
) -> Outcome:
    """Return the change from the pre-treatment baseline on ``instrument_id``.

    PHQ-9, QIDS-SR16 and MADRS get response and remission; MADRS at the end
    of the induction course (``end_of_induction=True``) also gets partial
    response and non-response. Other instruments (YMRS, ASRM, GAD-7) get
    the reduction only. Example::

        change_from_baseline("madrs", 34, 16, resolve_params(protocol))
        # Outcome(reduction_pct=Decimal("52.9"), response=True, remission=False, ...)
    """
    reduction = reduction_pct(baseline_total, current_total)
    if instrument_id not in DEPRESSION_INSTRUMENTS:
        return Outcome(reduction, None, None, None, None)
    response = (
        None if reduction is None else reduction >= _number(params, "response_reduction_min_pct")
    )
    remission = (
        None
        if current_total is None
        else Decimal(current_total) <= _number(params, REMISSION_PARAMS[instrument_id])
    )
    partial = nonresponse = None
    if instrument_id == "madrs" and end_of_induction and reduction is not None:
        nonresponse = reduction < _number(params, "nonresponse_reduction_below_pct")
        partial = not response and reduction >= _number(
            params, "partial_response_reduction_min_pct"
        )
    return Outcome(reduction, response, remission, partial, nonresponse)


_LINES: Final = MappingProxyType(
    {
        "phq9": (
            ("mixed_depressive_phq9_min", "moderate"),
            ("phq9_remission_max", "remission"),
        ),
        "qids_sr16": (
            ("mixed_depressive_qids_min", "moderate"),
            ("qids_remission_max", "remission"),
        ),
        "madrs": (
            ("mixed_depressive_madrs_min", "moderate"),
            ("madrs_remission_max", "remission"),
        ),
        "asrm": (("switch_amber_asrm_min", "amber (positive screen)"),),
        "ymrs": (
            ("switch_amber_ymrs_min", "amber"),
            ("switch_red_ymrs_min", "red"),
            ("ymrs_mania_range_min", "mania range"),
        ),
        "diary": (("switch_amber_diary_mood_min", "amber (elevated mood)"),),
    }
)


def thresholds(instrument_id: str, params: Mapping[str, object]) -> tuple[Threshold, ...]:
    """Return the threshold lines the life chart draws for ``instrument_id`` (lowest first).

    PHQ-9 / QIDS-SR16 / MADRS: the "moderate" depressive load of the
    mixed-features rule and the remission maximum; ASRM: the amber cut-off;
    YMRS: amber, red and the "mania range" label; ``"diary"``: the amber
    mood line. Other instruments have none. Example::

        thresholds("ymrs", values)  # 13 amber, 16 red, 20 mania range
    """
    lines = _LINES.get(instrument_id, ())
    result = [Threshold(_number(params, name), label, name) for name, label in lines]
    return tuple(sorted(result, key=lambda line: line.value))

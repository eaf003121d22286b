"""Suicide items: tiers at each edge, incomplete forms, unanswered items, params."""

from __future__ import annotations

import pytest

from keel.clinical.instruments import InvalidParameterError
from keel.clinical.tests.helpers import answers, blank, scale

SI = "suicidal_ideation"
T2 = "suicidal_ideation_tier2"
T3 = "suicidal_ideation_tier3"
UNANSWERED = "suicide_item_unanswered"

SUICIDE_ITEM = {"phq9": 9, "qids_sr16": 12, "madrs": 10}

# REFERENCE.md §7 / §10 defaults, every value of each item.
TIER_TABLE: list[tuple[str, int, frozenset[str]]] = [
    ("phq9", 0, frozenset()),
    ("phq9", 1, frozenset({SI})),
    ("phq9", 2, frozenset({SI, T2})),
    ("phq9", 3, frozenset({SI, T2})),
    ("qids_sr16", 0, frozenset()),
    ("qids_sr16", 1, frozenset({SI})),
    ("qids_sr16", 2, frozenset({SI, T2})),
    ("qids_sr16", 3, frozenset({SI, T2})),
    ("madrs", 0, frozenset()),
    ("madrs", 1, frozenset()),  # displayed only
    ("madrs", 2, frozenset({SI})),
    ("madrs", 3, frozenset({SI})),
    ("madrs", 4, frozenset({SI, T2})),
    ("madrs", 5, frozenset({SI, T2})),
    ("madrs", 6, frozenset({SI, T2, T3})),
]


@pytest.mark.parametrize(("instrument_id", "value", "flags"), TIER_TABLE)
def test_suicide_tiers_on_complete_form(
    instrument_id: str, value: int, flags: frozenset[str]
) -> None:
    """Each tier edge gives exactly the flags of REFERENCE.md §7."""
    inst = scale(instrument_id)
    score = inst.score(answers(inst, {SUICIDE_ITEM[instrument_id]: value}))
    assert score.complete is True
    assert score.flags == flags


@pytest.mark.parametrize(("instrument_id", "value", "flags"), TIER_TABLE)
def test_suicide_item_fires_on_incomplete_form(
    instrument_id: str, value: int, flags: frozenset[str]
) -> None:
    """The suicide item is evaluated even when every other item is missing."""
    inst = scale(instrument_id)
    score = inst.score(blank(inst, {SUICIDE_ITEM[instrument_id]: value}))
    assert (score.total, score.band, score.complete) == (None, None, False)
    assert score.flags == flags


@pytest.mark.parametrize("instrument_id", sorted(SUICIDE_ITEM))
def test_unanswered_suicide_item_is_flagged(instrument_id: str) -> None:
    """A missing suicide item raises suicide_item_unanswered and nothing else."""
    inst = scale(instrument_id)
    worst = {item.number: item.max for item in inst.items}
    worst[SUICIDE_ITEM[instrument_id]] = None  # type: ignore[assignment]
    score = inst.score(answers(inst, worst))
    assert score.complete is False
    assert score.total is None
    assert score.flags == frozenset({UNANSWERED})


@pytest.mark.parametrize("instrument_id", ["gad7", "ymrs", "asrm", "cadss", "moaas"])
def test_scales_without_suicide_item_never_flag(instrument_id: str) -> None:
    """Scales with no safety item carry no flags, complete or not."""
    inst = scale(instrument_id)
    assert inst.score([item.max for item in inst.items]).flags == frozenset()
    assert inst.score([None] * len(inst.items)).flags == frozenset()


@pytest.mark.parametrize(
    ("instrument_id", "params", "value", "flags"),
    [
        ("phq9", {"phq9_item9_tier1_min": 2}, 1, frozenset()),
        ("phq9", {"phq9_item9_tier1_min": 2}, 2, frozenset({SI, T2})),
        ("phq9", {"phq9_item9_tier2_min": 3}, 2, frozenset({SI})),
        ("phq9", {"phq9_item9_tier2_min": 3}, 3, frozenset({SI, T2})),
        ("phq9", {"phq9_item9_tier1_min": 1, "phq9_item9_tier2_min": 1}, 1, frozenset({SI, T2})),
        ("qids_sr16", {"qids_item12_tier2_min": 3}, 2, frozenset({SI})),
        ("qids_sr16", {"qids_item12_tier1_min": 2}, 1, frozenset()),
        ("madrs", {"madrs_item10_cssrs_min": 1}, 1, frozenset({SI})),
        ("madrs", {"madrs_item10_tier2_min": 3}, 3, frozenset({SI, T2})),
        ("madrs", {"madrs_item10_high_risk_min": 5}, 5, frozenset({SI, T2, T3})),
        ("madrs", {"madrs_item10_high_risk_min": 5}, 4, frozenset({SI, T2})),
    ],
)
def test_params_override_thresholds(
    instrument_id: str, params: dict[str, int], value: int, flags: frozenset[str]
) -> None:
    """A clinic's configured thresholds replace the section 10 defaults."""
    inst = scale(instrument_id)
    score = inst.score(answers(inst, {SUICIDE_ITEM[instrument_id]: value}), params=params)
    assert score.flags == flags


@pytest.mark.parametrize(
    ("instrument_id", "params", "match"),
    [
        ("phq9", {"phq9_item9_tier3_min": 3}, "unknown parameter 'phq9_item9_tier3_min'"),
        ("phq9", {"qids_item12_tier1_min": 1}, "unknown parameter 'qids_item12_tier1_min'"),
        ("gad7", {"phq9_item9_tier1_min": 1}, "unknown parameter 'phq9_item9_tier1_min'"),
        (
            "phq9",
            {"phq9_item9_tier1_min": 0},
            "phq9_item9_tier1_min: 0 is outside the allowed range 1-3",
        ),
        (
            "phq9",
            {"phq9_item9_tier2_min": 4},
            "phq9_item9_tier2_min: 4 is outside the allowed range 1-3",
        ),
        ("madrs", {"madrs_item10_high_risk_min": 7}, "madrs_item10_high_risk_min: 7 is outside"),
        ("phq9", {"phq9_item9_tier1_min": 3, "phq9_item9_tier2_min": 2}, "tiers must not decrease"),
        (
            "madrs",
            {"madrs_item10_tier2_min": 6, "madrs_item10_high_risk_min": 5},
            "tiers must not decrease",
        ),
        (
            "phq9",
            {"phq9_item9_tier1_min": True},
            "phq9_item9_tier1_min: expected an integer, got bool",
        ),
        (
            "phq9",
            {"phq9_item9_tier1_min": "1"},
            "phq9_item9_tier1_min: expected an integer, got str",
        ),
    ],
)
def test_bad_params_raise_value_error_naming_them(
    instrument_id: str, params: dict[str, object], match: str
) -> None:
    """Unknown names, wrong types, out-of-range and non-ascending tiers are refused."""
    inst = scale(instrument_id)
    with pytest.raises(InvalidParameterError, match=match):
        inst.score(answers(inst), params=params)  # type: ignore[arg-type]
    assert issubclass(InvalidParameterError, ValueError)


@pytest.mark.parametrize("instrument_id", sorted(SUICIDE_ITEM))
def test_suicide_rule_ids_are_declared_in_provenance(instrument_id: str) -> None:
    """Provenance lists the protocol rule ids for each tier and the unanswered task."""
    inst = scale(instrument_id)
    rule = inst.suicide_item
    assert rule is not None
    assert inst.provenance.safety_rule_ids == rule.rule_ids
    prefix = f"suicide.{instrument_id.split('_')[0]}_item{SUICIDE_ITEM[instrument_id]}."
    assert all(rule_id.startswith(prefix) for rule_id in rule.rule_ids)
    assert rule.rule_ids[-1].endswith(".unanswered")

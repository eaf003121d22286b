"""Golden tables: totals and bands at every band edge, from REFERENCE.md §1."""

from __future__ import annotations

import pytest

from keel.clinical.tests.helpers import answers, answers_with_total, flatten, scale

# Every band edge on both sides plus the range ends, typed in from
# REFERENCE.md (not derived from the code's band tables).
GOLDEN_BANDS: dict[str, list[tuple[int, str | None]]] = {
    "phq9": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
    "gad7": [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
    "qids_sr16": [
        (0, "none"),
        (5, "none"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (20, "severe"),
        (21, "very severe"),
        (27, "very severe"),
    ],
    "madrs": [
        (0, "normal/absent"),
        (6, "normal/absent"),
        (7, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (34, "moderate"),
        (35, "severe"),
        (60, "severe"),
    ],
    "ymrs": [
        (0, "below threshold"),
        (12, "below threshold"),
        (13, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (24, "moderate"),
        (25, "severe"),
        (60, "severe"),
    ],
    "asrm": [
        (0, "below cut-off"),
        (5, "below cut-off"),
        (6, "positive screen"),
        (20, "positive screen"),
    ],
    "cadss": [(0, None), (1, None), (46, None), (92, None)],
    "moaas": [(0, None), (1, None), (2, None), (3, None), (4, None), (5, None)],
}

TOTAL_RANGES: dict[str, tuple[int, int]] = {
    "phq9": (0, 27),
    "gad7": (0, 21),
    "qids_sr16": (0, 27),
    "madrs": (0, 60),
    "ymrs": (0, 60),
    "asrm": (0, 20),
    "cadss": (0, 92),
    "moaas": (0, 5),
}


@pytest.mark.parametrize(("instrument_id", "total", "band"), flatten(GOLDEN_BANDS))
def test_band_at_edge_matches_reference(instrument_id: str, total: int, band: str | None) -> None:
    """A complete form with a given total gets REFERENCE.md's band label."""
    inst = scale(instrument_id)
    score = inst.score(answers_with_total(inst, total))
    assert score.total == total
    assert score.complete is True
    assert score.band == band
    if band is not None:
        assert isinstance(score.band, str)
        assert str(score.band) == band


@pytest.mark.parametrize(("instrument_id", "bounds"), sorted(TOTAL_RANGES.items()))
def test_total_range_matches_reference(instrument_id: str, bounds: tuple[int, int]) -> None:
    """Declared total range and the all-min / all-max forms match REFERENCE.md."""
    inst = scale(instrument_id)
    low, high = bounds
    assert (inst.total_min, inst.total_max) == (low, high)
    assert inst.score([item.min for item in inst.items]).total == low
    assert inst.score([item.max for item in inst.items]).total == high


@pytest.mark.parametrize(
    ("values", "total"),
    [
        ({1: 3, 2: 3, 3: 3, 4: 3}, 3),  # REFERENCE.md §1.3 worked example: 3, not 12
        ({1: 1, 4: 2}, 2),
        ({6: 2, 7: 1, 8: 3, 9: 0}, 3),  # both appetite/weight pairs answered
        ({15: 1, 16: 3}, 3),
        ({5: 2, 10: 1, 11: 1, 12: 1, 13: 2, 14: 3}, 10),
        ({1: 3, 5: 3, 6: 3, 10: 3, 11: 3, 12: 3, 13: 3, 14: 3, 15: 3}, 27),
    ],
)
def test_qids_total_uses_domain_max(values: dict[int, int], total: int) -> None:
    """QIDS-SR16: a multi-item domain contributes its highest item."""
    inst = scale("qids_sr16")
    assert inst.score(answers(inst, values)).total == total


def test_qids_all_items_max_is_27() -> None:
    """All 16 items at 3 still total 27 (9 domains x 3)."""
    inst = scale("qids_sr16")
    assert inst.score([3] * len(inst.items)).total == 27


@pytest.mark.parametrize("number", [5, 6, 8, 9])
@pytest.mark.parametrize("value", [1, 3, 5, 7, 8])
def test_ymrs_wide_items_accept_odd_values(number: int, value: int) -> None:
    """YMRS items 5, 6, 8, 9 take 0-8 including odd in-between ratings."""
    inst = scale("ymrs")
    score = inst.score(answers(inst, {number: value}))
    assert score.total == value


def test_ymrs_sum_is_plain_and_stored_on_item_scale() -> None:
    """No doubling: item 5 = 3 contributes 3, item 1 = 3 contributes 3."""
    inst = scale("ymrs")
    assert inst.score(answers(inst, {1: 3, 5: 3})).total == 6


@pytest.mark.parametrize("value", [0, 1, 2, 3, 4, 5])
def test_moaas_total_is_the_rating(value: int) -> None:
    """MOAA/S: the total is the single rating; no band, no flags."""
    score = scale("moaas").score([value])
    assert (score.total, score.band, score.complete, score.flags) == (
        value,
        None,
        True,
        frozenset(),
    )


def test_phq9_example_from_the_api_contract() -> None:
    """The example call in the API contract scores as expected."""
    score = scale("phq9").score([0, 1, 2, 3, 0, 1, 2, 0, 1])
    assert score.total == 10
    assert score.band == "moderate"
    assert score.complete is True
    assert score.flags == frozenset({"suicidal_ideation"})


@pytest.mark.parametrize("instrument_id", sorted(TOTAL_RANGES))
def test_any_unanswered_item_gives_incomplete(instrument_id: str) -> None:
    """One None item -> total None, band None, complete False."""
    inst = scale(instrument_id)
    form = answers(inst, {1: None})
    score = inst.score(form)
    assert (score.total, score.band, score.complete) == (None, None, False)

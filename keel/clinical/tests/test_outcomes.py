"""Change from baseline, response / remission and threshold lines (REFERENCE.md §10 outcomes)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keel.clinical.outcomes import Outcome, Threshold, change_from_baseline, thresholds
from keel.clinical.tests.alert_helpers import defaults


@pytest.mark.parametrize(
    ("instrument", "baseline", "current", "expected"),
    [
        ("phq9", 20, 10, Outcome(Decimal("50.0"), True, False, None, None)),
        ("phq9", 20, 11, Outcome(Decimal("45.0"), False, False, None, None)),
        ("phq9", 20, 4, Outcome(Decimal("80.0"), True, True, None, None)),
        ("phq9", 20, 5, Outcome(Decimal("75.0"), True, False, None, None)),
        ("qids_sr16", 16, 5, Outcome(Decimal("68.8"), True, True, None, None)),
        ("qids_sr16", 16, 6, Outcome(Decimal("62.5"), True, False, None, None)),
        ("madrs", 30, 12, Outcome(Decimal("60.0"), True, True, None, None)),
        ("madrs", 30, 13, Outcome(Decimal("56.7"), True, False, None, None)),
        ("phq9", 10, 15, Outcome(Decimal("-50.0"), False, False, None, None)),
        ("phq9", None, 4, Outcome(None, None, True, None, None)),
        ("phq9", 0, 0, Outcome(None, None, True, None, None)),
        ("phq9", 12, None, Outcome(None, None, None, None, None)),
        ("ymrs", 10, 2, Outcome(Decimal("80.0"), None, None, None, None)),
        ("asrm", 8, 4, Outcome(Decimal("50.0"), None, None, None, None)),
    ],
)
def test_change_from_baseline(
    instrument: str, baseline: int | None, current: int | None, expected: Outcome
) -> None:
    """Response >= 50 %; remission PHQ-9 <= 4, QIDS <= 5, MADRS <= 12; YMRS never remission."""
    assert change_from_baseline(instrument, baseline, current, defaults()) == expected


@pytest.mark.parametrize(
    ("current", "partial", "nonresponse", "response"),
    [
        (15, False, False, True),
        (16, True, False, False),
        (22, True, False, False),
        (23, False, True, False),
    ],
    ids=["50%", "46.7%", "26.7%", "23.3%"],
)
def test_madrs_end_of_induction(
    current: int, partial: bool, nonresponse: bool, response: bool
) -> None:
    """At the end of induction: >= 50 % response, 25-49 % partial, < 25 % non-response."""
    outcome = change_from_baseline("madrs", 30, current, defaults(), end_of_induction=True)
    assert (outcome.response, outcome.partial, outcome.nonresponse) == (
        response,
        partial,
        nonresponse,
    )
    mid_course = change_from_baseline("madrs", 30, current, defaults())
    assert (mid_course.partial, mid_course.nonresponse) == (None, None)
    phq9 = change_from_baseline("phq9", 30, current, defaults(), end_of_induction=True)
    assert (phq9.partial, phq9.nonresponse) == (None, None)


def test_parameters_drive_the_outcome() -> None:
    """A clinic using the MADRS <= 10 remission rule and a 60 % response line."""
    values = {**defaults(), "madrs_remission_max": 10, "response_reduction_min_pct": 60}
    assert change_from_baseline("madrs", 30, 12, values) == Outcome(
        Decimal("60.0"), True, False, None, None
    )
    assert change_from_baseline("madrs", 30, 13, values).response is False
    with pytest.raises(KeyError, match="madrs_remission_max"):
        change_from_baseline("madrs", 30, 13, {"response_reduction_min_pct": 50})


def test_threshold_lines() -> None:
    """Each line names the parameter it comes from, lowest first."""
    assert thresholds("phq9", defaults()) == (
        Threshold(Decimal(4), "remission", "phq9_remission_max"),
        Threshold(Decimal(10), "moderate", "mixed_depressive_phq9_min"),
    )
    assert [(t.value, t.label) for t in thresholds("ymrs", defaults())] == [
        (Decimal(13), "amber"),
        (Decimal(16), "red"),
        (Decimal(20), "mania range"),
    ]
    assert [t.param for t in thresholds("asrm", defaults())] == ["switch_amber_asrm_min"]
    assert [t.value for t in thresholds("qids_sr16", defaults())] == [Decimal(5), Decimal(11)]
    assert [t.value for t in thresholds("madrs", defaults())] == [Decimal(12), Decimal(20)]
    assert [t.value for t in thresholds("diary", defaults())] == [Decimal(2)]
    assert thresholds("gad7", defaults()) == ()
    assert thresholds("ymrs", {**defaults(), "ymrs_mania_range_min": 22})[2].value == 22

"""Time below the SpO2 level (the ``spo2_sustained_seconds`` fact): examples and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.protocol import RuleKind, evaluate
from keel.clinical.protocol.tests.helpers import default_protocol
from keel.clinical.sessions.spo2 import Spo2Reading, spo2_seconds_below

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LEVEL = 94


def _series(*points: tuple[int, int]) -> list[Spo2Reading]:
    """Readings from (seconds after T0, SpO2) pairs."""
    return [Spo2Reading(T0 + timedelta(seconds=s), v) for s, v in points]


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ((), 0),
        (((0, 92),), 0),
        (((0, 98), (60, 92)), 0),
        (((0, 92), (30, 93), (90, 91)), 90),
        (((0, 92), (30, 95), (60, 93), (150, 90)), 90),
        (((0, 92), (30, 93), (90, 94)), 0),
        (((0, 93), (45, 93)), 45),
        (((0, 94), (45, 93)), 0),
    ],
    ids=[
        "no readings",
        "single low reading",
        "first low reading after a normal one",
        "whole run low",
        "run broken by a normal reading",
        "latest at the level",
        "two readings just below",
        "boundary: 94 is not below 94",
    ],
)
def test_spo2_seconds_below_examples(points: tuple[tuple[int, int], ...], expected: int) -> None:
    assert spo2_seconds_below(_series(*points), LEVEL) == expected


def test_spo2_seconds_below_rounds_down_to_whole_seconds() -> None:
    readings = [
        Spo2Reading(T0, 92),
        Spo2Reading(T0 + timedelta(seconds=59, milliseconds=999), 92),
    ]
    assert spo2_seconds_below(readings, LEVEL) == 59


def test_spo2_seconds_below_refuses_readings_out_of_order() -> None:
    with pytest.raises(ValueError, match="order"):
        spo2_seconds_below(_series((60, 92), (0, 92)), LEVEL)


@st.composite
def _readings(draw: st.DrawFn) -> list[Spo2Reading]:
    gaps = draw(st.lists(st.integers(0, 3600), min_size=0, max_size=12))
    values = draw(st.lists(st.integers(50, 100), min_size=len(gaps), max_size=len(gaps)))
    at, out = T0, []
    for gap, value in zip(gaps, values, strict=True):
        at += timedelta(seconds=gap)
        out.append(Spo2Reading(at, value))
    return out


@PROPERTY_SETTINGS
@given(_readings(), st.integers(80, 100))
def test_time_below_is_within_the_span_and_zero_unless_latest_is_low(
    readings: list[Spo2Reading], level: int
) -> None:
    seconds = spo2_seconds_below(readings, level)
    assert seconds >= 0
    if not readings or readings[-1].spo2 >= level:
        assert seconds == 0
    else:
        assert seconds <= (readings[-1].taken_at - readings[0].taken_at).total_seconds()


@PROPERTY_SETTINGS
@given(_readings(), st.integers(80, 100))
def test_time_below_is_the_low_run_ending_at_the_latest(
    readings: list[Spo2Reading], level: int
) -> None:
    seconds = spo2_seconds_below(readings, level)
    run = []
    for reading in reversed(readings):
        if reading.spo2 >= level:
            break
        run.append(reading)
    expected = int((run[0].taken_at - run[-1].taken_at).total_seconds()) if run else 0
    assert seconds == expected


@PROPERTY_SETTINGS
@given(_readings(), st.integers(80, 100), st.integers(0, 3600))
def test_a_normal_reading_resets_and_a_further_low_reading_never_shortens(
    readings: list[Spo2Reading], level: int, gap: int
) -> None:
    last = readings[-1].taken_at if readings else T0
    later = last + timedelta(seconds=gap)
    assert spo2_seconds_below([*readings, Spo2Reading(later, level)], level) == 0
    before = spo2_seconds_below(readings, level)
    after = spo2_seconds_below([*readings, Spo2Reading(later, level - 1)], level)
    if readings and readings[-1].spo2 < level:
        assert after == before + gap
    else:
        assert after == 0


@PROPERTY_SETTINGS
@given(_readings(), st.integers(80, 100))
def test_readings_before_a_normal_one_do_not_matter(
    readings: list[Spo2Reading], level: int
) -> None:
    earlier = [
        Spo2Reading(T0 - timedelta(hours=2), level - 5),
        Spo2Reading(T0 - timedelta(seconds=1), level),
    ]
    assert spo2_seconds_below([*earlier, *readings], level) == spo2_seconds_below(readings, level)


@pytest.mark.parametrize(
    ("sustained_param", "readings", "fires"),
    [
        (0, ((0, 93),), True),
        (60, ((0, 93),), False),
        (60, ((0, 93), (59, 92)), False),
        (60, ((0, 93), (60, 92)), True),
        (60, ((0, 93), (30, 95), (90, 92)), False),
    ],
)
def test_prescriber_rule_fires_on_the_computed_time(
    sustained_param: int, readings: tuple[tuple[int, int], ...], fires: bool
) -> None:
    """The stop rule reads the computed seconds against the clinic's parameter."""
    protocol = default_protocol()
    series = _series(*readings)
    facts = {
        "current_spo2": series[-1].spo2,
        "spo2_sustained_seconds": spo2_seconds_below(series, LEVEL),
    }
    found = evaluate(
        protocol,
        facts,
        params={"spo2_sustained_seconds": sustained_param},
        kinds=[RuleKind.STOP],
    )
    rule = next(f for f in found if f.rule_id == "stop.spo2.prescriber_bedside")
    assert rule.fired is fires

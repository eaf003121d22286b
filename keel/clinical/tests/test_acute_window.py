"""The acute post-dose window has one definition: the session record and the alert rules agree.

A rating is tagged acute post-dose when it is stored (``acute_post_dose``, from the
last dose) and the alert rules test untagged ratings against every dose
(``within_acute_window``). They used to differ at exactly the window's end; these
tests keep them the same for any doses and any moment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from keel.clinical.acute_window import in_acute_window
from keel.clinical.alerts import DosePoint
from keel.clinical.alerts.timing import last_dose_before, within_acute_window
from keel.clinical.sessions import acute_post_dose
from keel.clinical.sessions.tests.helpers import DOSE_START, params
from keel.clinical.tests.alert_helpers import defaults


def _doses(offsets_minutes: list[int]) -> tuple[DosePoint, ...]:
    return tuple(
        DosePoint(
            ref=f"dose:{n}",
            at=DOSE_START + timedelta(minutes=offset),
            route="iv_racemic_ketamine",
            dose_mg=Decimal("36.5"),
            session_number=n + 1,
        )
        for n, offset in enumerate(sorted(set(offsets_minutes)))
    )


@given(
    offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 30), max_size=6),
    # Whole seconds around the doses, so the exact window end is drawn often enough.
    moment_seconds=st.integers(min_value=-3600, max_value=60 * 60 * 24 * 31),
    hours=st.integers(min_value=1, max_value=12),
)
def test_session_record_and_alert_rules_agree(
    offsets: list[int], moment_seconds: int, hours: int
) -> None:
    doses = _doses(offsets)
    moment = DOSE_START + timedelta(seconds=moment_seconds)
    alert_params = {**defaults(), "switch_acute_post_dose_exclusion_hours": hours}
    session = replace(params(), switch_acute_post_dose_exclusion_hours=hours)
    last = last_dose_before(doses, moment)
    tagged = acute_post_dose(moment, None if last is None else last.at, session)
    assert within_acute_window(doses, moment, alert_params) is tagged


def test_both_ends_are_included() -> None:
    """0 h and exactly 4 h after the dose are inside; a second outside either end is not."""
    second = timedelta(seconds=1)
    assert in_acute_window(DOSE_START, DOSE_START, 4)
    assert in_acute_window(DOSE_START + timedelta(hours=4), DOSE_START, 4)
    assert not in_acute_window(DOSE_START - second, DOSE_START, 4)
    assert not in_acute_window(DOSE_START + timedelta(hours=4) + second, DOSE_START, 4)
    doses = _doses([0])
    assert within_acute_window(doses, DOSE_START + timedelta(hours=4), defaults())
    assert not within_acute_window(doses, DOSE_START + timedelta(hours=4) + second, defaults())

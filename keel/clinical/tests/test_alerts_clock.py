"""Clock alert rules: missed check-ins, overdue scales, non-response; worsening depression."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from keel.clinical.alerts import DueItem, add_business_days, alert_rules
from keel.clinical.protocol.tests.helpers import default_protocol
from keel.clinical.tests.alert_helpers import (
    CLOCK,
    TZ,
    History,
    at,
    by_rule,
    day_of,
    diary,
    fired,
    rating,
    run,
)

MISSED = "checkin.diary.missed"
OVERDUE = "checkin.scale.overdue"
NONRESPONSE = "nonresponse.madrs.end_of_induction"
WORSENING = "worsening.phq9.rise"


def diary_history(written: list[int], since: int = 0) -> History:
    history = History(diary_expected_since=day_of(since))
    for day in written:
        history.write(day)
    return history


@pytest.mark.parametrize(
    ("written", "today", "expected"),
    [
        ([0, 1, 2], 6, [MISSED]),
        ([0, 1, 2, 3], 6, []),
        ([0], 3, []),
        ([], 3, [MISSED]),
        ([], 2, []),
    ],
    ids=["3-missed", "2-missed", "yesterday-and-before-but-only-2", "from-assignment", "too-early"],
)
def test_missed_diary_days(written: list[int], today: int, expected: list[str]) -> None:
    """3 consecutive days without a diary up to yesterday raise a routine alert."""
    assert fired(run(diary_history(written), CLOCK, at(today, 6))) == expected


def test_missed_diary_evidence_is_the_first_missing_day() -> None:
    """The gap's key stays the same while the gap grows, so it is raised once."""
    history = diary_history([0, 1])
    first = run(history, CLOCK, at(5, 6))[0]
    later = run(history, CLOCK, at(8, 6))[0]
    assert first.evidence_key == later.evidence_key == f"diary-gap:{day_of(2).isoformat()}"
    assert (first.category, first.priority, first.level) == ("missed_check_in", "routine", "")
    assert first.facts["diary_missed_days"] == 3
    assert later.facts["diary_missed_days"] == 6
    assert first.ack_due_at == datetime(2026, 11, 9, 6, 0, tzinfo=TZ)  # Saturday -> Monday


def test_clock_rules_do_not_fire_on_other_triggers() -> None:
    """Missed check-ins are raised by the clock only."""
    history = diary_history([0])
    ref = history.rate("phq9", at(6), items={9: 0})
    assert fired(run(history, rating(ref), at(6, 10))) == []
    assert fired(run(diary_history([]), CLOCK, at(6))) == [MISSED]
    assert fired(run(History(), CLOCK, at(6))) == []


def test_one_overdue_alert_per_scale() -> None:
    """Each scale overdue by >= 3 days gets its own alert, keyed by instrument and due day."""
    history = History(
        due=[
            DueItem("phq9", date(2026, 11, 2), 3),
            DueItem("asrm", date(2026, 11, 3), 2),
            DueItem("qids_sr16", date(2026, 11, 1), 4),
            DueItem("gad7", None, 0),
            DueItem("diary", date(2026, 11, 1), 4),
        ]
    )
    findings = run(history, CLOCK, at(3, 6))
    assert fired(findings) == [OVERDUE, OVERDUE]
    assert [f.evidence_key for f in findings] == [
        "scale-overdue:phq9:2026-11-02",
        "scale-overdue:qids_sr16:2026-11-01",
    ]
    assert findings[0].facts["scale_instrument_id"] == "phq9"
    assert findings[0].facts["scale_days_overdue"] == 3


def induction(madrs_after: int | None, *, doses: int = 6, acute: bool = False) -> History:
    history = History(induction_sessions_planned=6)
    history.rate("madrs", at(-2), total=30, purpose="baseline")
    for session in range(doses):
        history.dose(at(session * 2, 10))
    if madrs_after is not None:
        history.rate("madrs", at(14), total=madrs_after, purpose="pre_session", acute=acute)
    return history


@pytest.mark.parametrize(
    ("madrs_after", "doses", "expected"),
    [
        (23, 6, [NONRESPONSE]),
        (22, 6, []),
        (30, 5, []),
        (None, 6, []),
    ],
    ids=["23.3%", "26.7%", "course-not-finished", "no-end-rating"],
)
def test_nonresponse_after_induction(
    madrs_after: int | None, doses: int, expected: list[str]
) -> None:
    """< 25 % MADRS reduction at the end of induction is a routine non-response alert."""
    assert fired(run(induction(madrs_after, doses=doses), CLOCK, at(15))) == expected


def test_nonresponse_details() -> None:
    """The finding names the end rating, the reduction and notifies the psychiatrist."""
    history = induction(23)
    finding = run(history, CLOCK, at(15))[0]
    assert finding.facts["induction_madrs_reduction_pct"] == "23.3"
    assert finding.evidence_key == "end-of-induction:assessment:2"
    assert finding.notify_psychiatrist is True
    assert finding.category == "non_response"
    tuned = run(history, CLOCK, at(15), {"nonresponse_reduction_below_pct": 20})
    assert fired(tuned) == []


def test_acute_madrs_is_not_the_end_of_induction_rating() -> None:
    """An in-session MADRS right after a dose is not the end-of-induction rating."""
    history = induction(None)
    history.rate("madrs", at(10, 11), total=29, purpose="in_session", acute=True)
    assert fired(run(history, CLOCK, at(15))) == []


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [(10, 15, [WORSENING]), (10, 14, []), (None, 20, [])],
    ids=["rise-5", "rise-4", "first-phq9"],
)
def test_phq9_worsening(previous: int | None, current: int, expected: list[str]) -> None:
    """A PHQ-9 rise of >= 5 from the previous PHQ-9 is routine worsening."""
    history = History()
    if previous is not None:
        history.rate("phq9", at(0), total=previous, items={9: 0})
    ref = history.rate("phq9", at(7), total=current, items={9: 0})
    findings = run(history, rating(ref), at(7, 10))
    assert fired(findings) == expected
    if expected:
        assert by_rule(findings)[WORSENING].category == "worsening_depression"


def test_evidence_keys_are_stable_on_re_evaluation() -> None:
    """Evaluating the same data again (later) gives the same rule ids and evidence keys."""
    history = History()
    history.write(1, mood=2)
    ref = history.write(2, mood=2)
    first = run(history, diary(ref), at(2, 20))
    again = run(history, diary(ref), at(3, 8))
    assert [(f.rule_id, f.evidence_key) for f in first] == [
        (f.rule_id, f.evidence_key) for f in again
    ]


def test_every_alert_rule_has_alert_metadata() -> None:
    """The 38 alert rules carry category, priority and a response-time parameter."""
    rules = alert_rules(default_protocol())
    assert len(rules) == 38
    categories = {rule.alert.category for rule in rules if rule.alert}
    assert categories == {
        "suicidality",
        "mood_elevation",
        "worsening_depression",
        "missed_check_in",
        "non_response",
    }
    for rule in rules:
        assert rule.alert is not None
        # Issue 15: tier 2 and above and C-SSRS moderate / high tell the psychiatrist too.
        urgent_suicide = rule.alert.category == "suicidality" and (
            rule.id.endswith((".tier2", ".tier3", ".moderate", ".high"))
            or rule.id == "suicide.exit_check.new_ideation"
        )
        assert rule.alert.notify_psychiatrist is (
            rule.alert.category in ("mood_elevation", "non_response")
            or rule.id == "suicide.mixed_features"
            or urgent_suicide
        ), rule.id
        assert (rule.alert.priority == "urgent") is (
            rule.alert.ack_param == "urgent_alert_ack_minutes"
        ), rule.id


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (datetime(2026, 11, 6, 15, 0, tzinfo=TZ), 0, datetime(2026, 11, 6, 23, 59, 59, tzinfo=TZ)),
        (datetime(2026, 11, 7, 15, 0, tzinfo=TZ), 0, datetime(2026, 11, 9, 23, 59, 59, tzinfo=TZ)),
        (datetime(2026, 11, 6, 15, 0, tzinfo=TZ), 2, datetime(2026, 11, 10, 15, 0, tzinfo=TZ)),
        (datetime(2026, 11, 2, 8, 0, tzinfo=TZ), 5, datetime(2026, 11, 9, 8, 0, tzinfo=TZ)),
        # US daylight saving ends on Sunday 1 November 2026: the local time is kept.
        (datetime(2026, 10, 30, 9, 0, tzinfo=TZ), 1, datetime(2026, 11, 2, 9, 0, tzinfo=TZ)),
    ],
)
def test_add_business_days(start: datetime, days: int, due: datetime) -> None:
    """Business days skip Saturday and Sunday in the clinic's zone and keep the time of day."""
    assert add_business_days(start, days, TZ) == due
    assert add_business_days(start, days, TZ).utcoffset() == due.utcoffset()


def test_add_business_days_refuses_bad_input() -> None:
    """Negative counts and naive datetimes are errors."""
    with pytest.raises(ValueError, match="negative"):
        add_business_days(at(0), -1, TZ)
    with pytest.raises(ValueError, match="aware"):
        add_business_days(at(0).replace(tzinfo=None), 1, TZ)

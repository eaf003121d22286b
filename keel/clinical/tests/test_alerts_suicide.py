"""Suicidality alert rules (REFERENCE.md §7): golden tables, urgency, response times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from keel.clinical.alerts import Trigger, alert_facts
from keel.clinical.protocol import ProtocolError
from keel.clinical.tests.alert_helpers import (
    TZ,
    History,
    at,
    by_rule,
    defaults,
    fired,
    rating,
    run,
)

NOW = at(3, 14)  # Thursday 5 November 2026, 14:00


def phq9(item9: int | None, **kwargs: object) -> list[str]:
    history = History()
    ref = history.rate("phq9", at(3, 13), items={9: item9}, **kwargs)  # type: ignore[arg-type]
    return fired(run(history, rating(ref), NOW))


@pytest.mark.parametrize(
    ("item9", "expected"),
    [
        (0, []),
        (1, ["suicide.phq9_item9.tier1"]),
        (2, ["suicide.phq9_item9.tier2"]),
        (3, ["suicide.phq9_item9.tier2"]),
        (None, ["suicide.phq9_item9.unanswered"]),
    ],
)
def test_phq9_item9_golden_table(item9: int | None, expected: list[str]) -> None:
    """Item 9 = 1 is tier 1, >= 2 tier 2, unanswered a task - even on an incomplete form."""
    assert phq9(item9) == expected


@pytest.mark.parametrize(
    ("item12", "expected"),
    [
        (0, []),
        (1, ["suicide.qids_item12.tier1"]),
        (2, ["suicide.qids_item12.tier2"]),
        (3, ["suicide.qids_item12.tier2"]),
        (None, ["suicide.qids_item12.unanswered"]),
    ],
)
def test_qids_item12_golden_table(item12: int | None, expected: list[str]) -> None:
    """QIDS-SR16 item 12 mirrors PHQ-9 item 9."""
    history = History()
    ref = history.rate("qids_sr16", at(3, 13), items={12: item12})
    assert fired(run(history, rating(ref), NOW)) == expected


@pytest.mark.parametrize(
    ("item10", "expected"),
    [
        (0, []),
        (1, []),
        (2, ["suicide.madrs_item10.tier1"]),
        (3, ["suicide.madrs_item10.tier1"]),
        (4, ["suicide.madrs_item10.tier2"]),
        (5, ["suicide.madrs_item10.tier2"]),
        (6, ["suicide.madrs_item10.tier3"]),
        (None, ["suicide.madrs_item10.unanswered"]),
    ],
)
def test_madrs_item10_golden_table(item10: int | None, expected: list[str]) -> None:
    """MADRS item 10: 1 displayed only, 2-3 C-SSRS, 4-5 tier 2, 6 high-risk pathway."""
    history = History()
    ref = history.rate("madrs", at(3, 13), items={10: item10}, purpose="pre_session")
    assert fired(run(history, rating(ref), NOW)) == expected


SCREEN_ANSWERS = {
    "none": [0, 0, None, None, None, 0, None],
    "low": [1, 0, None, None, None, 0, None],
    "moderate": [1, 1, 1, 0, 0, 0, None],
    "moderate_old_behaviour": [0, 0, None, None, None, 1, 0],
    "high_intent": [1, 1, 1, 1, 0, 0, None],
    "high_recent_behaviour": [0, 0, None, None, None, 1, 1],
    "high_followup_missing": [0, 0, None, None, None, 1, None],
    "incomplete": [None, 0, None, None, None, 0, None],
}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("none", []),
        ("low", ["suicide.cssrs_screen.low"]),
        ("moderate", ["suicide.cssrs_screen.moderate"]),
        ("moderate_old_behaviour", ["suicide.cssrs_screen.moderate"]),
        ("high_intent", ["suicide.cssrs_screen.high"]),
        ("high_recent_behaviour", ["suicide.cssrs_screen.high"]),
        ("high_followup_missing", ["suicide.cssrs_screen.high", "suicide.cssrs_screen.incomplete"]),
        ("incomplete", ["suicide.cssrs_screen.incomplete"]),
    ],
)
def test_cssrs_screen_golden_table(case: str, expected: list[str]) -> None:
    """The lifetime/recent triage levels; a missing 3-month answer is high (fail safe)."""
    history = History()
    ref = history.rate("cssrs_screen", at(3, 13), items=dict(enumerate(SCREEN_ANSWERS[case], 1)))
    assert fired(run(history, rating(ref), NOW)) == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([0, 0, None, None, None, 0], []),
        ([1, 1, 0, 0, 0, 0], ["suicide.cssrs_since_last_visit.low"]),
        ([1, 1, 1, 0, 0, 0], ["suicide.cssrs_since_last_visit.moderate"]),
        ([0, 0, None, None, None, 1], ["suicide.cssrs_since_last_visit.high"]),
    ],
)
def test_cssrs_since_last_visit_golden_table(
    answers: list[int | None], expected: list[str]
) -> None:
    """Any behaviour since the last visit is high."""
    history = History()
    ref = history.rate("cssrs_since_last_visit", at(3, 13), items=dict(enumerate(answers, start=1)))
    assert fired(run(history, rating(ref), NOW)) == expected


def test_cssrs_level_parameter_is_passed_to_the_triage() -> None:
    """A clinic setting the follow-up-missing level to moderate gets a moderate alert."""
    history = History()
    ref = history.rate(
        "cssrs_screen", at(3, 13), items=dict(enumerate([0, 0, None, None, None, 1, None], 1))
    )
    findings = run(history, rating(ref), NOW, {"cssrs_q6_followup_missing_level": "moderate"})
    assert fired(findings) == ["suicide.cssrs_screen.moderate", "suicide.cssrs_screen.incomplete"]


def test_tier2_is_urgent_with_crisis_and_an_hour_to_acknowledge() -> None:
    """Tier 2: urgent, crisis resources shown, acknowledged within urgent_alert_ack_minutes."""
    history = History()
    ref = history.rate("phq9", at(3, 13), items={9: 2})
    finding = run(history, rating(ref), NOW)[0]
    assert (finding.category, finding.priority, finding.level, finding.hold) == (
        "suicidality",
        "urgent",
        "",
        "",
    )
    assert finding.show_crisis is True
    assert finding.notify_psychiatrist is True  # issue 15: tier 2 tells the psychiatrist
    assert finding.ack_due_at == NOW + timedelta(minutes=60)
    assert finding.evidence_key == ref
    assert (finding.protocol_id, finding.protocol_version) == ("keel-default", "4")
    assert finding.title.startswith("PHQ-9 item 9 at tier 2")
    assert "same calendar day" in finding.action
    assert finding.facts["trigger_phq9_item9"] == 2
    assert finding.facts["params_used"] == {
        "phq9_item9_tier2_min": 2,
        "urgent_alert_ack_minutes": 60,
        "suicide_tier2_response_calendar_days": 0,
    }
    assert finding.facts["trigger"] == {"kind": "rating", "ref": ref}


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        (datetime(2026, 11, 5, 14, 0, tzinfo=TZ), datetime(2026, 11, 6, 14, 0, tzinfo=TZ)),
        (datetime(2026, 11, 6, 16, 30, tzinfo=TZ), datetime(2026, 11, 9, 16, 30, tzinfo=TZ)),
        (datetime(2026, 11, 7, 10, 0, tzinfo=TZ), datetime(2026, 11, 9, 10, 0, tzinfo=TZ)),
        (datetime(2026, 11, 8, 23, 0, tzinfo=TZ), datetime(2026, 11, 9, 23, 0, tzinfo=TZ)),
    ],
    ids=["thursday", "friday-over-the-weekend", "saturday", "sunday-night"],
)
def test_tier1_is_routine_with_one_business_day(raised: datetime, due: datetime) -> None:
    """Tier 1: routine, no crisis panel, due 1 business day later (weekends skipped)."""
    history = History()
    ref = history.rate("phq9", raised - timedelta(minutes=5), items={9: 1})
    finding = run(history, rating(ref), raised)[0]
    assert finding.rule_id == "suicide.phq9_item9.tier1"
    assert (finding.priority, finding.show_crisis) == ("routine", False)
    assert finding.ack_due_at == due


def test_business_days_are_counted_in_the_clinic_time_zone() -> None:
    """Friday 23:30 in New York is Saturday in UTC; the due day is still Monday local."""
    history = History()
    raised = datetime(2026, 11, 6, 23, 30, tzinfo=TZ)
    ref = history.rate("phq9", raised, items={9: None})
    finding = run(history, rating(ref), raised.astimezone(UTC))[0]
    assert finding.rule_id == "suicide.phq9_item9.unanswered"
    assert finding.ack_due_at == datetime(2026, 11, 9, 23, 30, tzinfo=TZ)


def test_tier3_and_cssrs_high_are_critical_crisis_alerts() -> None:
    """MADRS item 10 = 6: urgent, crisis shown, the high-risk response is recorded."""
    history = History()
    ref = history.rate("madrs", at(3, 13), items={10: 6}, purpose="pre_session")
    finding = by_rule(run(history, rating(ref), NOW))["suicide.madrs_item10.tier3"]
    assert finding.priority == "urgent"
    assert finding.show_crisis is True
    params_used = finding.facts["params_used"]
    assert isinstance(params_used, dict)
    assert params_used["suicide_high_risk_response"] == "immediate"


def test_only_the_triggering_rating_is_read() -> None:
    """An older PHQ-9 with item 9 = 3 does not fire again on a new PHQ-9 with item 9 = 0."""
    history = History()
    history.rate("phq9", at(0), items={9: 3})
    new = history.rate("phq9", at(3, 13), items={9: 0})
    assert fired(run(history, rating(new), NOW)) == []
    diary_ref = history.write(3)
    assert fired(run(history, Trigger("diary", diary_ref), NOW)) == []


def test_clinic_override_of_the_tier_threshold() -> None:
    """A clinic raising phq9_item9_tier2_min to 3 makes item 9 = 2 a tier 1 task."""
    assert phq9(2) == ["suicide.phq9_item9.tier2"]
    history = History()
    ref = history.rate("phq9", at(3, 13), items={9: 2})
    findings = run(history, rating(ref), NOW, {"phq9_item9_tier2_min": 3})
    assert fired(findings) == ["suicide.phq9_item9.tier1"]


def test_bad_override_is_refused_naming_the_parameter() -> None:
    """An override of the wrong type is a ProtocolError naming the parameter."""
    history = History()
    ref = history.rate("phq9", at(3, 13), items={9: 2})
    with pytest.raises(ProtocolError, match="urgent_alert_ack_minutes"):
        run(history, rating(ref), NOW, {"urgent_alert_ack_minutes": "soon"})


def test_unknown_trigger_and_naive_times_are_refused() -> None:
    """A trigger ref missing from the history, an unknown kind or a naive now is an error."""
    history = History()
    history.rate("phq9", at(3, 13), items={9: 0})
    with pytest.raises(ValueError, match="assessment:99"):
        run(history, rating("assessment:99"), NOW)
    with pytest.raises(ValueError, match="unknown trigger kind"):
        run(history, Trigger("sms", "x"), NOW)
    with pytest.raises(ValueError, match="aware"):
        run(history, rating("assessment:1"), NOW.replace(tzinfo=None))


def test_alert_facts_are_valid_catalogue_facts() -> None:
    """alert_facts returns names from the catalogue, with the trigger's facts filled in."""
    history = History()
    ref = history.rate("phq9", at(3, 13), items={9: 1})
    facts = alert_facts(history.build(), rating(ref), now=NOW, tz=TZ, params=defaults())
    assert facts["trigger_kind"] == "rating"
    assert facts["trigger_instrument"] == "phq9"
    assert facts["trigger_phq9_item9"] == 1
    assert facts["trigger_suicide_item_unanswered"] is False
    assert "trigger_ymrs_total" not in facts
    assert "diary_missed_days" not in facts

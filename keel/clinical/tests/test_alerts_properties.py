"""Hypothesis properties of the alert evaluation over random histories."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from keel.clinical.alerts import (
    AlertFinding,
    DiaryPoint,
    DosePoint,
    PatientHistory,
    RatingPoint,
    Trigger,
)
from keel.clinical.tests.alert_helpers import START, run

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True, database=None)

YMRS_WIDE = (5, 6, 8, 9)


def _answers(instrument: str) -> st.SearchStrategy[tuple[int | None, ...]]:
    if instrument == "ymrs":
        return st.tuples(
            *(st.integers(0, 8 if number in YMRS_WIDE else 4) for number in range(1, 12))
        )
    if instrument == "asrm":
        return st.tuples(*(st.integers(0, 4) for _ in range(5)))
    return st.tuples(*(st.integers(0, 3) for _ in range(8)), st.none() | st.integers(0, 3))


@st.composite
def ratings(draw: st.DrawFn, index: int, *, acute: bool | None = None) -> RatingPoint:
    instrument = draw(st.sampled_from(("asrm", "ymrs", "phq9")))
    answers = draw(_answers(instrument))
    complete = all(value is not None for value in answers)
    return RatingPoint(
        ref=f"assessment:{index}",
        instrument_id=instrument,
        taken_at=START + timedelta(hours=draw(st.integers(0, 24 * 14))),
        total=sum(v for v in answers if v is not None) if complete else None,
        answers=answers,
        flags=frozenset(),
        purpose=draw(st.sampled_from(("pre_session", "check_in", "baseline"))),
        acute_post_dose=draw(st.booleans()) if acute is None else acute,
    )


@st.composite
def diaries(draw: st.DrawFn, index: int, *, acute: bool | None = None) -> DiaryPoint:
    return DiaryPoint(
        ref=f"diary:{index}",
        entry_date=(START + timedelta(days=draw(st.integers(-8, 14)))).date(),
        mood=draw(st.integers(-3, 3)),
        sleep_hours=Decimal(draw(st.integers(0, 20))) / 2,
        felt_less_need_for_sleep=draw(st.booleans()),
        irritability=draw(st.integers(0, 3)),
        energy=0,
        medication_taken_as_prescribed=True,
        acute_post_dose=draw(st.booleans()) if acute is None else acute,
    )


@st.composite
def histories(draw: st.DrawFn) -> PatientHistory:
    rating_count = draw(st.integers(1, 6))
    diary_count = draw(st.integers(0, 8))
    doses = tuple(
        DosePoint(f"dose:{i}", START + timedelta(hours=h), "iv_racemic_ketamine", None, i + 1)
        for i, h in enumerate(sorted(draw(st.sets(st.integers(0, 24 * 12), max_size=4))))
    )
    return PatientHistory(
        ratings=tuple(draw(ratings(i)) for i in range(rating_count)),
        diary=tuple(draw(diaries(i)) for i in range(diary_count)),
        doses=doses,
        induction_sessions_planned=draw(st.none() | st.integers(1, 4)),
        risk_modifiers=draw(st.sampled_from((frozenset(), frozenset({"bipolar_i"})))),
        diary_expected_since=draw(st.none() | st.just(START.date())),
    )


def triggers(history: PatientHistory) -> st.SearchStrategy[Trigger]:
    options = [Trigger("rating", r.ref) for r in history.ratings if not r.acute_post_dose]
    options += [Trigger("diary", d.ref) for d in history.diary if not d.acute_post_dose]
    options.append(Trigger("clock", "clock"))
    return st.sampled_from(options)


NOW = START + timedelta(days=16)


def switch_findings(findings: tuple[AlertFinding, ...]) -> list[tuple[str, str, str]]:
    return [
        (f.rule_id, f.level, f.evidence_key) for f in findings if f.category == "mood_elevation"
    ]


@SETTINGS
@given(data=st.data(), history=histories())
def test_an_acute_post_dose_rating_never_changes_switch_findings(
    data: st.DataObject, history: PatientHistory
) -> None:
    """REFERENCE.md §5.2: acute post-dose ratings and diary entries never feed switch rules."""
    trigger = data.draw(triggers(history))
    extra_rating = data.draw(ratings(99, acute=True))
    extra_diary = data.draw(diaries(99, acute=True))
    before = switch_findings(run(history, trigger, NOW))
    with_rating = replace(history, ratings=(*history.ratings, extra_rating))
    assert switch_findings(run(with_rating, trigger, NOW)) == before
    if all(entry.entry_date != extra_diary.entry_date for entry in history.diary):
        with_diary = replace(history, diary=(*history.diary, extra_diary))
        assert switch_findings(run(with_diary, trigger, NOW)) == before


@SETTINGS
@given(data=st.data(), history=histories())
def test_evaluation_is_deterministic_and_order_free(
    data: st.DataObject, history: PatientHistory
) -> None:
    """The same history in any order gives equal findings; every finding is well formed."""
    trigger = data.draw(triggers(history))
    findings = run(history, trigger, NOW)
    shuffled = replace(
        history,
        ratings=tuple(reversed(history.ratings)),
        diary=tuple(reversed(history.diary)),
        doses=tuple(reversed(history.doses)),
    )
    assert run(shuffled, trigger, NOW) == findings
    for finding in findings:
        assert finding.evidence_key
        assert finding.ack_due_at > NOW
        assert finding.priority in ("urgent", "routine")
        assert (finding.level != "") is (finding.category == "mood_elevation")
        if finding.priority == "urgent":
            assert finding.ack_due_at - NOW <= timedelta(hours=1)


@SETTINGS
@given(data=st.data(), history=histories())
def test_clock_rules_fire_only_on_the_clock(data: st.DataObject, history: PatientHistory) -> None:
    """Missed check-ins and non-response never fire on a rating or diary trigger."""
    trigger = data.draw(triggers(history))
    categories = {f.category for f in run(history, trigger, NOW)}
    if trigger.kind != "clock":
        assert not categories & {"missed_check_in", "non_response"}
    else:
        assert categories <= {"missed_check_in", "non_response"}

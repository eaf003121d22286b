"""C-SSRS screener: every triage row of both REFERENCE.md §1.7 tables and the null paths."""

from __future__ import annotations

import re

import pytest

from keel.clinical.instruments import CssrsLevel, InvalidAnswers, InvalidParameterError
from keel.clinical.tests.helpers import Answers, cssrs, cssrs_form

SI = "suicidal_ideation"
BEHAVIOUR = "cssrs_behaviour"
FOLLOWUP_MISSING = "cssrs_followup_missing"
INCOMPLETE = "cssrs_incomplete"

N = None

# Lifetime/recent version: [Q1, Q2, Q3, Q4, Q5, Q6, Q6 within past 3 months].
SCREEN_TABLE: list[tuple[str, Answers, str, bool, frozenset[str]]] = [
    ("all no", [0, 0, N, N, N, 0, N], "none", True, frozenset()),
    ("Q1 yes only", [1, 0, N, N, N, 0, N], "low", True, frozenset({SI})),
    ("Q2 yes only", [0, 1, 0, 0, 0, 0, N], "low", True, frozenset({SI})),
    ("Q1 and Q2 yes", [1, 1, 0, 0, 0, 0, N], "low", True, frozenset({SI})),
    ("Q3 yes", [1, 1, 1, 0, 0, 0, N], "moderate", True, frozenset({SI})),
    ("Q6 yes, over 3 months ago", [0, 0, N, N, N, 1, 0], "moderate", True, frozenset({BEHAVIOUR})),
    ("Q4 yes", [1, 1, 0, 1, 0, 0, N], "high", True, frozenset({SI})),
    ("Q5 yes", [1, 1, 0, 0, 1, 0, N], "high", True, frozenset({SI})),
    ("Q6 yes, within 3 months", [0, 0, N, N, N, 1, 1], "high", True, frozenset({BEHAVIOUR})),
    (
        "Q6 yes, follow-up unanswered (fail safe)",
        [0, 0, N, N, N, 1, N],
        "high",
        False,
        frozenset({BEHAVIOUR, FOLLOWUP_MISSING, INCOMPLETE}),
    ),
    (
        "highest wins: Q3 + old behaviour",
        [1, 1, 1, 0, 0, 1, 0],
        "moderate",
        True,
        frozenset({SI, BEHAVIOUR}),
    ),
    (
        "highest wins: Q1 + recent behaviour",
        [1, 0, N, N, N, 1, 1],
        "high",
        True,
        frozenset({SI, BEHAVIOUR}),
    ),
    (
        "highest wins: Q4 + old behaviour",
        [1, 1, 1, 1, 0, 1, 0],
        "high",
        True,
        frozenset({SI, BEHAVIOUR}),
    ),
    (
        "highest wins: Q1 + old behaviour",
        [1, 0, N, N, N, 1, 0],
        "moderate",
        True,
        frozenset({SI, BEHAVIOUR}),
    ),
]

# "Since last visit" version: [Q1, Q2, Q3, Q4, Q5, Q6].
SINCE_LAST_VISIT_TABLE: list[tuple[str, Answers, str, bool, frozenset[str]]] = [
    ("all no", [0, 0, N, N, N, 0], "none", True, frozenset()),
    ("Q1 yes only", [1, 0, N, N, N, 0], "low", True, frozenset({SI})),
    ("Q2 yes only", [0, 1, 0, 0, 0, 0], "low", True, frozenset({SI})),
    ("Q1 and Q2 yes", [1, 1, 0, 0, 0, 0], "low", True, frozenset({SI})),
    ("Q3 yes", [0, 1, 1, 0, 0, 0], "moderate", True, frozenset({SI})),
    ("Q4 yes", [0, 1, 0, 1, 0, 0], "high", True, frozenset({SI})),
    ("Q5 yes", [0, 1, 0, 0, 1, 0], "high", True, frozenset({SI})),
    (
        "Q6 yes (any behaviour since last visit)",
        [0, 0, N, N, N, 1],
        "high",
        True,
        frozenset({BEHAVIOUR}),
    ),
    ("Q6 yes with Q1", [1, 0, N, N, N, 1], "high", True, frozenset({SI, BEHAVIOUR})),
]


def _ids(table: list[tuple[str, Answers, str, bool, frozenset[str]]]) -> list[str]:
    return [row[0] for row in table]


@pytest.mark.parametrize(
    ("_name", "form", "level", "complete", "flags"), SCREEN_TABLE, ids=_ids(SCREEN_TABLE)
)
def test_screen_triage_table(
    _name: str, form: Answers, level: str, complete: bool, flags: frozenset[str]
) -> None:
    """Lifetime/recent version: every row of REFERENCE.md §1.7's first table."""
    score = cssrs("cssrs_screen").score(form)
    assert score.band == level
    assert isinstance(score.band, CssrsLevel)
    assert score.total is None
    assert score.complete is complete
    assert score.flags == flags


@pytest.mark.parametrize(
    ("_name", "form", "level", "complete", "flags"),
    SINCE_LAST_VISIT_TABLE,
    ids=_ids(SINCE_LAST_VISIT_TABLE),
)
def test_since_last_visit_triage_table(
    _name: str, form: Answers, level: str, complete: bool, flags: frozenset[str]
) -> None:
    """Since-last-visit version: every row of REFERENCE.md §1.7's second table."""
    score = cssrs("cssrs_since_last_visit").score(form)
    assert score.band == level
    assert score.total is None
    assert score.complete is complete
    assert score.flags == flags


def test_missing_followup_is_never_read_as_not_recent() -> None:
    """Q6 yes with the follow-up None is high, not the 'over 3 months' moderate."""
    score = cssrs("cssrs_screen").score(cssrs_form(q6=1, recent=None))
    assert score.band == CssrsLevel.HIGH
    assert FOLLOWUP_MISSING in score.flags


@pytest.mark.parametrize(
    ("instrument_id", "params", "form", "level"),
    [
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": "moderate"},
            cssrs_form(q6=1),
            "moderate",
        ),
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": CssrsLevel.HIGH},
            cssrs_form(q6=1),
            "high",
        ),
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": "moderate"},
            cssrs_form(q4=1, q2=1, q3=0, q5=0, q6=1),
            "high",
        ),
        (
            "cssrs_since_last_visit",
            {"cssrs_since_last_visit_q6_yes_level": "moderate"},
            cssrs_form(q6=1, since_last_visit=True),
            "moderate",
        ),
    ],
)
def test_level_params_override(
    instrument_id: str, params: dict[str, str], form: Answers, level: str
) -> None:
    """The configured level replaces the default; highest still wins."""
    assert cssrs(instrument_id).score(form, params=params).band == level


@pytest.mark.parametrize(
    ("instrument_id", "params", "match"),
    [
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": "low"},
            "'low' is not an allowed level",
        ),
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": "none"},
            "'none' is not an allowed level",
        ),
        (
            "cssrs_screen",
            {"cssrs_q6_followup_missing_level": "red"},
            "'red' is not an allowed level",
        ),
        ("cssrs_screen", {"cssrs_q6_followup_missing_level": 3}, "expected text, got int"),
        (
            "cssrs_screen",
            {"cssrs_since_last_visit_q6_yes_level": "high"},
            "unknown parameter 'cssrs_since_last_visit_q6_yes_level'",
        ),
        (
            "cssrs_since_last_visit",
            {"cssrs_q6_followup_missing_level": "high"},
            "unknown parameter 'cssrs_q6_followup_missing_level'",
        ),
    ],
)
def test_bad_level_params_are_refused(
    instrument_id: str, params: dict[str, object], match: str
) -> None:
    """Levels below moderate, unknown levels, wrong types and the other version's param fail."""
    inst = cssrs(instrument_id)
    form = cssrs_form(since_last_visit=instrument_id == "cssrs_since_last_visit")
    with pytest.raises(InvalidParameterError, match=match):
        inst.score(form, params=params)  # type: ignore[arg-type]


@pytest.mark.parametrize("since_last_visit", [False, True])
@pytest.mark.parametrize("number", [3, 4, 5])
@pytest.mark.parametrize("value", [0, 1])
def test_skipped_q3_to_q5_must_be_none_when_q2_is_no(
    since_last_visit: bool, number: int, value: int
) -> None:
    """Q3-Q5 are skipped when Q2 is no; answering them is an error."""
    kwargs = {f"q{number}": value}
    form = cssrs_form(q2=0, since_last_visit=since_last_visit, **kwargs)
    inst = cssrs("cssrs_since_last_visit" if since_last_visit else "cssrs_screen")
    with pytest.raises(
        InvalidAnswers, match=rf"item {number} \(.*\): {value} given, .*skipped when item 2"
    ):
        inst.score(form)


@pytest.mark.parametrize("value", [0, 1])
def test_followup_must_be_none_when_q6_is_no(value: int) -> None:
    """The 3-month follow-up is skipped when Q6 is no."""
    with pytest.raises(
        InvalidAnswers, match=re.escape(f"item 7 (behaviour in past 3 months): {value} given")
    ):
        cssrs("cssrs_screen").score(cssrs_form(q6=0, recent=value))


def test_versions_are_not_interchangeable() -> None:
    """Each version takes only its own number of answers."""
    with pytest.raises(InvalidAnswers, match="expected 6 answers"):
        cssrs("cssrs_since_last_visit").score(cssrs_form())
    with pytest.raises(InvalidAnswers, match="expected 7 answers"):
        cssrs("cssrs_screen").score(cssrs_form(since_last_visit=True))


# Unanswered required questions: a blank is never read as "no".
INCOMPLETE_TABLE: list[tuple[str, str, Answers, str | None, frozenset[str]]] = [
    ("cssrs_screen", "everything blank", [N] * 7, None, frozenset({INCOMPLETE})),
    ("cssrs_screen", "Q1 blank, rest no", [N, 0, N, N, N, 0, N], None, frozenset({INCOMPLETE})),
    ("cssrs_screen", "Q6 blank, rest no", [0, 0, N, N, N, N, N], None, frozenset({INCOMPLETE})),
    (
        "cssrs_screen",
        "Q2 yes, Q3-Q5 blank",
        [0, 1, N, N, N, 0, N],
        "low",
        frozenset({SI, INCOMPLETE}),
    ),
    (
        "cssrs_screen",
        "Q2 blank, Q4 yes kept",
        [0, N, N, 1, N, 0, N],
        "high",
        frozenset({SI, INCOMPLETE}),
    ),
    ("cssrs_screen", "Q6 blank, Q1 yes", [1, 0, N, N, N, N, N], "low", frozenset({SI, INCOMPLETE})),
    (
        "cssrs_screen",
        "Q6 blank, follow-up yes kept",
        [0, 0, N, N, N, N, 1],
        "high",
        frozenset({BEHAVIOUR, INCOMPLETE}),
    ),
    (
        "cssrs_screen",
        "Q6 blank, follow-up no",
        [0, 0, N, N, N, N, 0],
        None,
        frozenset({INCOMPLETE}),
    ),
    ("cssrs_since_last_visit", "everything blank", [N] * 6, None, frozenset({INCOMPLETE})),
    (
        "cssrs_since_last_visit",
        "Q6 blank, rest no",
        [0, 0, N, N, N, N],
        None,
        frozenset({INCOMPLETE}),
    ),
    (
        "cssrs_since_last_visit",
        "Q2 yes, Q5 blank",
        [0, 1, 0, 0, N, 0],
        "low",
        frozenset({SI, INCOMPLETE}),
    ),
    (
        "cssrs_since_last_visit",
        "Q1 blank, Q6 yes",
        [N, 0, N, N, N, 1],
        "high",
        frozenset({BEHAVIOUR, INCOMPLETE}),
    ),
]


@pytest.mark.parametrize(
    ("instrument_id", "_name", "form", "level", "flags"),
    INCOMPLETE_TABLE,
    ids=[f"{row[0]}: {row[1]}" for row in INCOMPLETE_TABLE],
)
def test_incomplete_forms_fail_safe(
    instrument_id: str, _name: str, form: Answers, level: str | None, flags: frozenset[str]
) -> None:
    """Incomplete: level from the answers given (None if none), cssrs_incomplete set."""
    score = cssrs(instrument_id).score(form)
    assert score.complete is False
    assert score.band == level
    assert score.flags == flags

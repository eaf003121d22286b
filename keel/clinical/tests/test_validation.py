"""Answer validation: wrong count, out of range and wrong types raise InvalidAnswers."""

from __future__ import annotations

import re

import pytest

from keel.clinical.instruments import INSTRUMENT_IDS, InvalidAnswers, get_instrument
from keel.clinical.tests.helpers import answers, cssrs, cssrs_form, scale


def test_invalid_answers_is_a_value_error() -> None:
    """The app layer may catch ValueError."""
    assert issubclass(InvalidAnswers, ValueError)


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
@pytest.mark.parametrize("delta", [-1, 1])
def test_wrong_number_of_answers(instrument_id: str, delta: int) -> None:
    """Too few or too many answers name the expected count."""
    inst = get_instrument(instrument_id)
    count = len(inst.items)
    with pytest.raises(InvalidAnswers, match=rf"expected {count} answers .*got {count + delta}"):
        inst.score([None] * (count + delta))


@pytest.mark.parametrize("bad", ["0123", b"01", 7, None])
def test_answers_must_be_a_sequence(bad: object) -> None:
    """A string, bytes or a scalar is not a list of answers."""
    with pytest.raises(InvalidAnswers, match="answers must be a sequence"):
        scale("phq9").score(bad)  # type: ignore[arg-type]  # deliberate misuse


@pytest.mark.parametrize(
    ("instrument_id", "number", "value", "message"),
    [
        ("phq9", 9, 4, "item 9 (thoughts of self-harm): 4 is outside the allowed range 0-3"),
        ("phq9", 1, -1, "item 1 (interest: little pleasure): -1 is outside the allowed range 0-3"),
        ("gad7", 7, 4, "item 7 (sense of dread): 4 is outside the allowed range 0-3"),
        (
            "qids_sr16",
            12,
            4,
            "item 12 (thoughts of death or suicide): 4 is outside the allowed range 0-3",
        ),
        ("madrs", 10, 7, "item 10 (suicidal thoughts): 7 is outside the allowed range 0-6"),
        ("ymrs", 1, 5, "item 1 (elevated mood): 5 is outside the allowed range 0-4"),
        ("ymrs", 4, 5, "item 4 (sleep): 5 is outside the allowed range 0-4"),
        ("ymrs", 7, 5, "item 7 (language or thought disorder): 5 is outside the allowed range 0-4"),
        ("ymrs", 10, 5, "item 10 (appearance): 5 is outside the allowed range 0-4"),
        ("ymrs", 11, 5, "item 11 (insight): 5 is outside the allowed range 0-4"),
        ("ymrs", 5, 9, "item 5 (irritability): 9 is outside the allowed range 0-8"),
        (
            "ymrs",
            9,
            9,
            "item 9 (disruptive or aggressive behaviour): 9 is outside the allowed range 0-8",
        ),
        ("asrm", 3, 5, "item 3 (need for sleep): 5 is outside the allowed range 0-4"),
        ("cadss", 23, 5, "item 23 (observer 4 of 4): 5 is outside the allowed range 0-4"),
        ("moaas", 1, 6, "item 1 (responsiveness): 6 is outside the allowed range 0-5"),
        ("moaas", 1, -1, "item 1 (responsiveness): -1 is outside the allowed range 0-5"),
    ],
)
def test_out_of_range_names_item_and_range(
    instrument_id: str, number: int, value: int, message: str
) -> None:
    """Out-of-range values are rejected, never clamped."""
    inst = scale(instrument_id)
    with pytest.raises(InvalidAnswers, match=re.escape(message)):
        inst.score(answers(inst, {number: value}))


@pytest.mark.parametrize("instrument_id", ["cssrs_screen", "cssrs_since_last_visit"])
def test_cssrs_answers_are_zero_or_one(instrument_id: str) -> None:
    """C-SSRS answers outside 0/1 are rejected."""
    inst = cssrs(instrument_id)
    form = cssrs_form(q1=2, since_last_visit=instrument_id == "cssrs_since_last_visit")
    with pytest.raises(
        InvalidAnswers,
        match=re.escape("item 1 (wish to be dead): 2 is outside the allowed range 0-1"),
    ):
        inst.score(form)


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(True, "bool"), (False, "bool"), (1.0, "float"), (2.5, "float"), ("1", "str"), ([1], "list")],
)
@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_non_integer_answers_are_rejected(
    instrument_id: str, value: object, type_name: str
) -> None:
    """bool (an int subclass), float and str are never accepted as scores."""
    inst = get_instrument(instrument_id)
    form: list[object] = [None] * len(inst.items)
    form[0] = value
    label = inst.items[0].label
    with pytest.raises(
        InvalidAnswers,
        match=re.escape(f"item 1 ({label}): {type_name} {value!r} is not an integer score"),
    ):
        inst.score(form)  # type: ignore[arg-type]  # deliberate misuse


def test_message_gives_allowed_range_for_wrong_type() -> None:
    """The type error also states the allowed range."""
    with pytest.raises(InvalidAnswers, match=r"allowed range is 0-8"):
        scale("ymrs").score(answers(scale("ymrs"), {5: 4.0}))  # type: ignore[dict-item]


def test_tuple_answers_are_accepted() -> None:
    """Any sequence works, not only lists."""
    assert scale("gad7").score((1, 1, 1, 1, 1, 1, 1)).total == 7

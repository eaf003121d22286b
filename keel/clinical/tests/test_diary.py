"""Daily mood/sleep diary record (REFERENCE.md §1.10)."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from keel.clinical.instruments import DiaryEntry, InvalidAnswers
from keel.clinical.instruments.diary import FIELDS, MOOD_ANCHORS

VALID: dict[str, object] = {
    "mood": 0,
    "sleep_hours": Decimal("7.5"),
    "felt_less_need_for_sleep": False,
    "irritability": 0,
    "energy": 0,
    "medication_taken_as_prescribed": True,
}


def entry(**changes: object) -> DiaryEntry:
    """Return a diary entry built with ``create`` from VALID plus ``changes``."""
    return DiaryEntry.create(**{**VALID, **changes})  # type: ignore[arg-type]


def test_valid_entry_round_trips() -> None:
    """A valid entry keeps its values."""
    diary = entry()
    assert diary.mood == 0
    assert diary.sleep_hours == Decimal("7.5")
    assert diary.medication_taken_as_prescribed is True


@pytest.mark.parametrize(
    ("hours", "stored"),
    [
        (0, Decimal(0)),
        (24, Decimal(24)),
        (7.1, Decimal("7.1")),
        (6.25, Decimal("6.25")),
        (Decimal("8.0"), Decimal("8.0")),
        (Decimal("23.99"), Decimal("23.99")),
    ],
)
def test_sleep_hours_accepts_int_float_decimal(hours: object, stored: Decimal) -> None:
    """int, float and Decimal hours are stored as Decimal without float noise."""
    diary = entry(sleep_hours=hours)
    assert isinstance(diary.sleep_hours, Decimal)
    assert diary.sleep_hours == stored


@pytest.mark.parametrize(
    ("field", "low", "high"), [("mood", -3, 3), ("energy", -3, 3), ("irritability", 0, 3)]
)
def test_integer_field_edges(field: str, low: int, high: int) -> None:
    """Both ends of each integer range are accepted."""
    assert getattr(entry(**{field: low}), field) == low
    assert getattr(entry(**{field: high}), field) == high


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mood", 4, "mood: 4 is outside the allowed range -3 to +3"),
        ("mood", -4, "mood: -4 is outside the allowed range -3 to +3"),
        ("mood", True, "mood: bool True is not an integer; the allowed range is -3 to +3"),
        ("mood", 1.0, "mood: float 1.0 is not an integer"),
        ("mood", "1", "mood: str '1' is not an integer"),
        ("energy", 4, "energy: 4 is outside the allowed range -3 to +3"),
        ("energy", -4, "energy: -4 is outside the allowed range -3 to +3"),
        ("irritability", 4, "irritability: 4 is outside the allowed range 0 to +3"),
        ("irritability", -1, "irritability: -1 is outside the allowed range 0 to +3"),
        ("sleep_hours", -1, "sleep_hours: -1 is outside the allowed range 0-24 hours"),
        ("sleep_hours", 24.5, "sleep_hours: 24.5 is outside the allowed range 0-24 hours"),
        (
            "sleep_hours",
            Decimal("24.01"),
            "sleep_hours: 24.01 is outside the allowed range 0-24 hours",
        ),
        ("sleep_hours", float("nan"), "sleep_hours: nan is not a finite number"),
        ("sleep_hours", float("inf"), "sleep_hours: inf is not a finite number"),
        ("sleep_hours", Decimal("NaN"), "sleep_hours: Decimal('NaN') is not a finite number"),
        (
            "sleep_hours",
            Decimal("Infinity"),
            "sleep_hours: Decimal('Infinity') is not a finite number",
        ),
        ("sleep_hours", True, "sleep_hours: bool True is not a number of hours"),
        ("sleep_hours", "7", "sleep_hours: str '7' is not a number of hours"),
        ("sleep_hours", None, "sleep_hours: NoneType None is not a number of hours"),
        ("felt_less_need_for_sleep", 1, "felt_less_need_for_sleep: int 1 is not yes/no"),
        ("felt_less_need_for_sleep", "yes", "felt_less_need_for_sleep: str 'yes' is not yes/no"),
        (
            "medication_taken_as_prescribed",
            0,
            "medication_taken_as_prescribed: int 0 is not yes/no",
        ),
        (
            "medication_taken_as_prescribed",
            None,
            "medication_taken_as_prescribed: NoneType None is not yes/no",
        ),
    ],
)
def test_invalid_values_name_field_and_range(field: str, value: object, message: str) -> None:
    """Every invalid value raises InvalidAnswers naming the field; nothing is clamped."""
    with pytest.raises(InvalidAnswers, match=re.escape(message)):
        entry(**{field: value})


def test_direct_constructor_validates_too() -> None:
    """The dataclass constructor runs the same checks as create()."""
    with pytest.raises(InvalidAnswers, match="mood: 5 is outside"):
        DiaryEntry(
            mood=5,
            sleep_hours=Decimal(7),
            felt_less_need_for_sleep=False,
            irritability=0,
            energy=0,
            medication_taken_as_prescribed=True,
        )


def test_entry_is_frozen() -> None:
    """Diary entries are immutable."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry().mood = 1  # type: ignore[misc]


def test_mood_anchors_never_say_better() -> None:
    """Positive anchors say higher / more energetic than the usual, non-depressed self."""
    assert [anchor.value for anchor in MOOD_ANCHORS] == list(range(-3, 4))
    for anchor in MOOD_ANCHORS:
        assert "better" not in anchor.label.lower()
        assert "worse" not in anchor.label.lower()
        assert "usual, non-depressed self" in anchor.label
        if anchor.value > 0:
            assert "higher / more energetic than" in anchor.label
        if anchor.value < 0:
            assert "lower than" in anchor.label


def test_fields_describe_every_attribute() -> None:
    """Field metadata covers exactly the dataclass fields, in order."""
    assert [field.name for field in FIELDS] == [f.name for f in dataclasses.fields(DiaryEntry)]

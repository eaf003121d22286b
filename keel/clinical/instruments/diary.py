"""Daily mood/sleep diary: a validated record, not a scored scale.

Provenance (STYLE.md section 7)

1. Identity: record ``diary``, version ``1``; last checked against
   REFERENCE.md §1.10 on 2026-11-26.
2. Source: project convention derived from the NIMH Life Chart Method
   (prospective) and the -3..+3 daily mood charts used in electronic mood
   charting and the MONARCA smartphone studies (REFERENCE.md §1.10;
   -3..+3 anchors [src: psycheducation mood chart]; MONARCA use [mem],
   Faurholt-Jepsen M et al., Bipolar Disord 2015/2019).
3. Licence/IP: the record layout is Keel's own (project convention); no
   third-party text is used. Field labels and mood anchors are Keel's own
   words.
4. Scoring: none (a record, not a scale). Fields and ranges, all required
   (there is no "incomplete" diary):
   ``mood`` int -3..+3 (0 = the patient's usual, non-depressed self);
   ``sleep_hours`` decimal hours last night, 0-24 inclusive (int, float or
   Decimal accepted and stored as Decimal; bool, str, NaN and infinities
   rejected); ``felt_less_need_for_sleep`` bool; ``irritability`` int 0-3;
   ``energy`` int -3..+3; ``medication_taken_as_prescribed`` bool. Invalid
   values raise ``InvalidAnswers`` naming the field and its range; nothing is
   clamped.

   Mood anchor wording rule (required by the §5 switch rule): positive values
   are worded "higher / more energetic than your usual, non-depressed self",
   NEVER "better"; negative values "lower than your usual, non-depressed
   self". A responder moving from -3 to 0 feels much better; "better"
   anchors would make that patient report +2 and trip the amber rule.
5. Safety items: none scored here. The switch rules that read diary entries
   (``switch_amber_diary_mood_min``, ``switch_sleep_*``,
   ``mixed_elevation_*``; personal baseline = mean of >= 7 diary days before
   the first dose) belong to the protocol engine / outcomes.
6. Review status: unreviewed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from keel.clinical.instruments._base import Anchor, InvalidAnswers, Provenance

ID: Final = "diary"
VERSION: Final = "1"

MOOD_MIN: Final = -3
MOOD_MAX: Final = 3
ENERGY_MIN: Final = -3
ENERGY_MAX: Final = 3
IRRITABILITY_MIN: Final = 0
IRRITABILITY_MAX: Final = 3
SLEEP_HOURS_MIN: Final = Decimal(0)
SLEEP_HOURS_MAX: Final = Decimal(24)

_USUAL: Final = "your usual, non-depressed self"

MOOD_ANCHORS: Final = (
    Anchor(-3, f"much lower than {_USUAL}"),
    Anchor(-2, f"lower than {_USUAL}"),
    Anchor(-1, f"a little lower than {_USUAL}"),
    Anchor(0, _USUAL),
    Anchor(1, f"a little higher / more energetic than {_USUAL}"),
    Anchor(2, f"higher / more energetic than {_USUAL}"),
    Anchor(3, f"much higher / more energetic than {_USUAL}"),
)
"""Keel's own mood anchors; positive values never say "better"."""


@dataclass(frozen=True, slots=True)
class DiaryField:
    """Display metadata for one diary field (labels in Keel's own words)."""

    name: str
    label: str
    kind: str
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    anchors: tuple[Anchor, ...] = ()


FIELDS: Final = (
    DiaryField(
        "mood", "mood compared with your usual self", "int", MOOD_MIN, MOOD_MAX, MOOD_ANCHORS
    ),
    DiaryField(
        "sleep_hours", "hours slept last night", "decimal", SLEEP_HOURS_MIN, SLEEP_HOURS_MAX
    ),
    DiaryField("felt_less_need_for_sleep", "needed less sleep than usual", "bool"),
    DiaryField("irritability", "irritability", "int", IRRITABILITY_MIN, IRRITABILITY_MAX),
    DiaryField("energy", "energy and activity", "int", ENERGY_MIN, ENERGY_MAX),
    DiaryField("medication_taken_as_prescribed", "medicines taken as prescribed", "bool"),
)

PROVENANCE: Final = Provenance(
    citation=(
        "Project convention (REFERENCE.md §1.10), derived from the NIMH Life Chart Method "
        "(prospective) and -3..+3 daily mood charts (psycheducation mood chart; MONARCA "
        "studies, Faurholt-Jepsen M et al. [mem])."
    ),
    licence_note="Keel's own record layout and wording; no third-party text.",
    scoring_source="Not scored; field ranges from REFERENCE.md §1.10",
    notes=(
        "Mood anchors: positive values are 'higher / more energetic than your usual, "
        "non-depressed self', never 'better'.",
    ),
)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _check_int(name: str, value: object, low: int, high: int) -> int:
    allowed = f"{_signed(low)} to {_signed(high)}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAnswers(
            f"{name}: {type(value).__name__} {value!r} is not an integer; "
            f"the allowed range is {allowed}"
        )
    if not low <= value <= high:
        raise InvalidAnswers(f"{name}: {value} is outside the allowed range {allowed}")
    return int(value)


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidAnswers(
            f"{name}: {type(value).__name__} {value!r} is not yes/no; expected True or False"
        )
    return value


def _check_hours(name: str, value: object) -> Decimal:
    allowed = f"{SLEEP_HOURS_MIN}-{SLEEP_HOURS_MAX} hours"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidAnswers(
            f"{name}: {type(value).__name__} {value!r} is not a number of hours; "
            f"the allowed range is {allowed}"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidAnswers(
            f"{name}: {value!r} is not a finite number; the allowed range is {allowed}"
        )
    # str() keeps the decimal digits the patient entered (7.1 -> Decimal("7.1")).
    hours = value if isinstance(value, Decimal) else Decimal(str(value))
    if not hours.is_finite():
        raise InvalidAnswers(
            f"{name}: {value!r} is not a finite number; the allowed range is {allowed}"
        )
    if not SLEEP_HOURS_MIN <= hours <= SLEEP_HOURS_MAX:
        raise InvalidAnswers(f"{name}: {value} is outside the allowed range {allowed}")
    return hours


@dataclass(frozen=True, slots=True)
class DiaryEntry:
    """One day's diary entry; the constructor validates every field.

    ``sleep_hours`` may be given as int, float or Decimal and is stored as a
    Decimal. Invalid values raise :class:`InvalidAnswers`.
    """

    mood: int
    sleep_hours: Decimal
    felt_less_need_for_sleep: bool
    irritability: int
    energy: int
    medication_taken_as_prescribed: bool

    def __post_init__(self) -> None:
        """Validate every field; normalise ``sleep_hours`` to Decimal."""
        _check_int("mood", self.mood, MOOD_MIN, MOOD_MAX)
        hours = _check_hours("sleep_hours", self.sleep_hours)
        object.__setattr__(self, "sleep_hours", hours)
        _check_bool("felt_less_need_for_sleep", self.felt_less_need_for_sleep)
        _check_int("irritability", self.irritability, IRRITABILITY_MIN, IRRITABILITY_MAX)
        _check_int("energy", self.energy, ENERGY_MIN, ENERGY_MAX)
        _check_bool("medication_taken_as_prescribed", self.medication_taken_as_prescribed)

    @classmethod
    def create(
        cls,
        *,
        mood: int,
        sleep_hours: Decimal | int | float,
        felt_less_need_for_sleep: bool,
        irritability: int,
        energy: int,
        medication_taken_as_prescribed: bool,
    ) -> DiaryEntry:
        """Validate raw values and return a :class:`DiaryEntry`."""
        return cls(
            mood=mood,
            sleep_hours=_check_hours("sleep_hours", sleep_hours),
            felt_less_need_for_sleep=felt_less_need_for_sleep,
            irritability=irritability,
            energy=energy,
            medication_taken_as_prescribed=medication_taken_as_prescribed,
        )

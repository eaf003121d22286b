"""Default check-in schedules per course phase, as data (REFERENCE.md §0 "Quick table of instruments").

The table's last column, "Suggested frequency in this program", is itself a
proposal (project convention, REFERENCE.md §0 footnote). Where it gives a
range ("every 2-4 weeks") Keel starts at the shorter interval and says so;
where it is silent the row says "project convention". Only what the patient
fills in between visits is scheduled here: MADRS and YMRS are rated by staff
at visits (REFERENCE.md §0: before each session), and the C-SSRS is asked
when a trigger calls for it (§7), never on a timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from keel.monitoring.models import Frequency


class CoursePhase(StrEnum):
    """The phase of the treatment course a default applies to."""

    INDUCTION = "induction"
    MAINTENANCE = "maintenance"

    @property
    def label(self) -> str:
        return {"induction": "Induction", "maintenance": "Maintenance (later)"}[self.value]


@dataclass(frozen=True, slots=True)
class ScheduleDefault:
    """One default assignment and where it comes from."""

    instrument_id: str
    frequency: Frequency
    basis: str
    convention: bool


_DIARY = ScheduleDefault(
    "diary",
    Frequency.DAILY,
    "REFERENCE.md §0: daily mood/sleep diary, daily (§1.10); prompted every day in the "
    "post-session watch window (§5.2)",
    convention=False,
)
_QIDS = ScheduleDefault("qids_sr16", Frequency.WEEKLY, "REFERENCE.md §0: QIDS-SR16 weekly", False)
_ASRM = ScheduleDefault(
    "asrm", Frequency.WEEKLY, "REFERENCE.md §0: ASRM weekly (more often if alert)", False
)

DEFAULTS: Final[dict[CoursePhase, tuple[ScheduleDefault, ...]]] = {
    CoursePhase.INDUCTION: (
        _DIARY,
        ScheduleDefault(
            "phq9", Frequency.WEEKLY, "REFERENCE.md §0: PHQ-9 weekly during induction", False
        ),
        _QIDS,
        _ASRM,
    ),
    CoursePhase.MAINTENANCE: (
        _DIARY,
        ScheduleDefault(
            "phq9",
            Frequency.FORTNIGHTLY,
            "REFERENCE.md §0: PHQ-9 every 2-4 weeks later; starting at 2 weeks is project "
            "convention",
            convention=True,
        ),
        _QIDS,
        _ASRM,
    ),
}
"""Defaults per phase. GAD-7 is optional (§0: "intake; every 2-4 weeks") and is added by hand."""

OPTIONAL: Final = (
    ScheduleDefault(
        "gad7",
        Frequency.FORTNIGHTLY,
        "REFERENCE.md §0: GAD-7 optional, every 2-4 weeks; not applied by default (project "
        "convention)",
        convention=True,
    ),
)

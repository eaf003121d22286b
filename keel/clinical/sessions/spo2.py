"""How long SpO2 has stayed below a level: the ``spo2_sustained_seconds`` fact.

Provenance (STYLE.md section 7)

1. Identity: ``spo2_seconds_below``, the fact read by the stop rule
   ``stop.spo2.prescriber_bedside`` of protocol keel-default; last checked
   against REFERENCE.md §1.9 and §10 on 2026-11-27.
2. Source: REFERENCE.md §1.9 escalation tiers: "SpO2 < 94 % on room air,
   sustained - prescriber to the bedside" (project convention, §10
   ``spo2_prescriber_below``); how long "sustained" is: UNCONFIRMED, the
   medical director sets it (§10 ``spo2_sustained_seconds``, none, must be
   set). This module only measures; the rule compares.
3. Licence/IP: no third-party text.
4. Logic: the run is the readings below the level that end at the latest
   reading, back to (not including) the newest reading at or above it. The
   time below is the seconds from the first reading of that run to the
   latest (whole seconds, rounded down). A single reading below the level
   gives 0; a latest reading at or above the level gives 0. Readings are
   spot checks, so the time before the first low reading of the run is not
   counted (it is unknown when the saturation fell).
5. Safety items: the prescriber tier of §1.9; with the shipped placeholder
   ``spo2_sustained_seconds`` = 0 any reading below the level fires.
6. Review status: unreviewed.

Datetimes are parameters; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from typing import NamedTuple


class Spo2Reading(NamedTuple):
    """One pulse-oximetry reading: when it was taken and the SpO2 in %."""

    taken_at: datetime
    spo2: int


def spo2_seconds_below(readings: Sequence[Spo2Reading], below: int) -> int:
    """Return the seconds SpO2 has stayed below ``below`` up to the latest reading.

    ``readings`` are in the order taken, oldest first (the last one is the
    latest). Raises ``ValueError`` if a reading is older than the one before
    it. Example::

        spo2_seconds_below([Spo2Reading(t0, 95), Spo2Reading(t1, 92),
                            Spo2Reading(t1 + timedelta(seconds=90), 91)], 94)  # 90
    """
    for earlier, later in pairwise(readings):
        if later.taken_at < earlier.taken_at:
            raise ValueError("SpO2 readings must be in the order taken (oldest first).")
    if not readings or readings[-1].spo2 >= below:
        return 0
    first = len(readings) - 1
    while first > 0 and readings[first - 1].spo2 < below:
        first -= 1
    return int((readings[-1].taken_at - readings[first].taken_at).total_seconds())

"""The acute post-dose window (REFERENCE.md §5.2), defined once.

A rating, diary entry or note made 0 to ``switch_acute_post_dose_exclusion_hours``
after a dose is "acute post-dose" and does not feed the switch rules. Both the
session record (which tags a rating when it is stored) and the alert rules (which
also test untagged ratings against the dose times) ask this one function, so the
two can never disagree at the boundary. Both ends are included: REFERENCE.md
writes the window "0-4 h", and its conventions read a range "a-b" as a <= x <= b.
The hours are a project convention, configurable per protocol.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def in_acute_window(moment: datetime, dose_at: datetime, window_hours: int) -> bool:
    """Return True when ``moment`` is 0 to ``window_hours`` after ``dose_at``, both included.

    Example::

        in_acute_window(dose + timedelta(hours=4), dose, 4)  # True
        in_acute_window(dose - timedelta(seconds=1), dose, 4)  # False: before the dose
    """
    return dose_at <= moment <= dose_at + timedelta(hours=window_hours)

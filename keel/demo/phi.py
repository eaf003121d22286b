"""The demo patients' identifying values, to prove they never reach a log (OWASP ASVS 7.1.1).

Used by ``keel/common/tests/test_phi_logs.py`` and ``scripts/check_phi_in_logs.py``
(which greps the log of the browser run).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from keel.demo import data

MRN_DIGITS = 6  # as keel.patients.services numbers them


def demo_phi_values(extra_mrns: Iterable[str] = ()) -> list[str]:
    """Given and family names, MRNs and birth dates (in the usual spellings) of the demo patients.

    The demo clinic numbers its patients from 1 in load order; ``extra_mrns``
    adds MRNs read from a database.
    """
    values: set[str] = set(extra_mrns)
    for number, person in enumerate(data.PATIENTS, start=1):
        values |= {person.given_name, person.family_name}
        values.add(f"{data.CLINIC_MRN_PREFIX}{number:0{MRN_DIGITS}d}")
        born = person.birth_date
        values |= {
            born.isoformat(),
            born.strftime("%m/%d/%Y"),
            born.strftime("%d/%m/%Y"),
            born.strftime("%B %d, %Y"),
            f"{born.strftime('%B')} {born.day}, {born.year}",
            born.strftime("%d %B %Y"),
            born.strftime("%Y%m%d"),
        }
    return sorted(values)


def phi_found(text: str, values: Iterable[str] | None = None) -> list[str]:
    """The values that occur in ``text`` as whole words (case-sensitive), sorted."""
    candidates = demo_phi_values() if values is None else list(values)
    return sorted(
        value
        for value in candidates
        if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text) is not None
    )

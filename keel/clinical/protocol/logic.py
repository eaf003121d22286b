"""Three-valued (Kleene) logic for rules whose facts may be missing.

A comparison on a missing fact is :attr:`Truth.UNKNOWN`, never False, so a
rule with missing facts reports "missing information" instead of passing
silently. Combination rules:

- ``all``: FALSE if any part is FALSE, else UNKNOWN if any part is UNKNOWN,
  else TRUE;
- ``any``: TRUE if any part is TRUE, else UNKNOWN if any part is UNKNOWN,
  else FALSE;
- ``not``: swaps TRUE and FALSE; ``not UNKNOWN`` is UNKNOWN.

A definite answer (TRUE or FALSE) therefore never changes when a missing
fact is later filled in: only UNKNOWN can resolve either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Truth(StrEnum):
    """A truth value of three-valued logic."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool) -> Truth:
        """Return TRUE or FALSE for a plain ``bool``."""
        return cls.TRUE if value else cls.FALSE


def all_of(values: Iterable[Truth]) -> Truth:
    """Return the three-valued conjunction of ``values`` (TRUE when empty)."""
    seen = set(values)
    if Truth.FALSE in seen:
        return Truth.FALSE
    if Truth.UNKNOWN in seen:
        return Truth.UNKNOWN
    return Truth.TRUE


def any_of(values: Iterable[Truth]) -> Truth:
    """Return the three-valued disjunction of ``values`` (FALSE when empty)."""
    seen = set(values)
    if Truth.TRUE in seen:
        return Truth.TRUE
    if Truth.UNKNOWN in seen:
        return Truth.UNKNOWN
    return Truth.FALSE


def not_(value: Truth) -> Truth:
    """Return the three-valued negation of ``value``."""
    if value is Truth.UNKNOWN:
        return Truth.UNKNOWN
    return Truth.FALSE if value is Truth.TRUE else Truth.TRUE

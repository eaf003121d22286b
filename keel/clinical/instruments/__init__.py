"""Registry of Keel's rating instruments.

Usage::

    from keel.clinical.instruments import (
        INSTRUMENT_IDS,
        InvalidAnswers,
        get_instrument,
    )

    score = get_instrument("phq9").score([0, 1, 2, 3, 0, 1, 2, 0, 1])
    score.total, score.band, score.complete, score.flags

Item labels are Keel's own short words, never the copyrighted item text; the
official wording comes from a clinic-installed text pack (REFERENCE.md §1.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from keel.clinical.instruments import (
    asrm,
    cadss,
    cssrs,
    gad7,
    madrs,
    moaas,
    phq9,
    qids_sr16,
    ymrs,
)
from keel.clinical.instruments._base import (
    Anchor,
    Band,
    Domain,
    Flag,
    Instrument,
    InvalidAnswers,
    Item,
    Provenance,
    Rater,
    ReviewStatus,
    ScaleInstrument,
    Score,
    answers_json_schema,
)
from keel.clinical.instruments.cssrs import CssrsInstrument, CssrsLevel
from keel.clinical.instruments.diary import DiaryEntry
from keel.clinical.params import InvalidParameterError


class UnknownInstrumentError(KeyError, ValueError):
    """Raised by :func:`get_instrument` for an id that is not registered."""

    def __str__(self) -> str:
        """Return the message without KeyError's quoting."""
        return str(self.args[0]) if self.args else ""


_ALL: Final[tuple[Instrument, ...]] = (
    phq9.INSTRUMENT,
    gad7.INSTRUMENT,
    qids_sr16.INSTRUMENT,
    madrs.INSTRUMENT,
    ymrs.INSTRUMENT,
    asrm.INSTRUMENT,
    cssrs.SCREEN,
    cssrs.SINCE_LAST_VISIT,
    cadss.INSTRUMENT,
    moaas.INSTRUMENT,
)

INSTRUMENTS: Final[Mapping[str, Instrument]] = MappingProxyType({inst.id: inst for inst in _ALL})
"""Every registered instrument by id."""

INSTRUMENT_IDS: Final[tuple[str, ...]] = tuple(INSTRUMENTS)
"""Registered instrument ids, in display order."""


def get_instrument(instrument_id: str) -> Instrument:
    """Return the instrument registered as ``instrument_id``."""
    try:
        return INSTRUMENTS[instrument_id]
    except KeyError:
        known = ", ".join(INSTRUMENT_IDS)
        raise UnknownInstrumentError(
            f"unknown instrument id {instrument_id!r} (known: {known})"
        ) from None


__all__ = [
    "INSTRUMENTS",
    "INSTRUMENT_IDS",
    "Anchor",
    "Band",
    "CssrsInstrument",
    "CssrsLevel",
    "DiaryEntry",
    "Domain",
    "Flag",
    "Instrument",
    "InvalidAnswers",
    "InvalidParameterError",
    "Item",
    "Provenance",
    "Rater",
    "ReviewStatus",
    "ScaleInstrument",
    "Score",
    "UnknownInstrumentError",
    "answers_json_schema",
    "get_instrument",
]

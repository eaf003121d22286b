"""ASRM: Altman Self-Rating Mania Scale.

Provenance (STYLE.md section 7)

1. Identity: id ``asrm``, version ``1``, form ``asrm``; last checked against
   REFERENCE.md §1.6 on 2026-11-26.
2. Source: Altman EG, Hedeker D, Peterson JL, Davis JM. The Altman
   Self-Rating Mania Scale. Biol Psychiatry 1997;42:948-955 (cut-off "greater
   than 5", sensitivity 85.5 %, specificity 87.3 % [src: abstract]).
   DOI/PMID not given in REFERENCE.md; to be added at clinical review. LOINC:
   no code known (UNCONFIRMED).
3. Licence/IP: Dr Altman retains copyright; may be reproduced without
   permission by researchers and by clinicians for use with their own
   patients [src: mhscales]; commercial use UNCONFIRMED (REFERENCE.md §1.6).
   Keel ships no item text or statements; labels are Keel's own words and
   official wording comes from a clinic text pack.
4. Scoring: 5 items, each 0-4 (0 = no change from usual; the original 0-4
   scoring, not the 1-5 of one secondary source); total = plain sum, 0-20.
   Missing data: all 5 items required (the proration rule of one secondary
   source is UNCONFIRMED); any unanswered item gives total None, band None,
   complete False. Bands (inclusive): 0-5 below cut-off, 6-20 positive
   screen (Altman's > 5).
5. Safety items: none here. ASRM >= ``switch_amber_asrm_min`` (default 6)
   drives an amber switch alert only, never red on its own; that rule belongs
   to the protocol engine, not to this module.
6. Review status: unreviewed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keel.clinical.instruments._base import Band, Provenance, Rater, ScaleInstrument, numbered_items

ID: Final = "asrm"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 4
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 20
POSITIVE_SCREEN_MIN: Final = 6
"""Altman 1997: total greater than 5 = high probability of (hypo)mania."""


class AsrmBand(StrEnum):
    """ASRM band labels (REFERENCE.md §1.6)."""

    BELOW_CUT_OFF = "below cut-off"
    POSITIVE_SCREEN = "positive screen"


BANDS: Final = (
    Band(TOTAL_MIN, POSITIVE_SCREEN_MIN - 1, AsrmBand.BELOW_CUT_OFF),
    Band(POSITIVE_SCREEN_MIN, TOTAL_MAX, AsrmBand.POSITIVE_SCREEN),
)

_ITEMS: Final = (
    ("happy_mood", "mood: happier or more cheerful"),
    ("self_confidence", "self-confidence"),
    ("sleep_need", "need for sleep"),
    ("speech", "talking"),
    ("activity", "activity level"),
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="asrm",
    title="ASRM (Altman Self-Rating Mania Scale)",
    rater=Rater.PATIENT,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    provenance=Provenance(
        citation=(
            "Altman EG, Hedeker D, Peterson JL, Davis JM. The Altman Self-Rating Mania Scale. "
            "Biol Psychiatry 1997;42:948-955."
        ),
        licence_note=(
            "Dr Altman retains copyright; researchers and clinicians may reproduce it for their "
            "own patients without permission [src: mhscales]; commercial use UNCONFIRMED "
            "(REFERENCE.md §1.6). Keel ships no item text; official wording comes from a clinic "
            "text pack."
        ),
        scoring_source="Altman 1997 cut-off > 5 [src: abstract]; REFERENCE.md §1.6",
        notes=(
            "Validated in a mixed inpatient sample: in this program a positive screen drives "
            "an amber alert only (protocol engine, switch_amber_asrm_min).",
        ),
    ),
)

"""YMRS: Young Mania Rating Scale (clinician-rated).

Provenance (STYLE.md section 7)

1. Identity: id ``ymrs``, version ``1``, form ``ymrs``; last checked against
   REFERENCE.md §1.5 on 2026-11-26.
2. Source: Young RC, Biggs JT, Ziegler VE, Meyer DA. A rating scale for mania:
   reliability, validity and sensitivity. Br J Psychiatry 1978;133:429-435.
   Reference points for the project bands: Lukasiewicz M et al., Int J
   Methods Psychiatr Res 2013;22:46-58 [src]. DOI/PMID not given in
   REFERENCE.md; to be added at clinical review. LOINC: no code known
   (UNCONFIRMED).
3. Licence/IP: published in a journal and widely distributed by the authors
   [src: mhscales summary]; commercial-software permission UNCONFIRMED
   (REFERENCE.md §1.5). Keel ships no item text or anchors; labels are Keel's
   own words (the item names) and official wording comes from a clinic text
   pack.
4. Scoring: 11 items. Items 1-4, 7, 10, 11 are 0-4; items 5, 6, 8, 9 are
   captured directly on their 0-8 scale (odd values 1, 3, 5, 7 are valid
   in-between ratings; never an anchor index times 2). Total = plain sum of
   the recorded scores, 0-60. Missing data: no proration; any unanswered item
   gives total None, band None, complete False. Bands are a PROJECT
   CONVENTION (no official banding exists; show them to clinicians as a
   convention): 0-12 below threshold (deliberately not "remission"), 13-19
   mild, 20-24 moderate, 25-60 severe.
5. Safety items: none here. Mood-switch rules that use YMRS totals and items
   (``switch_*`` parameters, REFERENCE.md §5.2) belong to the protocol engine.
6. Review status: unreviewed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keel.clinical.instruments._base import Band, Provenance, Rater, ScaleInstrument, numbered_items

ID: Final = "ymrs"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 4
WIDE_ITEM_MAX: Final = 8
WIDE_ITEMS: Final = (5, 6, 8, 9)
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 60


class YmrsBand(StrEnum):
    """YMRS band labels (project convention, REFERENCE.md §1.5)."""

    BELOW_THRESHOLD = "below threshold"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


BANDS: Final = (
    Band(0, 12, YmrsBand.BELOW_THRESHOLD),
    Band(13, 19, YmrsBand.MILD),
    Band(20, 24, YmrsBand.MODERATE),
    Band(25, TOTAL_MAX, YmrsBand.SEVERE),
)

_ITEMS: Final = (
    ("elevated_mood", "elevated mood"),
    ("motor_activity", "motor activity and energy"),
    ("sexual_interest", "sexual interest"),
    ("sleep", "sleep"),
    ("irritability", "irritability"),
    ("speech", "speech rate and amount"),
    ("thought_disorder", "language or thought disorder"),
    ("content", "thought content"),
    ("disruptive_behaviour", "disruptive or aggressive behaviour"),
    ("appearance", "appearance"),
    ("insight", "insight"),
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="ymrs",
    title="YMRS (Young Mania Rating Scale)",
    rater=Rater.CLINICIAN,
    items=numbered_items(
        _ITEMS,
        low=ITEM_MIN,
        high=ITEM_MAX,
        wide=dict.fromkeys(WIDE_ITEMS, WIDE_ITEM_MAX),
    ),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    provenance=Provenance(
        citation=(
            "Young RC, Biggs JT, Ziegler VE, Meyer DA. A rating scale for mania: reliability, "
            "validity and sensitivity. Br J Psychiatry 1978;133:429-435."
        ),
        licence_note=(
            "Published in a journal and widely distributed by the authors; commercial-software "
            "permission UNCONFIRMED (REFERENCE.md §1.5). Keel ships no item text; official "
            "wording comes from a clinic text pack."
        ),
        scoring_source=(
            "Item ranges and sum: Young 1978 [src]; bands: project convention built from "
            "Lukasiewicz 2013 [src] and published reference points; REFERENCE.md §1.5"
        ),
        notes=(
            "Bands are a project convention, not an official cut-off.",
            "The 0-12 band is 'below threshold', never 'remission'.",
            "Show every YMRS band with the change from the patient's pre-treatment baseline.",
        ),
    ),
)

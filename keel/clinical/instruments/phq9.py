"""PHQ-9: Patient Health Questionnaire, 9-item depression severity scale.

Provenance (STYLE.md section 7)

1. Identity: id ``phq9``, version ``1``, form ``phq9``; last checked against
   REFERENCE.md §1.1 and §10 on 2026-11-26.
2. Source: Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief
   depression severity measure. J Gen Intern Med 2001;16:606-613 [src for
   cut-points 5/10/15/20]. Item 9 risk gradient: Simon GE et al., Psychiatric
   Services 2013;64:1195-1202 [src]. DOI/PMID not given in REFERENCE.md; to be
   added at clinical review. LOINC panel 44249-1, total 44261-6, item codes as
   in the HL7 US Core PHQ-9 Questionnaire example (REFERENCE.md §1.1,
   INTEROP.md §2).
3. Licence/IP: REFERENCE.md §1.1 records that the PHQ family needs no
   permission to reproduce, translate, display or distribute (statement on the
   PHQ screeners site) [mem]; licence text not accessed by Keel. Keel ships no
   item text or answer anchors: the labels below are Keel's own words, and the
   official wording comes from a clinic text pack (e.g. the LOINC FHIR
   Questionnaire 44249-1).
4. Scoring: 9 items, each 0-3; total = plain sum, 0-27. The 10th "difficulty"
   question is not part of the total and is not scored here. Missing data: no
   proration; any unanswered item gives total None, band None, complete False.
   Bands (inclusive): 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately
   severe, 20-27 severe.
5. Safety items: item 9 (thoughts of self-harm), evaluated before and
   independently of the total. Item 9 >= ``phq9_item9_tier1_min`` (default 1)
   -> flag ``suicidal_ideation`` (rule ``suicide.phq9_item9.tier1``);
   >= ``phq9_item9_tier2_min`` (default 2) -> also ``suicidal_ideation_tier2``
   (rule ``suicide.phq9_item9.tier2``); item 9 unanswered ->
   ``suicide_item_unanswered`` (rule ``suicide.phq9_item9.unanswered``). Rules
   live in keel/clinical/protocol/protocols/keel-default.yaml.
6. Review status: unreviewed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keel.clinical.instruments._base import (
    Band,
    Flag,
    Provenance,
    Rater,
    ScaleInstrument,
    SuicideItemRule,
    SuicideTier,
    numbered_items,
)
from keel.clinical.params import ParamName

ID: Final = "phq9"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 3
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 27
SUICIDE_ITEM: Final = 9
LOINC_PANEL: Final = "44249-1"
LOINC_TOTAL: Final = "44261-6"


class Phq9Band(StrEnum):
    """PHQ-9 severity band labels (REFERENCE.md §1.1)."""

    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    MODERATELY_SEVERE = "moderately severe"
    SEVERE = "severe"


BANDS: Final = (
    Band(0, 4, Phq9Band.MINIMAL),
    Band(5, 9, Phq9Band.MILD),
    Band(10, 14, Phq9Band.MODERATE),
    Band(15, 19, Phq9Band.MODERATELY_SEVERE),
    Band(20, TOTAL_MAX, Phq9Band.SEVERE),
)

_ITEMS: Final = (
    ("interest", "interest: little pleasure"),
    ("mood", "mood: low or hopeless"),
    ("sleep", "sleep: too little or too much"),
    ("energy", "energy: tired"),
    ("appetite", "appetite: low or overeating"),
    ("self_view", "self-view: failure or guilt"),
    ("concentration", "concentration"),
    ("psychomotor", "movement: slowed or restless"),
    ("self_harm_thoughts", "thoughts of self-harm"),
)

_LOINC_ITEMS: Final = (
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
)

SUICIDE_RULE: Final = SuicideItemRule(
    item_number=SUICIDE_ITEM,
    tiers=(
        SuicideTier(
            param=ParamName.PHQ9_ITEM9_TIER1_MIN,
            flag=Flag.SUICIDAL_IDEATION,
            rule_id="suicide.phq9_item9.tier1",
        ),
        SuicideTier(
            param=ParamName.PHQ9_ITEM9_TIER2_MIN,
            flag=Flag.SUICIDAL_IDEATION_TIER2,
            rule_id="suicide.phq9_item9.tier2",
        ),
    ),
    unanswered_rule_id="suicide.phq9_item9.unanswered",
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="phq9",
    title="PHQ-9 (Patient Health Questionnaire-9)",
    rater=Rater.PATIENT,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX, loinc=_LOINC_ITEMS),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    loinc_panel=LOINC_PANEL,
    loinc_total=LOINC_TOTAL,
    suicide_item=SUICIDE_RULE,
    provenance=Provenance(
        citation=(
            "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression "
            "severity measure. J Gen Intern Med 2001;16:606-613."
        ),
        licence_note=(
            "PHQ family: no permission needed to reproduce, translate, display or distribute "
            "(PHQ screeners site, [mem] in REFERENCE.md §1.1). Keel ships no item text; "
            "official wording comes from a clinic text pack."
        ),
        scoring_source="Kroenke 2001 cut-points 5/10/15/20 [src]; REFERENCE.md §1.1",
        safety_rule_ids=SUICIDE_RULE.rule_ids,
        notes=(
            "Item 9 risk gradient: Simon GE et al., Psychiatric Services 2013;64:1195-1202 [src].",
            "The 10th difficulty question is not part of the total and is not scored.",
        ),
    ),
)

"""QIDS-SR16: Quick Inventory of Depressive Symptomatology, self-report.

Provenance (STYLE.md section 7)

1. Identity: id ``qids_sr16``, version ``1``, form ``qids_sr16``; last checked
   against REFERENCE.md §1.3 and §10 on 2026-11-26.
2. Source: Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-item QIDS ...
   clinician rating (QIDS-C) and self-report (QIDS-SR): a psychometric
   evaluation in patients with chronic major depression. Biol Psychiatry
   2003;54:573-583. Bands: Rush 2003 as reproduced by the ids-qids.org
   interpretation table [src]. Domain-max rule: secondary, several independent
   implementations consistent with Rush 2003. Item 12 anchors: Institute of
   Medicine workshop report 2010 (NCBI Bookshelf NBK52954, box 4-1). DOI/PMID
   not given in REFERENCE.md; to be added at clinical review. LOINC: no code
   known (UNCONFIRMED).
3. Licence/IP: the instrument's site states it is free for clinicians and
   researchers [secondary]; copyright with the authors/UT Southwestern [mem];
   whether commercial software needs a licence is UNCONFIRMED (REFERENCE.md
   §1.3). Keel ships no item text or anchors; labels are Keel's own words and
   official wording comes from a clinic text pack.
4. Scoring: 16 items, each 0-3, grouped into 9 domains; a multi-item domain
   contributes its HIGHEST item: sleep = max(1-4), appetite/weight =
   max(6-9), psychomotor = max(15-16); items 5, 10, 11, 12, 13, 14 count
   alone. Total = sum of the 9 domain scores, 0-27 (items 1-4 all 3, rest 0
   -> 3, not 12). Missing data: no proration (UNCONFIRMED in the literature;
   safe default); any unanswered item gives total None, band None, complete
   False. Bands (inclusive): 0-5 none, 6-10 mild, 11-15 moderate, 16-20
   severe, 21-27 very severe.
5. Safety items: item 12 (thoughts of death or suicide), evaluated before and
   independently of the total. Item 12 >= ``qids_item12_tier1_min`` (default
   1) -> ``suicidal_ideation`` (rule ``suicide.qids_item12.tier1``); >=
   ``qids_item12_tier2_min`` (default 2) -> also ``suicidal_ideation_tier2``
   (rule ``suicide.qids_item12.tier2``); unanswered ->
   ``suicide_item_unanswered`` (rule ``suicide.qids_item12.unanswered``). Rules
   live in keel/clinical/protocol/protocols/keel-default.yaml.
6. Review status: unreviewed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keel.clinical.instruments._base import (
    Band,
    Domain,
    Flag,
    Provenance,
    Rater,
    ScaleInstrument,
    SuicideItemRule,
    SuicideTier,
    numbered_items,
)
from keel.clinical.params import ParamName

ID: Final = "qids_sr16"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 3
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 27
SUICIDE_ITEM: Final = 12


class QidsBand(StrEnum):
    """QIDS-SR16 severity band labels (REFERENCE.md §1.3)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    VERY_SEVERE = "very severe"


BANDS: Final = (
    Band(0, 5, QidsBand.NONE),
    Band(6, 10, QidsBand.MILD),
    Band(11, 15, QidsBand.MODERATE),
    Band(16, 20, QidsBand.SEVERE),
    Band(21, TOTAL_MAX, QidsBand.VERY_SEVERE),
)

DOMAINS: Final = (
    Domain("sleep", "sleep", (1, 2, 3, 4)),
    Domain("sad_mood", "sad mood", (5,)),
    Domain("appetite_weight", "appetite/weight", (6, 7, 8, 9)),
    Domain("concentration", "concentration", (10,)),
    Domain("view_of_self", "view of self", (11,)),
    Domain("suicidal_ideation", "thoughts of death or suicide", (12,)),
    Domain("general_interest", "general interest", (13,)),
    Domain("energy", "energy", (14,)),
    Domain("psychomotor", "psychomotor", (15, 16)),
)

_ITEMS: Final = (
    ("sleep_onset", "sleep: falling asleep"),
    ("sleep_mid_night", "sleep: waking in the night"),
    ("sleep_early_waking", "sleep: waking too early"),
    ("sleep_too_much", "sleep: sleeping too much"),
    ("sad_mood", "sad mood"),
    ("appetite_decreased", "appetite: decreased"),
    ("appetite_increased", "appetite: increased"),
    ("weight_decreased", "weight: decreased"),
    ("weight_increased", "weight: increased"),
    ("concentration", "concentration or decisions"),
    ("view_of_self", "view of self"),
    ("death_suicide_thoughts", "thoughts of death or suicide"),
    ("general_interest", "general interest"),
    ("energy", "energy level"),
    ("slowed_down", "feeling slowed down"),
    ("restless", "feeling restless"),
)

SUICIDE_RULE: Final = SuicideItemRule(
    item_number=SUICIDE_ITEM,
    tiers=(
        SuicideTier(
            param=ParamName.QIDS_ITEM12_TIER1_MIN,
            flag=Flag.SUICIDAL_IDEATION,
            rule_id="suicide.qids_item12.tier1",
        ),
        SuicideTier(
            param=ParamName.QIDS_ITEM12_TIER2_MIN,
            flag=Flag.SUICIDAL_IDEATION_TIER2,
            rule_id="suicide.qids_item12.tier2",
        ),
    ),
    unanswered_rule_id="suicide.qids_item12.unanswered",
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="qids_sr16",
    title="QIDS-SR16 (Quick Inventory of Depressive Symptomatology, self-report)",
    rater=Rater.PATIENT,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    domains=DOMAINS,
    suicide_item=SUICIDE_RULE,
    provenance=Provenance(
        citation=(
            "Rush AJ, Trivedi MH, Ibrahim HM, et al. The 16-item QIDS ... clinician rating "
            "(QIDS-C) and self-report (QIDS-SR): a psychometric evaluation in patients with "
            "chronic major depression. Biol Psychiatry 2003;54:573-583."
        ),
        licence_note=(
            "Free for clinicians and researchers per the instrument's site [secondary]; "
            "commercial-software licence UNCONFIRMED (REFERENCE.md §1.3). Keel ships no "
            "item text; official wording comes from a clinic text pack."
        ),
        scoring_source=(
            "9-domain max rule [src: secondary, consistent with Rush 2003]; bands from the "
            "ids-qids.org interpretation table [src]; REFERENCE.md §1.3"
        ),
        safety_rule_ids=SUICIDE_RULE.rule_ids,
        notes=(
            "No LOINC code known (UNCONFIRMED); use a local code.",
            "Remission <= 5 (STAR*D, Trivedi 2006) is an outcome rule, not a band.",
        ),
    ),
)

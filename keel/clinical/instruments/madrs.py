"""MADRS: Montgomery-Åsberg Depression Rating Scale (clinician-rated).

Provenance (STYLE.md section 7)

1. Identity: id ``madrs``, version ``1``, form ``madrs``; last checked against
   REFERENCE.md §1.4 and §10 on 2026-11-26.
2. Source: Montgomery SA, Åsberg M. A new depression scale designed to be
   sensitive to change. Br J Psychiatry 1979;134:382-389. Bands: Snaith RP et
   al., Br J Psychiatry 1986 (cut-points 0-6 / 7-19 / 20-34 / 35-60) [src via
   secondary]; severe >= 35 corroborated by Müller MJ et al., J Affect Disord
   2000;60:137-140 [src]. Item 10 anchors: Perroud N et al., BMC Med
   2009;7:60, Table 1 [src]. DOI/PMID not given in REFERENCE.md; to be added
   at clinical review. LOINC: no code known (UNCONFIRMED).
3. Licence/IP: copyright with the authors/publisher; commercial electronic
   use may require permission (UNCONFIRMED, REFERENCE.md §1.4). Keel ships no
   item text or anchors; labels are Keel's own words (the item names) and
   official wording comes from a clinic text pack.
4. Scoring: 10 items, each 0-6 (odd values are valid in-between ratings); no
   weights; total = plain sum, 0-60. Missing data: no proration; any
   unanswered item gives total None, band None, complete False. Bands
   (inclusive): 0-6 normal/absent, 7-19 mild, 20-34 moderate, 35-60 severe.
   (The alternative moderate/severe split at 31, Müller 2003, is not used.)
5. Safety items: item 10 (suicidal thoughts), evaluated before and
   independently of the total. Item 10 = 1 is displayed only (no flag).
   >= ``madrs_item10_cssrs_min`` (default 2) -> ``suicidal_ideation`` (C-SSRS
   in the same session before dosing; rule ``suicide.madrs_item10.tier1``);
   >= ``madrs_item10_tier2_min`` (default 4) -> also
   ``suicidal_ideation_tier2`` (rule ``suicide.madrs_item10.tier2``); >=
   ``madrs_item10_high_risk_min`` (default 6) -> also
   ``suicidal_ideation_tier3`` (high-risk pathway; rule
   ``suicide.madrs_item10.tier3``); unanswered -> ``suicide_item_unanswered``
   (rule ``suicide.madrs_item10.unanswered``). Rules live in
   keel/clinical/protocol/protocols/keel-default.yaml.
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

ID: Final = "madrs"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 6
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 60
SUICIDE_ITEM: Final = 10


class MadrsBand(StrEnum):
    """MADRS severity band labels (REFERENCE.md §1.4)."""

    NORMAL_ABSENT = "normal/absent"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


BANDS: Final = (
    Band(0, 6, MadrsBand.NORMAL_ABSENT),
    Band(7, 19, MadrsBand.MILD),
    Band(20, 34, MadrsBand.MODERATE),
    Band(35, TOTAL_MAX, MadrsBand.SEVERE),
)

_ITEMS: Final = (
    ("apparent_sadness", "apparent sadness"),
    ("reported_sadness", "reported sadness"),
    ("inner_tension", "inner tension"),
    ("reduced_sleep", "reduced sleep"),
    ("reduced_appetite", "reduced appetite"),
    ("concentration", "concentration difficulties"),
    ("lassitude", "lassitude"),
    ("inability_to_feel", "inability to feel"),
    ("pessimistic_thoughts", "pessimistic thoughts"),
    ("suicidal_thoughts", "suicidal thoughts"),
)

SUICIDE_RULE: Final = SuicideItemRule(
    item_number=SUICIDE_ITEM,
    tiers=(
        SuicideTier(
            param=ParamName.MADRS_ITEM10_CSSRS_MIN,
            flag=Flag.SUICIDAL_IDEATION,
            rule_id="suicide.madrs_item10.tier1",
        ),
        SuicideTier(
            param=ParamName.MADRS_ITEM10_TIER2_MIN,
            flag=Flag.SUICIDAL_IDEATION_TIER2,
            rule_id="suicide.madrs_item10.tier2",
        ),
        SuicideTier(
            param=ParamName.MADRS_ITEM10_HIGH_RISK_MIN,
            flag=Flag.SUICIDAL_IDEATION_TIER3,
            rule_id="suicide.madrs_item10.tier3",
        ),
    ),
    unanswered_rule_id="suicide.madrs_item10.unanswered",
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="madrs",
    title="MADRS (Montgomery-Åsberg Depression Rating Scale)",
    rater=Rater.CLINICIAN,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    suicide_item=SUICIDE_RULE,
    provenance=Provenance(
        citation=(
            "Montgomery SA, Åsberg M. A new depression scale designed to be sensitive to "
            "change. Br J Psychiatry 1979;134:382-389."
        ),
        licence_note=(
            "Copyright with the authors/publisher; commercial electronic use may require "
            "permission (UNCONFIRMED, REFERENCE.md §1.4). Keel ships no item text; official "
            "wording comes from a clinic text pack."
        ),
        scoring_source=(
            "Bands: Snaith RP et al., Br J Psychiatry 1986 [src via secondary]; severe >= 35: "
            "Müller MJ et al., J Affect Disord 2000;60:137-140 [src]; REFERENCE.md §1.4"
        ),
        safety_rule_ids=SUICIDE_RULE.rule_ids,
        notes=(
            "Item 10 anchors: Perroud N et al., BMC Med 2009;7:60, Table 1 [src].",
            "Item 10 = 1 is displayed only and raises no flag.",
            "No LOINC code known (UNCONFIRMED).",
        ),
    ),
)

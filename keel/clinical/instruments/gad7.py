"""GAD-7: Generalized Anxiety Disorder 7-item scale (optional in this program).

Provenance (STYLE.md section 7)

1. Identity: id ``gad7``, version ``1``, form ``gad7``; last checked against
   REFERENCE.md §1.2 on 2026-11-26.
2. Source: Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for
   assessing generalized anxiety disorder: the GAD-7. Arch Intern Med
   2006;166:1092-1097. DOI/PMID not given in REFERENCE.md; to be added at
   clinical review. LOINC panel 69737-5, total 70274-6 (REFERENCE.md §1.2);
   item codes from the HL7 PHR IG GAD-7 Questionnaire (INTEROP.md §2).
3. Licence/IP: REFERENCE.md §1.2 records the same terms as the PHQ-9 (free, no
   permission) [mem]; licence text not accessed by Keel. Keel ships no item
   text or answer anchors: labels are Keel's own words; official wording comes
   from a clinic text pack (e.g. the LOINC FHIR Questionnaire 69737-5).
4. Scoring: 7 items, each 0-3; total = plain sum, 0-21. Missing data: no
   proration; any unanswered item gives total None, band None, complete False.
   Bands (inclusive): 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
5. Safety items: none. No flags.
6. Review status: unreviewed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from keel.clinical.instruments._base import Band, Provenance, Rater, ScaleInstrument, numbered_items

ID: Final = "gad7"
VERSION: Final = "1"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 3
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 21
LOINC_PANEL: Final = "69737-5"
LOINC_TOTAL: Final = "70274-6"


class Gad7Band(StrEnum):
    """GAD-7 severity band labels (REFERENCE.md §1.2)."""

    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


BANDS: Final = (
    Band(0, 4, Gad7Band.MINIMAL),
    Band(5, 9, Gad7Band.MILD),
    Band(10, 14, Gad7Band.MODERATE),
    Band(15, TOTAL_MAX, Gad7Band.SEVERE),
)

_ITEMS: Final = (
    ("nervousness", "nervousness or tension"),
    ("uncontrolled_worry", "worry: hard to stop"),
    ("broad_worry", "worry: many topics"),
    ("relaxing", "difficulty relaxing"),
    ("restlessness", "restlessness"),
    ("irritability", "irritability"),
    ("dread", "sense of dread"),
)

_LOINC_ITEMS: Final = (
    "69725-0",
    "68509-9",
    "69733-4",
    "69734-2",
    "69735-9",
    "69689-8",
    "69736-7",
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version="gad7",
    title="GAD-7 (Generalized Anxiety Disorder 7-item scale)",
    rater=Rater.PATIENT,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX, loinc=_LOINC_ITEMS),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=BANDS,
    loinc_panel=LOINC_PANEL,
    loinc_total=LOINC_TOTAL,
    provenance=Provenance(
        citation=(
            "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
            "generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097."
        ),
        licence_note=(
            "Same terms as the PHQ-9: free, no permission needed ([mem] in REFERENCE.md §1.2). "
            "Keel ships no item text; official wording comes from a clinic text pack."
        ),
        scoring_source="Spitzer 2006 bands; REFERENCE.md §1.2",
        notes=("Screening cut-off for probable GAD: total >= 10 (secondary summary).",),
    ),
)

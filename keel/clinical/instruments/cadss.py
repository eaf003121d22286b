"""CADSS: Clinician-Administered Dissociative States Scale, 23-item version.

Provenance (STYLE.md section 7)

1. Identity: id ``cadss``, version ``1``, form ``cadss_23`` (the 23-item
   version used in ketamine research; the manual's longer 27/28-item form is a
   different version and must not be mixed with it); last checked against
   REFERENCE.md §1.8 on 2026-11-26.
2. Source: Bremner JD et al. Measurement of dissociative states with the
   Clinician-Administered Dissociative States Scale (CADSS). J Trauma Stress
   1998;11:125-136 [src: citation]. 23 items, 0-4, total 0-92 [src:
   ClinicalTrials.gov NCT04226963 outcome description]. 19 subjective + 4
   observer items [mem: not yet checked, REFERENCE.md §9 item 5]. DOI/PMID not
   given in REFERENCE.md; to be added at clinical review. LOINC: no code
   known (UNCONFIRMED).
3. Licence/IP: author's instrument; permission terms UNCONFIRMED
   (REFERENCE.md §1.8). Keel ships no item text or anchors. REFERENCE.md gives
   no item-by-item content, so the labels are positional ("subjective 1 of
   19", "observer 1 of 4"); the clinic's text pack supplies the wording.
4. Scoring: 23 items, each 0-4 (0 = not at all, 4 = extremely); total =
   plain sum, 0-92. Missing data: no proration; any unanswered item gives
   total None, complete False. No severity bands: band is always None. CADSS
   is a recorded measure, not an alert driver (no cut-off discriminated well,
   Int J Neuropsychopharmacol 2023;26:198-206 [src]); the discharge parameter
   ``discharge_cadss_max`` belongs to the protocol engine.
5. Safety items: none. No flags.
6. Review status: unreviewed.
"""

from __future__ import annotations

from typing import Final

from keel.clinical.instruments._base import Provenance, Rater, ScaleInstrument, numbered_items

ID: Final = "cadss"
VERSION: Final = "1"
FORM_VERSION: Final = "cadss_23"
ITEM_MIN: Final = 0
ITEM_MAX: Final = 4
SUBJECTIVE_ITEMS: Final = 19
OBSERVER_ITEMS: Final = 4
TOTAL_MIN: Final = 0
TOTAL_MAX: Final = 92

_ITEMS: Final = (
    *(
        (f"subjective_{n:02d}", f"subjective {n} of {SUBJECTIVE_ITEMS}")
        for n in range(1, SUBJECTIVE_ITEMS + 1)
    ),
    *(
        (f"observer_{n:02d}", f"observer {n} of {OBSERVER_ITEMS}")
        for n in range(1, OBSERVER_ITEMS + 1)
    ),
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version=FORM_VERSION,
    title="CADSS (Clinician-Administered Dissociative States Scale, 23-item)",
    rater=Rater.CLINICIAN,
    items=numbered_items(_ITEMS, low=ITEM_MIN, high=ITEM_MAX),
    total_min=TOTAL_MIN,
    total_max=TOTAL_MAX,
    bands=(),
    provenance=Provenance(
        citation=(
            "Bremner JD et al. Measurement of dissociative states with the Clinician-"
            "Administered Dissociative States Scale (CADSS). J Trauma Stress 1998;11:125-136."
        ),
        licence_note=(
            "Author's instrument; permission terms UNCONFIRMED (REFERENCE.md §1.8). Keel ships "
            "no item text; official wording comes from a clinic text pack."
        ),
        scoring_source=(
            "23 items 0-4, total 0-92 [src: NCT04226963 outcome description]; REFERENCE.md §1.8"
        ),
        notes=(
            "19 subjective + 4 observer split: [mem], not yet checked against the source.",
            "No severity bands; a recorded measure, not an alert driver.",
        ),
    ),
)

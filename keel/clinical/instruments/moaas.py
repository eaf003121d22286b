"""MOAA/S: Modified Observer's Assessment of Alertness/Sedation.

Provenance (STYLE.md section 7)

1. Identity: id ``moaas``, version ``1``, form ``moaas_trapezius`` (the
   version whose lowest anchors use a painful trapezius squeeze; another
   published version differs at the bottom and must not be mixed with it);
   last checked against REFERENCE.md §1.9 on 2026-11-26.
2. Source: Chernik DA et al., J Clin Psychopharmacol 1990;10:244-251 (OAA/S)
   [mem]; anchors per BMC Anesthesiol 2022, MOAA/S table (trapezius-squeeze
   version) [src]; used in the esketamine programme and label [src]. DOI/PMID
   not given in REFERENCE.md; to be added at clinical review. LOINC: no code
   known.
3. Licence/IP: published scale, no known restriction (UNCONFIRMED,
   REFERENCE.md §1.9). The anchor labels below are Keel's own short words;
   official wording comes from a clinic text pack.
4. Scoring: one clinician-observed item, 0-5 (5 = fully responsive, 0 = no
   response to a painful trapezius squeeze); total = the score. Missing data:
   an unanswered rating gives total None, complete False. No band labels:
   band is always None.
5. Safety items: none in this module, and no flags. The escalation tiers
   (``moaas_nurse_bedside_max``, ``moaas_prescriber_bedside_max``,
   ``moaas_emergency_max``, ``discharge_moaas_required``) are project
   convention set by the medical director and are evaluated by the protocol
   engine, which reads ``score.total``.
6. Review status: unreviewed.
"""

from __future__ import annotations

from typing import Final

from keel.clinical.instruments._base import Anchor, Item, Provenance, Rater, ScaleInstrument

ID: Final = "moaas"
VERSION: Final = "1"
FORM_VERSION: Final = "moaas_trapezius"
SCORE_MIN: Final = 0
SCORE_MAX: Final = 5

ANCHORS: Final = (
    Anchor(5, "awake: answers name at normal voice"),
    Anchor(4, "drowsy: slow to answer name at normal voice"),
    Anchor(3, "answers only a loud or repeated name"),
    Anchor(2, "answers only a light shake"),
    Anchor(1, "answers only a painful shoulder squeeze"),
    Anchor(0, "no answer to a painful shoulder squeeze"),
)

INSTRUMENT: Final = ScaleInstrument(
    id=ID,
    version=VERSION,
    form_version=FORM_VERSION,
    title="MOAA/S (Modified Observer's Assessment of Alertness/Sedation)",
    rater=Rater.CLINICIAN,
    items=(
        Item(
            number=1,
            key="responsiveness",
            label="responsiveness",
            min=SCORE_MIN,
            max=SCORE_MAX,
            anchors=ANCHORS,
        ),
    ),
    total_min=SCORE_MIN,
    total_max=SCORE_MAX,
    bands=(),
    provenance=Provenance(
        citation=(
            "Chernik DA et al. J Clin Psychopharmacol 1990;10:244-251 (OAA/S) [mem]; MOAA/S "
            "anchors as in BMC Anesthesiol 2022 (trapezius-squeeze version)."
        ),
        licence_note=(
            "Published scale, no known restriction (UNCONFIRMED, REFERENCE.md §1.9). Anchor "
            "labels are Keel's own words; official wording comes from a clinic text pack."
        ),
        scoring_source="Single 0-5 rating; REFERENCE.md §1.9",
        notes=("Escalation tiers are protocol-engine rules (moaas_* parameters), not flags here.",),
    ),
)

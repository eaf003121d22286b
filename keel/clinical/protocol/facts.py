"""The fact catalogue: every name a protocol rule may read, with its type.

A *fact* is one plain value the app layer hands to the engine (for example
``age_years=34`` or ``antimanic_agents=("lithium",)``). The catalogue fixes
each fact's name, type, unit and meaning, so that:

- a protocol file that names an unknown fact, or compares a fact in a way its
  type does not allow, is rejected when the file is loaded; and
- a set of facts with an unknown name or a wrong type is rejected before any
  rule is evaluated (:func:`validate_facts`).

A fact that is absent, or present with the value ``None``, is *missing*; the
engine never reads a missing fact as "no" (three-valued logic, see
``engine.py``). An empty list is not missing: ``antimanic_agents=()`` means
"known: none".

Names are stable: the intake app builds facts with these names, and the
treatment app builds the session facts (:data:`PRECHECK_FACTS`,
:data:`MONITORING_FACTS`, :data:`DISCHARGE_FACTS`). To add facts (for
example alert facts), declare a new tuple of :class:`FactSpec` beside them
and add it to :data:`FACT_CATALOGUE`; :meth:`FactCatalogue.of` refuses a
name declared twice. :data:`FACT_GROUPS` (and :func:`facts_for`) says which
facts each kind of evaluation reads, so the app can ask "which facts does a
pre-check, a monitoring check or a discharge check use".

Score ranges come from REFERENCE.md section 0 / section 1 (MADRS 0-60, item
10 0-6; YMRS 0-60; PHQ-9 0-27, item 9 0-3; QIDS-SR16 0-27; ASRM 0-20;
CADSS 0-92; MOAA/S 0-5); SpO2 is a percentage (0-100).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from keel.clinical.instruments import INSTRUMENT_IDS
from keel.clinical.routes import Route

FactValue = bool | int | Decimal | str | tuple[str, ...]
"""A validated fact value (``None`` marks a missing fact)."""


class InvalidFactsError(ValueError):
    """Raised when a set of facts has an unknown name or a value of the wrong type."""


class FactType(StrEnum):
    """The type of a fact; decides which comparisons a rule may apply to it."""

    BOOL = "bool"
    INT = "int"
    NUMBER = "number"
    ENUM = "enum"
    TEXT = "text"
    LIST_OF_TEXT = "list_of_text"


NUMERIC_TYPES: Final = frozenset({FactType.INT, FactType.NUMBER})


def normalise_name(text: str) -> str:
    """Return a medicine name in canonical form: lower case, single spaces.

    Applied to every ``list_of_text`` fact item and to every text item a
    protocol compares with one, so "Lithium " and "lithium" are the same
    medicine. Example: ``normalise_name(" Valproic  Acid") == "valproic acid"``.
    """
    return " ".join(text.split()).lower()


def to_decimal(value: object) -> Decimal | None:
    """Return ``value`` as a finite Decimal, or None if it is not a number.

    ``bool`` is not a number here. A float is converted through its shortest
    repr, so ``0.8`` becomes ``Decimal("0.8")``, not the binary expansion.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One catalogue entry: name, type, meaning, unit and allowed values."""

    name: str
    type: FactType
    description: str
    unit: str = ""
    allowed: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    def __post_init__(self) -> None:
        """Refuse an enum without values, or values on a non-enum."""
        if (self.type is FactType.ENUM) != bool(self.allowed):
            raise ValueError(f"fact {self.name}: only an enum fact lists allowed values")
        if (self.minimum is not None or self.maximum is not None) and (
            self.type not in NUMERIC_TYPES
        ):
            raise ValueError(f"fact {self.name}: only a numeric fact has a range")

    def coerce(self, value: object) -> FactValue:
        """Return ``value`` checked and normalised for this fact.

        ``int`` facts take ``int`` (never ``bool``); ``number`` facts take
        ``int``/``float``/``Decimal`` and return a ``Decimal``; ``enum`` facts
        take one of :attr:`allowed`; ``list_of_text`` facts take a list or
        tuple of ``str`` (a bare ``str`` is refused) and return a tuple of
        normalised names. Raises :class:`InvalidFactsError` naming the fact.
        """
        if self.type is FactType.BOOL:
            if isinstance(value, bool):
                return value
        elif self.type is FactType.INT:
            if isinstance(value, int) and not isinstance(value, bool):
                self._check_range(Decimal(value))
                return int(value)
        elif self.type is FactType.NUMBER:
            number = to_decimal(value)
            if number is not None:
                self._check_range(number)
                return number
        elif self.type is FactType.ENUM:
            if isinstance(value, str):
                if str(value) not in self.allowed:
                    raise InvalidFactsError(
                        f"fact {self.name}: {str(value)!r} is not one of {', '.join(self.allowed)}"
                    )
                return str(value)
        elif self.type is FactType.TEXT:
            if isinstance(value, str):
                return str(value)
        elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return tuple(normalise_name(str(item)) for item in value)
        raise InvalidFactsError(
            f"fact {self.name}: expected {self.type.value}, got {type(value).__name__} {value!r}"
        )

    def _check_range(self, number: Decimal) -> None:
        if self.minimum is not None and number < self.minimum:
            raise InvalidFactsError(f"fact {self.name}: {number} is below {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise InvalidFactsError(f"fact {self.name}: {number} is above {self.maximum}")


@dataclass(frozen=True, slots=True)
class FactCatalogue:
    """A set of fact specs by name; build it with :meth:`of`."""

    specs: Mapping[str, FactSpec]

    @classmethod
    def of(cls, *groups: Iterable[FactSpec]) -> FactCatalogue:
        """Return a catalogue of every spec in ``groups``; a repeated name is an error."""
        specs: dict[str, FactSpec] = {}
        for group in groups:
            for spec in group:
                if spec.name in specs:
                    raise ValueError(f"fact {spec.name} is declared twice")
                specs[spec.name] = spec
        return cls(specs=MappingProxyType(specs))

    def extended(self, *specs: FactSpec) -> FactCatalogue:
        """Return a new catalogue with ``specs`` added."""
        return FactCatalogue.of(self.specs.values(), specs)

    def get(self, name: str) -> FactSpec | None:
        """Return the spec of ``name``, or None if the catalogue lacks it."""
        return self.specs.get(name)

    def validate(self, facts: Mapping[str, object]) -> Mapping[str, FactValue | None]:
        """Return ``facts`` checked and normalised; see :func:`validate_facts`."""
        checked: dict[str, FactValue | None] = {}
        for name, value in facts.items():
            spec = self.specs.get(name)
            if spec is None:
                raise InvalidFactsError(f"unknown fact {name!r} (not in the fact catalogue)")
            checked[name] = None if value is None else spec.coerce(value)
        return MappingProxyType(checked)


_MMHG: Final = "mmHg"
_DAYS: Final = "days"
_TOTAL: Final = "total score"
_ITEM: Final = "item score"


def _flag(name: str, description: str) -> FactSpec:
    return FactSpec(name=name, type=FactType.BOOL, description=description)


ELIGIBILITY_FACTS: Final[tuple[FactSpec, ...]] = (
    # Identity and diagnosis
    FactSpec("age_years", FactType.INT, "Age in completed years", "years", minimum=0),
    _flag("bipolar_diagnosis_confirmed", "A bipolar disorder diagnosis is confirmed"),
    FactSpec(
        "bipolar_type",
        FactType.ENUM,
        "Bipolar disorder type",
        allowed=("bipolar_i", "bipolar_ii", "other_specified", "unspecified"),
    ),
    FactSpec("icd10_code", FactType.TEXT, "ICD-10 code of the bipolar diagnosis (F31.x)"),
    FactSpec(
        "current_episode",
        FactType.ENUM,
        "Current mood episode as assessed at intake",
        allowed=("depressed", "hypomanic", "manic", "mixed", "euthymic", "unspecified"),
    ),
    # Label contraindications and medical cautions
    _flag(
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease (aorta, intracranial, peripheral)",
    ),
    _flag("arteriovenous_malformation", "Arteriovenous malformation"),
    _flag("intracerebral_haemorrhage_history", "History of intracerebral haemorrhage"),
    _flag("ketamine_hypersensitivity", "Hypersensitivity to ketamine, esketamine or an excipient"),
    _flag(
        "bp_or_icp_rise_serious_risk",
        "Any condition where a rise in blood pressure or intracranial pressure poses a serious "
        "risk (e.g. prior cerebrovascular insult)",
    ),
    _flag(
        "recent_cardiovascular_event",
        "MI, unstable angina or revascularisation within 12 months; stroke or TIA",
    ),
    _flag("hypertensive_encephalopathy_history", "History of hypertensive encephalopathy"),
    _flag("hyperthyroidism_uncontrolled", "Untreated or poorly controlled hyperthyroidism"),
    _flag("preeclampsia_or_eclampsia", "Pre-eclampsia or eclampsia"),
    _flag(
        "raised_icp_or_eye_risk",
        "Untreated glaucoma, penetrating eye injury, raised intracranial pressure or brain injury",
    ),
    _flag("liver_disease_significant", "Significant liver disease"),
    # Blood pressure
    _flag("hypertension_diagnosed", "Hypertension has been diagnosed"),
    _flag("hypertension_controlled", "Diagnosed hypertension is controlled"),
    FactSpec(
        "resting_systolic_bp", FactType.INT, "Resting systolic blood pressure", _MMHG, minimum=0
    ),
    FactSpec(
        "resting_diastolic_bp", FactType.INT, "Resting diastolic blood pressure", _MMHG, minimum=0
    ),
    # Psychiatric history
    _flag("psychosis_history", "Past psychotic symptoms or episode"),
    _flag("psychosis_current", "Current psychotic symptoms"),
    _flag("switch_on_antidepressant_history", "Past antidepressant-induced (hypo)manic switch"),
    _flag("suicide_attempt_history", "Past suicide attempt"),
    # Medicines and levels
    FactSpec(
        "antimanic_agents",
        FactType.LIST_OF_TEXT,
        "Current antimanic / mood-stabilising medicines (generic names, lower case)",
    ),
    FactSpec(
        "current_medications",
        FactType.LIST_OF_TEXT,
        "All current medicines (generic names, lower case)",
    ),
    FactSpec(
        "lithium_level_mmol_l",
        FactType.NUMBER,
        "Latest lithium level, 12-h trough",
        "mmol/L (= mEq/L)",
        minimum=0,
    ),
    FactSpec(
        "lithium_level_age_days", FactType.INT, "Age of the latest lithium level", _DAYS, minimum=0
    ),
    FactSpec(
        "valproate_level_ug_ml",
        FactType.NUMBER,
        "Latest valproate level, trough",
        "µg/mL (= mg/L)",
        minimum=0,
    ),
    FactSpec(
        "valproate_level_age_days",
        FactType.INT,
        "Age of the latest valproate level",
        _DAYS,
        minimum=0,
    ),
    # Pregnancy
    _flag("pregnant", "Currently pregnant"),
    _flag("breastfeeding", "Currently breastfeeding"),
    _flag("pregnancy_planned", "Pregnancy planned during the treatment course"),
    # Substance use
    _flag("substance_use_disorder_active", "Active substance use disorder (alcohol included)"),
    _flag("ketamine_misuse_history", "Past ketamine misuse"),
    # Baseline ratings (intake)
    FactSpec("madrs_total", FactType.INT, "MADRS total at intake", _TOTAL, minimum=0, maximum=60),
    FactSpec(
        "madrs_item10",
        FactType.INT,
        "MADRS item 10 (suicidal thoughts) at intake",
        _ITEM,
        minimum=0,
        maximum=6,
    ),
    FactSpec("ymrs_total", FactType.INT, "YMRS total at intake", _TOTAL, minimum=0, maximum=60),
    FactSpec("phq9_total", FactType.INT, "PHQ-9 total at intake", _TOTAL, minimum=0, maximum=27),
    FactSpec(
        "phq9_item9",
        FactType.INT,
        "PHQ-9 item 9 (thoughts of self-harm) at intake",
        _ITEM,
        minimum=0,
        maximum=3,
    ),
    FactSpec(
        "qids_total", FactType.INT, "QIDS-SR16 total at intake", _TOTAL, minimum=0, maximum=27
    ),
    FactSpec("asrm_total", FactType.INT, "ASRM total at intake", _TOTAL, minimum=0, maximum=20),
    FactSpec(
        "cssrs_level",
        FactType.ENUM,
        "C-SSRS screener triage level, lifetime/recent version (baseline)",
        allowed=("none", "low", "moderate", "high"),
    ),
)
"""Facts the intake app builds for the eligibility assessment."""

_PERCENT: Final = "%"
_PER_MINUTE: Final = "/min"
_MINUTES: Final = "minutes"
_CSSRS_LEVELS: Final = ("none", "low", "moderate", "high")
_SPO2_MAX: Final = 100
_MADRS_ITEM_MAX: Final = 6
_YMRS_TOTAL_MAX: Final = 60
_ASRM_TOTAL_MAX: Final = 20
_CADSS_TOTAL_MAX: Final = 92
_MOAAS_MAX: Final = 5


def _measure(name: str, description: str, unit: str, maximum: int | None = None) -> FactSpec:
    return FactSpec(name, FactType.INT, description, unit, minimum=0, maximum=maximum)


PRECHECK_FACTS: Final[tuple[FactSpec, ...]] = (
    FactSpec(
        "route",
        FactType.ENUM,
        "How the dose is given (the treatment course's route)",
        allowed=tuple(route.value for route in Route),
    ),
    # Vital signs before dosing (REFERENCE.md §2.2, §3.1)
    _measure("predose_systolic_bp", "First pre-dose systolic blood pressure", _MMHG),
    _measure("predose_diastolic_bp", "First pre-dose diastolic blood pressure", _MMHG),
    _measure("predose_heart_rate", "Pre-dose heart rate", _PER_MINUTE),
    _measure(
        "predose_spo2", "Pre-dose SpO2 on room air (the discharge baseline)", _PERCENT, _SPO2_MAX
    ),
    _flag(
        "predose_bp_rechecked",
        "A blood-pressure re-check after seated rest was taken (false: none taken)",
    ),
    _measure("recheck_systolic_bp", "Systolic BP of the latest re-check after seated rest", _MMHG),
    _measure(
        "recheck_diastolic_bp", "Diastolic BP of the latest re-check after seated rest", _MMHG
    ),
    FactSpec("weight_kg", FactType.NUMBER, "Today's weight", "kg", minimum=0),
    # Mood elevation (REFERENCE.md §5.2)
    _measure(
        "ymrs_total_predose",
        "Pre-dose YMRS total (taken >= 48 h after the previous dose)",
        _TOTAL,
        _YMRS_TOTAL_MAX,
    ),
    _measure(
        "asrm_total_recent",
        "Most recent ASRM total outside the acute post-dose window",
        _TOTAL,
        _ASRM_TOTAL_MAX,
    ),
    FactSpec(
        "open_mood_alert",
        FactType.ENUM,
        "Highest open (not yet cleared) mood-elevation alert",
        allowed=("none", "amber", "red"),
    ),
    # Suicide risk (REFERENCE.md §1.7, §7)
    FactSpec(
        "suicide_alert_urgent_open",
        FactType.BOOL,
        "An urgent suicidality alert (tier 2 or 3, C-SSRS moderate or high) is open or "
        "acknowledged, not yet resolved",
    ),
    FactSpec(
        "suicide_same_day_assessment",
        FactType.BOOL,
        "A physician recorded today, after the latest such alert, a same-day assessment "
        "whose dosing decision is to dose",
    ),
    FactSpec(
        "cssrs_since_last_visit_level",
        FactType.ENUM,
        'C-SSRS screener triage level, "since last visit" version (this session)',
        allowed=_CSSRS_LEVELS,
    ),
    _measure(
        "madrs_item10_session",
        "MADRS item 10 (suicidal thoughts) rated at this session",
        _ITEM,
        _MADRS_ITEM_MAX,
    ),
    # Logistics and safety (REFERENCE.md §2.2, §3.2, §6)
    _flag("escort_confirmed", "The escort's name and phone are confirmed for this session"),
    _flag("fasting_confirmed", "Fasting before dosing is confirmed"),
    FactSpec(
        "pregnancy_status",
        FactType.ENUM,
        "Pregnancy status today",
        allowed=("not_applicable", "negative", "positive", "unknown"),
    ),
    # Changes since the last session (REFERENCE.md §3.3)
    _flag(
        "med_change_benzodiazepine",
        "A benzodiazepine was started or changed since the last session",
    ),
    _flag("med_change_lamotrigine_dose", "The lamotrigine dose changed since the last session"),
    _flag(
        "med_change_stimulant", "A psychostimulant was started or changed since the last session"
    ),
    _flag("med_change_maoi", "An MAOI was started or changed since the last session"),
    _flag("adverse_event_since_last", "An adverse event was reported since the last session"),
    _flag("acute_intoxication", "Acute intoxication (alcohol or drugs) today"),
)
"""Facts the treatment app builds for the pre-session go / no-go checklist."""

MONITORING_FACTS: Final[tuple[FactSpec, ...]] = (
    _measure("current_systolic_bp", "Latest systolic BP during the session", _MMHG),
    _measure("current_diastolic_bp", "Latest diastolic BP during the session", _MMHG),
    _measure("current_heart_rate", "Latest heart rate during the session", _PER_MINUTE),
    _measure("current_spo2", "Latest SpO2 on room air during the session", _PERCENT, _SPO2_MAX),
    _measure("current_respiratory_rate", "Latest respiratory rate during the session", _PER_MINUTE),
    _measure("current_moaas", "Latest MOAA/S score during the session", "score", _MOAAS_MAX),
    _flag("apnoea", "Apnoea observed"),
    _flag(
        "target_organ_symptoms",
        "Symptoms of target-organ damage (chest pain, shortness of breath, sudden severe "
        "headache, visual change, seizure, reduced consciousness, focal deficit)",
    ),
    _measure(
        "spo2_sustained_seconds",
        "How long SpO2 has stayed below the prescriber threshold (0 for a single reading)",
        "seconds",
    ),
)
"""Facts the treatment app builds at each monitoring check (stop and pause rules)."""

DISCHARGE_FACTS: Final[tuple[FactSpec, ...]] = (
    _measure(
        "minutes_since_dose_start",
        "Minutes since the dose started (esketamine: since the first device)",
        _MINUTES,
    ),
    _measure(
        "minutes_since_infusion_end",
        "Minutes since the infusion ended (IM: since the injection)",
        _MINUTES,
    ),
    _measure("latest_moaas", "Latest MOAA/S score", "score", _MOAAS_MAX),
    _measure("latest_spo2", "Latest SpO2 on room air", _PERCENT, _SPO2_MAX),
    _measure("latest_cadss", "Latest CADSS total", _TOTAL, _CADSS_TOTAL_MAX),
    _measure("predose_cadss", "Pre-dose CADSS total", _TOTAL, _CADSS_TOTAL_MAX),
    _measure("latest_systolic_bp", "Latest systolic BP", _MMHG),
    _measure("latest_diastolic_bp", "Latest diastolic BP", _MMHG),
    _measure("latest_heart_rate", "Latest heart rate", _PER_MINUTE),
    _flag("escort_present", "The escort is physically present to take the patient home"),
    _flag(
        "no_driving_acknowledged",
        "The patient acknowledged the no-driving instruction (no_driving_until)",
    ),
    _flag("exit_check_recorded", "The nurse recorded the exit check (safety and mobility)"),
    _flag(
        "exit_check_open_finding",
        "The newest exit check found something and no physician has decided the patient "
        "may go home",
    ),
)
"""Facts the treatment app builds for the discharge check."""

_PHQ9_ITEM_MAX: Final = 3
_QIDS_ITEM_MAX: Final = 3
_PHQ9_TOTAL_MAX: Final = 27
_QIDS_TOTAL_MAX: Final = 27
_MADRS_TOTAL_MAX: Final = 60
_YMRS_NARROW_ITEM_MAX: Final = 4
_YMRS_WIDE_ITEM_MAX: Final = 8
_DIARY_MOOD_MIN: Final = -3
_DIARY_MOOD_MAX: Final = 3
_HOURS: Final = "hours"
_RATINGS: Final = "ratings"
_NIGHTS: Final = "nights"
_TRIGGER_ONLY: Final = " (the triggering rating only; missing for any other trigger)"
_DIARY_TRIGGER_ONLY: Final = " (diary triggers only)"


def _int(
    name: str, description: str, unit: str, low: int | None = 0, high: int | None = None
) -> FactSpec:
    return FactSpec(name, FactType.INT, description, unit, minimum=low, maximum=high)


ALERT_FACTS: Final[tuple[FactSpec, ...]] = (
    # What prompted the evaluation
    FactSpec(
        "trigger_kind",
        FactType.ENUM,
        "What prompted the evaluation: a new rating, a new diary entry, the clock or the "
        "exit check at discharge",
        allowed=("rating", "diary", "clock", "exit_check"),
    ),
    # The exit check at discharge (REFERENCE.md §6 "Safety"); missing for other triggers
    FactSpec(
        "exit_mood_elevation",
        FactType.BOOL,
        "The exit check found mood elevation still present at discharge",
    ),
    FactSpec(
        "exit_perceptual_change",
        FactType.BOOL,
        "The exit check found perceptual change still present at discharge",
    ),
    FactSpec(
        "exit_new_suicidal_ideation",
        FactType.BOOL,
        "The exit check found new suicidal ideation at discharge",
    ),
    FactSpec(
        "trigger_instrument",
        FactType.ENUM,
        "Instrument of the triggering rating ('none' for a diary or clock trigger)",
        allowed=(*INSTRUMENT_IDS, "none"),
    ),
    _flag(
        "trigger_outside_acute_window",
        "The triggering rating or diary entry is outside the acute post-dose window "
        "(switch_acute_post_dose_exclusion_hours after a dose), so it feeds the switch rules",
    ),
    _flag(
        "trigger_ymrs_predose",
        "The triggering rating is a YMRS outside the acute window, taken at least "
        "switch_ymrs_min_hours_since_dose after the previous dose (or before the first dose)",
    ),
    # Suicide items of the triggering rating (REFERENCE.md §7)
    _int(
        "trigger_phq9_item9",
        "PHQ-9 item 9 (thoughts of self-harm)" + _TRIGGER_ONLY,
        _ITEM,
        high=_PHQ9_ITEM_MAX,
    ),
    _int(
        "trigger_qids_item12",
        "QIDS-SR16 item 12 (thoughts of death or suicide)" + _TRIGGER_ONLY,
        _ITEM,
        high=_QIDS_ITEM_MAX,
    ),
    _int(
        "trigger_madrs_item10",
        "MADRS item 10 (suicidal thoughts)" + _TRIGGER_ONLY,
        _ITEM,
        high=_MADRS_ITEM_MAX,
    ),
    _flag(
        "trigger_suicide_item_unanswered",
        "The suicide item (PHQ-9 item 9, QIDS-SR16 item 12, MADRS item 10) of the triggering "
        "rating is unanswered (missing for any other trigger)",
    ),
    FactSpec(
        "trigger_cssrs_level",
        FactType.ENUM,
        "C-SSRS screener triage level (either version)" + _TRIGGER_ONLY,
        allowed=_CSSRS_LEVELS,
    ),
    _flag(
        "trigger_cssrs_complete",
        "Every C-SSRS question that had to be answered was answered" + _TRIGGER_ONLY,
    ),
    # Mood elevation, triggering rating (REFERENCE.md §5.2)
    _int("trigger_asrm_total", "ASRM total" + _TRIGGER_ONLY, _TOTAL, high=_ASRM_TOTAL_MAX),
    _int("trigger_ymrs_total", "YMRS total" + _TRIGGER_ONLY, _TOTAL, high=_YMRS_TOTAL_MAX),
    _int(
        "trigger_ymrs_item1",
        "YMRS item 1 (elevated mood)" + _TRIGGER_ONLY,
        _ITEM,
        high=_YMRS_NARROW_ITEM_MAX,
    ),
    _int(
        "trigger_ymrs_item4",
        "YMRS item 4 (sleep)" + _TRIGGER_ONLY,
        _ITEM,
        high=_YMRS_NARROW_ITEM_MAX,
    ),
    _int(
        "trigger_ymrs_item7",
        "YMRS item 7 (language or thought disorder)" + _TRIGGER_ONLY,
        _ITEM,
        high=_YMRS_NARROW_ITEM_MAX,
    ),
    _int(
        "trigger_ymrs_item8",
        "YMRS item 8 (thought content)" + _TRIGGER_ONLY,
        _ITEM,
        high=_YMRS_WIDE_ITEM_MAX,
    ),
    _int(
        "ymrs_baseline_total",
        "Pre-treatment YMRS total (the latest YMRS before the first dose, a baseline-purpose "
        "rating first)",
        _TOTAL,
        high=_YMRS_TOTAL_MAX,
    ),
    _int(
        "ymrs_repeat_run",
        "Consecutive pre-dose YMRS ratings, ending with the triggering one, each at or above "
        "switch_red_ymrs_repeat_min",
        _RATINGS,
    ),
    _int(
        "amber_rating_persistence",
        "Ratings meeting an amber criterion, each at least switch_persistence_window_hours "
        "after the one before, in the run of consecutive amber switch ratings (ASRM, pre-dose "
        "YMRS) ending with the triggering rating",
        _RATINGS,
    ),
    # Worsening depression
    _int("trigger_phq9_total", "PHQ-9 total" + _TRIGGER_ONLY, _TOTAL, high=_PHQ9_TOTAL_MAX),
    _int(
        "previous_phq9_total",
        "Total of the PHQ-9 before the triggering one",
        _TOTAL,
        high=_PHQ9_TOTAL_MAX,
    ),
    # Diary (REFERENCE.md §1.10, §5.2)
    _int(
        "trigger_diary_mood",
        "Diary mood, -3..+3 (0 = usual non-depressed self)" + _DIARY_TRIGGER_ONLY,
        "mood score",
        low=_DIARY_MOOD_MIN,
        high=_DIARY_MOOD_MAX,
    ),
    FactSpec(
        "trigger_diary_sleep_hours",
        FactType.NUMBER,
        "Hours slept last night" + _DIARY_TRIGGER_ONLY,
        _HOURS,
        minimum=0,
        maximum=24,
    ),
    _flag(
        "trigger_diary_less_need_for_sleep",
        "The patient felt less need for sleep" + _DIARY_TRIGGER_ONLY,
    ),
    _int(
        "diary_baseline_days",
        "Diary days before the first dose (the personal baseline is their mean)",
        _DAYS,
    ),
    FactSpec(
        "diary_sleep_below_baseline_hours",
        FactType.NUMBER,
        "Personal baseline sleep minus the triggering entry's sleep (negative: more sleep); "
        "missing with fewer than switch_baseline_min_diary_days baseline days",
        _HOURS,
    ),
    _int(
        "diary_high_mood_streak_days",
        "Consecutive diary days, including the triggering entry's day, with mood at or above "
        "switch_amber_diary_mood_min (acute post-dose entries excluded)",
        _DAYS,
    ),
    _int(
        "diary_amber_streak_days",
        "Consecutive diary days, including the triggering entry's day, that each meet a diary "
        "amber criterion (high mood or the sleep rule; acute post-dose entries excluded)",
        _DAYS,
    ),
    # ASRM with reduced need for sleep
    _int(
        "window_asrm_total",
        "The latest ASRM outside the acute window within switch_red_asrm_sleep_window_days "
        "before the trigger",
        _TOTAL,
        high=_ASRM_TOTAL_MAX,
    ),
    _int(
        "window_short_sleep_nights",
        "Diary nights with less need for sleep within switch_red_asrm_sleep_window_days "
        "up to the trigger (acute post-dose entries excluded)",
        _NIGHTS,
    ),
    # Mixed features with suicidal ideation (latest ratings within mixed_features_window_days)
    _int(
        "current_madrs_total",
        "Latest MADRS total within mixed_features_window_days",
        _TOTAL,
        high=_MADRS_TOTAL_MAX,
    ),
    _int(
        "current_phq9_total",
        "Latest PHQ-9 total within mixed_features_window_days",
        _TOTAL,
        high=_PHQ9_TOTAL_MAX,
    ),
    _int(
        "current_qids_total",
        "Latest QIDS-SR16 total within mixed_features_window_days",
        _TOTAL,
        high=_QIDS_TOTAL_MAX,
    ),
    _int(
        "current_ymrs_total",
        "Latest YMRS total outside the acute window within mixed_features_window_days",
        _TOTAL,
        high=_YMRS_TOTAL_MAX,
    ),
    _int(
        "current_asrm_total",
        "Latest ASRM total outside the acute window within mixed_features_window_days",
        _TOTAL,
        high=_ASRM_TOTAL_MAX,
    ),
    _int(
        "current_mixed_diary_days",
        "Longest run of consecutive diary days within mixed_features_window_days with mood at "
        "or below mixed_elevation_diary_mood_max and either less need for sleep or "
        "irritability at or above mixed_elevation_irritability_min",
        _DAYS,
    ),
    _flag(
        "current_suicide_signal",
        "A rating within mixed_features_window_days fired a suicide-item trigger (PHQ-9 item 9, "
        "QIDS-SR16 item 12 at tier 1 or above, MADRS item 10 at madrs_item10_cssrs_min or "
        "above, a C-SSRS level low or above)",
    ),
    # Clock rules
    _int(
        "diary_missed_days",
        "Consecutive days up to yesterday without a diary entry, since the diary was assigned",
        _DAYS,
    ),
    _int(
        "scale_days_overdue",
        "Days one scheduled scale is overdue (evaluated once per overdue assignment)",
        _DAYS,
    ),
    _flag(
        "induction_complete",
        "Every planned induction session has been dosed",
    ),
    FactSpec(
        "induction_madrs_reduction_pct",
        FactType.NUMBER,
        "MADRS reduction from the pre-treatment baseline at the end of the induction course "
        "(the first MADRS after the last induction dose, acute ratings excluded)",
        _PERCENT,
    ),
    # Context
    _flag("risk_modifier_present", "At least one §5.2 pre-treatment switch-risk modifier"),
    _flag(
        "in_post_session_watch",
        "Within post_session_watch_days after a session (heightened watch)",
    ),
)
"""Derived facts the between-session alert rules read.

``keel.clinical.alerts.alert_facts`` computes them from a patient's history
and one trigger; the rules (kind ``alert``) compare them with parameters.
"""

FACT_CATALOGUE: Final = FactCatalogue.of(
    ELIGIBILITY_FACTS, PRECHECK_FACTS, MONITORING_FACTS, DISCHARGE_FACTS, ALERT_FACTS
)
"""Every fact Keel's protocols may read."""


class FactGroup(StrEnum):
    """A kind of evaluation; each reads its own set of facts (:data:`FACT_GROUPS`)."""

    ELIGIBILITY = "eligibility"
    PRECHECK = "precheck"
    MONITORING = "monitoring"
    DISCHARGE = "discharge"
    ALERT = "alert"


def _names(specs: Iterable[FactSpec]) -> tuple[str, ...]:
    return tuple(spec.name for spec in specs)


FACT_GROUPS: Final[Mapping[FactGroup, tuple[str, ...]]] = MappingProxyType(
    {
        FactGroup.ELIGIBILITY: _names(ELIGIBILITY_FACTS),
        FactGroup.PRECHECK: _names(PRECHECK_FACTS),
        FactGroup.MONITORING: _names(MONITORING_FACTS),
        # Discharge compares the latest readings with the pre-dose baselines.
        FactGroup.DISCHARGE: (
            "route",
            "predose_systolic_bp",
            "predose_diastolic_bp",
            "predose_heart_rate",
            "predose_spo2",
            *_names(DISCHARGE_FACTS),
        ),
        FactGroup.ALERT: _names(ALERT_FACTS),
    }
)
"""Which facts each kind of evaluation uses (a fact may serve several groups).

Eligibility rules (kinds exclusion, requirement, caution) read the
eligibility group; ``precheck`` rules the pre-check group; ``stop`` rules
the monitoring group; ``discharge`` rules the discharge group, which
includes the pre-dose baselines and the route; ``alert`` rules the alert
group (derived facts built by ``keel.clinical.alerts.alert_facts``).
"""

OPTIONAL_FACTS: Final[Mapping[FactGroup, frozenset[str]]] = MappingProxyType(
    {
        FactGroup.ELIGIBILITY: frozenset(),
        # REFERENCE.md §0: MADRS is rated before each session during induction
        # only (monthly later) and ASRM weekly, so a session may lack either;
        # when present, the rules that read them apply.
        FactGroup.PRECHECK: frozenset({"madrs_item10_session", "asrm_total_recent"}),
        FactGroup.MONITORING: frozenset(),
        FactGroup.DISCHARGE: frozenset(),
        # Alert facts depend on the trigger: a rule whose facts are missing for
        # this trigger simply does not fire (only fired alert rules are raised).
        FactGroup.ALERT: frozenset(_names(ALERT_FACTS)),
    }
)
"""Facts a group reads that a given session may legitimately lack ("not assessed")."""


def facts_for(group: FactGroup | str) -> tuple[str, ...]:
    """Return the names of the facts an evaluation of ``group`` uses.

    Raises ``ValueError`` for an unknown group. Example::

        facts_for("discharge")  # ("route", "predose_systolic_bp", ...)
    """
    try:
        return FACT_GROUPS[FactGroup(group)]
    except ValueError:
        allowed = ", ".join(member.value for member in FactGroup)
        raise ValueError(f"unknown fact group {group!r} (allowed: {allowed})") from None


def validate_facts(
    facts: Mapping[str, object], *, catalogue: FactCatalogue = FACT_CATALOGUE
) -> Mapping[str, FactValue | None]:
    """Return ``facts`` checked against ``catalogue`` and normalised.

    Raises :class:`InvalidFactsError` (a ``ValueError``) naming the first fact
    that is not in the catalogue or whose value has the wrong type or lies
    outside its range. ``None`` values are kept: they mark missing facts.
    Numbers come back as ``Decimal``, lists as tuples of normalised names.
    Example::

        validate_facts({"lithium_level_mmol_l": 0.8})["lithium_level_mmol_l"]
        # -> Decimal("0.8")
    """
    return catalogue.validate(facts)

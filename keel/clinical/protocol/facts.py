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

Names are stable: the intake app builds facts with these names. To add facts
(issue 5: pre-session facts such as ``predose_systolic_bp``; issue 6: alert
facts), declare a new tuple of :class:`FactSpec` beside
:data:`ELIGIBILITY_FACTS` and add it to :data:`FACT_CATALOGUE`;
:meth:`FactCatalogue.of` refuses a name declared twice.

Score ranges come from REFERENCE.md section 0 / section 1 (MADRS 0-60, item
10 0-6; YMRS 0-60; PHQ-9 0-27, item 9 0-3; QIDS-SR16 0-27; ASRM 0-20).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

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

FACT_CATALOGUE: Final = FactCatalogue.of(ELIGIBILITY_FACTS)
"""Every fact Keel's protocols may read."""


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

"""The Spravato REMS patient monitoring form as data: a versioned schema of its items.

The REMS revises its form (REFERENCE.md section 2.3), so the items live here as a
versioned schema, not in a template. Every export stores the form id and version it
was printed from. Each item has a key, a short label in Keel's own words (not the
form's wording), where the value comes from, and a resolver that reads it from the
session record (:class:`RemsRecord`, built by ``keel.treatment.rems``).

A resolver returns text, or ``None`` when the record holds no value: the PDF then
prints "not recorded". Values Keel has no field for at all return
:data:`NOT_IN_KEEL`, so the form says so instead of inventing anything.

The concomitant-medication classes are configuration: the benzodiazepine,
psychostimulant and MAOI lists are the protocol's ``interaction_*`` parameters (the
clinic extends them there); the protocol has no list of non-benzodiazepine sedative
hypnotics, so :data:`SEDATIVE_HYPNOTICS` below is that list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

NOT_IN_KEEL = "not recorded in Keel"
NOT_RECORDED = "not recorded"

#: Non-benzodiazepine sedative hypnotics ("Z-drugs" and others); no protocol parameter lists them.
SEDATIVE_HYPNOTICS: tuple[str, ...] = (
    "zolpidem",
    "zaleplon",
    "zopiclone",
    "eszopiclone",
    "suvorexant",
    "lemborexant",
    "daridorexant",
    "ramelteon",
)

#: Concomitant-medication item -> the protocol parameter holding its medicine list
#: (None: the list is SEDATIVE_HYPNOTICS above).
MEDICATION_CLASSES: Mapping[str, str | None] = {
    "med_benzodiazepines": "interaction_benzodiazepines",
    "med_sedative_hypnotics": None,
    "med_psychostimulants": "interaction_psychostimulants",
    "med_maois": "interaction_maois",
}


@dataclass(frozen=True)
class Reading:
    """One vital-signs reading, as the form needs it."""

    taken_at: dt.datetime
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    respiratory_rate: int | None


@dataclass(frozen=True)
class RemsRecord:
    """Everything the resolvers read, gathered from one session (plain values, no queries)."""

    tz: dt.tzinfo
    patient_given_name: str
    patient_family_name: str
    patient_birth_date: dt.date
    patient_sex: str
    first_treatment: bool
    monitor_name: str | None
    monitor_phone: str | None
    monitor_email: str | None
    clinic_name: str
    clinic_phone: str
    dose_mg: str | None
    dose_lot: str | None
    medications: Sequence[str] | None  # None: the medicine list was not reviewed
    medication_lists: Mapping[str, Sequence[str]]
    dose_started_at: dt.datetime | None
    discharged_at: dt.datetime | None
    readings: Sequence[Reading]
    bp_post_dose_minutes: int
    precheck_go: bool | None
    precheck_vitals_rules: Sequence[str]
    discharge_overridden: bool
    sedation: bool | None
    sedation_resolved: bool | None
    dissociation: bool | None
    dissociation_resolved: bool | None
    respiratory_depression: bool | None
    respiratory_depression_resolved: bool | None
    extra: Mapping[str, Any] = field(default_factory=dict)


Resolver = Callable[[RemsRecord], str | None]


@dataclass(frozen=True)
class FormItem:
    """One data item of the form."""

    key: str
    section: str
    label: str
    source: str
    resolve: Resolver


@dataclass(frozen=True)
class FormSchema:
    """One version of the form."""

    form_id: str
    version: str
    effective: dt.date
    title: str
    note: str
    items: tuple[FormItem, ...]


# ---------------------------------------------------------------- helpers


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _bp(reading: Reading | None) -> str | None:
    return None if reading is None else f"{reading.systolic}/{reading.diastolic} mmHg"


def _when(r: RemsRecord, reading: Reading | None) -> str:
    return "" if reading is None else f" at {reading.taken_at.astimezone(r.tz):%H:%M}"


def _before_dose(r: RemsRecord) -> Reading | None:
    if r.dose_started_at is None:
        return None
    before = [x for x in r.readings if x.taken_at <= r.dose_started_at]
    return before[-1] if before else None


def _near_40(r: RemsRecord) -> Reading | None:
    """The reading closest to the label's ~40 minutes, within 20 minutes of it."""
    if r.dose_started_at is None:
        return None
    target = r.dose_started_at + dt.timedelta(minutes=r.bp_post_dose_minutes)
    after = [x for x in r.readings if x.taken_at > r.dose_started_at]
    best = min(after, key=lambda x: abs(x.taken_at - target), default=None)
    if best is None or abs(best.taken_at - target) > dt.timedelta(minutes=20):
        return None
    return best


def _before_end(r: RemsRecord) -> Reading | None:
    if r.dose_started_at is None or r.discharged_at is None:
        return None
    end = r.discharged_at
    after = [x for x in r.readings if r.dose_started_at < x.taken_at <= end]
    return after[-1] if after else None


def _with_time(r: RemsRecord, pick: Callable[[RemsRecord], Reading | None]) -> str | None:
    reading = pick(r)
    value = _bp(reading)
    return None if value is None else value + _when(r, reading)


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> str | None:
    if start is None or end is None:
        return None
    return str(int((end - start).total_seconds() // 60))


def _medication(item: str) -> Resolver:
    def resolve(r: RemsRecord) -> str | None:
        if r.medications is None:
            return None
        names = set(r.medication_lists.get(item, ()))
        found = sorted(names & {m.lower() for m in r.medications})
        return "yes (" + ", ".join(found) + ")" if found else "no"

    return resolve


def _dose(r: RemsRecord) -> str | None:
    if r.dose_mg is None:
        return None
    return f"{r.dose_mg} mg" if r.dose_mg in {"56", "84"} else f"other: {r.dose_mg} mg"


def _resolved(happened: bool | None, resolved: bool | None) -> str | None:
    if happened is None:
        return None
    if not happened:
        return "not applicable (did not occur)"
    return _yes_no(resolved)


def _vitals_ok_before(r: RemsRecord) -> str | None:
    if r.precheck_go is None:
        return None
    if r.precheck_go and not r.precheck_vitals_rules:
        return "yes"
    if r.precheck_go:
        return "no (prescriber decision recorded: " + ", ".join(r.precheck_vitals_rules) + ")"
    return "no"


def _vitals_ok_end(r: RemsRecord) -> str | None:
    if r.discharged_at is None:
        return None
    return "no (discharge criteria overridden by a physician)" if r.discharge_overridden else "yes"


# ---------------------------------------------------------------- the 11/2021 version

_PATIENT = "Patient"
_SETTING = "Healthcare setting and monitoring"
_TREATMENT = "Treatment"
_MEDS = "Concomitant medications"
_VITALS = "Vital signs"
_EFFECTS = "Sedation, dissociation, respiratory depression"
_TIMES = "Monitoring time"

SPRAVATO_2021_11 = FormSchema(
    form_id="spravato-rems-monitoring",
    version="2021-11",
    effective=dt.date(2021, 11, 1),
    title="Spravato REMS patient monitoring form (outpatient), 11/2021 data items",
    note=(
        "Printed by Keel from the session record; labels are Keel's. Outpatient settings "
        "submit the form to the REMS within 7 days of the session (online or by fax)."
    ),
    items=(
        FormItem(
            "patient_first_name",
            _PATIENT,
            "First name",
            "patient record",
            lambda r: r.patient_given_name or None,
        ),
        FormItem(
            "patient_middle_initial",
            _PATIENT,
            "Middle initial",
            "Keel has no middle-name field",
            lambda r: NOT_IN_KEEL,
        ),
        FormItem(
            "patient_last_name",
            _PATIENT,
            "Last name",
            "patient record",
            lambda r: r.patient_family_name or None,
        ),
        FormItem(
            "patient_birth_date",
            _PATIENT,
            "Date of birth",
            "patient record",
            lambda r: r.patient_birth_date.isoformat(),
        ),
        FormItem(
            "patient_sex",
            _PATIENT,
            "Sex",
            "patient record (administrative sex)",
            lambda r: r.patient_sex or None,
        ),
        FormItem(
            "first_treatment",
            _PATIENT,
            "First esketamine treatment for this patient?",
            "no earlier esketamine session with a dose started in Keel",
            lambda r: _yes_no(r.first_treatment),
        ),
        FormItem(
            "monitor_name",
            _SETTING,
            "Monitoring healthcare professional",
            "the clinician who started the administration",
            lambda r: r.monitor_name,
        ),
        FormItem(
            "monitor_phone",
            _SETTING,
            "Their telephone",
            "the clinic's phone (Keel keeps no phone per clinician)",
            lambda r: r.monitor_phone,
        ),
        FormItem(
            "monitor_email",
            _SETTING,
            "Their email",
            "the clinician's user profile",
            lambda r: r.monitor_email,
        ),
        FormItem(
            "setting_name",
            _SETTING,
            "Healthcare setting",
            "clinic name",
            lambda r: r.clinic_name or None,
        ),
        FormItem(
            "setting_address",
            _SETTING,
            "Setting address",
            "Keel has no clinic address field",
            lambda r: NOT_IN_KEEL,
        ),
        FormItem(
            "treatment_date",
            _TREATMENT,
            "Treatment date",
            "start of administration (clinic time)",
            lambda r: (
                None
                if r.dose_started_at is None
                else r.dose_started_at.astimezone(r.tz).date().isoformat()
            ),
        ),
        FormItem("dose", _TREATMENT, "Dose (56 mg, 84 mg or other)", "dose record", _dose),
        FormItem("lot", _TREATMENT, "Lot number", "dose record", lambda r: r.dose_lot or None),
        FormItem(
            "med_benzodiazepines",
            _MEDS,
            "Benzodiazepine",
            "evaluation medicine list vs protocol parameter interaction_benzodiazepines",
            _medication("med_benzodiazepines"),
        ),
        FormItem(
            "med_sedative_hypnotics",
            _MEDS,
            "Non-benzodiazepine sedative hypnotic",
            "evaluation medicine list vs SEDATIVE_HYPNOTICS (rems_forms.py)",
            _medication("med_sedative_hypnotics"),
        ),
        FormItem(
            "med_psychostimulants",
            _MEDS,
            "Psychostimulant",
            "evaluation medicine list vs protocol parameter interaction_psychostimulants",
            _medication("med_psychostimulants"),
        ),
        FormItem(
            "med_maois",
            _MEDS,
            "MAOI",
            "evaluation medicine list vs protocol parameter interaction_maois",
            _medication("med_maois"),
        ),
        FormItem(
            "bp_before",
            _VITALS,
            "Blood pressure before administration",
            "last reading before the dose started",
            lambda r: _with_time(r, _before_dose),
        ),
        FormItem(
            "bp_40_min",
            _VITALS,
            "Blood pressure about 40 minutes after administration",
            "reading closest to esketamine_bp_post_dose_minutes (within 20 min)",
            lambda r: _with_time(r, _near_40),
        ),
        FormItem(
            "bp_before_end",
            _VITALS,
            "Blood pressure before the end of the session",
            "last reading before discharge",
            lambda r: _with_time(r, _before_end),
        ),
        FormItem(
            "vitals_ok_before",
            _VITALS,
            "Vital signs acceptable before administration?",
            "go / no-go outcome and its vital-sign rules",
            _vitals_ok_before,
        ),
        FormItem(
            "vitals_ok_end",
            _VITALS,
            "Vital signs acceptable before the end of the session?",
            "discharge criteria met without override",
            _vitals_ok_end,
        ),
        FormItem(
            "sedation",
            _EFFECTS,
            "Sedation observed?",
            "MOAA/S below 5 after the dose, or a sedation stop rule",
            lambda r: _yes_no(r.sedation),
        ),
        FormItem(
            "sedation_resolved",
            _EFFECTS,
            "Sedation resolved?",
            "last MOAA/S before discharge is 5",
            lambda r: _resolved(r.sedation, r.sedation_resolved),
        ),
        FormItem(
            "dissociation",
            _EFFECTS,
            "Dissociation observed?",
            "CADSS after the dose above the pre-dose CADSS (above 0 without one)",
            lambda r: _yes_no(r.dissociation),
        ),
        FormItem(
            "dissociation_resolved",
            _EFFECTS,
            "Dissociation resolved?",
            "last CADSS back to the pre-dose value",
            lambda r: _resolved(r.dissociation, r.dissociation_resolved),
        ),
        FormItem(
            "respiratory_depression",
            _EFFECTS,
            "Respiratory depression observed?",
            "SpO2 below spo2_prescriber_below after the dose, an SpO2/apnoea stop rule, or a "
            "recorded adverse event: desaturation with intervention",
            lambda r: _yes_no(r.respiratory_depression),
        ),
        FormItem(
            "respiratory_depression_resolved",
            _EFFECTS,
            "Respiratory depression resolved?",
            "last SpO2 before discharge at or above spo2_prescriber_below",
            lambda r: _resolved(r.respiratory_depression, r.respiratory_depression_resolved),
        ),
        FormItem(
            "total_minutes",
            _TIMES,
            "Minutes from first device to end of monitoring (at least 120)",
            "dose start to discharge",
            lambda r: _minutes(r.dose_started_at, r.discharged_at),
        ),
        FormItem(
            "ready_to_leave_minutes",
            _TIMES,
            "When the patient was ready to leave, minutes from start of administration",
            "dose start to discharge (Keel records no separate ready-to-leave time)",
            lambda r: _minutes(r.dose_started_at, r.discharged_at),
        ),
    ),
)

#: Every known version, by (form id, version); CURRENT is what new exports use.
FORMS: Mapping[tuple[str, str], FormSchema] = {
    (SPRAVATO_2021_11.form_id, SPRAVATO_2021_11.version): SPRAVATO_2021_11,
}
CURRENT = SPRAVATO_2021_11


def resolve_items(schema: FormSchema, record: RemsRecord) -> list[dict[str, str]]:
    """Every item of ``schema`` with its value ("not recorded" when the record has none)."""
    rows = []
    for item in schema.items:
        value = item.resolve(record)
        rows.append(
            {
                "key": item.key,
                "section": item.section,
                "label": item.label,
                "source": item.source,
                "value": NOT_RECORDED if value in (None, "") else str(value),
            }
        )
    return rows

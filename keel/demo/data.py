"""The demo clinic's invented people (DOMAIN.md, "The demo clinic"). Never real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.accounts.roles import Role

DEMO_PASSWORD = "keel-demo-pass"  # noqa: S105 - published demo credential, demo installs only
# Published authenticator secret of the demo users whose role needs two-step sign-in
# (physician, clinic admin, psychiatrist of record): add it to any TOTP app, or
# `oathtool --totp -b KEELDEMOKEELDEMOKEELDEMOKEELDEMO` prints the current code.
DEMO_TOTP_SECRET = "KEELDEMOKEELDEMOKEELDEMOKEELDEMO"  # noqa: S105 - published, demo installs only
CLINIC_SLUG = "harbour"
CLINIC_NAME = "Harbour Mood Clinic"
CLINIC_TIME_ZONE = "America/New_York"
CLINIC_MRN_PREFIX = "HB"
CLINIC_PHONE = "+1 555 0100 200"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: Role


STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("dana", "Dana", "Whitfield", Role.NURSE),
    DemoStaff("okafor", "Chidi", "Okafor", Role.PHYSICIAN),
    DemoStaff("sam", "Sam", "Lindqvist", Role.FRONT_DESK),
    DemoStaff("lee", "Lee", "Park", Role.CLINIC_ADMIN),
)

PSYCHIATRIST_USERNAME = "reyes"
PSYCHIATRIST_FIRST = "Marisol"
PSYCHIATRIST_LAST = "Reyes"
PSYCHIATRIST_PRACTICE = "Reyes Psychiatry Group"
OTHER_PSYCHIATRIST = "Dr Tomas Albrecht"


@dataclass(frozen=True)
class DemoPatient:
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    weight_kg: Decimal
    story: str
    with_reyes: bool = True


PATIENTS: tuple[DemoPatient, ...] = (
    DemoPatient("Alex", "Marlow", dt.date(1988, 3, 14), "other", Decimal("72.4"), "responder"),
    DemoPatient(
        "Blair", "Tennant", dt.date(1979, 11, 2), "female", Decimal("64.0"), "switch alert"
    ),
    DemoPatient(
        "Casey", "Odum", dt.date(1995, 6, 21), "male", Decimal("81.2"), "suicidality alert"
    ),
    DemoPatient(
        "Drew", "Halvorsen", dt.date(1983, 1, 30), "male", Decimal("90.5"), "psychosis history"
    ),
    DemoPatient(
        "Emery", "Castellanos", dt.date(1991, 8, 9), "female", Decimal("58.3"), "lamotrigine only"
    ),
    DemoPatient("Finley", "Brandt", dt.date(1968, 4, 17), "male", Decimal("97.0"), "BP hard hold"),
    DemoPatient("Gray", "Nakashima", dt.date(1986, 12, 5), "female", Decimal("61.7"), "esketamine"),
    DemoPatient(
        "Harper",
        "Quill",
        dt.date(1975, 9, 23),
        "female",
        Decimal("70.1"),
        "non-responder",
        with_reyes=False,
    ),
    DemoPatient("Jordan", "Ellery", dt.date(1990, 2, 11), "male", Decimal("77.0"), "filler"),
    DemoPatient("Kai", "Sorensen", dt.date(1982, 7, 29), "other", Decimal("69.5"), "filler"),
    DemoPatient("Logan", "Pereira", dt.date(1977, 5, 3), "male", Decimal("88.8"), "filler"),
    DemoPatient("Morgan", "Achebe", dt.date(1993, 10, 19), "female", Decimal("55.9"), "filler"),
    DemoPatient(
        "Noel",
        "Fitzgerald",
        dt.date(1969, 1, 8),
        "male",
        Decimal("84.3"),
        "filler",
        with_reyes=False,
    ),
    DemoPatient("Oakley", "Varga", dt.date(1999, 4, 26), "female", Decimal("60.2"), "filler"),
    DemoPatient("Parker", "Lindahl", dt.date(1985, 9, 1), "male", Decimal("79.6"), "filler"),
    DemoPatient("Quinn", "Abernathy", dt.date(1980, 12, 12), "female", Decimal("66.6"), "filler"),
    DemoPatient(
        "Reese", "Moreau", dt.date(1972, 3, 7), "male", Decimal("92.1"), "filler", with_reyes=False
    ),
    DemoPatient("Sawyer", "Ilunga", dt.date(1996, 6, 15), "female", Decimal("57.4"), "filler"),
    DemoPatient("Tatum", "Karlsson", dt.date(1987, 8, 22), "other", Decimal("73.3"), "filler"),
    DemoPatient("Avery", "Okonkwo", dt.date(1974, 11, 28), "female", Decimal("68.0"), "filler"),
)


# ---------------------------------------------------------------- intake (issue: intake to first session)
# Answers shared by the demo evaluations; each persona changes what makes their story.
EVALUATION_BASE: dict[str, object] = {
    "icd10_code": "F31.81",
    "bipolar_type": "bipolar_ii",
    "bipolar_diagnosis_confirmed": True,
    "current_episode": "depressed",
    "medicines_reviewed": True,
    "antimanic_agents": ["lithium"],
    "other_medications": "",
    "lithium_level_mmol_l": Decimal("0.80"),
    "antidepressant_trials": 3,
    "ect_history": False,
    "prior_ketamine": False,
    "psychosis_history": False,
    "psychosis_current": False,
    "suicide_attempt_history": False,
    "psychiatric_hospitalisations": 1,
    "switch_on_antidepressant_history": False,
    "substance_use_disorder_active": False,
    "ketamine_misuse_history": False,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_haemorrhage_history": False,
    "ketamine_hypersensitivity": False,
    "bp_or_icp_rise_serious_risk": False,
    "recent_cardiovascular_event": False,
    "hypertensive_encephalopathy_history": False,
    "hyperthyroidism_uncontrolled": False,
    "preeclampsia_or_eclampsia": False,
    "raised_icp_or_eye_risk": False,
    "liver_disease_significant": False,
    "hypertension_diagnosed": False,
    "hypertension_controlled": True,
    "resting_systolic_bp": 124,
    "resting_diastolic_bp": 79,
    "pregnant": False,
    "breastfeeding": False,
    "pregnancy_planned": False,
}
# given name -> answers that differ from the base (and the level date's age in days)
EVALUATION_CHANGES: dict[str, dict[str, object]] = {
    "Alex": {"other_medications": "bupropion 150 mg daily"},
    "Blair": {
        "bipolar_type": "bipolar_i",
        "icd10_code": "F31.4",
        "antimanic_agents": ["valproate"],
        "lithium_level_mmol_l": None,
        "valproate_level_ug_ml": Decimal("82.0"),
    },
    "Casey": {},
    "Finley": {
        "hypertension_diagnosed": True,
        "hypertension_controlled": True,
        "resting_systolic_bp": 136,
        "resting_diastolic_bp": 86,
    },
    "Gray": {},
    "Harper": {},
    "Kai": {},
    "Drew": {
        "bipolar_type": "bipolar_i",
        "icd10_code": "F31.4",
        "psychosis_history": True,
        "antimanic_agents": ["valproate"],
        "lithium_level_mmol_l": None,
        "valproate_level_ug_ml": Decimal("78.0"),
    },
    "Emery": {"antimanic_agents": ["lamotrigine"], "lithium_level_mmol_l": None},
}
LEVEL_AGE_DAYS = 12
# Baseline ratings (item scores). Alex: MADRS 34 (REFERENCE persona), YMRS 4.
BASELINE_RATINGS: dict[str, list[int | None]] = {
    "madrs": [4, 4, 3, 4, 3, 4, 4, 4, 3, 1],
    "ymrs": [0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0],
    "phq9": [2, 3, 2, 2, 2, 2, 2, 2, 0],
    "qids_sr16": [2, 2, 1, 0, 3, 2, 0, 1, 0, 2, 2, 0, 2, 2, 1, 0],
    "asrm": [0, 0, 1, 0, 1],
    "cssrs_screen": [0, 0, None, None, None, 0, None],
}
# given name -> baseline ratings that differ (Harper: MADRS 30, REFERENCE persona).
BASELINE_CHANGES: dict[str, dict[str, list[int | None]]] = {
    "Harper": {"madrs": [4, 4, 3, 3, 3, 4, 3, 3, 3, 0]},
    "Casey": {"madrs": [4, 4, 3, 3, 3, 3, 3, 3, 3, 1]},
}
INTAKE_DAYS_AGO = 40
# Cleared for treatment: eligible decision, consent and plan acknowledgement (or, for a
# psychiatrist without a Keel login, a physician's documented reason).
CLEARED: tuple[str, ...] = ("Alex", "Blair", "Casey", "Finley", "Gray", "Harper", "Kai")
ACK_EXCEPTION_REASON = (
    "Dr Albrecht confirmed the plan by telephone and will acknowledge in writing; "
    "letter sent by fax."
)
PLANS: dict[str, str] = {
    "Gray": "Esketamine nasal spray 56 mg twice weekly for four weeks under the REMS.",
}
ALEX_PLAN = (
    "IV racemic ketamine 0.5 mg/kg over 40 minutes, six induction sessions over about two weeks "
    "(Mon/Wed/Fri), then review of response before any maintenance."
)
ALEX_MOOD_PLAN = "Continue lithium at the current dose; repeat level before session 4."
ALEX_ACK_COMMENT = "Agree with the plan. I will see Alex two weeks after the induction course."


# ---------------------------------------------------------------- treatment (sessions)
@dataclass(frozen=True)
class DemoLot:
    drug: str
    concentration_mg_per_ml: Decimal
    lot_number: str
    quantity_ml: Decimal
    reference: str


LOTS: tuple[DemoLot, ...] = (
    DemoLot(
        "ketamine hydrochloride (racemic)",
        Decimal("10.00"),
        "KET-2611-A",
        Decimal("200.00"),
        "PS-DEMO-0001",
    ),
    DemoLot("esketamine", Decimal("140.00"), "SPR-2611-B", Decimal("10.00"), "PS-DEMO-0002"),
)


@dataclass(frozen=True)
class DemoCourse:
    """One persona's course: route, dose, past sessions (days after the first) and MADRS."""

    patient: str
    route: str
    lot: str
    concentration_mg_per_ml: Decimal
    first_session_days_ago: int
    session_days: tuple[int, ...]
    madrs: tuple[int, ...] = ()
    dose_mg_per_kg: Decimal | None = Decimal("0.5")
    esketamine_dose_mg: int | None = None
    induction_sessions: int = 6
    schedule_note: str = "Mon / Wed / Fri for two weeks, then review."
    next_in_days: int = 2
    held_today: bool = False


IV = "iv_racemic_ketamine"
COURSES: tuple[DemoCourse, ...] = (
    # Alex: six IV sessions, MADRS 34 at intake -> 14 before session 6 (12 at review).
    DemoCourse(
        "Alex",
        IV,
        "KET-2611-A",
        Decimal("10.00"),
        26,
        (0, 2, 4, 7, 9, 11),
        madrs=(33, 28, 24, 19, 16, 14),
        next_in_days=12,
    ),
    # Harper: six IV sessions, MADRS 30 -> 27: non-response after induction.
    DemoCourse(
        "Harper",
        IV,
        "KET-2611-A",
        Decimal("10.00"),
        19,
        (0, 2, 4, 7, 9, 11),
        madrs=(30, 30, 29, 28, 28, 27),
        next_in_days=5,
    ),
    # Blair: three IV sessions; mood elevation two days after session 3 (check-ins).
    DemoCourse("Blair", IV, "KET-2611-A", Decimal("10.00"), 6, (0, 2, 4), madrs=(30, 25, 21)),
    # Casey: two IV sessions so far; a weekly PHQ-9 with item 9 = 2 (check-ins).
    DemoCourse("Casey", IV, "KET-2611-A", Decimal("10.00"), 5, (0, 3), madrs=(31, 27)),
    # Gray: esketamine 56 mg; the REMS monitoring form is printed from session 2.
    DemoCourse(
        "Gray",
        "intranasal_esketamine",
        "SPR-2611-B",
        Decimal("140.00"),
        5,
        (0, 3),
        dose_mg_per_kg=None,
        esketamine_dose_mg=56,
        induction_sessions=8,
        schedule_note="Twice weekly for four weeks.",
    ),
    # Finley: cleared, but yesterday's pre-checks stopped at the blood-pressure hard hold.
    DemoCourse(
        "Finley", IV, "KET-2611-A", Decimal("10.00"), 1, (), held_today=True, next_in_days=3
    ),
)


# ---------------------------------------------------------------- between sessions (check-ins)
# Patients with a portal login (username = given name in lower case, the demo password).
PORTAL_LOGINS: tuple[str, ...] = ("Alex", "Blair", "Casey")


def portal_username(given_name: str) -> str:
    """A demo patient's portal username (the startup banner prints them)."""
    return given_name.lower()


# Alex's weekly PHQ-9 totals from the day before the first dose (a responder).
ALEX_WEEKLY_PHQ9: tuple[int, ...] = (18, 16, 12, 9, 7, 6)
HARPER_REVIEW_MADRS: list[int | None] = [3, 3, 3, 3, 3, 3, 3, 3, 3, 0]  # 27 after induction
ALEX_REVIEW_MADRS: list[int | None] = [2, 2, 1, 2, 1, 1, 2, 1, 0, 0]  # 12 at the review
BLAIR_ASRM: list[int] = [2, 1, 1, 1, 1]  # 6: the ASRM cut-off (REFERENCE.md §1.6)
CASEY_PHQ9: list[int] = [2, 2, 2, 2, 1, 2, 1, 1, 2]  # item 9 = 2: urgent (REFERENCE.md §7)


def phq9_answers(total: int) -> list[int]:
    """Nine PHQ-9 item scores (item 9 = 0) adding up to ``total`` (at most 24)."""
    items = [0] * 9
    for n in range(total):
        items[n % 8] += 1
    return items


def qids_answers(phq9_total: int) -> list[int]:
    """Sixteen QIDS-SR16 item scores near the PHQ-9's severity (item 12, suicide, = 0)."""
    level = 0 if phq9_total < 5 else 1 if phq9_total < 10 else 2 if phq9_total < 15 else 3
    answers = [0] * 16
    for index in (0, 4, 9, 10, 12, 13, 14):  # sleep, sadness, concentration, self-view, ...
        answers[index] = level
    return answers

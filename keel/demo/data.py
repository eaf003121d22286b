"""The demo clinic's invented people (DOMAIN.md, "The demo clinic"). Never real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keel.accounts.roles import Role

DEMO_PASSWORD = "keel-demo-pass"  # noqa: S105 - published demo credential, demo installs only
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

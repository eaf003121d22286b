"""factory_boy factories for patients (synthetic people only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from keel.accounts.tests.factories import ClinicFactory
from keel.patients.models import AdministrativeSex, Patient, PsychiatristOfRecord


class PsychiatristOfRecordFactory(DjangoModelFactory[PsychiatristOfRecord]):
    class Meta:
        model = PsychiatristOfRecord

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Faker("name")
    practice = "Test Psychiatry"


class PatientFactory(DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    mrn = factory.Sequence(lambda n: f"F{n:06d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = factory.Faker(
        "date_between", start_date=dt.date(1950, 1, 1), end_date=dt.date(2000, 1, 1)
    )
    administrative_sex = AdministrativeSex.FEMALE
    weight_kg = Decimal("70.0")

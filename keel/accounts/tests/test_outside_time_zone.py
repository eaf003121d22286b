"""Outside accounts see times in their clinic's zone, named on every page (issue 18 §4):
the psychiatrist of record acts in no clinic, so her patients' clinic gives the zone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import World
from keel.accounts.tests.factories import ClinicFactory
from keel.coordination.services import letter_generate
from keel.patients.models import PsychiatristOfRecord
from keel.patients.selectors import outside_time_zone

pytestmark = pytest.mark.django_db

# 15:30 UTC on 8 December is 09:30 in Chicago (CST, UTC-6).
MOMENT = dt.datetime(2026, 12, 8, 15, 30, tzinfo=dt.UTC)


def test_the_psychiatrist_sees_the_clinics_time_with_the_zone_named(world: World) -> None:
    assert world.clinic_x.time_zone == "America/Chicago"
    with time_machine.travel(MOMENT, tick=False):
        letter_generate(actor=world.actor("physician_x"), patient=world.patient_a, email=False)
    html = (
        world.client("psychiatrist_a")
        .get(f"/coordination/patients/{world.patient_a.pk}/")
        .content.decode()
    )
    assert "2026-12-08 09:30" in html and "2026-12-08 15:30" not in html
    assert "Times are shown in America/Chicago (CST)." in html
    # The clinic's own staff: the same time, the same zone named.
    staff = world.client("physician_x").get(f"/coordination/patients/{world.patient_a.pk}/")
    assert "2026-12-08 09:30" in staff.content.decode()
    assert "Times are shown in America/Chicago (CST)." in staff.content.decode()


def test_a_patient_sees_their_clinics_zone_named(world: World) -> None:
    html = world.client("patient_a").get("/portal/", follow=True).content.decode()
    assert "Times are shown in America/Chicago (CST)" in html or (
        "Times are shown in America/Chicago (CDT)" in html
    )


def test_clinics_in_two_zones_fall_back_to_utc_named(world: World) -> None:
    user = world.users["psychiatrist_a"]
    assert outside_time_zone(user=user) == "America/Chicago"
    far = ClinicFactory(name="Clinic Far", mrn_prefix="FF", time_zone="Europe/Lisbon")
    PsychiatristOfRecord.objects.create(clinic=far, name="Dr A elsewhere", user=user)
    assert outside_time_zone(user=user) is None
    assert outside_time_zone(user=world.users["physician_x"]) is None

"""Ledger test helpers: a stocked lot, a started dose, a witness who re-authenticates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import RequestFactory
from django.utils import timezone

from conftest import World
from keel.accounts.models import User
from keel.accounts.roles import Role
from keel.accounts.tests.factories import TEST_PASSWORD, staff_member
from keel.accounts.tests.mfa_support import TEST_TOTP_SECRET, authenticator_for, totp_code
from keel.inventory.models import Drug, LedgerEntry, Lot
from keel.inventory.permissions import Witness, access_witness
from keel.inventory.services import receipt_record
from keel.treatment.models import DoseAdministration
from keel.treatment.services import dose_prepare, dose_start, dose_verify, precheck_record
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks


def receive(
    world: World,
    *,
    who: str = "nurse_x",
    lot_number: str = "KET-1",
    quantity_ml: str = "50.00",
    expires_in_days: int = 365,
) -> Lot:
    """Receive a lot of racemic ketamine 10 mg/mL into ``who``'s clinic; return the lot."""
    entry = receipt_record(
        actor=world.actor(who),
        drug=Drug.RACEMIC_KETAMINE,
        concentration_mg_per_ml=Decimal("10.00"),
        lot_number=lot_number,
        supplier="Test Pharma Supply",
        expires_on=timezone.localdate() + dt.timedelta(days=expires_in_days),
        quantity_ml=Decimal(quantity_ml),
        reference="PS-0001",
    )
    return entry.lot


def second_nurse(world: World) -> User:
    """Another nurse of clinic X (no two-step sign-in), added to ``world.users``."""
    if "nurse_x2" not in world.users:
        world.users["nurse_x2"] = staff_member(
            clinic=world.clinic_x, role=Role.NURSE, username="nurse_x2"
        )
    return world.users["nurse_x2"]


def witness(world: World, *, by: str = "nurse_x", who: str = "nurse_x2") -> Witness:
    """``who`` re-authenticates (password and, for a physician, TOTP) as ``by``'s witness."""
    if who == "nurse_x2":
        second_nurse(world)
    user = world.users[who]
    if who == "physician_x":
        authenticator_for(user)
    code = totp_code(TEST_TOTP_SECRET) if who == "physician_x" else ""
    return access_witness(
        actor=world.actor(by),
        request=RequestFactory().post("/"),
        username=user.username,
        password=TEST_PASSWORD,
        otp_code=code,
    )


def started_dose(world: World) -> DoseAdministration:
    """Patient A's first IV dose (36 mg at 10 mg/mL = 3.60 mL of lot LOT-42), started."""
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    dose_start(actor=nurse, dose=dose)
    dose.refresh_from_db()
    return dose


def administration_of(dose: DoseAdministration) -> LedgerEntry:
    return LedgerEntry.objects.get(dose=dose, kind="administration")

"""Ledger services: derivable balances, witnesses, refusals, corrections, the chairside link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from conftest import World
from keel.accounts.tests.factories import TEST_PASSWORD
from keel.accounts.tests.mfa_support import TEST_TOTP_SECRET, authenticator_for, totp_code
from keel.audit.models import AuditEvent
from keel.common.exceptions import PermissionDenied, ValidationFailed
from keel.inventory.models import Drug, EntryKind, LedgerEntry
from keel.inventory.permissions import access_witness
from keel.inventory.selectors import lot_balance, lot_find, lot_list
from keel.inventory.services import (
    correction_record,
    count_record,
    draw_record,
    receipt_record,
    waste_record,
)
from keel.inventory.tests.support import (
    administration_of,
    receive,
    second_nurse,
    started_dose,
    witness,
)
from keel.treatment.models import DoseAdministration, SessionState
from keel.treatment.services import dose_prepare, dose_start, dose_verify, precheck_record
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db


def _sum_of_entries(lot_id: int) -> Decimal:
    entries = LedgerEntry.objects.filter(lot_id=lot_id).exclude(kind=EntryKind.DRAW)
    return sum((e.quantity_ml for e in entries), Decimal("0.00"))


def test_full_session_leaves_an_administration_linked_to_its_dose(world: World) -> None:
    """dose_start records the administration; the lot's balance drops by the dose volume."""
    dose = started_dose(world)
    lot = lot_find(clinic_id=world.clinic_x.pk, lot_number="LOT-42", drug=Drug.RACEMIC_KETAMINE)
    assert lot is not None
    entry = administration_of(dose)
    assert (entry.dose_id, entry.session_id, entry.lot_id) == (dose.pk, dose.session_id, lot.pk)
    assert entry.quantity_ml == -dose.volume_ml == Decimal("-3.60")
    assert lot_balance(lot_id=lot.pk) == Decimal("96.40") == _sum_of_entries(lot.pk)
    event = AuditEvent.objects.get(object_type="ledger_entry", object_id=str(entry.pk))
    assert event.patient_id == world.patient_a.pk


def test_a_draw_is_recorded_but_does_not_move_the_balance(world: World) -> None:
    dose = started_dose(world)
    before = lot_balance(lot_id=administration_of(dose).lot_id)
    draw = draw_record(actor=world.actor("nurse_x"), dose=dose, quantity_ml=Decimal("4.00"))
    assert draw.quantity_ml == Decimal("-4.00") and draw.dose_id == dose.pk
    assert lot_balance(lot_id=draw.lot_id) == before


def test_balances_are_derivable_from_the_entries(world: World) -> None:
    lot = receive(world, quantity_ml="20.00")
    receive(world, quantity_ml="5.00")  # a second receipt of the same lot
    waste_record(
        actor=world.actor("nurse_x"), witness=witness(world), lot=lot, quantity_ml=Decimal("1.25")
    )
    [annotated] = [x for x in lot_list(clinic_id=world.clinic_x.pk) if x.pk == lot.pk]
    assert annotated.balance == lot_balance(lot_id=lot.pk) == Decimal("23.75")  # type: ignore[attr-defined]
    assert _sum_of_entries(lot.pk) == Decimal("23.75")
    sequences = list(
        LedgerEntry.objects.filter(clinic=world.clinic_x).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, len(sequences) + 1))


def test_count_stores_expected_counted_and_discrepancy_and_a_correction_settles_it(
    world: World,
) -> None:
    lot = receive(world, quantity_ml="10.00")
    nurse = world.actor("nurse_x")
    count = count_record(actor=nurse, witness=witness(world), lot=lot, counted_ml=Decimal("9.50"))
    assert (count.expected_ml, count.counted_ml, count.discrepancy_ml) == (
        Decimal("10.00"),
        Decimal("9.50"),
        Decimal("-0.50"),
    )
    assert lot_balance(lot_id=lot.pk) == Decimal("10.00")  # a count never moves the balance
    with pytest.raises(ValidationFailed, match="reason"):
        correction_record(actor=nurse, corrects=count, quantity_ml=Decimal("-0.50"), reason="x")
    correction = correction_record(
        actor=nurse,
        corrects=count,
        quantity_ml=Decimal("-0.50"),
        reason="Spillage found on investigation; reported.",
    )
    assert correction.corrects_id == count.pk
    assert lot_balance(lot_id=lot.pk) == Decimal("9.50")


@pytest.mark.parametrize(
    ("who", "password", "code", "field"),
    [
        ("nurse_x", TEST_PASSWORD, "", "witness_username"),  # the recorder themself
        ("nurse_x2", "wrong-password", "", "witness_password"),
        ("front_desk_x", TEST_PASSWORD, "", "witness_username"),  # not licensed
        ("clinic_admin_x", TEST_PASSWORD, "", "witness_username"),
        ("nurse_y", TEST_PASSWORD, "", "witness_username"),  # another clinic
        ("physician_x", TEST_PASSWORD, "", "witness_otp_code"),  # two-step sign-in user
        ("physician_x", TEST_PASSWORD, "000000", "witness_otp_code"),
        ("nurse_x2", "", "", "witness_password"),
    ],
)
def test_witness_must_be_a_second_licensed_clinician_who_authenticates(
    world: World, who: str, password: str, code: str, field: str
) -> None:
    second_nurse(world)
    authenticator_for(world.users["physician_x"])
    with pytest.raises(ValidationFailed) as info:
        access_witness(
            actor=world.actor("nurse_x"),
            request=RequestFactory().post("/"),
            username=world.users[who].username,
            password=password,
            otp_code=code,
        )
    assert field in info.value.errors


def test_physician_witness_gives_password_and_current_code(world: World) -> None:
    authenticator_for(world.users["physician_x"])
    seen = access_witness(
        actor=world.actor("nurse_x"),
        request=RequestFactory().post("/"),
        username="physician_x",
        password=TEST_PASSWORD,
        otp_code=totp_code(TEST_TOTP_SECRET),
    )
    assert seen.user == world.users["physician_x"]


def test_refuses_more_than_the_balance_and_non_positive_quantities(world: World) -> None:
    lot = receive(world, quantity_ml="2.00")
    nurse = world.actor("nurse_x")
    with pytest.raises(ValidationFailed) as info:
        waste_record(actor=nurse, witness=witness(world), lot=lot, quantity_ml=Decimal("2.01"))
    assert "quantity_ml" in info.value.errors
    for bad in (Decimal("0"), Decimal("-1"), Decimal("1.001")):
        with pytest.raises(ValidationFailed) as info:
            waste_record(actor=nurse, witness=witness(world), lot=lot, quantity_ml=bad)
        assert "quantity_ml" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        correction_record(
            actor=nurse,
            corrects=lot.entries.get(),
            quantity_ml=Decimal("-3"),
            reason="Miscounted at receipt, see slip.",
        )
    assert "quantity_ml" in info.value.errors
    assert lot_balance(lot_id=lot.pk) == Decimal("2.00")


def test_refuses_expired_lots(world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        receive(world, expires_in_days=-1)
    assert "expires_on" in info.value.errors
    receive(world, lot_number="SHORT-1", quantity_ml="10.00", expires_in_days=1)
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="SHORT-1",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=3)),
        pytest.raises(ValidationFailed) as info,
    ):
        dose_start(actor=nurse, dose=dose)
    assert "lot" in info.value.errors
    session.refresh_from_db()
    assert session.state == SessionState.DOSING  # nothing of the start was kept


def test_a_dose_from_a_lot_missing_from_the_ledger_is_refused_before_it_exists(
    world: World,
) -> None:
    """Checked when the dose is calculated (and again when administration starts)."""
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    with pytest.raises(ValidationFailed, match="not in the ledger"):
        dose_prepare(
            actor=nurse,
            session=session,
            weight_kg=Decimal("72.4"),
            concentration_mg_per_ml=Decimal("10"),
            lot="NOT-RECEIVED",
        )
    assert not LedgerEntry.objects.filter(dose__session=session).exists()
    assert not DoseAdministration.objects.filter(session=session).exists()


def test_only_recorders_of_the_clinic_write(world: World) -> None:
    with pytest.raises(PermissionDenied):
        receive(world, who="clinic_admin_x")
    lot = receive(world)
    with pytest.raises(PermissionDenied):
        waste_record(
            actor=world.actor("nurse_y"),
            witness=witness(world),
            lot=lot,
            quantity_ml=Decimal("1.00"),
        )


def test_receipt_of_a_known_lot_must_match_its_label(world: World) -> None:
    receive(world)
    with pytest.raises(ValidationFailed) as info:
        receipt_record(
            actor=world.actor("nurse_x"),
            drug=Drug.RACEMIC_KETAMINE,
            concentration_mg_per_ml=Decimal("50.00"),
            lot_number="KET-1",
            supplier="Test Pharma Supply",
            expires_on=timezone.localdate() + dt.timedelta(days=365),
            quantity_ml=Decimal("1.00"),
            reference="PS-2",
        )
    assert "lot_number" in info.value.errors

"""Writes to the controlled-substance ledger: every entry is new, audited, and checked.

Each write locks the clinic row (the per-clinic sequence) and the lot row (its
balance), so two writes can never both spend the same millilitres.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keel.accounts.catalogue import InventoryPerm
from keel.accounts.models import Clinic
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.audit.services import audit_record
from keel.common.exceptions import Conflict, PermissionDenied, ValidationFailed
from keel.inventory.models import Drug, EntryKind, LedgerEntry, Lot
from keel.inventory.permissions import Witness
from keel.inventory.selectors import lot_balance
from keel.treatment.models import DoseAdministration

MIN_REASON_CHARS = 10
QUANTUM = Decimal("0.01")
MAX_ML = Decimal("100000")


def _require_recorder(actor: Actor) -> int:
    if not actor.has(InventoryPerm.RECORD_ENTRIES) or actor.clinic_id is None:
        raise PermissionDenied("You may not record controlled-substance entries.")
    return actor.clinic_id


def _positive(field: str, value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise ValidationFailed({field: ["Must be more than 0 mL."]})
    if value >= MAX_ML or value != value.quantize(QUANTUM):
        raise ValidationFailed({field: ["Use mL with at most two decimals."]})
    return value


def _lock_lot(lot: Lot) -> Lot:
    return Lot.objects.select_for_update().get(pk=lot.pk)


def _append(
    *, actor: Actor, lot: Lot, kind: EntryKind, quantity_ml: Decimal, **fields: object
) -> LedgerEntry:
    """Insert one entry with the clinic's next sequence number, and audit it."""
    Clinic.objects.select_for_update().filter(pk=lot.clinic_id).first()
    last = (
        LedgerEntry.objects.filter(clinic_id=lot.clinic_id)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    entry = LedgerEntry(
        clinic_id=lot.clinic_id,
        sequence=(last or 0) + 1,
        kind=kind,
        lot=lot,
        quantity_ml=quantity_ml,
        recorded_by=actor.user,
        created_at=timezone.now(),
        **fields,
    )
    entry.full_clean(validate_constraints=False)
    entry.save()
    session = entry.session
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="ledger_entry",
        object_id=entry.pk,
        patient_id=session.patient_id if session is not None else None,
        clinic_id=lot.clinic_id,
        detail={
            "kind": kind.value,
            "sequence": entry.sequence,
            "lot_id": lot.pk,
            "quantity_ml": str(quantity_ml),
            "witnessed_by": entry.witnessed_by_id,
        },
    )
    return entry


def _take(*, lot: Lot, quantity_ml: Decimal, field: str, allow_expired: bool = False) -> None:
    """Refuse taking more than the balance, or from an expired lot."""
    if not allow_expired and lot.expires_on < timezone.localdate():
        raise ValidationFailed({field: [f"Lot {lot.lot_number} expired on {lot.expires_on}."]})
    balance = lot_balance(lot_id=lot.pk)
    if quantity_ml > balance:
        raise ValidationFailed(
            {field: [f"Lot {lot.lot_number} holds {balance} mL; {quantity_ml} mL is more."]}
        )


def receipt_record(
    *,
    actor: Actor,
    drug: Drug,
    concentration_mg_per_ml: Decimal,
    lot_number: str,
    supplier: str,
    expires_on: dt.date,
    quantity_ml: Decimal,
    reference: str,
    received_on: dt.date | None = None,
    note: str = "",
) -> LedgerEntry:
    """Record stock received (creating the lot on its first receipt)."""
    clinic_id = _require_recorder(actor)
    errors: dict[str, list[str]] = {}
    if not concentration_mg_per_ml.is_finite() or concentration_mg_per_ml <= 0:
        errors["concentration_mg_per_ml"] = ["Must be more than 0."]
    if not lot_number.strip():
        errors["lot_number"] = ["Record the lot number."]
    if not supplier.strip():
        errors["supplier"] = ["Record the supplier."]
    if not reference.strip():
        errors["reference"] = ["Record the invoice or packing-slip number."]
    today = timezone.localdate()
    if expires_on < today:
        errors["expires_on"] = ["This lot has expired; it cannot be received into stock."]
    received = received_on or today
    if received > today:
        errors["received_on"] = ["The date received cannot be in the future."]
    if errors:
        raise ValidationFailed(errors)
    quantity_ml = _positive("quantity_ml", quantity_ml)
    with transaction.atomic():
        lot = (
            Lot.objects.select_for_update()
            .filter(clinic_id=clinic_id, lot_number=lot_number.strip(), drug=drug)
            .first()
        )
        if lot is None:
            lot = Lot.objects.create(
                clinic_id=clinic_id,
                drug=drug,
                concentration_mg_per_ml=concentration_mg_per_ml,
                lot_number=lot_number.strip(),
                supplier=supplier.strip(),
                expires_on=expires_on,
                created_by=actor.user,
                created_at=timezone.now(),
            )
        elif lot.concentration_mg_per_ml != concentration_mg_per_ml or lot.expires_on != expires_on:
            raise ValidationFailed(
                {
                    "lot_number": [
                        f"Lot {lot.lot_number} is on file as {lot.concentration_mg_per_ml} mg/mL, "
                        f"expiring {lot.expires_on}; check the label."
                    ]
                }
            )
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.RECEIPT,
            quantity_ml=quantity_ml,
            reference=reference.strip(),
            received_on=received,
            note=note.strip(),
        )


def _dose_lot(*, dose: DoseAdministration, field: str, volume: Decimal) -> Lot:
    """The ledger lot a dose names (same clinic, number and drug), checked and locked."""
    clinic_id = dose.session.patient.clinic_id
    lot = (
        Lot.objects.select_for_update()
        .filter(clinic_id=clinic_id, lot_number=dose.lot, drug=dose.drug)
        .first()
    )
    if lot is None:
        raise ValidationFailed(
            {"lot": [f"Lot {dose.lot} of {dose.drug} is not in the ledger; record its receipt."]}
        )
    if lot.concentration_mg_per_ml != dose.concentration_mg_per_ml:
        raise ValidationFailed(
            {
                "concentration_mg_per_ml": [
                    f"Lot {lot.lot_number} is {lot.concentration_mg_per_ml} mg/mL, "
                    f"not {dose.concentration_mg_per_ml} mg/mL."
                ]
            }
        )
    _take(lot=lot, quantity_ml=volume, field=field)
    return lot


def draw_record(*, actor: Actor, dose: DoseAdministration, quantity_ml: Decimal) -> LedgerEntry:
    """Record drawing up a session's dose (a custody record: it does not move the balance)."""
    clinic_id = _require_recorder(actor)
    if dose.session.patient.clinic_id != clinic_id:
        raise PermissionDenied("The dose is not in your clinic.")
    quantity_ml = _positive("quantity_ml", quantity_ml)
    with transaction.atomic():
        lot = _dose_lot(dose=dose, field="quantity_ml", volume=quantity_ml)
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.DRAW,
            quantity_ml=-quantity_ml,
            session=dose.session,
            dose=dose,
        )


def administration_record(*, actor: Actor, dose: DoseAdministration) -> LedgerEntry:
    """Record the dose given: the lot's balance drops by the dose volume.

    Called by ``treatment`` when administration starts, inside its transaction.
    The dose's lot must name an unexpired lot of the clinic, of the same drug
    and concentration, holding at least the dose volume (422 ``lot`` otherwise).
    """
    clinic_id = _require_recorder(actor)
    if dose.session.patient.clinic_id != clinic_id:
        raise PermissionDenied("The dose is not in your clinic.")
    with transaction.atomic():
        if LedgerEntry.objects.filter(dose=dose, kind=EntryKind.ADMINISTRATION).exists():
            raise Conflict("This dose's administration is already in the ledger.")
        lot = _dose_lot(dose=dose, field="lot", volume=dose.volume_ml)
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.ADMINISTRATION,
            quantity_ml=-dose.volume_ml,
            session=dose.session,
            dose=dose,
        )


def _own_lot(actor: Actor, lot: Lot) -> int:
    clinic_id = _require_recorder(actor)
    if lot.clinic_id != clinic_id:
        raise PermissionDenied("The lot is not in your clinic.")
    return clinic_id


def waste_record(
    *, actor: Actor, witness: Witness, lot: Lot, quantity_ml: Decimal, note: str = ""
) -> LedgerEntry:
    """Record witnessed waste (expired stock may be wasted); the balance drops by it."""
    _own_lot(actor, lot)
    quantity_ml = _positive("quantity_ml", quantity_ml)
    with transaction.atomic():
        lot = _lock_lot(lot)
        _take(lot=lot, quantity_ml=quantity_ml, field="quantity_ml", allow_expired=True)
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.WASTE,
            quantity_ml=-quantity_ml,
            witnessed_by=witness.user,
            witnessed_at=witness.authenticated_at,
            note=note.strip(),
        )


def count_record(
    *, actor: Actor, witness: Witness, lot: Lot, counted_ml: Decimal, note: str = ""
) -> LedgerEntry:
    """Record a witnessed physical count; discrepancy = counted - expected (the balance).

    A count never moves the balance: a discrepancy is resolved by a correction.
    """
    _own_lot(actor, lot)
    if not counted_ml.is_finite() or counted_ml < 0:
        raise ValidationFailed({"counted_ml": ["Must be 0 mL or more."]})
    if counted_ml >= MAX_ML or counted_ml != counted_ml.quantize(QUANTUM):
        raise ValidationFailed({"counted_ml": ["Use mL with at most two decimals."]})
    with transaction.atomic():
        lot = _lock_lot(lot)
        expected = lot_balance(lot_id=lot.pk)
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.COUNT,
            quantity_ml=Decimal("0.00"),
            expected_ml=expected,
            counted_ml=counted_ml,
            discrepancy_ml=counted_ml - expected,
            witnessed_by=witness.user,
            witnessed_at=witness.authenticated_at,
            note=note.strip(),
        )


def correction_record(
    *, actor: Actor, corrects: LedgerEntry, quantity_ml: Decimal, reason: str
) -> LedgerEntry:
    """Record a correction of an earlier entry (+ adds to, - takes from the lot's balance)."""
    clinic_id = _require_recorder(actor)
    if corrects.clinic_id != clinic_id:
        raise PermissionDenied("The entry is not in your clinic.")
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ValidationFailed({"reason": ["Write the reason for the correction."]})
    if not quantity_ml.is_finite() or quantity_ml == 0:
        raise ValidationFailed({"quantity_ml": ["A correction adds or removes some mL."]})
    _positive("quantity_ml", abs(quantity_ml))
    with transaction.atomic():
        lot = _lock_lot(corrects.lot)
        if quantity_ml < 0:
            _take(lot=lot, quantity_ml=-quantity_ml, field="quantity_ml", allow_expired=True)
        return _append(
            actor=actor,
            lot=lot,
            kind=EntryKind.CORRECTION,
            quantity_ml=quantity_ml,
            corrects=corrects,
            note=reason.strip(),
        )


def dose_lot_check(*, dose: DoseAdministration) -> Lot:
    """Check, when the dose is calculated, that its lot can supply it (same rules as the
    administration): in the ledger, unexpired, same drug and concentration, enough balance.

    Raises ``ValidationFailed`` naming ``lot`` or ``concentration_mg_per_ml``; writes nothing.
    """
    with transaction.atomic():
        return _dose_lot(dose=dose, field="lot", volume=dose.volume_ml)

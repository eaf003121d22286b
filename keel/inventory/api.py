"""/api/v1/inventory: the controlled-substance ledger."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from keel.accounts.api_auth import api_actor as _actor
from keel.accounts.catalogue import InventoryPerm
from keel.audit.models import AuditAction
from keel.common.exceptions import ValidationFailed
from keel.common.schemas import ERROR_RESPONSES, IsoDate
from keel.inventory.exports import ledger_csv
from keel.inventory.models import Drug, LedgerEntry
from keel.inventory.permissions import (
    access_entries,
    access_ledger,
    access_ledger_summary,
    access_witness,
)
from keel.inventory.schemas import (
    CorrectionIn,
    CountIn,
    EntryOut,
    KindValue,
    LotOut,
    ReceiptIn,
    WasteIn,
)
from keel.inventory.selectors import entry_get, lot_balances, lot_get
from keel.inventory.services import (
    correction_record,
    count_record,
    receipt_record,
    waste_record,
)

router = Router()

ERRORS = ERROR_RESPONSES


def entry_out(entry: LedgerEntry) -> EntryOut:
    """One entry as the API shows it."""
    return EntryOut(
        id=entry.pk,
        sequence=entry.sequence,
        kind=entry.kind,
        lot_id=entry.lot_id,
        lot_number=entry.lot.lot_number,
        quantity_ml=entry.quantity_ml,
        expected_ml=entry.expected_ml,
        counted_ml=entry.counted_ml,
        discrepancy_ml=entry.discrepancy_ml,
        session_id=entry.session_id,
        dose_id=entry.dose_id,
        patient_id=entry.session.patient_id if entry.session is not None else None,
        corrects_id=entry.corrects_id,
        reference=entry.reference,
        received_on=entry.received_on,
        note=entry.note,
        recorded_by=entry.recorded_by.get_username(),
        witnessed_by=entry.witnessed_by.get_username() if entry.witnessed_by else None,
        witnessed_at=entry.witnessed_at,
        created_at=entry.created_at,
    )


class EntryFilters(Schema):
    lot_id: int | None = None
    kind: KindValue | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


@router.get("/lots", response={200: list[LotOut], **ERRORS}, operation_id="inventory_lot_list")
def lot_list_api(request: HttpRequest) -> list[LotOut]:
    """The clinic's lots with their running balance (mL)."""
    clinic_id = access_ledger_summary(actor=_actor(request))
    return [
        LotOut(
            id=lot.pk,
            drug=lot.drug,
            concentration_mg_per_ml=lot.concentration_mg_per_ml,
            lot_number=lot.lot_number,
            supplier=lot.supplier,
            expires_on=lot.expires_on,
            balance_ml=lot.balance,  # type: ignore[attr-defined]  # annotated by lot_list
        )
        for lot in lot_balances(clinic_id=clinic_id)
    ]


@router.get("/entries", response={200: list[EntryOut], **ERRORS}, operation_id="ledger_entry_list")
def entry_list_api(request: HttpRequest, filters: Query[EntryFilters]) -> list[EntryOut]:
    """The clinic's ledger entries in sequence order (filter by lot, kind, dates)."""
    entries = access_entries(
        actor=_actor(request),
        lot_id=filters.lot_id,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return [entry_out(e) for e in entries]


@router.post("/receipts", response={201: EntryOut, **ERRORS}, operation_id="receipt_record")
def receipt_record_api(request: HttpRequest, payload: ReceiptIn) -> Status[EntryOut]:
    """Record stock received, with the invoice or packing-slip reference."""
    actor = _actor(request)
    access_ledger(actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE)
    entry = receipt_record(
        actor=actor,
        drug=Drug(payload.drug),
        concentration_mg_per_ml=payload.concentration_mg_per_ml,
        lot_number=payload.lot_number,
        supplier=payload.supplier,
        expires_on=payload.expires_on,
        quantity_ml=payload.quantity_ml,
        reference=payload.reference,
        received_on=payload.received_on,
        note=payload.note,
    )
    return Status(201, entry_out(entry))


@router.post("/waste", response={201: EntryOut, **ERRORS}, operation_id="waste_record")
def waste_record_api(request: HttpRequest, payload: WasteIn) -> Status[EntryOut]:
    """Record waste witnessed by a second clinician, who authenticates in the body."""
    actor = _actor(request)
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )
    lot = lot_get(clinic_id=clinic_id, lot_id=payload.lot_id)
    if lot is None:
        raise ValidationFailed({"lot_id": ["No such lot in this clinic."]})
    witness = access_witness(
        actor=actor,
        request=request,
        username=payload.witness_username,
        password=payload.witness_password,
        otp_code=payload.witness_otp_code,
    )
    entry = waste_record(
        actor=actor, witness=witness, lot=lot, quantity_ml=payload.quantity_ml, note=payload.note
    )
    return Status(201, entry_out(entry))


@router.post("/counts", response={201: EntryOut, **ERRORS}, operation_id="count_record")
def count_record_api(request: HttpRequest, payload: CountIn) -> Status[EntryOut]:
    """Record a physical count witnessed by a second clinician; the discrepancy is computed."""
    actor = _actor(request)
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )
    lot = lot_get(clinic_id=clinic_id, lot_id=payload.lot_id)
    if lot is None:
        raise ValidationFailed({"lot_id": ["No such lot in this clinic."]})
    witness = access_witness(
        actor=actor,
        request=request,
        username=payload.witness_username,
        password=payload.witness_password,
        otp_code=payload.witness_otp_code,
    )
    entry = count_record(
        actor=actor, witness=witness, lot=lot, counted_ml=payload.counted_ml, note=payload.note
    )
    return Status(201, entry_out(entry))


@router.post("/corrections", response={201: EntryOut, **ERRORS}, operation_id="correction_record")
def correction_record_api(request: HttpRequest, payload: CorrectionIn) -> Status[EntryOut]:
    """Record a correction of an earlier entry, with its reason (entries are never edited)."""
    actor = _actor(request)
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )
    corrects = entry_get(clinic_id=clinic_id, entry_id=payload.corrects_entry_id)
    if corrects is None:
        raise ValidationFailed({"corrects_entry_id": ["No such entry in this clinic."]})
    entry = correction_record(
        actor=actor, corrects=corrects, quantity_ml=payload.quantity_ml, reason=payload.reason
    )
    return Status(201, entry_out(entry))


@router.get(
    "/report.csv",
    response={200: None, **ERRORS},
    operation_id="ledger_report_csv",
)
def ledger_report_csv_api(request: HttpRequest) -> HttpResponse:
    """The whole ledger as CSV for an inspection (audited as an export)."""
    entries = access_entries(actor=_actor(request), action=AuditAction.EXPORT)
    response = HttpResponse(ledger_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ledger.csv"'
    return response

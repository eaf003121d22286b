"""Ledger pages: lots and entries with the forms, the inspection report, the CSV export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from keel.accounts.catalogue import InventoryPerm
from keel.accounts.decorators import with_actor
from keel.accounts.selectors import Actor
from keel.audit.models import AuditAction
from keel.common.exceptions import ValidationFailed
from keel.inventory.exports import ledger_csv
from keel.inventory.forms import CorrectionForm, CountForm, FilterForm, ReceiptForm, WasteForm
from keel.inventory.models import Drug, LedgerEntry
from keel.inventory.permissions import (
    access_entries,
    access_ledger,
    access_ledger_summary,
    access_witness,
)
from keel.inventory.selectors import entry_by_sequence, lot_balances, lot_list, report_build
from keel.inventory.services import (
    correction_record,
    count_record,
    receipt_record,
    waste_record,
)

FORMS: dict[str, type[forms.Form]] = {
    "receipt_form": ReceiptForm,
    "waste_form": WasteForm,
    "count_form": CountForm,
    "correction_form": CorrectionForm,
}


def _errors_to_form(form: forms.Form, exc: ValidationFailed) -> None:
    aliases = {"lot_id": "lot", "corrects_entry_id": "corrects_sequence"}
    for field, errs in exc.errors.items():
        name = aliases.get(field, field)
        for err in errs:
            form.add_error(name if name in form.fields else None, err)


def _ledger(
    request: HttpRequest, actor: Actor, *, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    clinic_id = access_ledger_summary(actor=actor)
    lots = lot_list(clinic_id=clinic_id)
    filters = FilterForm(request.GET or None, lots=lots)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_valid() else {}
    lot = chosen.get("lot")
    entries = access_entries(
        actor=actor,
        lot_id=lot.pk if lot is not None else None,
        kind=chosen.get("kind") or None,
        date_from=chosen.get("date_from"),
        date_to=chosen.get("date_to"),
    )
    context: dict[str, object] = {
        "lots": lot_balances(clinic_id=clinic_id),
        "entries": entries,
        "filters": filters,
        "can_record": actor.has(InventoryPerm.RECORD_ENTRIES),
    }
    for name, form_class in FORMS.items():
        form = (bound or {}).get(name)
        if form is None:
            form = (
                form_class(lots=lots)  # type: ignore[call-arg]  # the lot-choice forms
                if name in {"waste_form", "count_form"}
                else form_class()
            )
        context[name] = form
    status = 422 if bound else 200
    return render(request, "inventory/ledger.html", context, status=status)


@require_GET
@with_actor
def ledger_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The clinic's ledger: lots with their balance, entries, and the recording forms."""
    return _ledger(request, actor)


def _write(
    request: HttpRequest,
    actor: Actor,
    *,
    name: str,
    form: forms.Form,
    record: Callable[[dict[str, Any]], LedgerEntry],
) -> HttpResponse:
    if form.is_valid():
        try:
            entry = record(form.cleaned_data)
        except ValidationFailed as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"Entry {entry.sequence} recorded.")
            return redirect("inventory:ledger")
    return _ledger(request, actor, bound={name: form})


@require_POST
@with_actor
def receipt_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Record a receipt."""
    access_ledger(actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE)

    def record(data: dict[str, Any]) -> LedgerEntry:
        return receipt_record(
            actor=actor,
            drug=Drug(data["drug"]),
            concentration_mg_per_ml=data["concentration_mg_per_ml"],
            lot_number=data["lot_number"],
            supplier=data["supplier"],
            expires_on=data["expires_on"],
            quantity_ml=data["quantity_ml"],
            reference=data["reference"],
            received_on=data["received_on"],
            note=data["note"],
        )

    return _write(
        request, actor, name="receipt_form", form=ReceiptForm(request.POST), record=record
    )


@require_POST
@with_actor
def waste_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Record witnessed waste; the witness authenticates in the form."""
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )

    def record(data: dict[str, Any]) -> LedgerEntry:
        witness = access_witness(
            actor=actor,
            request=request,
            username=data["witness_username"],
            password=data["witness_password"],
            otp_code=data["witness_otp_code"],
        )
        return waste_record(
            actor=actor,
            witness=witness,
            lot=data["lot"],
            quantity_ml=data["quantity_ml"],
            note=data["note"],
        )

    form = WasteForm(request.POST, lots=lot_list(clinic_id=clinic_id))
    return _write(request, actor, name="waste_form", form=form, record=record)


@require_POST
@with_actor
def count_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Record a witnessed physical count; the witness authenticates in the form."""
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )

    def record(data: dict[str, Any]) -> LedgerEntry:
        witness = access_witness(
            actor=actor,
            request=request,
            username=data["witness_username"],
            password=data["witness_password"],
            otp_code=data["witness_otp_code"],
        )
        return count_record(
            actor=actor,
            witness=witness,
            lot=data["lot"],
            counted_ml=data["counted_ml"],
            note=data["note"],
        )

    form = CountForm(request.POST, lots=lot_list(clinic_id=clinic_id))
    return _write(request, actor, name="count_form", form=form, record=record)


@require_POST
@with_actor
def correction_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Record a correction of an earlier entry, by its entry number."""
    clinic_id = access_ledger(
        actor=actor, need=InventoryPerm.RECORD_ENTRIES, action=AuditAction.CREATE
    )

    def record(data: dict[str, Any]) -> LedgerEntry:
        corrects = entry_by_sequence(clinic_id=clinic_id, sequence=data["corrects_sequence"])
        if corrects is None:
            raise ValidationFailed({"corrects_sequence": ["No entry with this number."]})
        return correction_record(
            actor=actor, corrects=corrects, quantity_ml=data["quantity_ml"], reason=data["reason"]
        )

    return _write(
        request, actor, name="correction_form", form=CorrectionForm(request.POST), record=record
    )


@require_GET
@with_actor
def report_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The inspection report: per-lot totals and balances; discrepancies first."""
    clinic_id = access_ledger_summary(actor=actor)
    summaries, discrepancies = report_build(clinic_id=clinic_id)
    return render(
        request,
        "inventory/report.html",
        {"summaries": summaries, "discrepancies": discrepancies},
    )


@require_GET
@with_actor
def ledger_export(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The whole ledger as CSV (audited as an export)."""
    entries = access_entries(actor=actor, action=AuditAction.EXPORT)
    response = HttpResponse(ledger_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ledger.csv"'
    return response

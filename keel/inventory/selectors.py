"""Reads for the ledger: lots with their balance, entries, the inspection report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from keel.inventory.models import BALANCE_KINDS, EntryKind, LedgerEntry, Lot

ZERO = Decimal("0.00")


def _balance_sum(prefix: str = "") -> Coalesce:
    return Coalesce(
        Sum(f"{prefix}quantity_ml", filter=Q(**{f"{prefix}kind__in": BALANCE_KINDS})),
        Value(ZERO),
        output_field=DecimalField(max_digits=9, decimal_places=2),
    )


def lot_balance(*, lot_id: int) -> Decimal:
    """The lot's balance in mL: the sum of its entries except draws (one aggregate query)."""
    total = LedgerEntry.objects.filter(lot_id=lot_id).aggregate(balance=_balance_sum())["balance"]
    return _ml(total)


def lot_list(*, clinic_id: int) -> QuerySet[Lot]:
    """The clinic's lots, each annotated with ``balance`` (mL), in one query."""
    return Lot.objects.filter(clinic_id=clinic_id).annotate(balance=_balance_sum("entries__"))


def _ml(value: object) -> Decimal:
    """An aggregate as mL with two decimals (SQLite sums decimals as floats)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def lot_balances(*, clinic_id: int) -> list[Lot]:
    """The clinic's lots, each with ``balance`` in mL (two decimals), in one query."""
    lots = list(lot_list(clinic_id=clinic_id))
    for lot in lots:
        lot.balance = _ml(lot.balance)  # type: ignore[attr-defined]  # annotated by lot_list
    return lots


def lot_get(*, clinic_id: int, lot_id: int) -> Lot | None:
    """One lot of the clinic, or None."""
    return Lot.objects.filter(clinic_id=clinic_id, pk=lot_id).first()


def lot_find(*, clinic_id: int, lot_number: str, drug: str) -> Lot | None:
    """The clinic's lot with this number of this drug, or None."""
    return Lot.objects.filter(clinic_id=clinic_id, lot_number=lot_number, drug=drug).first()


def entry_get(*, clinic_id: int, entry_id: int) -> LedgerEntry | None:
    """One entry of the clinic, or None."""
    return (
        LedgerEntry.objects.filter(clinic_id=clinic_id, pk=entry_id).select_related("lot").first()
    )


def entry_by_sequence(*, clinic_id: int, sequence: int) -> LedgerEntry | None:
    """The clinic's entry with this number, or None."""
    return (
        LedgerEntry.objects.filter(clinic_id=clinic_id, sequence=sequence)
        .select_related("lot")
        .first()
    )


def entry_list(
    *,
    clinic_id: int,
    lot_id: int | None = None,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[LedgerEntry]:
    """The clinic's entries in sequence order, filtered by lot, kind and date (inclusive)."""
    entries = LedgerEntry.objects.filter(clinic_id=clinic_id).select_related(
        "lot", "recorded_by", "witnessed_by", "session", "dose", "corrects"
    )
    if lot_id is not None:
        entries = entries.filter(lot_id=lot_id)
    if kind is not None:
        entries = entries.filter(kind=kind)
    if date_from is not None:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries.order_by("sequence")


@dataclass(frozen=True)
class LotSummary:
    """One lot's totals for the inspection report (mL)."""

    lot: Lot
    received: Decimal
    administered: Decimal
    wasted: Decimal
    corrected: Decimal
    balance: Decimal
    last_count: LedgerEntry | None


def report_build(*, clinic_id: int) -> tuple[list[LotSummary], list[LedgerEntry]]:
    """Per-lot totals and every count that found a discrepancy, newest first."""

    def total(kind: str) -> Coalesce:
        return Coalesce(
            Sum("entries__quantity_ml", filter=Q(entries__kind=kind)),
            Value(ZERO),
            output_field=DecimalField(max_digits=9, decimal_places=2),
        )

    lots = lot_list(clinic_id=clinic_id).annotate(
        received=total(EntryKind.RECEIPT),
        administered=total(EntryKind.ADMINISTRATION),
        wasted=total(EntryKind.WASTE),
        corrected=total(EntryKind.CORRECTION),
    )
    counts = LedgerEntry.objects.filter(clinic_id=clinic_id, kind=EntryKind.COUNT).order_by(
        "-sequence"
    )
    last_count: dict[int, LedgerEntry] = {}
    for count in counts.select_related("recorded_by", "witnessed_by"):
        last_count.setdefault(count.lot_id, count)
    summaries = [
        LotSummary(
            lot=lot,
            received=_ml(lot.received),
            administered=-_ml(lot.administered),
            wasted=-_ml(lot.wasted),
            corrected=_ml(lot.corrected),
            balance=_ml(lot.balance),  # type: ignore[attr-defined]  # annotated by lot_list
            last_count=last_count.get(lot.pk),
        )
        for lot in lots
    ]
    discrepancies = list(
        counts.exclude(discrepancy_ml=0).select_related("lot", "recorded_by", "witnessed_by")
    )
    return summaries, discrepancies

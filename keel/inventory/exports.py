"""The ledger as CSV for inspections: every column, in sequence order, with running balances."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from keel.inventory.models import BALANCE_KINDS, LedgerEntry

COLUMNS: tuple[str, ...] = (
    "sequence",
    "recorded_at",
    "kind",
    "drug",
    "concentration_mg_per_ml",
    "lot_number",
    "supplier",
    "expires_on",
    "quantity_ml",
    "lot_balance_after_ml",
    "expected_ml",
    "counted_ml",
    "discrepancy_ml",
    "reference",
    "received_on",
    "session_id",
    "dose_id",
    "patient_id",
    "dose_mg",
    "corrects_sequence",
    "recorded_by",
    "witnessed_by",
    "witnessed_at",
    "note",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    """A cell as text; free text starting like a formula is quoted (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _who(user: object) -> str:
    if user is None:
        return ""
    name = getattr(user, "get_full_name", lambda: "")()
    username = getattr(user, "username", "")
    return f"{name} ({username})" if name else str(username)


def ledger_csv(entries: Iterable[LedgerEntry]) -> str:
    """The entries (all of a clinic's, in sequence order) as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    balances: dict[int, Decimal] = {}
    for e in entries:
        if e.kind in BALANCE_KINDS:
            balances[e.lot_id] = balances.get(e.lot_id, Decimal("0.00")) + e.quantity_ml
        writer.writerow(
            [
                e.sequence,
                timezone.localtime(e.created_at).isoformat(),
                e.kind,
                e.lot.drug,
                e.lot.concentration_mg_per_ml,
                _text(e.lot.lot_number),
                _text(e.lot.supplier),
                e.lot.expires_on.isoformat(),
                e.quantity_ml,
                balances.get(e.lot_id, Decimal("0.00")),
                e.expected_ml if e.expected_ml is not None else "",
                e.counted_ml if e.counted_ml is not None else "",
                e.discrepancy_ml if e.discrepancy_ml is not None else "",
                _text(e.reference),
                e.received_on.isoformat() if e.received_on is not None else "",
                e.session_id or "",
                e.dose_id or "",
                e.session.patient_id if e.session is not None else "",
                e.dose.dose_mg if e.dose is not None else "",
                e.corrects.sequence if e.corrects is not None else "",
                _text(_who(e.recorded_by)),
                _text(_who(e.witnessed_by)),
                timezone.localtime(e.witnessed_at).isoformat() if e.witnessed_at else "",
                _text(e.note),
            ]
        )
    return buffer.getvalue()

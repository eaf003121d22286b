"""API schemas for the controlled-substance ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from keel.common.schemas import IsoDate

TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
DrugValue = Literal["ketamine hydrochloride (racemic)", "esketamine"]
KindValue = Literal["receipt", "draw", "administration", "waste", "count", "correction"]
Millilitres = Annotated[Decimal, Field(gt=0, lt=100000, max_digits=7, decimal_places=2)]
ShortText = Annotated[str, Field(max_length=2000, pattern=TEXT)]


class _Closed(Schema):
    model_config = ConfigDict(extra="forbid")


class _Witnessed(_Closed):
    witness_username: Annotated[str, Field(min_length=1, max_length=150, pattern=TEXT)]
    witness_password: Annotated[str, Field(min_length=1, max_length=128)]
    witness_otp_code: Annotated[str, Field(max_length=32, pattern=TEXT)] = ""


class ReceiptIn(_Closed):
    drug: DrugValue
    concentration_mg_per_ml: Annotated[
        Decimal, Field(gt=0, lt=10000, max_digits=6, decimal_places=2)
    ]
    lot_number: Annotated[str, Field(min_length=1, max_length=64, pattern=TEXT)]
    supplier: Annotated[str, Field(min_length=1, max_length=200, pattern=TEXT)]
    expires_on: IsoDate
    quantity_ml: Millilitres
    reference: Annotated[str, Field(min_length=1, max_length=120, pattern=TEXT)]
    received_on: IsoDate | None = None
    note: ShortText = ""


class WasteIn(_Witnessed):
    lot_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
    quantity_ml: Millilitres
    note: ShortText = ""


class CountIn(_Witnessed):
    lot_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
    counted_ml: Annotated[Decimal, Field(ge=0, lt=100000, max_digits=7, decimal_places=2)]
    note: ShortText = ""


class CorrectionIn(_Closed):
    corrects_entry_id: Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]
    quantity_ml: Annotated[Decimal, Field(gt=-100000, lt=100000, max_digits=7, decimal_places=2)]
    reason: Annotated[str, Field(min_length=10, max_length=2000, pattern=TEXT)]


class LotOut(Schema):
    id: int
    drug: str
    concentration_mg_per_ml: Decimal
    lot_number: str
    supplier: str
    expires_on: dt.date
    balance_ml: Decimal


class EntryOut(Schema):
    id: int
    sequence: int
    kind: str
    lot_id: int
    lot_number: str
    quantity_ml: Decimal
    expected_ml: Decimal | None
    counted_ml: Decimal | None
    discrepancy_ml: Decimal | None
    session_id: int | None
    dose_id: int | None
    patient_id: int | None
    corrects_id: int | None
    reference: str
    received_on: dt.date | None
    note: str
    recorded_by: str
    witnessed_by: str | None
    witnessed_at: dt.datetime | None
    created_at: dt.datetime

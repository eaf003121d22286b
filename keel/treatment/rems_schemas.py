"""API shapes of the REMS monitoring form export."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class RemsItemOut(Schema):
    key: str
    section: str
    label: str
    source: str
    value: str


class RemsExportOut(Schema):
    id: int
    session_id: int
    form_id: str
    form_version: str
    generated_by_id: int
    generated_at: dt.datetime
    pdf_sha256: str
    items: list[RemsItemOut]

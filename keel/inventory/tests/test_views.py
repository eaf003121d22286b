"""Ledger pages: the ledger with its forms, the report with discrepancies, the CSV."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import World
from keel.accounts.tests.factories import TEST_PASSWORD
from keel.inventory.models import LedgerEntry
from keel.inventory.tests.support import receive, second_nurse

pytestmark = pytest.mark.django_db


def test_nurse_records_a_receipt_and_a_witnessed_count_from_the_page(world: World) -> None:
    second_nurse(world)
    nurse = world.client("nurse_x")
    assert nurse.get("/inventory/").status_code == 200
    response = nurse.post(
        "/inventory/receipts/",
        {
            "drug": "ketamine hydrochloride (racemic)",
            "concentration_mg_per_ml": "10",
            "lot_number": "KET-PAGE",
            "supplier": "Test Pharma Supply",
            "expires_on": "2099-01-01",
            "quantity_ml": "20",
            "reference": "PS-9",
        },
    )
    assert response.status_code == 302
    lot = LedgerEntry.objects.get(reference="PS-9").lot
    count = {"lot": lot.pk, "counted_ml": "19.5", "witness_username": "nurse_x2"}
    refused = nurse.post("/inventory/counts/", {**count, "witness_password": "wrong"})
    assert refused.status_code == 422 and b"password is wrong" in refused.content
    assert (
        nurse.post("/inventory/counts/", {**count, "witness_password": TEST_PASSWORD}).status_code
        == 302
    )
    report = world.client("clinic_admin_x").get("/inventory/report/")
    assert b"discrepancy -0.50" in report.content and b"usa-alert--error" in report.content


def test_admin_reads_but_cannot_record_and_front_desk_sees_nothing(world: World) -> None:
    receive(world)
    admin = world.client("clinic_admin_x")
    page = admin.get("/inventory/")
    assert page.status_code == 200 and b"KET-1" in page.content
    assert b"Record a receipt" not in page.content
    assert admin.post("/inventory/receipts/", {}).status_code == 403
    assert world.client("front_desk_x").get("/inventory/").status_code == 403
    export = admin.get("/inventory/ledger.csv")
    assert export["Content-Type"].startswith("text/csv") and b"KET-1" in export.content


def test_entries_filter_by_kind(world: World) -> None:
    lot = receive(world)
    page = world.client("nurse_x").get("/inventory/", {"kind": "waste", "lot": lot.pk})
    assert page.status_code == 200 and b"No entries." in page.content
    assert lot.entries.get().quantity_ml == Decimal("50.00")

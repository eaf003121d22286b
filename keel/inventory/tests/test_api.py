"""/api/v1/inventory: reads, writes with a witness in the body, CSV, roles, bad input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from keel.accounts.tests.factories import TEST_PASSWORD
from keel.audit.models import AuditEvent
from keel.inventory.tests.support import receive, second_nurse, started_dose

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inventory"


def _post(client: Client, path: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(f"{BASE}{path}", json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


def _receipt(**changes: object) -> dict[str, object]:
    return {
        "drug": "ketamine hydrochloride (racemic)",
        "concentration_mg_per_ml": "10.00",
        "lot_number": "KET-API",
        "supplier": "Test Pharma Supply",
        "expires_on": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        "quantity_ml": "30.00",
        "reference": "INV-77",
        **changes,
    }


def test_receipt_waste_and_count_through_the_api(world: World) -> None:
    second_nurse(world)
    nurse = world.client("nurse_x")
    status, receipt = _post(nurse, "/receipts", _receipt())
    assert status == 201, receipt
    witnessed = {"witness_username": "nurse_x2", "witness_password": TEST_PASSWORD}
    status, waste = _post(
        nurse, "/waste", {"lot_id": receipt["lot_id"], "quantity_ml": "0.40", **witnessed}
    )
    assert status == 201 and waste["witnessed_by"] == "nurse_x2", waste
    status, count = _post(
        nurse, "/counts", {"lot_id": receipt["lot_id"], "counted_ml": "29.00", **witnessed}
    )
    assert status == 201 and count["discrepancy_ml"] == "-0.60", count
    lots = nurse.get(f"{BASE}/lots").json()
    assert [(lot["lot_number"], lot["balance_ml"]) for lot in lots] == [("KET-API", "29.60")]
    entries = nurse.get(f"{BASE}/entries", {"kind": "waste"}).json()
    assert [e["kind"] for e in entries] == ["waste"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/receipts", _receipt(quantity_ml="-5"), "quantity_ml"),
        ("/receipts", _receipt(quantity_ml="0"), "quantity_ml"),
        ("/receipts", _receipt(drug="morphine"), "drug"),
        ("/receipts", _receipt(expires_on="2001-01-01"), "expires_on"),
        ("/receipts", {k: v for k, v in _receipt().items() if k != "reference"}, "reference"),
        ("/waste", {"lot_id": 1, "quantity_ml": "1.00"}, "witness_username"),
        (
            "/corrections",
            {"corrects_entry_id": 1, "quantity_ml": "1.00", "reason": "short"},
            "reason",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field(
    world: World, path: str, body: dict[str, object], field: str
) -> None:
    status, answer = _post(world.client("nurse_x"), path, body)
    assert status == 422, answer
    assert field in answer["errors"]  # type: ignore[operator]


def test_more_than_the_balance_and_a_wrong_witness_password_are_422(world: World) -> None:
    second_nurse(world)
    lot = receive(world, quantity_ml="1.00")
    nurse = world.client("nurse_x")
    witnessed = {"witness_username": "nurse_x2", "witness_password": TEST_PASSWORD}
    status, answer = _post(nurse, "/waste", {"lot_id": lot.pk, "quantity_ml": "1.50", **witnessed})
    assert status == 422 and "quantity_ml" in answer["errors"]  # type: ignore[operator]
    wrong = {**witnessed, "witness_password": "nope"}
    status, answer = _post(nurse, "/waste", {"lot_id": lot.pk, "quantity_ml": "0.50", **wrong})
    assert status == 422 and "witness_password" in answer["errors"]  # type: ignore[operator]


def test_roles(world: World) -> None:
    """Admins read but do not record; front desk, patients and psychiatrists see nothing."""
    receive(world)
    admin = world.client("clinic_admin_x")
    assert admin.get(f"{BASE}/lots").status_code == 200
    assert _post(admin, "/receipts", _receipt())[0] == 403
    assert _post(world.client("physician_x"), "/receipts", _receipt())[0] == 201
    for role in ("front_desk_x", "patient_a", "psychiatrist_a"):
        assert world.client(role).get(f"{BASE}/entries").status_code == 403, role
        assert _post(world.client(role), "/receipts", _receipt())[0] == 403, role
    assert world.client("anonymous").get(f"{BASE}/lots").status_code == 401
    # Clinic Y's nurse sees clinic Y's ledger only.
    assert world.client("nurse_y").get(f"{BASE}/lots").json() == []


def test_csv_export_has_every_column_and_reads_are_audited_with_the_patient(
    world: World,
) -> None:
    dose = started_dose(world)
    response = world.client("clinic_admin_x").get(f"{BASE}/report.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    administration = next(r for r in rows if r["kind"] == "administration")
    assert administration["dose_id"] == str(dose.pk)
    assert administration["patient_id"] == str(world.patient_a.pk)
    assert administration["quantity_ml"] == "-3.60"
    assert administration["lot_balance_after_ml"] == "96.40"
    assert administration["recorded_by"].endswith("(nurse_x)")
    assert {"witnessed_by", "witnessed_at", "reference", "expires_on"} <= set(rows[0])
    assert world.patient_a.family_name not in response.content.decode()
    assert AuditEvent.objects.filter(
        object_type="ledger_entry", action="export", patient_id=world.patient_a.pk
    ).exists()

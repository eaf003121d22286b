"""API tokens reach the controlled-substance ledger only with the ledger scopes (issue 18 §4):
inventory:read for lots, entries and the report; inventory:write for entries and the dose given
when a dose starts. A witnessed entry still needs the witness to sign in as themselves."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import World
from keel.accounts.catalogue import SCOPE_DESCRIPTIONS, TokenScope
from keel.accounts.services import api_token_create
from keel.accounts.tests.factories import TEST_PASSWORD
from keel.inventory.models import EntryKind, LedgerEntry
from keel.inventory.tests.support import second_nurse
from keel.treatment.models import SessionState
from keel.treatment.services import dose_prepare, dose_verify, precheck_record
from keel.treatment.tests.test_chairside import CHECKLIST, _ready_for_checks

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inventory"
ALL_BUT_LEDGER = tuple(s.value for s in TokenScope if not s.value.startswith("inventory:"))


def _token(world: World, *scopes: str, who: str = "nurse_x") -> str:
    user = world.users[who]
    return api_token_create(
        user=user, clinic=world.clinic_x, name="ledger sync", scopes=scopes, days=1
    ).raw


def _call(raw: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    response = Client().generic(
        method,
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    ctype = response.get("Content-Type", "")
    return response.status_code, response.json() if "json" in ctype else response.content


def _receipt() -> dict[str, object]:
    return {
        "drug": "ketamine hydrochloride (racemic)",
        "concentration_mg_per_ml": "10.00",
        "lot_number": "KET-TOKEN",
        "supplier": "Test Pharma Supply",
        "expires_on": (timezone.localdate() + dt.timedelta(days=200)).isoformat(),
        "quantity_ml": "30.00",
        "reference": "INV-88",
    }


def test_every_scope_is_described_on_the_token_page(world: World) -> None:
    assert set(SCOPE_DESCRIPTIONS) == set(TokenScope)
    html = world.client("nurse_x").get(reverse("accounts:api_tokens")).content.decode()
    assert 'value="inventory:read"' in html and 'value="inventory:write"' in html
    assert SCOPE_DESCRIPTIONS[TokenScope.INVENTORY_WRITE] in html


def test_without_a_ledger_scope_every_inventory_call_is_403(world: World) -> None:
    raw = _token(world, *ALL_BUT_LEDGER)
    assert _call(raw, "GET", f"{BASE}/lots")[0] == 403
    assert _call(raw, "GET", f"{BASE}/entries")[0] == 403
    assert _call(raw, "GET", f"{BASE}/report.csv")[0] == 403
    assert _call(raw, "POST", f"{BASE}/receipts", _receipt())[0] == 403


def test_ledger_scopes_read_and_write_and_a_witness_still_signs_in(world: World) -> None:
    second_nurse(world)
    reader = _token(world, "inventory:read")
    assert _call(reader, "POST", f"{BASE}/receipts", _receipt())[0] == 403
    writer = _token(world, "inventory:write")
    status, receipt = _call(writer, "POST", f"{BASE}/receipts", _receipt())
    assert status == 201, receipt
    assert isinstance(receipt, dict)
    waste = {"lot_id": receipt["lot_id"], "quantity_ml": "0.40"}
    # The token does not witness: without the witness's own password it is refused.
    status, answer = _call(writer, "POST", f"{BASE}/waste", waste)
    assert status == 422 and "witness_username" in answer["errors"]  # type: ignore[index]
    wrong = {**waste, "witness_username": "nurse_x2", "witness_password": "not it"}
    status, answer = _call(writer, "POST", f"{BASE}/waste", wrong)
    assert status == 422 and "witness_password" in answer["errors"]  # type: ignore[index]
    witnessed = {**waste, "witness_username": "nurse_x2", "witness_password": TEST_PASSWORD}
    status, entry = _call(writer, "POST", f"{BASE}/waste", witnessed)
    assert status == 201 and entry["witnessed_by"] == "nurse_x2"  # type: ignore[index]
    status, lots = _call(reader, "GET", f"{BASE}/lots")
    assert status == 200
    assert [(lot["lot_number"], lot["balance_ml"]) for lot in lots] == [  # type: ignore[union-attr]
        ("KET-TOKEN", "29.60")
    ]
    status, entries = _call(reader, "GET", f"{BASE}/entries")
    assert status == 200 and len(entries) == 2  # type: ignore[arg-type]
    assert _call(reader, "GET", f"{BASE}/report.csv")[0] == 200


def test_a_scope_never_exceeds_the_role(world: World) -> None:
    raw = _token(world, "inventory:read", "inventory:write", who="front_desk_x")
    assert _call(raw, "GET", f"{BASE}/lots")[0] == 403
    assert _call(raw, "POST", f"{BASE}/receipts", _receipt())[0] == 403


def test_starting_a_dose_with_a_token_needs_inventory_write(world: World) -> None:
    nurse = world.actor("nurse_x")
    session = _ready_for_checks(world)
    precheck_record(actor=nurse, session=session, answers=CHECKLIST)
    dose = dose_prepare(
        actor=nurse,
        session=session,
        weight_kg=Decimal("72.4"),
        concentration_mg_per_ml=Decimal("10"),
        lot="LOT-42",
    )
    dose_verify(actor=world.actor("physician_x"), dose=dose)
    url = f"/api/v1/treatment/sessions/{session.pk}/dose/start"
    treatment_only = _token(world, "treatment:read", "treatment:write")
    assert _call(treatment_only, "POST", url)[0] == 403
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).exists()
    session.refresh_from_db()
    assert session.state != SessionState.MONITORING
    raw = _token(world, "treatment:read", "treatment:write", "inventory:write")
    status, body = _call(raw, "POST", url)
    assert status == 200, body
    assert body["state"] == "monitoring"  # type: ignore[index]
    entry = LedgerEntry.objects.get(kind=EntryKind.ADMINISTRATION, dose=dose)
    assert entry.quantity_ml == Decimal("-3.60")

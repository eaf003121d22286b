"""The ledger is append-only in the model and in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from conftest import World
from keel.inventory.models import AppendOnlyError, LedgerEntry
from keel.inventory.tests.support import receive

pytestmark = pytest.mark.django_db


def test_the_model_refuses_updates_and_deletes(world: World) -> None:
    entry = receive(world).entries.get()
    entry.quantity_ml = Decimal("500.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE inventory_ledgerentry SET quantity_ml = 500 WHERE id = %s",
        "DELETE FROM inventory_ledgerentry WHERE id = %s",
    ],
)
def test_the_database_refuses_updates_and_deletes(world: World, sql: str) -> None:
    entry = receive(world).entries.get()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).quantity_ml == Decimal("50.00")


def test_a_queryset_update_is_refused_too(world: World) -> None:
    receive(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.update(note="rewritten")

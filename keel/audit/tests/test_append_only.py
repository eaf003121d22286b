from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from keel.audit.chain import APPEND_ONLY_TRIGGERS, missing_append_only_triggers
from keel.audit.models import AuditAction, AuditAppendOnlyError, AuditEvent
from keel.audit.services import audit_record
from keel.audit.tests.factories import FakeActor
from keel.audit.tests.triggers import append_only_triggers_dropped

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(actor: FakeActor) -> AuditEvent:
    return audit_record(
        actor=actor, action=AuditAction.READ, object_type="patient", object_id=1, patient_id=1
    )


def test_triggers_are_installed_by_the_migrations() -> None:
    """Migrating a fresh database leaves every append-only trigger in place."""
    assert connection.vendor in APPEND_ONLY_TRIGGERS
    assert missing_append_only_triggers() == []


def test_missing_triggers_are_reported() -> None:
    """Dropping the triggers is itself visible to the check."""
    with append_only_triggers_dropped():
        assert missing_append_only_triggers() == sorted(APPEND_ONLY_TRIGGERS[connection.vendor])
    assert missing_append_only_triggers() == []


def test_database_rejects_raw_update(event: AuditEvent) -> None:
    """UPDATE through SQL, bypassing Django, is refused by the database itself."""
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"UPDATE {TABLE} SET actor_username = %s WHERE id = %s",  # noqa: S608
            ["someone.else", event.pk],
        )
    event_now = AuditEvent.objects.get(pk=event.pk)
    assert event_now.actor_username == "nurse.kim"


def test_database_rejects_raw_delete(event: AuditEvent) -> None:
    """DELETE through SQL is refused by the database itself."""
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
    assert AuditEvent.objects.filter(pk=event.pk).exists() is True


def test_database_rejects_raw_delete_of_every_row(event: AuditEvent) -> None:
    """An unqualified DELETE (what a flush does) is refused while rows exist."""
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL only")
def test_database_rejects_truncate_of_a_table_with_rows(event: AuditEvent) -> None:
    """TRUNCATE would empty the trail without firing row triggers; a statement trigger stops it."""
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL only")
def test_truncate_of_an_empty_table_is_allowed() -> None:
    """Emptying an empty table destroys nothing (test databases are flushed so)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 0


def test_model_save_refuses_an_existing_event(event: AuditEvent) -> None:
    """Changing a loaded event and saving it fails before reaching the database."""
    event.actor_username = "someone.else"
    with pytest.raises(AuditAppendOnlyError, match="append-only"):
        event.save()
    fresh = AuditEvent.objects.get(pk=event.pk)
    fresh.detail = {"edited": True}
    with pytest.raises(AuditAppendOnlyError):
        fresh.save(update_fields=["detail"])


def test_model_save_refuses_an_unchained_new_event() -> None:
    """A hand-made event would break the chain; only the services write events."""
    with pytest.raises(AuditAppendOnlyError, match="audit_record"):
        AuditEvent(actor_username="x", action=AuditAction.READ, object_type="patient").save()


def test_model_delete_is_refused(event: AuditEvent) -> None:
    """Deleting an event through the ORM fails."""
    with pytest.raises(AuditAppendOnlyError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists() is True


def test_queryset_update_and_delete_are_refused(event: AuditEvent) -> None:
    """Bulk ORM changes fail too, even with a filter that matches nothing."""
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_username="x")
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.none().delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["actor_username"])
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "nurse.kim"

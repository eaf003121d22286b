"""Make the ledger append-only in the database itself (docs/inventory.md).

The same approach as ``audit/0002_append_only_triggers``: triggers reject
UPDATE and DELETE of ledger entries on PostgreSQL and SQLite, whoever the
connecting user is; on PostgreSQL a statement trigger also rejects TRUNCATE of
a table that holds rows (emptying an empty table stays allowed).

The SQL is kept here, not imported from keel code (STYLE.md section 9).
Tests lift the triggers for Django's flush through
``keel.inventory.tests.triggers`` (registered by ``keel.audit.tests.plugin``).

Note for later migrations: on SQLite, Django rebuilds a table for most
ALTERs, which drops its triggers. Any migration that alters
``inventory_ledgerentry`` must re-run ``install`` afterwards.
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION keel_inventory_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'ledger entries are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def _statements_install(vendor, table):
    if vendor == "postgresql":
        return [
            PG_FUNCTION,
            f'DROP TRIGGER IF EXISTS inventory_ledgerentry_append_only ON "{table}"',
            f'CREATE TRIGGER inventory_ledgerentry_append_only BEFORE UPDATE OR DELETE ON "{table}" '
            "FOR EACH ROW EXECUTE FUNCTION keel_inventory_append_only()",
            f'DROP TRIGGER IF EXISTS inventory_ledgerentry_no_truncate ON "{table}"',
            f'CREATE TRIGGER inventory_ledgerentry_no_truncate BEFORE TRUNCATE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION keel_inventory_append_only()",
        ]
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update",
            f'CREATE TRIGGER inventory_ledgerentry_no_update BEFORE UPDATE ON "{table}" '
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE is not allowed'); END",
            "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_delete",
            f'CREATE TRIGGER inventory_ledgerentry_no_delete BEFORE DELETE ON "{table}" '
            "BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE is not allowed'); END",
        ]
    raise RuntimeError(f"no append-only ledger triggers are defined for {vendor}")


def _statements_remove(vendor, table):
    if vendor == "postgresql":
        return [
            f'DROP TRIGGER IF EXISTS inventory_ledgerentry_append_only ON "{table}"',
            f'DROP TRIGGER IF EXISTS inventory_ledgerentry_no_truncate ON "{table}"',
            "DROP FUNCTION IF EXISTS keel_inventory_append_only()",
        ]
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update",
            "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_delete",
        ]
    raise RuntimeError(f"no append-only ledger triggers are defined for {vendor}")


def _run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            # No parameters: the SQL holds literal % signs (plpgsql format()).
            cursor.execute(sql)


def install(connection, table="inventory_ledgerentry"):
    """Create (or re-create) the append-only triggers on ``table``."""
    _run(connection, _statements_install(connection.vendor, table))


def remove(connection, table="inventory_ledgerentry"):
    """Drop the append-only triggers (and the PostgreSQL function)."""
    _run(connection, _statements_remove(connection.vendor, table))


def forwards(apps, schema_editor):
    table = apps.get_model("inventory", "LedgerEntry")._meta.db_table
    install(schema_editor.connection, table)


def backwards(apps, schema_editor):
    table = apps.get_model("inventory", "LedgerEntry")._meta.db_table
    remove(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]

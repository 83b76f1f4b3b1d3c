"""Database triggers that make ledger rows append-only on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "ledger_event"
MESSAGE = "ledger_event is append-only"

_SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS ledger_event_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS ledger_event_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS ledger_event_no_update",
    "DROP TRIGGER IF EXISTS ledger_event_no_delete",
]
_POSTGRES_INSTALL = [
    "CREATE OR REPLACE FUNCTION ledger_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    f"DROP TRIGGER IF EXISTS ledger_event_no_change ON {TABLE}",
    f"CREATE TRIGGER ledger_event_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse()",
    f"DROP TRIGGER IF EXISTS ledger_event_no_truncate ON {TABLE}",
    f"CREATE TRIGGER ledger_event_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse()",
]
_POSTGRES_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS ledger_event_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS ledger_event_no_truncate ON {TABLE}",
]


def _statements(vendor: str, install: bool) -> list[str]:
    if vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_UNINSTALL
    if vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_UNINSTALL
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def install(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Create the triggers (idempotent); run by the ledger's migration."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=True):
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Drop the triggers: only for the test suite's flush and for tamper tests."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=False):
            cursor.execute(statement)


@contextmanager
def suspended(connection: BaseDatabaseWrapper = default_connection) -> Iterator[None]:
    """Drop the triggers for the block and put them back, even when the block fails."""
    uninstall(connection)
    try:
        yield
    finally:
        install(connection)

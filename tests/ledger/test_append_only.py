"""The database itself refuses to change or remove ledger rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from itaku.ledger.models import Event
from itaku.ledger.services import record


class AppendOnlyTests(TestCase):
    def setUp(self) -> None:
        with transaction.atomic():
            self.event = record("test.event", chain="c", facts={"n": 1})

    def test_update_is_refused(self) -> None:
        with self.assertRaises(DatabaseError), transaction.atomic():
            Event.objects.filter(pk=self.event.pk).update(kind="test.changed")
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_event SET facts = '{}' WHERE id = %s", [self.event.pk])

    def test_delete_is_refused(self) -> None:
        with self.assertRaises(DatabaseError), transaction.atomic():
            Event.objects.filter(pk=self.event.pk).delete()
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_event")
        self.assertTrue(Event.objects.filter(pk=self.event.pk).exists())

    def test_truncate_is_refused_on_postgresql(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no TRUNCATE; DELETE is covered above")
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE ledger_event")

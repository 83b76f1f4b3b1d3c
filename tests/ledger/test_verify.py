"""Tampering with ledger rows by hand (edit, delete, reorder, truncate) is caught and located."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from itaku.ledger import triggers
from itaku.ledger.services import verify_chain
from tests.base import ContractTestCase


class VerifyTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.chain = self.contract.ledger_chain

    def _sql(self, statement: str, params: list | None = None) -> None:
        with triggers.suspended(), connection.cursor() as cursor:
            cursor.execute(statement, params or [])

    def _verify_cli(self) -> str:
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command("ledger", "verify", self.contract.number, stdout=out)
        return out.getvalue()

    def test_intact_chain_passes(self) -> None:
        result = verify_chain(self.chain)
        self.assertTrue(result.ok)
        self.assertGreaterEqual(result.events, 8)
        out = StringIO()
        call_command("ledger", "verify", self.contract.number, stdout=out)
        self.assertIn(f"OK      {self.chain}", out.getvalue())
        call_command("ledger", "verify", stdout=out)  # every chain, the system chain included

    def test_edited_facts_are_caught(self) -> None:
        self._sql("UPDATE ledger_event SET facts = %s WHERE chain = %s AND seq = 3",
                  [json.dumps({"role": "worker", "user": 1}), self.chain])
        result = verify_chain(self.chain)
        self.assertEqual((result.ok, result.broken_seq), (False, 3))
        self.assertIn("first broken event #3", self._verify_cli())

    def test_edited_hash_breaks_the_next_link(self) -> None:
        self._sql("UPDATE ledger_event SET hash = %s WHERE chain = %s AND seq = 2", ["f" * 64, self.chain])
        result = verify_chain(self.chain)
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_seq, 2)

    def test_deleted_event_is_caught(self) -> None:
        self._sql("DELETE FROM ledger_event WHERE chain = %s AND seq = 4", [self.chain])
        result = verify_chain(self.chain)
        self.assertEqual((result.ok, result.broken_seq), (False, 4))
        self.assertIn("missing", result.reason)

    def test_reordered_events_are_caught(self) -> None:
        self._sql("UPDATE ledger_event SET seq = 1000 WHERE chain = %s AND seq = 2", [self.chain])
        self._sql("UPDATE ledger_event SET seq = 2 WHERE chain = %s AND seq = 3", [self.chain])
        self._sql("UPDATE ledger_event SET seq = 3 WHERE chain = %s AND seq = 1000", [self.chain])
        result = verify_chain(self.chain)
        self.assertEqual((result.ok, result.broken_seq), (False, 2))

    def test_truncated_tail_is_caught(self) -> None:
        last = verify_chain(self.chain).events
        self._sql("DELETE FROM ledger_event WHERE chain = %s AND seq >= %s", [self.chain, last - 1])
        result = verify_chain(self.chain)
        self.assertEqual((result.ok, result.broken_seq), (False, last - 1))

    def test_unknown_contract_is_an_error(self) -> None:
        with self.assertRaises(CommandError):
            call_command("ledger", "verify", "no-such-contract", stdout=StringIO())

    def test_triggers_come_back_after_suspension(self) -> None:
        self._sql("SELECT 1")
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_event")

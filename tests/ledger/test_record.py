"""Appending to the ledger: inside the change's transaction, gapless, hashed, no personal numbers."""

from __future__ import annotations

import itertools

from django.db import transaction
from django.test import TestCase

from itaku.ledger import chain as canonical
from itaku.ledger.models import Chain, Event
from itaku.ledger.services import LedgerError, handling_events, record, verify_chain
from tests.base import LedgerTransactionTestCase


class OutsideTransactionTests(LedgerTransactionTestCase):
    def test_refuses_outside_a_transaction(self) -> None:
        with self.assertRaises(LedgerError):
            record("test.outside", chain="c")
        self.assertFalse(Event.objects.exists())


class RecordTests(TestCase):

    def test_sequence_is_gapless_and_linked(self) -> None:
        with transaction.atomic():
            events = [record("test.event", chain="contract:x", facts={"n": n}) for n in range(5)]
        self.assertEqual([e.seq for e in events], [1, 2, 3, 4, 5])
        self.assertEqual(events[0].prev_hash, canonical.GENESIS)
        for before, after in itertools.pairwise(events):
            self.assertEqual(after.prev_hash, before.hash)
        head = Chain.objects.get(key="contract:x")
        self.assertEqual((head.head_seq, head.head_hash), (5, events[-1].hash))
        self.assertTrue(verify_chain("contract:x").ok)

    def test_chains_are_independent(self) -> None:
        with transaction.atomic():
            record("a", chain="contract:1")
            record("b", chain="contract:2")
            second = record("c", chain="contract:1")
        self.assertEqual(second.seq, 2)

    def test_hash_is_over_the_versioned_canonical_encoding(self) -> None:
        with transaction.atomic():
            event = record("test.event", chain="c", articles=[8, 1, 8], facts={"b": 2, "a": "再委託"})
        event.refresh_from_db()
        data = event.payload()
        self.assertEqual(data["v"], 1)
        self.assertEqual(data["articles"], [1, 8])
        encoded = canonical.canonical_bytes(data)
        self.assertIn('"facts":{"a":"再委託","b":2}'.encode(), encoded)
        self.assertEqual(event.hash, canonical.event_hash(data))

    def test_rolled_back_change_leaves_no_event(self) -> None:
        class Boom(Exception):
            pass

        with self.assertRaises(Boom), transaction.atomic():
            record("test.event", chain="c")
            raise Boom
        self.assertFalse(Event.objects.filter(chain="c").exists())
        self.assertFalse(Chain.objects.filter(key="c", head_seq__gt=0).exists())

    def test_floats_are_refused(self) -> None:
        with self.assertRaises(canonical.FactsError), transaction.atomic():
            record("test.event", chain="c", facts={"ratio": 0.5})

    def test_my_number_is_refused(self) -> None:
        with self.assertRaises(LedgerError) as caught, transaction.atomic():
            record("test.event", chain="c", facts={"note": "番号 123456789018"})
        self.assertNotIn("123456789018", str(caught.exception))
        with transaction.atomic():
            record("test.event", chain="c", facts={"count": 123456789012})  # invalid check digit: just a count


class HandlingEventsTests(TestCase):
    def test_only_data_events_of_the_person(self) -> None:
        with transaction.atomic():
            record("data.viewed", chain="contract:1", facts={"person": 7, "records": 1})
            record("data.viewed", chain="contract:1", facts={"person": 8, "records": 1})
            record("contract.activated", chain="contract:1", facts={"person": 7})
            record("data.viewed", chain="contract:2", facts={"person": 7, "records": 1})
        self.assertEqual(handling_events("contract:1").count(), 2)
        self.assertEqual(handling_events("contract:1", 7).count(), 1)
        self.assertFalse(handling_events("contract:1", 9).exists())


class DigestGuardTests(TestCase):
    def test_a_digest_that_contains_a_valid_looking_number_is_accepted(self) -> None:
        digest = "ab" + "123456789018" + "c" * 50  # 64 hex characters with a valid My Number inside
        with transaction.atomic():
            record("test.hash", chain="c", facts={"sha256": digest})
        with self.assertRaises(LedgerError), transaction.atomic():
            record("test.hash", chain="c", facts={"note": "x 123456789018 y"})

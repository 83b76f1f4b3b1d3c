"""The gate remembers an allowance only under the state it was decided in: any recorded change asks again."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from itaku.ledger.models import SYSTEM_CHAIN, Chain
from itaku.ledger.services import record, states
from itaku.people import eligibility
from itaku.people import services as people
from itaku.places import services as places
from tests.base import ContractTestCase
from tests.people.helpers import INSIDE, make_eligible


def codes(decision: eligibility.Decision) -> set[str]:
    return {r.code for r in decision.reasons}


class GateMemoryTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        make_eligible(self.world)

    def _check(self) -> eligibility.Decision:
        return eligibility.check(self.world.worker, self.contract, INSIDE)

    def test_a_second_check_in_the_same_state_asks_only_the_chains(self) -> None:
        self.assertTrue(self._check().allowed)
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(self._check().allowed)
        self.assertEqual(len(queries.captured_queries), 1, [q["sql"] for q in queries.captured_queries])
        self.assertIn("ledger_chain", queries.captured_queries[0]["sql"])

    def test_data_handling_events_leave_the_state_others_move_it(self) -> None:
        before = states(self.contract.ledger_chain)
        with transaction.atomic():
            record("data.searched", chain=self.contract.ledger_chain, facts={"person": self.world.worker.pk})
        self.assertEqual(states(self.contract.ledger_chain), before)
        with transaction.atomic():
            event = record("people.structure_saved", chain=self.contract.ledger_chain, facts={})
        self.assertEqual(states(self.contract.ledger_chain), (event.hash,))
        self.assertEqual(Chain.objects.get(key=self.contract.ledger_chain).head_hash, event.hash)

    def test_a_departure_after_an_allowance_refuses_the_next_check(self) -> None:
        self.assertTrue(self._check().allowed)
        people.mark_departure(self.world.responsible, self.contract, self.world.worker,
                              left_on=self.contract.start)
        self.world.worker.refresh_from_db()
        self.assertIn("departed", codes(self._check()))

    def test_a_new_pledge_text_on_the_system_chain_refuses_the_next_check(self) -> None:
        self.assertTrue(self._check().allowed)
        system = states(SYSTEM_CHAIN)
        people.publish_pledge_text(self.world.responsible, self.world.contractor, "新しい誓約書の本文です。" * 3)
        self.assertNotEqual(states(SYSTEM_CHAIN), system)
        self.assertEqual(codes(self._check()), {"no_pledge"})

    def test_a_changed_work_location_refuses_the_next_check(self) -> None:
        self.assertTrue(self._check().allowed)
        location = places.acknowledged_locations(self.contract)[0]
        places.change_location(self.world.responsible, location, networks=["203.0.113.0/24"])
        self.assertNotEqual(codes(self._check()), set())

    def test_a_refusal_is_not_remembered(self) -> None:
        self.assertEqual(codes(eligibility.check(self.world.worker, self.contract, "198.51.100.7")),
                         {"outside_location"})
        self.assertTrue(self._check().allowed)
        self.assertEqual(codes(eligibility.check(self.world.worker, self.contract, "198.51.100.7")),
                         {"outside_location"})

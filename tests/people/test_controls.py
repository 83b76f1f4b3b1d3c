"""Controls of articles 2 and 4, each with compliant and violating scenarios."""

from __future__ import annotations

from django.db import transaction

from itaku.contracts.services import evaluate_controls
from itaku.ledger.services import record
from itaku.people import services as people
from itaku.provisions.controls import State
from tests.base import ContractTestCase, make_user
from tests.people.helpers import declare_structure


def state(contract, code: str) -> State:
    return next(r for r in evaluate_controls(contract) if r.control.code == code).state


def handled(contract, person) -> None:
    with transaction.atomic():
        record("data.viewed", chain=contract.ledger_chain, actor=person, facts={"person": person.pk, "records": 1})


class StructureControlTests(ContractTestCase):
    def test_no_responsible_person_is_a_violation(self) -> None:
        self.assertEqual(state(self.contract, "people.responsible_named"), State.VIOLATION)

    def test_declared_and_acknowledged_is_ok(self) -> None:
        declare_structure(self.world)
        self.assertEqual(state(self.contract, "people.responsible_named"), State.OK)
        self.assertEqual(state(self.contract, "people.structure_acknowledged"), State.OK)

    def test_unsubmitted_or_pending_is_missing_evidence(self) -> None:
        version = people.save_version(self.world.responsible, self.contract, responsible=self.world.responsible,
                                      description="体制", members=[])
        self.assertEqual(state(self.contract, "people.structure_acknowledged"), State.MISSING)
        people.submit_version(self.world.responsible, version)
        self.assertEqual(state(self.contract, "people.structure_acknowledged"), State.MISSING)

    def test_handling_by_someone_outside_the_structure(self) -> None:
        declare_structure(self.world)
        handled(self.contract, self.world.worker)
        self.assertEqual(state(self.contract, "people.handled_within_structure"), State.OK)
        handled(self.contract, make_user("stranger", self.world.contractor))
        self.assertEqual(state(self.contract, "people.handled_within_structure"), State.VIOLATION)

    def test_handling_before_any_acknowledgement(self) -> None:
        handled(self.contract, self.world.worker)
        self.assertEqual(state(self.contract, "people.handled_within_structure"), State.VIOLATION)


class PledgeControlTests(ContractTestCase):
    def test_missing_then_violation_then_ok(self) -> None:
        declare_structure(self.world)
        self.assertEqual(state(self.contract, "people.pledges"), State.MISSING)
        handled(self.contract, self.world.worker)
        self.assertEqual(state(self.contract, "people.pledges"), State.VIOLATION)
        for person in (self.world.responsible, self.world.worker):
            people.accept_pledge(person, self.contract)
        self.assertEqual(state(self.contract, "people.pledges"), State.OK)

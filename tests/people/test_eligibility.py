"""The one gate: allowed only with every article met, refused with every reason, refusals in the ledger."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.ledger.models import Event
from itaku.people import eligibility
from itaku.people import services as people
from itaku.training.models import Completion
from tests.base import ContractTestCase, make_user
from tests.people.helpers import INSIDE, OUTSIDE, declare_structure, make_eligible, report_location, train


def codes(decision: eligibility.Decision) -> set[str]:
    return {r.code for r in decision.reasons}


class GateTests(ContractTestCase):
    def test_compliant_worker_is_allowed_from_the_location(self) -> None:
        make_eligible(self.world)
        decision = eligibility.check(self.world.worker, self.contract, INSIDE)
        self.assertTrue(decision.allowed, decision.reasons)
        self.assertFalse(Event.objects.filter(kind="eligibility.refused").exists())

    def test_nothing_in_place_gives_every_reason(self) -> None:
        decision = eligibility.evaluate(self.world.worker, self.contract, INSIDE)
        self.assertEqual(codes(decision), {"structure_unacknowledged", "untrained", "no_pledge", "no_location"})
        articles = {r.code: r.articles for r in decision.reasons}
        self.assertEqual(articles["untrained"], (3,))
        self.assertEqual(articles["no_pledge"], (4,))
        self.assertEqual(articles["no_location"], (15,))

    def test_outside_the_location_is_refused_and_recorded(self) -> None:
        make_eligible(self.world)
        decision = eligibility.check(self.world.worker, self.contract, OUTSIDE)
        self.assertEqual(codes(decision), {"outside_location"})
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="eligibility.refused")
        self.assertEqual(event.facts["reasons"], ["outside_location"])
        self.assertEqual(event.facts["person"], self.world.worker.pk)
        self.assertNotIn(OUTSIDE, json.dumps(event.facts))
        self.assertEqual(codes(eligibility.check(self.world.worker, self.contract, "not-an-ip")), {"address_invalid"})

    def test_person_not_in_the_structure(self) -> None:
        make_eligible(self.world)
        newcomer = make_user("newcomer", self.world.contractor)
        train(self.world, newcomer)
        people.accept_pledge(newcomer, self.contract)
        self.assertEqual(codes(eligibility.evaluate(newcomer, self.contract, INSIDE)), {"not_in_structure"})

    def test_expired_training(self) -> None:
        make_eligible(self.world)
        Completion.objects.filter(person=self.world.worker).update(
            completed_on=timezone.localdate() - dt.timedelta(days=400))
        self.assertEqual(codes(eligibility.evaluate(self.world.worker, self.contract, INSIDE)), {"untrained"})

    def test_departed_person(self) -> None:
        make_eligible(self.world)
        people.mark_departure(self.world.responsible, self.contract, self.world.worker, timezone.localdate())
        self.world.worker.refresh_from_db()
        self.assertIn("departed", codes(eligibility.evaluate(self.world.worker, self.contract, INSIDE)))

    def test_ended_contract(self) -> None:
        make_eligible(self.world)
        contracts.end_contract(self.world.supervisor, self.contract)
        self.contract.refresh_from_db()
        self.assertEqual(codes(eligibility.evaluate(self.world.worker, self.contract, INSIDE)), {"contract_inactive"})

    def test_other_organisation(self) -> None:
        make_eligible(self.world)
        self.assertEqual(codes(eligibility.evaluate(self.world.foreign_responsible, self.contract, INSIDE)),
                         {"not_a_party"})

    def test_structure_changed_after_acknowledgement_is_not_acknowledged(self) -> None:
        declare_structure(self.world)
        report_location(self.world)
        people.save_version(self.world.responsible, self.contract, responsible=self.world.responsible,
                            description="変更", members=[])
        # the acknowledged version 1 still names the worker
        self.assertNotIn("not_in_structure", codes(eligibility.evaluate(self.world.worker, self.contract, INSIDE)))


class CommandTests(ContractTestCase):
    def test_json_and_exit_codes(self) -> None:
        make_eligible(self.world)
        out = StringIO()
        call_command("eligibility", self.contract.number, "worker", "--address", INSIDE, "--json", stdout=out)
        self.assertTrue(json.loads(out.getvalue())["allowed"])
        out = StringIO()
        with self.assertRaises(SystemExit) as caught:
            call_command("eligibility", self.contract.number, "worker", "--address", OUTSIDE, stdout=out)
        self.assertEqual(caught.exception.code, 1)
        self.assertIn("outside_location", out.getvalue())


class PageTests(ContractTestCase):
    def test_reasons_shown_to_the_responsible_person_and_the_authority(self) -> None:
        declare_structure(self.world)
        for user in (self.world.responsible, self.world.supervisor):
            page = self.client_for(user).get(f"/contracts/{self.contract.pk}/people/eligibility/").content.decode()
            self.assertIn("有効な研修の修了がありません", page)
            self.assertIn("現行の誓約書に同意していません", page)

    def test_refusal_is_recorded_inside_an_outer_transaction_too(self) -> None:
        with transaction.atomic():
            eligibility.check(self.world.worker, self.contract, INSIDE)
        self.assertEqual(Event.objects.filter(kind="eligibility.refused").count(), 1)

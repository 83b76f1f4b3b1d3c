"""Article 15's controls, each with a compliant and a violating scenario, on the page and through the CLI."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.db import transaction

from itaku.contracts import services as contracts
from itaku.ledger.models import Event
from itaku.ledger.services import record
from itaku.places import services
from itaku.provisions.controls import Result, State
from tests.base import ContractTestCase
from tests.places.factory import acknowledged, add


class ControlTestCase(ContractTestCase):
    def result(self, code: str) -> Result:
        return next(r for r in contracts.evaluate_controls(self.contract) if r.control.code == code)

    def handle_data(self) -> Event:
        with transaction.atomic():
            return record("data.viewed", chain=self.contract.ledger_chain,
                          facts={"person": self.world.worker.pk, "records": 1})


class AcknowledgedTests(ControlTestCase):
    def test_missing_without_any_location(self) -> None:
        result = self.result("places.acknowledged")
        self.assertEqual(result.state, State.MISSING)
        self.assertEqual(result.articles, (15,))

    def test_missing_while_only_recorded_or_awaiting(self) -> None:
        add(self.world)
        services.report_location(self.world.responsible, add(self.world, name="別館", networks="198.51.100.0/24"))
        result = self.result("places.acknowledged")
        self.assertEqual(result.state, State.MISSING)
        self.assertIn("2 recorded, 1 awaiting", result.findings[0].message_en)

    def test_compliant_with_the_acknowledgement_as_evidence(self) -> None:
        acknowledged(self.world)
        result = self.result("places.acknowledged")
        self.assertEqual(result.state, State.OK)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="places.location.acknowledged")
        self.assertEqual(result.findings[0].evidence[0].ref, f"ledger:{event.chain}#{event.seq}")


class BeforeHandlingTests(ControlTestCase):
    def test_compliant_when_handling_follows_the_acknowledgement(self) -> None:
        acknowledged(self.world)
        self.handle_data()
        result = self.result("places.before_handling")
        self.assertEqual(result.state, State.OK)
        self.assertEqual(len(result.findings[0].evidence), 2)

    def test_nothing_to_say_before_any_handling(self) -> None:
        self.assertEqual(self.result("places.before_handling").state, State.OK)

    def test_violation_when_data_was_handled_before_the_acknowledgement(self) -> None:
        location = add(self.world)
        handled = self.handle_data()
        services.report_location(self.world.responsible, location)
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        self.handle_data()
        result = self.result("places.before_handling")
        self.assertEqual(result.state, State.VIOLATION)
        self.assertEqual(result.findings[0].evidence[0].ref, f"ledger:{handled.chain}#{handled.seq}")

    def test_violation_when_data_is_handled_with_no_location_acknowledged(self) -> None:
        add(self.world)
        self.handle_data()
        self.assertEqual(self.result("places.before_handling").state, State.VIOLATION)


class ChangesReportedTests(ControlTestCase):
    def test_compliant_when_a_change_is_reported_and_acknowledged_again(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, room="B1")
        services.report_location(self.world.responsible, location)
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        self.assertEqual(self.result("places.changes_reported").state, State.OK)

    def test_a_location_never_acknowledged_is_not_a_changed_one(self) -> None:
        location = add(self.world)
        services.change_location(self.world.responsible, location, room="B1")
        self.assertEqual(self.result("places.changes_reported").state, State.OK)

    def test_violation_when_changed_after_acknowledgement(self) -> None:
        location = acknowledged(self.world)
        acknowledged(self.world, name="別館", networks="198.51.100.0/24")
        services.change_location(self.world.responsible, location, networks="192.0.2.0/25")
        result = self.result("places.changes_reported")
        self.assertEqual(result.state, State.VIOLATION)
        [finding] = result.findings
        changed = Event.objects.get(chain=self.contract.ledger_chain, kind="places.location_changed")
        self.assertEqual([e.ref for e in finding.evidence],
                         [f"places.worklocation:{location.pk}", f"ledger:{changed.chain}#{changed.seq}"])
        self.assertEqual(self.result("places.acknowledged").state, State.OK)  # the other one still counts

    def test_still_a_violation_while_the_new_report_awaits(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, room="B1")
        services.report_location(self.world.responsible, location)
        self.assertEqual(self.result("places.changes_reported").state, State.VIOLATION)
        self.assertEqual(self.result("places.acknowledged").state, State.MISSING)


class ShownTests(ControlTestCase):
    def test_on_the_contract_page_under_article_15(self) -> None:
        acknowledged(self.world)
        body = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn("作業場所の届出と確認", body)
        self.assertIn("作業場所の変更の再届出", body)

    def test_through_the_cli(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, room="B1")
        out = StringIO()
        call_command("controls", self.contract.number, "--json", stdout=out)
        states = {r["control"]: r["state"] for r in json.loads(out.getvalue())}
        self.assertEqual(states["places.acknowledged"], "missing_evidence")
        self.assertEqual(states["places.before_handling"], "ok")
        self.assertEqual(states["places.changes_reported"], "violation")

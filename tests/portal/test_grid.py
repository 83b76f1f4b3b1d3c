"""The authority's dashboard: every contract against every article, filterable, deadlines coming due and the
findings over time; each contract's controls evaluated once per change, not on every view."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

from django.core.management import CommandError, call_command
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.contracts import standing
from itaku.contracts.models import ControlHistory, ControlSnapshot, Role
from itaku.people import services as people
from itaku.portal import views
from itaku.subcontracting import services as subcontracting
from tests.base import ContractTestCase, make_organisation
from tests.people.helpers import declare_structure
from tests.subcontracting.support import approved, party_of


class GridTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        other = make_organisation("株式会社第二データ", "contractor")
        today = timezone.localdate()
        self.second = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="国保の封入封緘業務", contractor=other,
            start=today - dt.timedelta(days=10), end=today + dt.timedelta(days=200), department="国保医療年金課",
            provisions=self.world.provisions)
        contracts.assign_role(self.world.supervisor, self.second, self.world.auditor, Role.AUDITOR)

    def get(self, user=None, **params) -> str:
        return self.client_for(user or self.world.supervisor).get("/", params).content.decode()

    def test_every_contract_against_every_article(self) -> None:
        body = self.get()
        for expected in (self.contract.number, self.second.number, "<th scope=\"col\">第2</th>", "state-violation"):
            self.assertIn(expected, body)
        snapshot = ControlSnapshot.objects.get(contract=self.contract)
        self.assertEqual(snapshot.by_article["2"], "violation")  # no structure yet
        self.assertIn(f"{self.contract.number}", body)

    def test_filters_by_department_contractor_and_state(self) -> None:
        body = self.get(department="国保医療年金課")
        self.assertIn(self.second.number, body)
        self.assertNotIn(self.contract.number, body)
        body = self.get(contractor=self.contract.contractor_id)
        self.assertIn(self.contract.number, body)
        self.assertNotIn(self.second.number, body)
        body = self.get(state="ok")
        self.assertNotIn(self.contract.number, body)

    def test_the_controls_are_evaluated_again_only_after_a_change(self) -> None:
        self.get()
        with mock.patch.object(standing, "evaluate_controls", wraps=standing.evaluate_controls) as evaluated:
            self.get()
            self.assertEqual(evaluated.call_count, 0)
            declare_structure(self.world)  # ledger events on the first contract
            self.get()
            self.assertEqual(evaluated.call_count, 1)
        self.assertNotEqual(ControlSnapshot.objects.get(contract=self.contract).by_article["2"], "violation")

    def test_past_its_budget_a_view_shows_changed_contracts_as_last_evaluated(self) -> None:
        self.get()
        declare_structure(self.world)  # the first contract changes
        with mock.patch.object(standing, "evaluate_controls", wraps=standing.evaluate_controls) as evaluated, \
                mock.patch.object(views, "EVALUATION_BUDGET", 0):
            body = self.get()
            self.assertEqual(evaluated.call_count, 0)
            self.assertIn("1件の契約は", body)
            self.assertIn("時点", body)
            third = contracts.create_contract(
                self.world.supervisor, number="品委第2025-0003号", title="新規", contractor=self.contract.contractor,
                start=timezone.localdate(), end=timezone.localdate() + dt.timedelta(days=30),
                provisions=self.world.provisions)
            self.assertIn(third.number, self.get())  # without a snapshot it is evaluated whatever the budget
            self.assertEqual(evaluated.call_count, 1)
        self.assertNotIn("1件の契約は", self.get())  # within the budget again: evaluated
        self.assertEqual(ControlSnapshot.objects.get(contract=self.contract).by_article["2"] != "violation", True)

    def test_the_timer_brings_every_snapshot_up_to_date(self) -> None:
        self.get()
        declare_structure(self.world)
        out = io.StringIO()
        call_command("controls", "--refresh", stdout=out)
        self.assertIn("contracts evaluated again: 1 ", out.getvalue())
        with mock.patch.object(standing, "evaluate_controls", wraps=standing.evaluate_controls) as evaluated:
            self.get()
            self.assertEqual(evaluated.call_count, 0)
        out = io.StringIO()
        call_command("controls", "--refresh", stdout=out)
        self.assertIn("contracts evaluated again: 0 ", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("controls")

    def test_a_new_pledge_text_on_the_system_chain_also_counts_as_a_change(self) -> None:
        self.get()
        with mock.patch.object(standing, "evaluate_controls", wraps=standing.evaluate_controls) as evaluated:
            people.publish_pledge_text(None, self.contract.contractor, "新しい誓約書")
            self.get()
            self.assertEqual(evaluated.call_count, 2)  # both contracts: a pledge text is not one contract's

    def test_deadlines_coming_due_and_the_chart(self) -> None:
        request = approved(self.world, self.world.responsible)
        subcontracting.ask_report(self.world.supervisor, self.contract, party_of(request), question="状況",
                                  due_on=timezone.localdate() + dt.timedelta(days=1))
        body = self.get()
        self.assertIn("再委託先に関する報告", body)
        self.assertTrue(ControlHistory.objects.filter(contract=self.contract, day=timezone.localdate()).exists())
        self.assertIn('class="bar-', body)

    def test_the_contractor_gets_its_list_not_the_grid(self) -> None:
        body = self.get(self.world.responsible)
        self.assertIn(self.contract.number, body)
        self.assertNotIn(self.second.number, body)
        self.assertNotIn("<th scope=\"col\">第2</th>", body)

"""Article 1's controls, each with a compliant and a violating scenario, and `itaku controls`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import CommandError, call_command
from django.utils import timezone

from itaku.contracts import services
from itaku.contracts.models import Contract
from itaku.provisions.controls import State
from tests.base import ContractTestCase


def state_of(contract: Contract, code: str) -> State:
    contract.refresh_from_db()
    return next(r for r in services.evaluate_controls(contract) if r.control.code == code).state


class LawsRecordedTests(ContractTestCase):
    def test_compliant(self) -> None:
        self.assertEqual(state_of(self.contract, "contract.laws_recorded"), State.OK)

    def test_missing(self) -> None:
        bare = services.create_contract(
            self.world.supervisor, number="X-9", title="t", contractor=self.world.contractor,
            start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        )
        self.assertEqual(state_of(bare, "contract.laws_recorded"), State.MISSING)


class ProvisionsAcknowledgedTests(ContractTestCase):
    def test_compliant_with_evidence(self) -> None:
        result = next(r for r in services.evaluate_controls(self.contract)
                      if r.control.code == "contract.provisions_attached")
        self.assertEqual(result.state, State.OK)
        self.assertEqual(result.articles, (1,))
        self.assertTrue(result.findings[0].evidence[0].ref.startswith(f"ledger:{self.contract.ledger_chain}#"))

    def test_change_after_approval_voids_it(self) -> None:
        Contract.objects.filter(pk=self.contract.pk).update(title="別の業務")
        self.assertEqual(state_of(self.contract, "contract.provisions_attached"), State.VIOLATION)


class WithinPeriodTests(ContractTestCase):
    def _period(self, start: dt.date, end: dt.date) -> None:
        Contract.objects.filter(pk=self.contract.pk).update(start=start, end=end)

    def test_compliant(self) -> None:
        self.assertEqual(state_of(self.contract, "contract.within_period"), State.OK)

    def test_due_soon(self) -> None:
        today = timezone.localdate()
        self._period(today - dt.timedelta(days=100), today + dt.timedelta(days=10))
        self.assertEqual(state_of(self.contract, "contract.within_period"), State.DUE_SOON)

    def test_overdue_after_the_end(self) -> None:
        today = timezone.localdate()
        self._period(today - dt.timedelta(days=100), today - dt.timedelta(days=1))
        self.assertEqual(state_of(self.contract, "contract.within_period"), State.OVERDUE)

    def test_violation_before_the_start(self) -> None:
        today = timezone.localdate()
        self._period(today + dt.timedelta(days=5), today + dt.timedelta(days=50))
        self.assertEqual(state_of(self.contract, "contract.within_period"), State.VIOLATION)


class ControlsCommandTests(ContractTestCase):
    def test_json(self) -> None:
        out = StringIO()
        call_command("controls", self.contract.number, "--json", stdout=out)
        results = {r["control"]: r for r in json.loads(out.getvalue())}
        self.assertEqual(results["contract.laws_recorded"]["state"], "ok")
        self.assertEqual(results["contract.laws_recorded"]["articles"], [1])
        finding = results["contract.provisions_attached"]["findings"][0]
        self.assertIn("ja", finding["message"])
        self.assertTrue(finding["evidence"][0]["ref"].startswith("ledger:"))

    def test_text_and_unknown_contract(self) -> None:
        out = StringIO()
        call_command("controls", self.contract.number, stdout=out)
        self.assertIn("contract.within_period", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("controls", "nope", stdout=StringIO())

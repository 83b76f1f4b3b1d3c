"""Controls of article 17: periodic reports by their due dates (overdue, due soon), reports on request by
theirs, and the emergency report procedure in place."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from itaku.contracts.services import evaluate_controls
from itaku.provisions.controls import State
from itaku.reporting import periods, services
from tests.base import ContractTestCase
from tests.reporting.support import (
    QUESTION,
    answered_request,
    both_sides,
    previous_month,
    start_months_back,
    submitted_report,
)


class ControlTests(ContractTestCase):
    def result(self, code: str):
        return next(r for r in evaluate_controls(self.world.refresh()) if r.control.code == code)

    def states(self, code: str) -> list[State]:
        return [f.state for f in self.result(code).findings]

    def test_articles_are_the_contracts_own(self) -> None:
        self.assertEqual(self.result("reporting.periodic").articles, tuple(self.contract.articles_for("reporting")))
        self.assertTrue(self.result("reporting.periodic").articles)

    # periodic reports

    def test_no_schedule_is_missing_evidence(self) -> None:
        self.assertEqual(self.result("reporting.periodic").state, State.MISSING)

    def test_a_report_not_submitted_by_its_due_date_is_overdue(self) -> None:
        start_months_back(self.world, 3)
        services.set_schedule(self.world.supervisor, self.contract, frequency=periods.MONTHLY)
        result = self.result("reporting.periodic")
        self.assertEqual(result.state, State.OVERDUE)
        self.assertGreaterEqual(self.states("reporting.periodic").count(State.OVERDUE), 2)

    def test_a_report_due_within_five_working_days_is_due_soon(self) -> None:
        start_months_back(self.world, 1)
        services.set_schedule(self.world.supervisor, self.contract, frequency=periods.MONTHLY, due_working_days=1)
        day_after = previous_month().end + dt.timedelta(days=1)
        with mock.patch("django.utils.timezone.localdate", return_value=day_after):
            self.assertEqual(self.result("reporting.periodic").state, State.DUE_SOON)

    def test_every_ended_period_submitted_is_compliant(self) -> None:
        start_months_back(self.world, 2)
        services.set_schedule(self.world.supervisor, self.contract, frequency=periods.MONTHLY)
        first = periods.containing(self.world.contract.start, periods.MONTHLY)
        submitted_report(self.world, first)
        submitted_report(self.world, first.next())
        self.assertEqual(self.result("reporting.periodic").state, State.OK)

    def test_a_returned_report_counts_as_not_submitted(self) -> None:
        start_months_back(self.world, 3)
        services.set_schedule(self.world.supervisor, self.contract, frequency=periods.MONTHLY)
        first = periods.containing(self.world.contract.start, periods.MONTHLY)
        report = submitted_report(self.world, first)
        services.decide_report(self.world.supervisor, report, accept=False, comment="記載漏れがあります。")
        messages = [f.message_en for f in self.result("reporting.periodic").findings]
        self.assertTrue(any(first.label in message for message in messages), messages)

    # reports on request

    def test_a_request_not_answered_by_its_due_date_is_overdue(self) -> None:
        asked = services.ask(self.world.supervisor, self.contract, question=QUESTION, due_on=timezone.localdate())
        later = timezone.localdate() + dt.timedelta(days=1)
        with mock.patch("django.utils.timezone.localdate", return_value=later):
            self.assertEqual(self.result("reporting.on_request").state, State.OVERDUE)
        self.assertEqual(self.result("reporting.on_request").state, State.DUE_SOON)
        services.answer(self.world.responsible, asked, text="報告します。")
        with mock.patch("django.utils.timezone.localdate", return_value=later):
            self.assertEqual(self.result("reporting.on_request").state, State.OK)

    def test_an_answered_request_is_compliant(self) -> None:
        answered_request(self.world)
        self.assertEqual(self.result("reporting.on_request").state, State.OK)

    # the emergency procedure

    def test_no_emergency_procedure_is_missing_evidence(self) -> None:
        self.assertEqual(self.result("reporting.emergency_procedure").state, State.MISSING)
        services.add_contact(self.world.responsible, self.contract, name="受託 太郎", organisation="株式会社",
                             phone="03-0000-0000")
        result = self.result("reporting.emergency_procedure")
        self.assertEqual(result.state, State.MISSING)
        self.assertIn("the authority's contacts", result.findings[0].message_en)

    def test_both_sides_and_channels_are_compliant(self) -> None:
        both_sides(self.world)
        self.assertEqual(self.result("reporting.emergency_procedure").state, State.OK)

"""Controls of article 16: reports and answers to instructions by their due dates, and findings followed by a
closed instruction; each with a compliant and a violating scenario."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from itaku.contracts.services import evaluate_controls
from itaku.inspections import services as inspections
from itaku.provisions.controls import Result, State
from tests.base import ContractTestCase
from tests.inspections.support import in_days, item_of, schedule


def result(contract, code: str) -> Result:
    return next(r for r in evaluate_controls(contract) if r.control.code == code)


def on(day: dt.date):
    """Move the clock of the controls and services to `day`."""
    return mock.patch.object(timezone, "localdate", return_value=day)


class InspectionControlTestCase(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inspection = schedule(self.world)
        self.item = item_of(self.inspection, 16)


class ArticlesTests(InspectionControlTestCase):
    def test_the_controls_count_against_article_16(self) -> None:
        for code in ("inspections.reports", "inspections.instructions", "inspections.findings"):
            self.assertEqual(result(self.contract, code).articles, (16,))


class ReportControlTests(InspectionControlTestCase):
    def test_a_report_delivered_in_time_is_ok(self) -> None:
        asked = inspections.request_report(self.world.supervisor, self.contract, self.inspection,
                                           question="状況を報告すること。", due_on=in_days(10))
        self.assertEqual(result(self.contract, "inspections.reports").state, State.OK)
        inspections.deliver_report(self.world.responsible, self.contract, asked, answer="報告します。")
        with on(asked.due_on + dt.timedelta(days=5)):
            self.assertEqual(result(self.contract, "inspections.reports").state, State.OK)

    def test_a_report_not_delivered_by_its_date_is_overdue(self) -> None:
        asked = inspections.request_report(self.world.supervisor, self.contract, self.inspection,
                                           question="状況を報告すること。", due_on=in_days(2))
        self.assertEqual(result(self.contract, "inspections.reports").state, State.DUE_SOON)
        with on(asked.due_on + dt.timedelta(days=1)):
            found = result(self.contract, "inspections.reports")
        self.assertEqual(found.state, State.OVERDUE)
        overdue = next(f for f in found.findings if f.state == State.OVERDUE)
        self.assertIn(self.world.contractor.name, overdue.message_ja)
        self.assertEqual(overdue.evidence[0].ref, f"inspections.reportrequest:{asked.pk}")

    def test_a_returned_report_counts_as_not_delivered(self) -> None:
        asked = inspections.request_report(self.world.supervisor, self.contract, self.inspection,
                                           question="状況を報告すること。", due_on=in_days(5))
        inspections.deliver_report(self.world.responsible, self.contract, asked, answer="報告します。")
        inspections.acknowledge_report(self.world.supervisor, self.contract, asked, accept=False, comment="不十分。")
        with on(asked.due_on + dt.timedelta(days=1)):
            self.assertEqual(result(self.contract, "inspections.reports").state, State.OVERDUE)


class InstructionControlTests(InspectionControlTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.instruction = inspections.issue_instruction(self.world.supervisor, self.contract, self.inspection,
                                                         text="入退室記録を整備すること。", due_on=in_days(7))

    def test_an_instruction_answered_in_time_is_ok(self) -> None:
        inspections.answer_instruction(self.world.responsible, self.contract, self.instruction, answer="整備した。")
        with on(self.instruction.due_on + dt.timedelta(days=3)):
            self.assertEqual(result(self.contract, "inspections.instructions").state, State.OK)

    def test_an_instruction_not_answered_by_its_date_is_overdue(self) -> None:
        self.assertEqual(result(self.contract, "inspections.instructions").state, State.OK)
        with on(self.instruction.due_on + dt.timedelta(days=1)):
            found = result(self.contract, "inspections.instructions")
        self.assertEqual(found.state, State.OVERDUE)
        self.assertEqual(found.findings[0].evidence[0].ref, f"inspections.instruction:{self.instruction.pk}")


class FindingControlTests(InspectionControlTestCase):
    def test_no_inspection_and_no_finding_are_ok(self) -> None:
        self.assertEqual(result(self.contract, "inspections.findings").state, State.OK)
        inspections.record_item(self.world.auditor, self.contract, self.item, result="conforming")
        self.assertEqual(result(self.contract, "inspections.findings").state, State.OK)

    def test_a_finding_without_a_closed_instruction_is_missing_evidence(self) -> None:
        inspections.record_item(self.world.auditor, self.contract, self.item, result="finding", notes="記入漏れ。")
        found = result(self.contract, "inspections.findings")
        self.assertEqual(found.state, State.MISSING)
        self.assertIn("第16", found.findings[0].message_ja)
        instruction = inspections.issue_instruction(self.world.supervisor, self.contract, self.inspection,
                                                    text="整備すること。", due_on=in_days(7), item=self.item)
        inspections.answer_instruction(self.world.responsible, self.contract, instruction, answer="整備した。")
        self.assertEqual(result(self.contract, "inspections.findings").state, State.MISSING)  # answered, not closed
        inspections.close_instruction(self.world.supervisor, self.contract, instruction, accept=True)
        self.assertEqual(result(self.contract, "inspections.findings").state, State.OK)

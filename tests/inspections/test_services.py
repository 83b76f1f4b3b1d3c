"""Inspections through the services: scheduling with a checklist from the provisions, results, reports and
instructions through the submissions mechanism, and each step's ledger event."""

from __future__ import annotations

from itaku.contracts import services as contracts
from itaku.inspections import services as inspections
from itaku.inspections.models import ChecklistItem, Inspection
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.submissions.models import Submission
from tests.base import ContractTestCase
from tests.inspections.support import SCOPE, in_days, item_of, schedule, upload
from tests.subcontracting.objects import build_chain


class ScheduleTests(ContractTestCase):
    def test_checklist_has_an_item_per_obligation_prefilled_by_the_controls(self) -> None:
        inspection = schedule(self.world)
        parsed = self.contract.provisions.parsed()
        self.assertEqual(inspection.items.count(),
                         sum(max(1, len(p.items)) for a in parsed.articles for p in a.paragraphs))
        sixteen = item_of(inspection, 16)
        self.assertIn("立入検査", sixteen.text)
        self.assertEqual(sixteen.heading, parsed.article(16).heading)
        codes = {known["control"] for known in sixteen.known}
        self.assertTrue({"inspections.reports", "inspections.instructions", "inspections.findings"} <= codes)
        eight = item_of(inspection, 8, 1, "ア")
        self.assertEqual(eight.text, "再委託する業務の内容")  # each enumerated item is an obligation of its own
        self.assertTrue(any(k["control"].startswith("subcontracting.") for k in eight.known))
        results = {r.control.code: r for r in contracts.evaluate_controls(self.contract)}
        for known in eight.known:
            self.assertEqual(known["state"], results[known["control"]].state.value)
            self.assertEqual(known["state_ja"], results[known["control"]].state.label_ja)
        event = Event.objects.filter(chain=self.contract.ledger_chain, kind="inspection.scheduled").get()
        self.assertEqual(event.facts["inspection"], inspection.pk)
        self.assertEqual(event.facts["items"], inspection.items.count())
        self.assertEqual(event.articles, [16])
        self.assertEqual(inspection.scope, SCOPE)

    def test_a_subcontractor_of_the_chain_can_be_inspected(self) -> None:
        built = build_chain(self.world)
        inspection = schedule(self.world, party=built.party.organisation, kind=Inspection.Kind.INVESTIGATION)
        self.assertEqual(inspection.party, built.party.organisation)

    def test_refusals(self) -> None:
        with self.assertRaises(UserError):  # not a party of the chain
            schedule(self.world, party=self.world.foreign_contractor)
        with self.assertRaises(UserError):  # an inspector without an authority role on the contract
            schedule(self.world, inspectors=[self.world.colleague])
        with self.assertRaises(UserError):
            schedule(self.world, scope=" ")
        with self.assertRaises(UserError):  # only the supervisor schedules
            inspections.schedule(self.world.auditor, self.contract, party=self.world.contractor, kind="on_site",
                                 held_on=in_days(0), scope=SCOPE, inspectors=[self.world.auditor])
        self.assertFalse(Inspection.objects.exists())


class ChecklistTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inspection = schedule(self.world)

    def test_inspector_records_results(self) -> None:
        item = item_of(self.inspection, 15)
        inspections.record_item(self.world.auditor, self.contract, item, result="conforming", notes="")
        item.refresh_from_db()
        self.assertEqual(item.result, ChecklistItem.Result.CONFORMING)
        self.assertEqual(item.recorded_by, self.world.auditor)
        event = Event.objects.filter(chain=self.contract.ledger_chain, kind="inspection.item_recorded").get()
        self.assertEqual(event.facts["item"], item.pk)
        self.assertEqual(event.facts["result"], "conforming")
        self.assertEqual(event.facts["label"], "")

    def test_a_finding_needs_notes_and_only_inspectors_record(self) -> None:
        item = item_of(self.inspection, 15)
        with self.assertRaisesMessage(UserError, "notes"):
            inspections.record_item(self.world.auditor, self.contract, item, result="finding", notes=" ")
        with self.assertRaises(UserError):
            inspections.record_item(self.world.responsible, self.contract, item, result="conforming")
        with self.assertRaises(UserError):
            inspections.record_item(self.world.auditor, self.contract, item, result="maybe")
        item.refresh_from_db()
        self.assertEqual(item.result, "")

    def test_close_needs_every_result_and_freezes_them(self) -> None:
        with self.assertRaises(UserError):
            inspections.close(self.world.supervisor, self.contract, self.inspection)
        for item in self.inspection.items.all():
            inspections.record_item(self.world.auditor, self.contract, item, result="not_applicable")
        inspections.close(self.world.supervisor, self.contract, self.inspection, summary="概ね良好。")
        self.assertFalse(self.inspection.is_open)
        with self.assertRaises(UserError):
            inspections.record_item(self.world.auditor, self.contract, item_of(self.inspection, 1), result="finding",
                                    notes="x")
        closed = Event.objects.filter(chain=self.contract.ledger_chain, kind="inspection.closed").get()
        self.assertEqual(closed.facts["not_applicable"], self.inspection.items.count())


class ReportsAndInstructionsTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inspection = schedule(self.world)
        self.item = item_of(self.inspection, 16)
        inspections.record_item(self.world.auditor, self.contract, self.item, result="finding", notes="記入漏れ。")

    def test_report_delivered_and_acknowledged_through_submissions(self) -> None:
        report = inspections.request_report(self.world.supervisor, self.contract, self.inspection,
                                            question="状況を報告すること。", due_on=in_days(7))
        submitted = inspections.deliver_report(self.world.responsible, self.contract, report, answer="報告します。",
                                               attachment=upload())
        self.assertEqual(submitted.kind, inspections.REPORT)
        self.assertEqual(inspections.answered_on(report), in_days(0))
        with self.assertRaises(UserError):  # delivered already
            inspections.deliver_report(self.world.responsible, self.contract, report, answer="再送")
        decided = inspections.acknowledge_report(self.world.supervisor, self.contract, report, accept=True)
        self.assertEqual(decided.status, Submission.Status.ACKNOWLEDGED)
        kinds = set(Event.objects.filter(chain=self.contract.ledger_chain).values_list("kind", flat=True))
        self.assertTrue({"inspection.report_requested", "attachment.added", "inspections.report.submitted",
                         "inspections.report.acknowledged"} <= kinds)

    def test_instruction_answered_returned_answered_again_and_closed(self) -> None:
        instruction = inspections.issue_instruction(self.world.supervisor, self.contract, self.inspection,
                                                    text="整備すること。", due_on=in_days(7), item=self.item)
        self.assertEqual(inspections.open_findings(self.inspection), [self.item])
        inspections.answer_instruction(self.world.responsible, self.contract, instruction, answer="整備中。")
        with self.assertRaises(UserError):  # a return needs a reason
            inspections.close_instruction(self.world.supervisor, self.contract, instruction, accept=False)
        inspections.close_instruction(self.world.supervisor, self.contract, instruction, accept=False,
                                      comment="完了の報告を求めます。")
        self.assertIsNone(inspections.answered_on(instruction))
        inspections.answer_instruction(self.world.responsible, self.contract, instruction, answer="整備を完了した。")
        inspections.close_instruction(self.world.supervisor, self.contract, instruction, accept=True)
        self.assertEqual(inspections.closed_on(instruction), in_days(0))
        self.assertEqual(inspections.open_findings(self.inspection), [])
        with self.assertRaises(UserError):  # a finding with an instruction stays a finding
            inspections.record_item(self.world.auditor, self.contract, self.item, result="conforming")

    def test_only_the_inspected_party_answers(self) -> None:
        built = build_chain(self.world)
        other = schedule(self.world, party=built.party.organisation)
        instruction = inspections.issue_instruction(self.world.supervisor, self.contract, other, text="是正すること。",
                                                    due_on=in_days(7))
        with self.assertRaises(UserError):  # the contractor does not answer for its subcontractor
            inspections.answer_instruction(self.world.responsible, self.contract, instruction, answer="x")
        inspections.answer_instruction(built.sub_responsible, self.contract, instruction, answer="是正した。")
        with self.assertRaises(UserError):  # the instruction must be on a finding of this inspection
            inspections.issue_instruction(self.world.supervisor, self.contract, other, text="x", due_on=in_days(7),
                                          item=self.item)
        with self.assertRaises(UserError):
            inspections.request_report(self.world.supervisor, self.contract, other, question="x", due_on=in_days(-1))

"""The controls of articles 18 and 19, each with compliant and violating scenarios."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.contracts.services import evaluate_controls
from itaku.incidents import services
from itaku.incidents.models import Instruction, Publication
from itaku.provisions.controls import Result, State
from tests.base import ContractTestCase
from tests.incidents.support import known_days_ago, raised, written


def result(contract, code: str) -> Result:
    return next(r for r in evaluate_controls(contract) if r.control.code == code)


class ReportWrittenTests(ContractTestCase):
    CODE = "incidents.report_written"

    def test_a_report_submitted_in_time_is_compliant(self) -> None:
        written(self.world)
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

    def test_a_fresh_incident_is_due_soon(self) -> None:
        raised(self.world)
        self.assertEqual(result(self.contract, self.CODE).state, State.DUE_SOON)

    def test_no_report_by_the_due_date_is_overdue(self) -> None:
        known_days_ago(raised(self.world), 10)
        found = result(self.contract, self.CODE)
        self.assertEqual(found.state, State.OVERDUE)
        self.assertIn("I-001", found.findings[0].message_en)

    def test_a_returned_report_counts_as_not_written(self) -> None:
        incident = written(self.world, known_days_ago(raised(self.world), 10))
        services.decide_report(self.world.supervisor, incident, accept=False, comment="原因を具体的に。")
        self.assertEqual(result(self.contract, self.CODE).articles, (18,))
        self.assertEqual(result(self.contract, self.CODE).state, State.OVERDUE)


class PpcReportedTests(ContractTestCase):
    CODE = "incidents.ppc_reported"

    def test_not_reportable_is_compliant(self) -> None:
        written(self.world, known_days_ago(raised(self.world), 20), people_count=100)
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

    def test_encrypted_data_is_exempt(self) -> None:
        written(self.world, known_days_ago(raised(self.world), 20), people_count=5000, encrypted=True)
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

    def test_reportable_and_fresh_is_due_soon(self) -> None:
        written(self.world, people_count=150)
        self.assertEqual(result(self.contract, self.CODE).state, State.DUE_SOON)

    def test_no_preliminary_report_after_day_five_is_overdue(self) -> None:
        written(self.world, known_days_ago(raised(self.world), 12), special_care=True, people_count=1)
        found = result(self.contract, self.CODE)
        self.assertEqual(found.state, State.OVERDUE)
        self.assertIn("Preliminary", found.findings[0].message_en)

    def test_both_reports_in_time_is_compliant(self) -> None:
        incident = written(self.world, known_days_ago(raised(self.world), 2), people_count=150)
        today = timezone.localdate()
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=today, ppc_final_on=today)
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

    def test_a_late_preliminary_report_is_a_violation(self) -> None:
        incident = written(self.world, known_days_ago(raised(self.world), 20), financial_harm=True)
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=timezone.localdate())
        self.assertEqual(result(self.contract, self.CODE).state, State.VIOLATION)


class InstructionsAnsweredTests(ContractTestCase):
    CODE = "incidents.instructions_answered"

    def setUp(self) -> None:
        super().setUp()
        self.incident = written(self.world)
        self.instruction = services.issue_instruction(self.world.supervisor, self.incident, text="原因を報告すること。",
                                                      due_on=timezone.localdate())

    def _past_due(self) -> None:
        Instruction.objects.filter(pk=self.instruction.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))

    def test_unanswered_past_its_date_is_overdue(self) -> None:
        self._past_due()
        self.assertEqual(result(self.contract, self.CODE).state, State.OVERDUE)

    def test_answered_and_acknowledged_is_compliant(self) -> None:
        services.answer_instruction(self.world.responsible, self.instruction, answer="設定漏れが原因。")
        services.decide_answer(self.world.supervisor, self.instruction, accept=True)
        self._past_due()
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)


class PublicationCleanTests(ContractTestCase):
    CODE = "incidents.publication_clean"

    def test_a_clean_summary_is_compliant(self) -> None:
        services.publish(self.world.supervisor, raised(self.world), title="納税通知書の誤封入について",
                         summary="令和8年11月10日、委託先の封入作業で2名分の通知書が1通の封筒に入りました。")
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

    def test_a_summary_with_a_phone_number_is_a_violation(self) -> None:
        incident = raised(self.world)
        Publication.objects.create(incident=incident, title="誤送付", summary="連絡先 090-1234-5678 の方",
                                   published_at=timezone.now(), published_by=self.world.supervisor)
        found = result(self.contract, self.CODE)
        self.assertEqual(found.state, State.VIOLATION)
        self.assertIn("phone number", found.findings[0].message_en)
        self.assertNotIn("090-1234-5678", found.findings[0].message_en)


class PeopleInformedTests(ContractTestCase):
    CODE = "incidents.ppc_reported"

    def _closed(self, **statutory):
        incident = written(self.world, people_count=150)
        services.decide_report(self.world.supervisor, incident, accept=True)
        today = timezone.localdate()
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=today, ppc_final_on=today,
                                  **statutory)
        services.close(self.world.supervisor, incident, note="対応を確認した。")

    def test_closed_without_informing_the_people_is_missing(self) -> None:
        self._closed()
        found = result(self.contract, self.CODE)
        self.assertEqual(found.state, State.MISSING)
        self.assertIn("informing the people affected", found.findings[0].message_en)

    def test_closed_with_the_people_informed_is_compliant(self) -> None:
        self._closed(people_informed_on=timezone.localdate(), people_informed_how="郵送による個別通知")
        self.assertEqual(result(self.contract, self.CODE).state, State.OK)

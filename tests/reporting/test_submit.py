"""The contractor's responsible person reviews, remarks and submits a period's report; the submission
freezes the compiled figures; the supervisor acknowledges or returns it with a reason."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction
from django.utils import timezone

from itaku.ledger.models import Event
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.reporting import periods, services
from itaku.submissions.models import Submission
from tests.base import ContractTestCase
from tests.reporting.support import previous_month, start_months_back, submitted_report


class SubmitTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contract = start_months_back(self.world, 2)
        services.set_schedule(self.world.supervisor, self.contract, frequency=periods.MONTHLY)
        self.period = previous_month()

    def test_submit_then_acknowledge(self) -> None:
        report = submitted_report(self.world, self.period)
        latest = services.report_status(report)
        self.assertEqual(latest.status, Submission.Status.SUBMITTED)
        self.assertEqual(latest.snapshot["figures"], report.figures)
        self.assertEqual(latest.snapshot["remarks"], "特記事項なし。")
        self.assertEqual(report.due_on, periods.due_on(self.period.end, 10))
        services.decide_report(self.world.supervisor, report, accept=True)
        self.assertEqual(services.report_status(report).status, Submission.Status.ACKNOWLEDGED)
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="reporting.")
                     .order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds, ["reporting.schedule_set", "reporting.compiled", "reporting.remarks_saved",
                                 "reporting.periodic.submitted", "reporting.periodic.acknowledged"])

    def test_a_submitted_report_is_frozen(self) -> None:
        report = submitted_report(self.world, self.period)
        with self.assertRaises(UserError):
            services.save_remarks(self.world.responsible, report, "後から変更")
        with self.assertRaises(UserError):
            services.compile_report(self.world.responsible, self.contract, self.period)

    def test_return_needs_a_reason_and_allows_a_new_round(self) -> None:
        report = submitted_report(self.world, self.period)
        with self.assertRaises(UserError):
            services.decide_report(self.world.supervisor, report, accept=False, comment="")
        services.decide_report(self.world.supervisor, report, accept=False, comment="所見を具体的に記載すること。")
        report = services.compile_report(self.world.responsible, self.contract, self.period)
        services.save_remarks(self.world.responsible, report, "研修未了者1名について、来月研修予定。")
        report.refresh_from_db()
        second = services.submit_report(self.world.responsible, report)
        self.assertEqual(second.round, 2)

    def test_a_period_not_over_cannot_be_submitted(self) -> None:
        report = services.compile_report(self.world.responsible, self.contract,
                                         periods.containing(self.contract.end, periods.MONTHLY))
        with self.assertRaises(UserError) as caught:
            services.submit_report(self.world.responsible, report)
        self.assertIn("Submit the report once its period is over", str(caught.exception))

    def test_only_the_responsible_person_compiles_and_submits(self) -> None:
        for user in (self.world.worker, self.world.supervisor, self.world.auditor):
            with self.assertRaises(UserError, msg=user.username):
                services.compile_report(user, self.contract, self.period)
        report = services.compile_report(self.world.responsible, self.contract, self.period)
        with self.assertRaises(UserError):
            services.submit_report(self.world.worker, report)

    def test_only_the_supervisor_sets_the_schedule_and_decides(self) -> None:
        with self.assertRaises(UserError):
            services.set_schedule(self.world.responsible, self.contract, frequency=periods.YEARLY)
        with self.assertRaises(UserError):
            services.set_schedule(self.world.supervisor, self.contract, frequency="weekly")
        report = submitted_report(self.world, self.period)
        with self.assertRaises(UserError):
            services.decide_report(self.world.auditor, report, accept=True)

    def test_events_after_the_submission_do_not_change_it(self) -> None:
        report = submitted_report(self.world, self.period)
        frozen = services.report_status(report).snapshot_sha256
        with transaction.atomic():
            record("data.searched", chain=self.contract.ledger_chain, facts={"purpose": 1})
        self.assertEqual(services.report_status(report).snapshot_sha256, frozen)
        services.decide_report(self.world.supervisor, report, accept=True)  # still matches what was submitted

    def test_figures_compiled_during_the_period_must_be_compiled_again(self) -> None:
        during = timezone.make_aware(dt.datetime.combine(self.period.end, dt.time(12)))
        with mock.patch("django.utils.timezone.now", return_value=during):
            report = services.compile_report(self.world.responsible, self.contract, self.period)
        with self.assertRaises(UserError) as caught:
            services.submit_report(self.world.responsible, report)
        self.assertIn("Compile the report again", str(caught.exception))
        report = services.compile_report(self.world.responsible, self.contract, self.period)
        self.assertEqual(services.submit_report(self.world.responsible, report).round, 1)

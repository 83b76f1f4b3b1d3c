"""The report pages end to end over HTTP: the supervisor sets the schedule and asks; the responsible person
compiles, remarks and submits; the supervisor acknowledges; the emergency procedure is kept by both sides."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.reporting import services
from itaku.reporting.models import PeriodicReport
from itaku.submissions.models import Submission
from tests.base import ContractTestCase
from tests.reporting.support import QUESTION, previous_month, start_months_back


class PageTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contract = start_months_back(self.world, 2)
        self.base = f"/contracts/{self.contract.pk}/reports/"
        self.supervisor = self.client_for(self.world.supervisor)
        self.responsible = self.client_for(self.world.responsible)

    def test_periodic_report_round_trip(self) -> None:
        self.supervisor.post(f"{self.base}schedule/", {"frequency": "monthly", "due_working_days": "10"})
        self.assertEqual(services.schedule_of(self.contract).frequency, "monthly")
        period = previous_month()
        page = self.responsible.get(self.base).content.decode()
        self.assertIn(period.label, page)
        response = self.responsible.post(f"{self.base}periods/compile/", {"period": period.label})
        report = PeriodicReport.objects.get(contract=self.contract, period=period.label)
        self.assertRedirects(response, f"{self.base}periods/{report.pk}/")
        self.responsible.post(f"{self.base}periods/{report.pk}/remarks/", {"remarks": "所見なし。"})
        self.responsible.post(f"{self.base}periods/{report.pk}/submit/")
        page = self.supervisor.get(f"{self.base}periods/{report.pk}/").content.decode()
        self.assertIn("所見なし。", page)
        self.assertIn(f"{self.base}periods/{report.pk}/decide/", page)
        self.supervisor.post(f"{self.base}periods/{report.pk}/decide/", {"accept": "on"})
        self.assertEqual(services.report_status(report).status, Submission.Status.ACKNOWLEDGED)

    def test_a_bad_period_comes_back_as_a_message(self) -> None:
        response = self.responsible.post(f"{self.base}periods/compile/", {"period": "2026-13"}, follow=True)
        self.assertContains(response, "Bad period")
        self.assertFalse(PeriodicReport.objects.exists())

    def test_report_on_request_with_attachments(self) -> None:
        due = timezone.localdate().isoformat()
        self.supervisor.post(f"{self.base}requests/", {"question": QUESTION, "due_on": due})
        asked = self.contract.requested_reports.get()
        files = [SimpleUploadedFile("a.pdf", b"%PDF a", "application/pdf"),
                 SimpleUploadedFile("b.pdf", b"%PDF b", "application/pdf")]
        self.responsible.post(f"{self.base}requests/{asked.pk}/answer/", {"text": "報告します。", "files": files})
        self.assertEqual(asked.attachments.count(), 2)
        download = self.supervisor.get(f"{self.base}files/{asked.attachments.first().pk}/")
        self.assertEqual(b"".join(download.streaming_content), b"%PDF a")
        self.supervisor.post(f"{self.base}requests/{asked.pk}/decide/", {"comment": "資料が不足しています。"})
        self.assertEqual(services.answer_status(asked).status, Submission.Status.RETURNED)

    def test_emergency_page(self) -> None:
        self.responsible.post(f"{self.base}emergency/contacts/", {
            "name": "受託 太郎", "organisation": "株式会社テストデータ", "role": "責任者", "phone": "03-1234-5678"})
        self.supervisor.post(f"{self.base}emergency/contacts/", {
            "name": "品川 花子", "organisation": "品川区", "email": "hanako@example.jp"})
        self.supervisor.post(f"{self.base}emergency/channels/", {"channels": "電話、次に電子メール"})
        page = self.client_for(self.world.worker).get(f"{self.base}emergency/").content.decode()
        self.assertLess(page.index("受託 太郎"), page.index("品川 花子"))
        self.assertIn("03-1234-5678", page)
        self.assertIn("電話、次に電子メール", page)
        self.assertNotIn("emergency/contacts/", page)  # the worker keeps nothing

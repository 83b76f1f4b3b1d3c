"""個人情報取扱状況報告書, read back from the PDF the page serves: the period, the figures of each section,
the accesses per purpose, the open findings, the ledger head, the remarks and the submitted round."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction
from django.utils import timezone

from itaku.ledger.services import record
from itaku.lib.era import era_date
from itaku.reporting import services
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.reporting.support import pdf_text, previous_month, squash, start_months_back, submitted_report
from tests.vault.test_import import FIELDS


class DocumentTests(ContractTestCase):
    def test_the_report_reads_back(self) -> None:
        contract = start_months_back(self.world, 2)
        dataset = create_dataset(self.world.supervisor, contract, name="住民基本台帳抜粋",
                                 source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"], expected_rows=100)
        purpose = dataset.purposes.get()
        period = previous_month()
        inside = timezone.make_aware(dt.datetime.combine(period.start, dt.time(10)))
        with transaction.atomic(), mock.patch("itaku.ledger.services.timezone.now", return_value=inside):
            for _ in range(2):
                record("data.searched", chain=contract.ledger_chain, facts={"purpose": purpose.pk, "person": 1})
            head = record("vault.copy_requested", chain=contract.ledger_chain, facts={"request": 1})
        report = submitted_report(self.world, period)
        submission = services.report_status(report)
        response = self.client_for(self.world.supervisor).get(
            f"/contracts/{contract.pk}/reports/periods/{report.pk}/report.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for expected in ("個人情報取扱状況報告書", contract.number, self.world.contractor.name, period.label,
                         period.label_ja, era_date(period.start), era_date(period.end), era_date(report.due_on),
                         "利用目的別のアクセス", "住民基本台帳抜粋", "課税", "検索data.searched", "2",
                         "複写・複製", "複製の申請vault.copy_requested", "未解決の指摘", "緊急時報告の手順",
                         "期間末の記録番号", str(head.seq), head.hash, "特記事項なし。", "提出済み",
                         submission.snapshot_sha256, era_date(submission.submitted_at)):
            self.assertIn(squash(expected), text, expected)

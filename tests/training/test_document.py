"""研修受講記録一覧 as a PDF: letterhead, every completion with topics, era and ISO dates, result, valid until."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from itaku.lib.era import era_date
from itaku.training import services
from tests.training.support import TrainingTestCase, days_ago, today


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


class CompletionsPdfTests(TrainingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.takahashi = self.staff("takahashi", "髙橋 﨑子")
        self.passed_on, self.failed_on = days_ago(40), days_ago(3)
        self.complete(self.takahashi, self.passed_on)
        self.complete(self.world.worker, self.failed_on, course=self.add_course("業務説明会", ["work"]), passed=False)

    def test_lists_every_completion(self) -> None:
        response = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/training/completions.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = text_of(response.content)
        for expected in ("研修受講記録一覧", "Trainingcompletions", "品川区", "株式会社テストデータ",
                         self.contract.number, self.contract.title,
                         "髙橋﨑子(takahashi)", "個人情報保護研修",
                         "個人情報の保護、情報セキュリティ、本件特記事項、業務",
                         era_date(self.passed_on), f"({self.passed_on.isoformat()})",
                         "修了Passed", "未修了Notpassed", "業務説明会",
                         era_date(services.add_months(self.passed_on, 12)),
                         services.add_months(self.passed_on, 12).isoformat(),
                         era_date(self.failed_on), era_date(today())):
            self.assertIn(re.sub(r"\s+", "", expected), text, expected)

    def test_status_of_the_people_to_train(self) -> None:
        self.complete(self.world.responsible, days_ago(1))
        text = text_of(self.client_for(self.world.responsible)
                       .get(f"/contracts/{self.contract.pk}/training/completions.pdf").content)
        self.assertIn("受講済Trained", text)
        self.assertIn("未受講Missing:個人情報の保護、情報セキュリティ、本件特記事項、業務", text)  # the worker failed

    def test_a_corrected_record_is_marked_and_has_no_validity(self) -> None:
        wrong = self.complete(self.world.worker, days_ago(2))
        self.complete(self.world.worker, days_ago(2), passed=False, corrects=wrong)
        data = services.completions_document(self.contract)
        row = next(r for r in data["completions"] if r["id"] == wrong.pk)
        self.assertEqual((row["corrected"], row["valid_until"]), (True, None))
        self.assertIn("訂正済corrected", text_of(self.client_for(self.world.auditor)
                                                .get(f"/contracts/{self.contract.pk}/training/completions.pdf").content))

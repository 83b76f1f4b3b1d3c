"""The incident report PDF carries the Commission's nine items, read back from the PDF the page serves."""

from __future__ import annotations

from django.utils import timezone

from itaku.incidents import services
from itaku.lib.era import era_date
from tests.base import ContractTestCase
from tests.incidents.support import raised, written
from tests.subcontracting.test_documents import pdf_text


class IncidentReportTests(ContractTestCase):
    def test_the_report_names_the_nine_items_and_the_deadlines(self) -> None:
        incident = written(self.world, people_count=150, my_number=True, unlawful_purpose="insider")
        services.issue_instruction(self.world.supervisor, incident, text="影響範囲を報告すること。",
                                   due_on=timezone.localdate())
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=timezone.localdate())
        response = self.client_for(self.world.supervisor).get(
            f"/contracts/{self.contract.pk}/incidents/{incident.pk}/report.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertNotIn("税", response["Content-Disposition"])
        text = pdf_text(response.content)
        for expected in ("個人情報漏えい等事故報告書", "事故番号", "I-001", "1概要", "発生日", "発覚日",
                         "委託先の関与", "2漏えい等が発生し", "媒体", "紙", "3本人の数", "150", "4原因",
                         "封入封緘機の厚み検知の設定漏れ", "不正の目的", "5二次被害", "6本人への対応", "未通知",
                         "7公表の実施状況", "未公表", "8再発防止のための措置", "厚み検知の設定を作業前点検に追加した。",
                         "9その他参考となる事項", "特定個人情報（マイナンバー）", "報告の要否", "要Required",
                         "本人の数が100人を超える", "不正の目的によるおそれ", "影響範囲を報告すること。",
                         self.contract.number, era_date(timezone.localdate())):
            self.assertIn(expected.replace(" ", ""), text, expected)

    def test_a_fresh_notice_renders_before_any_report(self) -> None:
        incident = raised(self.world)
        response = self.client_for(self.world.worker).get(
            f"/contracts/{self.contract.pk}/incidents/{incident.pk}/report.pdf")
        text = pdf_text(response.content)
        self.assertIn("未提出", text)
        self.assertIn("不要Notrequired", text)

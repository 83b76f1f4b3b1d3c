"""立入検査・調査結果報告書, read back from the PDF the page serves."""

from __future__ import annotations

import io

from pypdf import PdfReader

from itaku.inspections import services as inspections
from itaku.lib.era import era_date
from tests.base import ContractTestCase
from tests.inspections.support import SCOPE, in_days, item_of, schedule, upload
from tests.subcontracting.test_documents import pdf_text, squash


class InspectionReportTests(ContractTestCase):
    def test_the_report_states_everything(self) -> None:
        inspection = schedule(self.world)
        finding = item_of(inspection, 16)
        conforming = item_of(inspection, 15)
        for item in inspection.items.all():
            inspections.record_item(self.world.auditor, self.contract, item, result="not_applicable")
        inspections.record_item(self.world.auditor, self.contract, finding, result="finding",
                                notes="入退室記録簿に記入漏れがあった。")
        inspections.record_item(self.world.auditor, self.contract, conforming, result="conforming",
                                notes="作業場所は届出どおり。")
        instruction = inspections.issue_instruction(self.world.supervisor, self.contract, inspection,
                                                    text="入退室記録簿を整備すること。", due_on=in_days(14),
                                                    item=finding)
        inspections.answer_instruction(self.world.responsible, self.contract, instruction, answer="記録簿を改訂した。")
        inspections.close_instruction(self.world.supervisor, self.contract, instruction, accept=True)
        report = inspections.request_report(self.world.supervisor, self.contract, inspection,
                                            question="保管庫の鍵の管理状況を報告すること。", due_on=in_days(10))
        inspections.deliver_report(self.world.responsible, self.contract, report, answer="鍵は責任者が管理している。",
                                   attachment=upload("key-log.pdf"))
        inspections.close(self.world.supervisor, self.contract, inspection, summary="概ね適正に管理されている。")
        response = self.client_for(self.world.auditor).get(
            f"/contracts/{self.contract.pk}/inspections/{inspection.pk}/report.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for expected in ("立入検査・調査結果報告書", self.contract.number, "立入検査", era_date(inspection.held_on),
                         self.world.contractor.name, "受託者", "supervisor", "auditor", SCOPE,
                         "概ね適正に管理されている。", "チェックリスト", "第16", "第15", "第1", finding.text[:20],
                         "入退室記録簿に記入漏れがあった。", "作業場所は届出どおり。", "適合", "指摘", "該当なし",
                         "指摘事項", "指示", "入退室記録簿を整備すること。", "記録簿を改訂した。", "受理",
                         era_date(in_days(14)), "求めた報告", "保管庫の鍵の管理状況を報告すること。",
                         "鍵は責任者が管理している。", "key-log.pdf", "確認待ち", era_date(in_days(10))):
            self.assertIn(squash(expected), text, expected)
        self.assertEqual(text.count("該当なし"), inspection.items.count() - 2)
        meta = PdfReader(io.BytesIO(response.content)).metadata
        self.assertEqual(meta.author, self.world.authority.name)

"""再委託承認申請書 and the authority's 承認通知 / 不承認通知, read back from the PDFs the pages serve."""

from __future__ import annotations

import io

from django.utils import timezone
from pypdf import PdfReader

from itaku.lib.era import era_date
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.models import ExtraItem
from itaku.submissions import services as submissions
from tests.base import ContractTestCase
from tests.subcontracting.objects import DATASET, FIRST, build_chain
from tests.subcontracting.support import items

REASON = "再委託先の監督方法が具体的でないため。"


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


class DocumentTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        self.base = f"/contracts/{self.contract.pk}/subcontracting/"
        self.client = self.client_for(self.world.supervisor)

    def test_the_request_names_every_item(self) -> None:
        first = self.chain.first
        response = self.client.get(f"{self.base}requests/{first.pk}/request.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        submitted = submissions.latest(first, subcontracting.REQUEST)
        for expected in ("再委託承認申請書", self.contract.number, self.world.contractor.name, "受託者",
                         "ア再委託する業務の内容", first.work, "イ再委託の相手方", FIRST, first.subcontractor_address,
                         first.subcontractor_representative, "非該当", "ウ再委託の期間", era_date(first.start),
                         era_date(first.end), "エ再委託が必要な理由", first.necessity, "オ", first.safeguards,
                         "カ", first.supervision_method, "3か月に1回以上", "キ", DATASET, "氏名、氏名カナ",
                         "draft-subcontract.pdf", first.draft_subcontract.sha256, era_date(submitted.submitted_at),
                         submitted.snapshot_sha256, "第1次（再委託）"):
            self.assertIn(squash(expected), text, expected)
        meta = PdfReader(io.BytesIO(response.content)).metadata
        self.assertEqual(meta.author, self.world.contractor.name)  # written by the requesting party

    def test_a_further_level_names_its_requester_and_the_consent(self) -> None:
        ExtraItem.objects.create(contract=self.contract, label="情報セキュリティ認証", position=1,
                                 created_by=self.world.supervisor)
        extra = {str(ExtraItem.objects.get().pk): "プライバシーマーク取得済み"}
        request = subcontracting.save_request(self.chain.sub_responsible, self.contract,
                                              items(self.world, "株式会社孫請", extra=extra, subsidiary=True), [])
        subcontracting.submit_request(self.chain.sub_responsible, request)
        draft_text = pdf_text(self.client_for(self.chain.sub_responsible)
                              .get(f"{self.base}requests/{request.pk}/request.pdf").content)
        self.assertIn("株式会社孫請", draft_text)
        subcontracting.consent(self.world.responsible, request, approve=True)
        response = self.client.get(f"{self.base}requests/{request.pk}/request.pdf")
        self.assertEqual(PdfReader(io.BytesIO(response.content)).metadata.author, FIRST)  # the requester wrote it
        text = pdf_text(response.content)
        for expected in (FIRST, "第1次再委託先", "第2次（再々委託）", "該当Yes", "情報セキュリティ認証",
                         "プライバシーマーク取得済み", "個人情報ファイルの共有なし", "上位の受託者の同意",
                         self.world.contractor.name, "添付なし"):
            self.assertIn(squash(expected), text, expected)

    def test_a_draft_is_marked_as_not_submitted(self) -> None:
        draft = subcontracting.save_request(self.world.responsible, self.contract, items(self.world, "株式会社候補"),
                                            [])
        text = pdf_text(self.client.get(f"{self.base}requests/{draft.pk}/request.pdf").content)
        self.assertIn("未提出", text)
        self.assertIn("作成中", text)

    def test_the_approval_notice_holds_for_the_items_as_submitted(self) -> None:
        first = self.chain.first
        decision = submissions.latest(first, subcontracting.REQUEST)
        response = self.client.get(f"{self.base}requests/{first.pk}/notice/1.pdf")
        text = pdf_text(response.content)
        for expected in ("再委託承認通知書", "承認します", "承認Approved", era_date(decision.decided_at),
                         decision.snapshot_sha256, self.world.authority.name, FIRST, first.work, DATASET,
                         "改めて申請してください"):
            self.assertIn(squash(expected), text, expected)
        self.assertNotIn("不承認の理由", text)
        self.assertEqual(PdfReader(io.BytesIO(response.content)).metadata.author, self.world.authority.name)

    def test_the_rejection_notice_gives_the_reasons_and_the_items_of_its_round(self) -> None:
        request = subcontracting.save_request(self.world.responsible, self.contract,
                                              items(self.world, "株式会社候補", work="初回の業務内容"), [])
        subcontracting.submit_request(self.world.responsible, request)
        subcontracting.decide(self.world.supervisor, request, approve=False, comment=REASON)
        # Changed after the rejection: the notice still shows what was rejected.
        subcontracting.save_request(self.world.responsible, self.contract,
                                    items(self.world, "株式会社候補", work="変更後の業務内容"), [], request=request)
        text = pdf_text(self.client.get(f"{self.base}requests/{request.pk}/notice/1.pdf").content)
        for expected in ("再委託不承認通知書", "承認しません", "不承認の理由", REASON, "初回の業務内容",
                         era_date(timezone.localdate())):
            self.assertIn(squash(expected), text, expected)
        self.assertNotIn("変更後の業務内容", text)
        self.assertNotIn("承認Approved", text)
        request_text = pdf_text(self.client.get(f"{self.base}requests/{request.pk}/request.pdf").content)
        self.assertIn("変更後の業務内容", request_text)
        self.assertIn("未提出", request_text)  # the changed items were not handed in yet

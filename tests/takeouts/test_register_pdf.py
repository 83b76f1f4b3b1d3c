"""The take-out register as a PDF, checked by reading its text."""

from __future__ import annotations

import io

from django.utils import timezone
from pypdf import PdfReader

from itaku.lib.era import era_date
from itaku.takeouts import services
from tests.base import ContractTestCase
from tests.subcontracting.chain import add_subcontractor
from tests.takeouts.factory import destination, out, request


def pdf_text(content: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


class RegisterPdfTests(ContractTestCase):
    def fetch(self, user) -> str:
        response = self.client_for(user).get(f"/contracts/{self.contract.pk}/takeouts/register.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        return pdf_text(response.content)

    def test_every_item_of_every_take_out(self) -> None:
        takeout = out(self.world)
        services.check_in(self.world.responsible, takeout)
        retired = destination(self.world, name="旧保管倉庫")
        services.retire_destination(self.world.supervisor, retired)
        request(self.world, items="申告書控え", count=5)
        text = self.fetch(self.world.supervisor)
        for expected in ("持出管理簿", "第14", "品川区役所税務課", "旧保管倉庫", "持出-0001", "持出-0002",
                         "課税資料（原本）", "紙3点", "原本の返却", "徒歩・施錠鞄", "本社データ入力室",
                         "承認:responsible", "返却確認済み", "申請中・承認待ち", "（未持出）", "（未返却）",
                         era_date(timezone.localdate())):
            self.assertIn(expected, text)

    def test_a_subcontractor_gets_its_own_part(self) -> None:
        request(self.world)
        sub = add_subcontractor(self.world)
        text = self.fetch(sub.responsible)
        self.assertIn("株式会社下請データ", text)
        self.assertNotIn("持出-0001", text)
        self.assertIn("記録された持出しはありません", text)

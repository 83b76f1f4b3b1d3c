"""The take-out register (持出管理簿) as XLSX, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from itaku.takeouts import services
from tests.base import ContractTestCase
from tests.subcontracting.chain import add_subcontractor
from tests.takeouts.factory import out, request


class RegisterXlsxTests(ContractTestCase):
    def fetch(self, user) -> list[tuple]:
        response = self.client_for(user).get(f"/contracts/{self.contract.pk}/takeouts/register.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet.title, "持出管理簿")
        return list(sheet.iter_rows(values_only=True))

    def test_headers_and_every_item_of_the_register(self) -> None:
        takeout = out(self.world)
        services.check_in(self.world.responsible, takeout)
        request(self.world, items="申告書控え", count=5)
        rows = self.fetch(self.world.supervisor)
        self.assertIn(self.contract.number, rows[0][0])
        self.assertEqual(rows[1], services.HEADERS)
        for header in ("持出日時", "持出者", "承認者", "持出物（品目）", "媒体", "数量", "目的", "持出先", "運搬方法",
                       "返却日時", "確認者"):
            self.assertIn(header, rows[1])
        first = dict(zip(rows[1], rows[2], strict=True))
        takeout.refresh_from_db()
        self.assertEqual(first["番号"], "持出-0001")
        self.assertEqual(first["持出者"], str(self.world.worker))
        self.assertEqual(first["承認者"], str(self.world.responsible))
        self.assertEqual(first["持出物（品目）"], "課税資料（原本）")
        self.assertEqual(first["媒体"], "紙")
        self.assertEqual(first["数量"], 3)
        self.assertEqual(first["持出先"], "品川区役所 税務課")
        self.assertEqual(first["運搬方法"], "徒歩・施錠鞄")
        self.assertEqual(first["確認者"], str(self.world.responsible))
        self.assertEqual(first["状態"], "返却確認済み")
        local_out = timezone.localtime(takeout.checked_out_at).replace(tzinfo=None)
        self.assertLess(abs(first["持出日時"] - local_out), dt.timedelta(seconds=1))
        self.assertIsNotNone(first["返却日時"])
        second = dict(zip(rows[1], rows[3], strict=True))
        self.assertEqual(second["状態"], "申請中・承認待ち")
        self.assertIsNone(second["持出日時"])
        self.assertIsNone(second["承認者"])
        self.assertEqual(len(rows), 4)

    def test_a_subcontractor_sees_only_its_own_part(self) -> None:
        request(self.world)
        sub = add_subcontractor(self.world)
        rows = self.fetch(sub.responsible)
        self.assertEqual(len(rows), 2)  # title and headers only

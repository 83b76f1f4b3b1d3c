"""The written report (作業場所届) as a PDF, read back with pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from itaku.lib.era import dual_date
from itaku.places import services
from tests.base import ContractTestCase
from tests.places.factory import FIELDS, acknowledged, add


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


class ReportPdfTests(ContractTestCase):
    def pdf_text(self, user=None) -> str:
        client = self.client_for(user or self.world.supervisor)
        response = client.get(f"/contracts/{self.contract.pk}/places/report.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn(f'filename="work-locations-{self.contract.pk}.pdf"', response["Content-Disposition"])
        reader = PdfReader(io.BytesIO(response.content))
        return squeeze("".join(page.extract_text() for page in reader.pages))

    def test_every_item_of_every_location_with_status_and_dates(self) -> None:
        office = acknowledged(self.world)
        add(self.world, name="別館入力室", address="東京都品川区大井1-14-1", room="", networks="",
            storage="紙の帳票のみ（施錠書庫）", safeguards="施錠管理")
        text = self.pdf_text()
        expected = [
            "作業場所届", "Work location report", self.contract.number, self.world.contractor.name,
            FIELDS["name"], FIELDS["address"], FIELDS["room"], FIELDS["storage"], FIELDS["safeguards"],
            "192.0.2.0/24", "2001:db8:1::/48", "確認済み", "Acknowledged",
            "別館入力室", "東京都品川区大井1-14-1", "紙の帳票のみ（施錠書庫）", "施錠管理",
            "未届出", "Not yet reported",
        ]
        for item in expected:
            self.assertIn(squeeze(item), text, item)
        latest = services.report_of(office).latest
        self.assertIn(squeeze(f"届出日 Reported {dual_date(latest.submitted_at)}"), text)
        self.assertIn(squeeze(f"判断日 Decided {dual_date(latest.decided_at)}"), text)

    def test_a_changed_location_says_it_must_be_reported_again(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, room="B1 サーバ室")
        text = self.pdf_text(self.world.responsible)
        self.assertIn("届出後に変更あり・再届出が必要", text)
        self.assertIn("B1サーバ室", text)

    def test_without_locations(self) -> None:
        self.assertIn("作業場所の登録なし", self.pdf_text(self.world.worker))

    def test_report_data_is_plain(self) -> None:
        acknowledged(self.world)
        data = services.report_data(self.contract)
        [group] = data["organisations"]
        [location] = group["locations"]
        self.assertEqual(group["name"], self.world.contractor.name)
        self.assertEqual(location["status"], "acknowledged")
        self.assertEqual(location["round"], 1)
        self.assertIsInstance(location["reported"], str)

"""Contract pages through HTTP: create, the article-by-article page, the ledger page, the printout PDF."""

from __future__ import annotations

import io

from django.db import transaction
from pypdf import PdfReader

from itaku.contracts import services as contracts
from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.ledger.services import record
from itaku.provisions.services import import_version
from itaku.provisions.topics import shinagawa_text
from tests.base import ContractTestCase


class CreateTests(ContractTestCase):
    def test_supervisor_creates_a_draft(self) -> None:
        client = self.client_for(self.world.supervisor)
        response = client.post("/contracts/new/", {
            "number": "品委第2026-0999号", "title": "介護保険料納入通知書の封入封緘業務", "department": "介護保険課",
            "contractor": self.world.contractor.pk, "start": "2026-12-01", "end": "2027-03-31",
            "provisions": self.world.provisions.pk,
        })
        contract = Contract.objects.get(number="品委第2026-0999号")
        self.assertRedirects(response, f"/contracts/{contract.pk}/")
        self.assertEqual(contract.status, "draft")
        self.assertEqual(len(contract.laws), 4)
        self.assertTrue(Event.objects.filter(chain=contract.ledger_chain, kind="contract.created").exists())

    def test_bad_period_is_explained(self) -> None:
        client = self.client_for(self.world.supervisor)
        response = client.post("/contracts/new/", {
            "number": "X-1", "title": "t", "contractor": self.world.contractor.pk,
            "start": "2027-01-01", "end": "2026-01-01",
        })
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "契約期間の終了日が開始日より前です")
        self.assertFalse(Contract.objects.filter(number="X-1").exists())

    def test_foreign_provisions_cannot_be_chosen(self) -> None:
        client = self.client_for(self.world.outsider)
        response = client.post("/contracts/new/", {
            "number": "X-2", "title": "t", "contractor": self.world.contractor.pk,
            "start": "2026-01-01", "end": "2026-12-31", "provisions": self.world.provisions.pk,
        })
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Contract.objects.filter(number="X-2").exists())


# A city's own article that no control covers (every article of Shinagawa's text has one).
EXTRA_ARTICLE = "\n（協議）\n\n第２１　本件特記事項に定めのない事項は、甲乙協議して定める。\n"


class DetailTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        version = import_version(self.world.authority, (shinagawa_text() + EXTRA_ARTICLE).encode(), "extra.txt",
                                 label="協議条項付き", by=self.world.supervisor)
        self.with_extra = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0021号", title="協議条項付きの業務",
            contractor=self.world.contractor, start=self.contract.start, end=self.contract.end, provisions=version)

    def test_articles_with_controls_and_without(self) -> None:
        body = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn("個人情報の保護", body)
        self.assertIn("適用法令の記録", body)
        self.assertNotIn("統制はまだありません", body)  # every article of Shinagawa's text has its controls
        self.assertEqual(body.count('class="card article"'), 20)
        body = self.client_for(self.world.supervisor).get(f"/contracts/{self.with_extra.pk}/").content.decode()
        self.assertIn("統制はまだありません", body)  # article 21, the city's own
        self.assertEqual(body.count('class="card article"'), 21)

    def test_english(self) -> None:
        client = self.client_for(self.world.supervisor)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        body = client.get(f"/contracts/{self.with_extra.pk}/").content.decode()
        self.assertIn("Applicable laws recorded", body)
        self.assertIn("No control yet", body)


class DraftFlowTests(ContractTestCase):
    activate = False

    def test_acknowledge_then_approve_over_http(self) -> None:
        self.client_for(self.world.responsible).post(f"/contracts/{self.contract.pk}/acknowledge/")
        response = self.client_for(self.world.supervisor).post(
            f"/contracts/{self.contract.pk}/decide/", {"accept": "on"},
        )
        self.assertRedirects(response, f"/contracts/{self.contract.pk}/")
        self.assertEqual(self.world.refresh().status, "active")

    def test_return_without_reason_shows_the_error(self) -> None:
        self.client_for(self.world.responsible).post(f"/contracts/{self.contract.pk}/acknowledge/")
        client = self.client_for(self.world.supervisor)
        response = client.post(f"/contracts/{self.contract.pk}/decide/", {"comment": ""}, follow=True)
        self.assertContains(response, "理由が必要です")
        self.assertEqual(self.world.refresh().status, "draft")


class LedgerPageTests(ContractTestCase):
    def test_filter_by_article_and_kind_and_paginate(self) -> None:
        with transaction.atomic():
            for n in range(60):
                record("test.bulk", chain=self.contract.ledger_chain, articles=[8], facts={"n": n})
        client = self.client_for(self.world.auditor)
        url = f"/contracts/{self.contract.pk}/ledger/"
        body = client.get(url, {"article": 8}).content.decode()
        self.assertEqual(body.count("test.bulk</code>"), 50)
        self.assertNotIn("contract.activated</code>", body)
        self.assertIn("1 / 2", body)
        second = client.get(url, {"article": 8, "page": 2}).content.decode()
        self.assertEqual(second.count("test.bulk</code>"), 10)
        kind = client.get(url, {"kind": "contract.activated"}).content.decode()
        self.assertIn("contract.activated</code>", kind)
        self.assertNotIn("test.bulk</code>", kind)


class PrintoutTests(ContractTestCase):
    def test_pdf_reads_back(self) -> None:
        response = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/provisions.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        compact = "".join(text.split())
        for expected in ("特記事項", self.contract.number, self.contract.title, "品川区", "再委託の制限", "令和"):
            self.assertIn("".join(expected.split()), compact)

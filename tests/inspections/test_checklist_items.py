"""The checklist has one item per obligation: each enumerated item (ア, イ …) of a paragraph on its own, cited
with its label and shown under its paragraph's lead text; a paragraph without items is one item."""

from __future__ import annotations

from itaku.contracts.models import Contract
from itaku.inspections import services as inspections
from itaku.inspections.models import ChecklistItem
from itaku.ledger.models import Event
from itaku.provisions.services import import_version
from itaku.provisions.topics import shinagawa_text
from tests.base import ContractTestCase
from tests.inspections.support import item_of, schedule
from tests.subcontracting.test_documents import pdf_text, squash

KATAKANA = ["ア", "イ", "ウ", "エ", "オ", "カ", "キ"]
LEAD_8 = "あらかじめ次に掲げる事項を甲に通知し"


class EnumeratedItemTests(ContractTestCase):
    def test_an_enumerated_paragraph_yields_one_item_per_label_with_its_reference(self) -> None:
        inspection = schedule(self.world)
        paragraph = self.contract.provisions.parsed().article(8).paragraphs[0]
        items = list(inspection.items.filter(article=8, paragraph=1).order_by("position"))
        self.assertEqual([i.label for i in items], KATAKANA)
        self.assertEqual([i.reference for i in items], [f"第8条第1項{label}" for label in KATAKANA])
        self.assertEqual([i.text for i in items], [i.text for i in paragraph.items])
        for item in items:
            self.assertEqual(item.lead, paragraph.text)  # the lead text kept as the context of each
            self.assertIn(LEAD_8, item.lead)
            self.assertNotIn("再委託の相手方", item.lead)  # the items are not folded into it any more
        self.assertEqual(item_of(inspection, 8, 1, "イ").text, "再委託の相手方")
        self.assertEqual(sorted(i.position for i in inspection.items.all()),
                         list(range(1, inspection.items.count() + 1)))

    def test_a_paragraph_without_items_is_one_item(self) -> None:
        inspection = schedule(self.world)
        self.assertEqual(inspection.items.filter(article=8, paragraph=2).count(), 1)
        second = item_of(inspection, 8, 2)
        self.assertEqual((second.reference, second.lead), ("第8条第2項", ""))
        self.assertIn("再委託先とし", second.text)
        self.assertEqual(item_of(inspection, 16).reference, "第16条")
        self.assertEqual(item_of(inspection, 13, 2).reference, "第13条第2項")

    def test_items_of_a_later_paragraph_are_cited_with_it(self) -> None:
        text = shinagawa_text().replace(
            "当該複写物または複製物を焼却または裁断等により利用できないように処分しなければならない。",
            "当該複写物または複製物を焼却または裁断等により利用できないように処分しなければならない。\n"
            "２　乙は、複写物について次に掲げる事項を記録しなければならない。\n"
            "ア　複写した日時\nイ　複写した者\nウ　処分した日時", 1)
        version = import_version(self.world.authority, text.encode(), "provisions.txt", label="改定",
                                 by=self.world.supervisor)
        Contract.objects.filter(pk=self.contract.pk).update(provisions=version)
        self.contract.refresh_from_db()
        inspection = schedule(self.world)
        self.assertEqual([i.reference for i in inspection.items.filter(article=10).order_by("position")],
                         ["第10条", "第10条第2項ア", "第10条第2項イ", "第10条第2項ウ"])
        self.assertEqual(item_of(inspection, 10, 2, "ウ").lead,
                         "乙は、複写物について次に掲げる事項を記録しなければならない。")

    def test_the_ledger_names_the_item_recorded(self) -> None:
        inspection = schedule(self.world)
        item = item_of(inspection, 8, 1, "オ")
        inspections.record_item(self.world.auditor, self.contract, item, result="finding", notes="措置の記載が不足。")
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="inspection.item_recorded")
        self.assertEqual((event.facts["article"], event.facts["paragraph"], event.facts["label"]), (8, 1, "オ"))
        self.assertEqual(event.facts["item"], item.pk)

    def test_the_page_and_the_report_show_each_item_under_its_lead_text(self) -> None:
        inspection = schedule(self.world)
        item = item_of(inspection, 8, 1, "カ")
        inspections.record_item(self.world.auditor, self.contract, item, result="finding", notes="監督方法が未記載。")
        client = self.client_for(self.world.auditor)
        base = f"/contracts/{self.contract.pk}/inspections/{inspection.pk}/"
        page = client.get(base).content.decode()
        self.assertIn("第8条第1項カ", page)
        self.assertIn('<span class="item-label">カ</span> 再委託先の相手方の監督方法', page)
        self.assertEqual(page.count(f'<p class="lead">{item.lead[:20]}'), len(KATAKANA))
        text = pdf_text(client.get(base + "report.pdf").content)
        for label in KATAKANA:
            self.assertIn(squash(f"第8条第1項{label}"), text)
        self.assertIn(squash("カ　再委託先の相手方の監督方法"), text)
        self.assertIn(squash("第8条第1項カ 再委託の制限: 監督方法が未記載。"), text)  # among the findings
        self.assertGreaterEqual(text.count(squash(LEAD_8)), len(KATAKANA))


class EarlierChecklistTests(ContractTestCase):
    def test_an_item_made_before_items_were_split_keeps_working(self) -> None:
        inspection = schedule(self.world)
        # as checklists were made before: one item for the paragraph, its items folded into its text
        folded = ChecklistItem.objects.create(inspection=inspection, position=inspection.items.count() + 1,
                                              article=8, paragraph=1, heading="再委託の制限",
                                              text="乙は、…通知し、\nア 再委託する業務の内容\nイ 再委託の相手方")
        self.assertEqual((folded.label, folded.lead, folded.reference), ("", "", "第8条"))
        inspections.record_item(self.world.auditor, self.contract, folded, result="conforming")
        response = self.client_for(self.world.auditor).get(
            f"/contracts/{self.contract.pk}/inspections/{inspection.pk}/report.pdf")
        self.assertIn(squash("ア再委託する業務の内容"), pdf_text(response.content))

"""The pages of articles 7 and 11: purpose notices of collected datasets, handovers of entrusted ones, and the
`vault.records_accounted` control's state on the dataset page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.ledger.models import Event
from itaku.vault.models import Dataset, Handover, PurposeNotice, Record
from itaku.vault.services import FieldSpec, create_dataset
from tests.people.helpers import INSIDE
from tests.vault.test_access import VaultTestCase


class CollectionPagesTestCase(VaultTestCase):
    """The entrusted dataset of 31 records (no handover yet) and a collected one."""

    def setUp(self) -> None:
        super().setUp()
        self.collected = create_dataset(self.world.responsible, self.contract, name="アンケート回答",
                                        source=Dataset.Source.COLLECTED, fields=[FieldSpec("氏名", "text")],
                                        purposes=["満足度調査"])

    def _url(self, dataset: Dataset, suffix: str = "") -> str:
        return f"/contracts/{self.contract.pk}/vault/{dataset.pk}/{suffix}"


class NoticePagesTests(CollectionPagesTestCase):
    def test_matrix(self) -> None:
        path = f"vault/{self.collected.pk}/notices/"
        self.assert_matrix("get", "", {path: (200, 200, 200, 200, 404, 404)})
        self.assert_matrix("post", "", {path: (403, 403, 200, 403, 404, 404)})  # empty: the form's error

    def test_publish_versions_and_list_them(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(self._url(self.collected, "notices/"), {"text": "満足度調査のために利用します。"})
        self.assertRedirects(response, self._url(self.collected, "notices/"))
        client.post(self._url(self.collected, "notices/"), {"text": "改訂: 結果は統計としてのみ公表します。"})
        self.assertEqual(list(PurposeNotice.objects.filter(dataset=self.collected).values_list("version", flat=True)
                              .order_by("version")), [1, 2])
        page = self.client_for(self.world.supervisor).get(self._url(self.collected, "notices/")).content.decode()
        self.assertIn("満足度調査のために利用します。", page)
        self.assertLess(page.index("改訂: 結果は統計"), page.index("満足度調査のために利用します。"))  # newest first
        self.assertNotIn('name="text"', page)  # the authority reads; the contractor publishes
        self.assertEqual(Event.objects.filter(kind="vault.notice_published").count(), 2)

    def test_an_empty_text_is_refused(self) -> None:
        response = self.client_for(self.world.responsible).post(self._url(self.collected, "notices/"), {"text": " "})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="error"')
        self.assertFalse(PurposeNotice.objects.exists())

    def test_entrusted_data_has_no_notice_page(self) -> None:
        client = self.client_for(self.world.responsible)
        self.assertEqual(client.get(self._url(self.dataset, "notices/")).status_code, 404)
        self.assertEqual(client.post(self._url(self.dataset, "notices/"), {"text": "目的"}).status_code, 404)
        self.assertFalse(PurposeNotice.objects.exists())


class HandoverPagesTests(CollectionPagesTestCase):
    def _handover(self, **overrides: str):
        data = {"received_on": "2026-04-01", "received_from": "品川区 税務課", "medium": "暗号化USBメモリ",
                "count": "31", **overrides}
        return self.client_for(self.world.responsible).post(self._url(self.dataset, "handovers/"), data)

    def test_matrix(self) -> None:
        path = f"vault/{self.dataset.pk}/handovers/"
        self.assert_matrix("get", "", {path: (200, 200, 200, 200, 404, 404)})
        self.assert_matrix("post", "", {path: (403, 403, 200, 403, 404, 404)})

    def test_record_and_list(self) -> None:
        self.assertRedirects(self._handover(), self._url(self.dataset, "handovers/"))
        handover = Handover.objects.get(dataset=self.dataset)
        self.assertEqual((handover.received_on, handover.count, handover.recorded_by),
                         (dt.date(2026, 4, 1), 31, self.world.responsible))
        page = self.client_for(self.world.auditor).get(self._url(self.dataset, "handovers/"))
        self.assertContains(page, "暗号化USBメモリ")
        self.assertContains(page, "2026-04-01")
        self.assertNotContains(page, 'name="medium"')
        self.assertTrue(Event.objects.filter(kind="vault.handover_recorded", facts__count=31).exists())

    def test_bad_input_is_refused_and_nothing_recorded(self) -> None:
        future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        self.assertContains(self._handover(received_on=future), "受領日が未来の日付です。")
        self.assertContains(self._handover(count="0"), 'class="error"')
        self.assertContains(self._handover(medium=""), 'class="error"')
        self.assertFalse(Handover.objects.exists())

    def test_collected_data_has_no_handover_page(self) -> None:
        client = self.client_for(self.world.responsible)
        self.assertEqual(client.get(self._url(self.collected, "handovers/")).status_code, 404)

    def test_the_dataset_page_shows_whether_every_record_is_accounted_for(self) -> None:
        for user in (self.world.supervisor, self.world.responsible):
            page = self.client_for(user).get(self._url(self.dataset)).content.decode()
            self.assertIn("state-violation", page)
            self.assertIn("授受が記録されていません", page)
        self._handover(count="10")
        page = self.client_for(self.world.supervisor).get(self._url(self.dataset)).content.decode()
        self.assertIn("state-missing_evidence", page)
        self.assertIn("授受の記録は10件です", page)
        self._handover(count="21")
        page = self.client_for(self.world.supervisor).get(self._url(self.dataset)).content.decode()
        self.assertNotIn("state-violation", page)
        self.assertNotIn("state-missing_evidence", page)
        self.assertIn("vault.records_accounted", page)
        # Workers do not see controls (as on the contract page).
        worker = self.client_for(self.world.worker).get(self._url(self.dataset)).content.decode()
        self.assertNotIn("vault.records_accounted", worker)
        self.assertIn(self._url(self.dataset, "handovers/"), worker)

    def test_the_record_page_marks_specific_data(self) -> None:
        client = self.client_for(self.world.worker)
        client.post(self._url(self.dataset, "purpose/"), {"purpose": self.purpose.pk}, REMOTE_ADDR=INSIDE)
        record = Record.objects.filter(dataset=self.dataset).first()
        page = client.get(self._url(self.dataset, f"records/{record.pk}/"), REMOTE_ADDR=INSIDE)
        self.assertContains(page, 'class="tag warn"', count=1)

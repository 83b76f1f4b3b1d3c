"""The import page of collected data (article 7): it asks for the purpose notice the people were shown and
the collection channel, and every imported record carries both; entrusted data's page asks for neither."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.ledger.models import Event
from itaku.vault.collection import publish_notice
from itaku.vault.models import Dataset, Record
from itaku.vault.services import create_dataset
from tests.people.helpers import INSIDE
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import FIELDS, csv_bytes


class CollectedImportPageTests(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.collected = create_dataset(self.world.responsible, self.contract, name="申込者名簿",
                                        source=Dataset.Source.COLLECTED, fields=FIELDS, purposes=["申込の受付"])
        self.first = publish_notice(self.world.responsible, self.collected, "申込の受付のために利用します。")
        self.second = publish_notice(self.world.responsible, self.collected, "改訂: 統計としてのみ公表します。")
        self.worker_client = self.client_for(self.world.worker)

    def _url(self, dataset: Dataset) -> str:
        return f"/contracts/{self.contract.pk}/vault/{dataset.pk}/import/"

    def _import(self, **data: str):
        upload = SimpleUploadedFile("moushikomi.csv", csv_bytes(3))
        return self.worker_client.post(self._url(self.collected), {"file": upload, **data}, REMOTE_ADDR=INSIDE)

    def test_the_page_offers_the_notices_latest_first_and_the_usual_channels(self) -> None:
        body = self.worker_client.get(self._url(self.collected)).content.decode()
        self.assertIn('name="notice"', body)
        self.assertLess(body.index(f'value="{self.second.pk}" selected'), body.index(f'value="{self.first.pk}"'))
        self.assertIn('name="channel"', body)
        self.assertIn('<datalist id="vault-channels">', body)
        for channel in ("紙の申込書", "Webフォーム", "電話"):
            self.assertIn(f'<option value="{channel}">', body)

    def test_every_imported_record_carries_the_notice_and_channel(self) -> None:
        response = self._import(notice=str(self.first.pk), channel="紙の申込書")
        self.assertContains(response, 'id="import-report"')
        records = Record.objects.filter(dataset=self.collected)
        self.assertEqual(records.count(), 3)
        self.assertEqual(set(records.values_list("notice", "channel")), {(self.first.pk, "紙の申込書")})
        event = Event.objects.get(kind="vault.imported", facts__dataset=self.collected.pk)
        self.assertEqual((event.facts["notice"], event.facts["channel"]), (self.first.pk, "紙の申込書"))

    def test_without_a_notice_or_channel_nothing_is_imported(self) -> None:
        self.assertContains(self._import(notice=str(self.second.pk)),
                            "収集の経路（紙の申込書、Webフォーム、電話など）を入力してください。")
        self.assertContains(self._import(channel="電話"), "利用目的の明示の版を選んでください")
        self.assertContains(self._import(notice=str(self.second.pk), channel="x" * 51), "50文字以内")
        foreign = create_dataset(self.world.responsible, self.contract, name="別の申込",
                                 source=Dataset.Source.COLLECTED, fields=FIELDS, purposes=["受付"])
        other = publish_notice(self.world.responsible, foreign, "別の目的")
        self.assertContains(self._import(notice=str(other.pk), channel="電話"), 'class="error"')
        self.assertFalse(Record.objects.filter(dataset=self.collected).exists())
        self.assertFalse(Event.objects.filter(kind="vault.imported", facts__dataset=self.collected.pk).exists())

    def test_without_any_published_notice_the_page_says_where_to_publish_one(self) -> None:
        bare = create_dataset(self.world.responsible, self.contract, name="未公表", source=Dataset.Source.COLLECTED,
                              fields=FIELDS, purposes=["受付"])
        page = self.worker_client.get(self._url(bare))
        self.assertContains(page, f"/contracts/{self.contract.pk}/vault/{bare.pk}/notices/")

    def test_entrusted_data_is_asked_neither(self) -> None:
        body = self.worker_client.get(self._url(self.dataset)).content.decode()
        self.assertIn('name="file"', body)
        self.assertNotIn('name="notice"', body)
        self.assertNotIn('name="channel"', body)
        self.assertNotIn("<datalist", body)

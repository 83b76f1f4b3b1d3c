"""Adding and correcting records by hand in the vault's pages (articles 7 and 9): the contractor's people only,
for the session's purpose, through the gate; values named by field when refused, never echoed, never in a URL
or the ledger; a correction opened as a recorded view and saved as a new revision."""

from __future__ import annotations

from django.test import Client

from itaku.ledger.models import Event
from itaku.lib.mynumber import check_digit
from itaku.vault.collection import publish_notice
from itaku.vault.models import Dataset, Purpose, Record
from itaku.vault.services import FieldSpec, create_dataset, read_record
from tests.people.helpers import INSIDE
from tests.vault.test_access import VaultTestCase

MY_NUMBER = "98765432101" + str(check_digit("98765432101"))
VALUES = {"宛名番号": "5001", "氏名": "鈴木 一郎", "氏名カナ": "スズキ イチロウ", "生年月日": "1990-01-02",
          "性別": "男", "郵便番号": "140-0001", "住所": "品川区北品川1-1", "電話番号": "03-1111-2222",
          "個人番号": MY_NUMBER, "備考": "窓口で受付"}
# Values only the added record holds: none of them may reach a URL or the ledger.
SECRETS = ("鈴木", "スズキ", MY_NUMBER, "北品川", "03-1111-2222", "窓口で受付")


class RecordPagesTestCase(VaultTestCase):
    def _url(self, suffix: str = "", dataset: Dataset | None = None) -> str:
        return f"/contracts/{self.contract.pk}/vault/{(dataset or self.dataset).pk}/{suffix}"

    def _form(self, values: dict[str, str], dataset: Dataset | None = None) -> dict[str, str]:
        """The form's inputs are named by the fields' ids, never by their (Japanese) names."""
        return {f"f{f.pk}": values.get(f.name, "") for f in (dataset or self.dataset).fields.all()}

    def _worker(self, dataset: Dataset | None = None, purpose: Purpose | None = None) -> Client:
        client = self.client_for(self.world.worker)
        client.post(self._url("purpose/", dataset), {"purpose": (purpose or self.purpose).pk}, REMOTE_ADDR=INSIDE)
        return client

    def assert_no_values(self, text: str) -> None:
        for value in SECRETS:
            self.assertNotIn(value, text)

    def assert_ledger_holds_no_values(self) -> None:
        for event in Event.objects.filter(chain=self.contract.ledger_chain):
            self.assert_no_values(str(event.facts))


class AccessBoundaryTests(RecordPagesTestCase):
    def test_matrix(self) -> None:
        record = Record.objects.filter(dataset=self.dataset).first()
        before = Record.objects.count()
        base = f"vault/{self.dataset.pk}/records/"
        # From an address outside the work locations: the form shows; opening a record for correction or
        # sending either form is refused by the gate (a redirect with the reason, or the form with it).
        self.assert_matrix("get", "", {
            base + "new/": (404, 404, 200, 200, 404, 404),
            base + f"{record.pk}/correct/": (404, 404, 302, 302, 404, 404),
        })
        self.assert_matrix("post", "", {
            base + "new/": (404, 404, 200, 200, 404, 404),
            base + f"{record.pk}/correct/": (404, 404, 200, 200, 404, 404),
        })
        self.assertEqual(Record.objects.count(), before)
        self.assertFalse(Event.objects.filter(kind__in=["data.added", "data.corrected", "data.viewed"]).exists())

    def test_the_authoritys_staff_get_404_even_from_inside(self) -> None:
        record = Record.objects.filter(dataset=self.dataset).first()
        for user in (self.world.supervisor, self.world.auditor):
            client = self.client_for(user)
            self.assertEqual(client.get(self._url("records/new/"), REMOTE_ADDR=INSIDE).status_code, 404)
            self.assertEqual(client.post(self._url("records/new/"), self._form(VALUES),
                                         REMOTE_ADDR=INSIDE).status_code, 404)
            self.assertEqual(client.get(self._url(f"records/{record.pk}/correct/"), REMOTE_ADDR=INSIDE).status_code,
                             404)
            self.assertEqual(client.post(self._url(f"records/{record.pk}/correct/"), self._form(VALUES),
                                         REMOTE_ADDR=INSIDE).status_code, 404)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)
        self.assertEqual(Record.objects.get(pk=record.pk).revision, 0)

    def test_a_record_of_another_dataset_is_not_found(self) -> None:
        other = create_dataset(self.world.responsible, self.contract, name="別ファイル",
                               source=Dataset.Source.ENTRUSTED, fields=[FieldSpec("氏名", "text")], purposes=["照会"])
        record = Record.objects.filter(dataset=self.dataset).first()
        client = self._worker(other, other.purposes.get())
        response = client.get(self._url(f"records/{record.pk}/correct/", other), REMOTE_ADDR=INSIDE, follow=True)
        self.assertContains(response, "記録が見つかりません")
        self.assertNotContains(response, "髙橋")


class AddTests(RecordPagesTestCase):
    def test_the_form_has_one_input_per_declared_field(self) -> None:
        response = self._worker().get(self._url("records/new/"), REMOTE_ADDR=INSIDE)
        self.assertIn("no-store", response["Cache-Control"])
        body = response.content.decode()
        for f in self.dataset.fields.all():
            self.assertIn(f'<label for="id_f{f.pk}">{f.name}</label>', body)
            self.assertIn(f'maxlength="{f.max_length}"', body)
        kana = self.dataset.fields.get(name="氏名カナ")
        remark = self.dataset.fields.get(name="備考")
        self.assertRegex(body, rf'<input[^>]*name="f{kana.pk}"[^>]*required')
        self.assertRegex(body, rf'<textarea[^>]*name="f{remark.pk}"')
        self.assertNotRegex(body, rf'<textarea[^>]*name="f{remark.pk}"[^>]*required')
        self.assertIn("昭和55年4月1日", body)  # the date field's hint
        self.assertIn("140-8715", body)  # the postal code's
        number = self.dataset.fields.get(name="個人番号")
        self.assertIn(f'aria-describedby="id_f{number.pk}_helptext"', body)  # My Number's hint
        self.assertIn(f'id="id_f{number.pk}_helptext"', body)
        self.assertIn('<span class="tag warn">個人番号</span>', body)
        self.assertIn('autocomplete="off"', body)
        self.assertNotIn('name="notice"', body)  # entrusted data: no notice, no channel
        self.assertNotIn('name="channel"', body)
        self.assertNotIn("style=", body)
        self.assertNotIn("onclick", body)

    def test_the_worker_adds_a_record_for_a_purpose_and_finds_it(self) -> None:
        client = self._worker()
        response = client.post(self._url("records/new/"), self._form(VALUES), REMOTE_ADDR=INSIDE)
        added = Record.objects.filter(dataset=self.dataset).latest("pk")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], self._url(f"records/{added.pk}/"))
        self.assertEqual(read_record(self.dataset, added), VALUES)
        event = Event.objects.get(kind="data.added")
        self.assertEqual((event.facts["records"], event.facts["purpose"], event.facts["person"]),
                         ([added.pk], self.purpose.pk, self.world.worker.pk))
        self.assertEqual(event.facts["fields"], list(VALUES))
        page = client.get(response["Location"], REMOTE_ADDR=INSIDE)
        self.assertContains(page, MY_NUMBER)
        self.assertContains(page, f"記録 #{added.pk} を追加しました")
        found = client.post(self._url(), {"field": self.kana.pk, "query": "ｽｽﾞｷ ｲﾁﾛｳ"}, REMOTE_ADDR=INSIDE)
        self.assertContains(found, "鈴木 一郎")
        self.assertContains(found, self._url(f"records/{added.pk}/"))
        self.assert_ledger_holds_no_values()

    def test_a_bad_my_number_is_refused_naming_the_field_and_nothing_is_stored(self) -> None:
        bad = MY_NUMBER[:-1] + str((int(MY_NUMBER[-1]) + 1) % 10)
        response = self._worker().post(self._url("records/new/"), self._form({**VALUES, "個人番号": bad}),
                                       REMOTE_ADDR=INSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        body = response.content.decode()
        error = body[body.index('id="record-errors"'):]
        error = error[:error.index("</div>")]
        self.assertIn("「個人番号」", error)
        self.assertIn("My Number", error)
        self.assertNotIn(bad, error)  # the message names the field, never the value
        self.assertIn('value="鈴木 一郎"', body)  # what was typed is kept in the form
        self.assertIn(f'value="{bad}"', body)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)
        self.assertFalse(Event.objects.filter(kind="data.added").exists())
        self.assert_ledger_holds_no_values()

    def test_every_bad_value_is_named(self) -> None:
        response = self._worker().post(self._url("records/new/"), self._form(
            {**VALUES, "郵便番号": "1400", "氏名": "", "生年月日": "ことし"}), REMOTE_ADDR=INSIDE)
        for name in ("「郵便番号」", "「氏名」", "「生年月日」"):
            self.assertContains(response, name)
        self.assertNotContains(response, "「住所」")
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)

    def test_without_a_purpose_nothing_is_added(self) -> None:
        client = self.client_for(self.world.worker)
        page = client.get(self._url("records/new/"), REMOTE_ADDR=INSIDE)
        self.assertContains(page, 'role="alert"')  # choose a purpose first
        self.assertContains(page, f'href="{self._url()}"')
        response = client.post(self._url("records/new/"), self._form(VALUES), REMOTE_ADDR=INSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "この個人情報ファイルの利用目的を選んでください。")
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)
        self.assertTrue(Event.objects.filter(kind="data.refused", facts__reason="no_purpose").exists())
        self.assertFalse(Event.objects.filter(kind="data.added").exists())

    def test_from_outside_the_work_locations_nothing_is_added(self) -> None:
        client = self._worker()
        response = client.post(self._url("records/new/"), self._form(VALUES))  # 127.0.0.1: not reported
        self.assertContains(response, "届け出た作業場所の外からの接続です")
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)


class CorrectTests(RecordPagesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.record = Record.objects.filter(dataset=self.dataset).order_by("pk").first()
        self.current = read_record(self.dataset, self.record)

    def test_the_record_page_links_to_the_correction(self) -> None:
        page = self._worker().get(self._url(f"records/{self.record.pk}/"), REMOTE_ADDR=INSIDE)
        self.assertContains(page, f'href="{self._url(f"records/{self.record.pk}/correct/")}"')

    def test_opening_the_form_is_a_recorded_view_with_the_current_values(self) -> None:
        response = self._worker().get(self._url(f"records/{self.record.pk}/correct/"), REMOTE_ADDR=INSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertContains(response, 'value="品川区広町2-1-36 ①号"')
        self.assertContains(response, 'value="123456789018"')
        event = Event.objects.get(kind="data.viewed")
        self.assertEqual((event.facts["records"], event.facts["purpose"]), ([self.record.pk], self.purpose.pk))

    def test_opening_it_without_a_purpose_shows_nothing(self) -> None:
        client = self.client_for(self.world.worker)
        response = client.get(self._url(f"records/{self.record.pk}/correct/"), REMOTE_ADDR=INSIDE, follow=True)
        self.assertContains(response, "利用目的を選んでください")
        self.assertNotContains(response, "品川区広町")
        self.assertFalse(Event.objects.filter(kind="data.viewed").exists())

    def test_a_correction_bumps_the_revision_and_records_the_field_names_only(self) -> None:
        client = self._worker()
        changed = {**self.current, "住所": "品川区北品川1-1", "電話番号": "03-1111-2222"}
        response = client.post(self._url(f"records/{self.record.pk}/correct/"), self._form(changed),
                               REMOTE_ADDR=INSIDE)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], self._url(f"records/{self.record.pk}/"))
        self.record.refresh_from_db()
        self.assertEqual(self.record.revision, 1)
        self.assertEqual(read_record(self.dataset, self.record), changed)
        event = Event.objects.get(kind="data.corrected")
        self.assertEqual((event.facts["fields"], event.facts["records"], event.facts["revision"]),
                         (["住所", "電話番号"], [self.record.pk], 1))
        self.assert_ledger_holds_no_values()
        page = client.get(response["Location"], REMOTE_ADDR=INSIDE)
        self.assertContains(page, "訂正しました（住所、電話番号）")
        self.assertContains(page, "品川区北品川1-1")

    def test_nothing_changed_is_no_correction(self) -> None:
        response = self._worker().post(self._url(f"records/{self.record.pk}/correct/"), self._form(self.current),
                                       REMOTE_ADDR=INSIDE, follow=True)
        self.assertContains(response, "変更された項目はありません")
        self.record.refresh_from_db()
        self.assertEqual(self.record.revision, 0)
        self.assertFalse(Event.objects.filter(kind="data.corrected").exists())

    def test_a_bad_value_is_refused_and_the_record_kept(self) -> None:
        before = bytes(self.record.ciphertext)
        response = self._worker().post(self._url(f"records/{self.record.pk}/correct/"),
                                       self._form({**self.current, "個人番号": "12345", "住所": "品川区北品川1-1"}),
                                       REMOTE_ADDR=INSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "「個人番号」")
        self.assertContains(response, 'value="品川区北品川1-1"')  # kept as typed
        self.record.refresh_from_db()
        self.assertEqual((bytes(self.record.ciphertext), self.record.revision), (before, 0))
        self.assertFalse(Event.objects.filter(kind="data.corrected").exists())


class CollectedAddTests(RecordPagesTestCase):
    """Collected data added by hand names the purpose notice the person was shown and the channel (article 7)."""

    def setUp(self) -> None:
        super().setUp()
        self.collected = create_dataset(
            self.world.responsible, self.contract, name="申込者名簿", source=Dataset.Source.COLLECTED,
            fields=[FieldSpec("氏名", "text", searchable=True), FieldSpec("電話番号", "phone")],
            purposes=["申込の受付"])
        self.first = publish_notice(self.world.responsible, self.collected, "申込の受付のために利用します。")
        self.second = publish_notice(self.world.responsible, self.collected, "改訂: 結果は統計としてのみ公表します。")
        self.worker_client = self._worker(self.collected, self.collected.purposes.get())

    def _add(self, **extra: str):
        return self.worker_client.post(self._url("records/new/", self.collected),
                                 {**self._form(VALUES, self.collected), **extra}, REMOTE_ADDR=INSIDE)

    def test_the_form_offers_the_notices_latest_first_and_the_usual_channels(self) -> None:
        body = self.worker_client.get(self._url("records/new/", self.collected), REMOTE_ADDR=INSIDE).content.decode()
        self.assertIn('name="notice"', body)
        self.assertLess(body.index(f'value="{self.second.pk}" selected'), body.index(f'value="{self.first.pk}"'))
        self.assertIn('name="channel"', body)
        self.assertIn('list="vault-channels"', body)
        self.assertIn('<datalist id="vault-channels">', body)
        self.assertIn('<option value="紙の申込書">', body)

    def test_the_record_links_to_the_notice_and_channel(self) -> None:
        response = self._add(notice=str(self.first.pk), channel="電話")
        added = Record.objects.get(dataset=self.collected)
        self.assertEqual(response["Location"], self._url(f"records/{added.pk}/", self.collected))
        self.assertEqual((added.notice, added.channel), (self.first, "電話"))
        event = Event.objects.get(kind="data.added")
        self.assertEqual((event.facts["notice"], event.facts["channel"], event.facts["fields"]),
                         (self.first.pk, "電話", ["氏名", "電話番号"]))
        page = self.worker_client.get(response["Location"], REMOTE_ADDR=INSIDE)
        self.assertContains(page, "第1版")
        self.assertContains(page, "<dd>電話</dd>")

    def test_without_a_notice_or_channel_nothing_is_added(self) -> None:
        self.assertContains(self._add(notice=str(self.second.pk)),
                            "収集の経路（紙の申込書、Webフォーム、電話など）を入力してください。")
        self.assertContains(self._add(channel="電話"), "利用目的の明示の版を選んでください")
        other = create_dataset(self.world.responsible, self.contract, name="別の申込", source=Dataset.Source.COLLECTED,
                               fields=[FieldSpec("氏名", "text")], purposes=["受付"])
        foreign = publish_notice(self.world.responsible, other, "別の目的")
        self.assertContains(self._add(notice=str(foreign.pk), channel="電話"), 'class="error"')
        self.assertFalse(Record.objects.filter(dataset=self.collected).exists())
        self.assertFalse(Event.objects.filter(kind="data.added").exists())

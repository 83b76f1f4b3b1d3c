"""Article 9 in the data path: the gate, a purpose, daily limits, and a ledger event for every access."""

from __future__ import annotations

import io

from itaku.contracts import services as contracts
from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.provisions.controls import State
from itaku.vault import access, crypto
from itaku.vault.models import Dataset, Purpose, Record
from itaku.vault.services import create_dataset, import_file, read_record
from tests.base import ContractTestCase, LedgerTransactionTestCase
from tests.people.helpers import INSIDE, OUTSIDE, make_eligible
from tests.vault.test_import import FIELDS, HEADER, ROW


class VaultTestCase(ContractTestCase):
    """An eligible worker and a dataset of 31 people, one of them 佐藤　太郎."""

    def setUp(self) -> None:
        super().setUp()
        make_eligible(self.world)
        self.dataset = create_dataset(
            self.world.supervisor, self.contract, name="住民基本台帳抜粋", source=Dataset.Source.ENTRUSTED,
            fields=FIELDS, purposes=["住民税課税資料の入力"], expected_rows=1000,
        )
        rows = "".join(ROW.format(n=n) for n in range(30))
        rows += ROW.format(n=99).replace("髙橋 﨑子", "佐藤　太郎").replace("ﾀｶﾊｼ ｻｷｺ", "ｻﾄｳ ﾀﾛｳ")
        import_file(self.world.responsible, self.dataset, io.BytesIO((HEADER + rows).encode("cp932")))
        self.purpose = Purpose.objects.get(dataset=self.dataset)
        self.kana = self.dataset.fields.get(name="氏名カナ")
        self.name = self.dataset.fields.get(name="氏名")


class AccessTests(VaultTestCase):
    def test_search_finds_the_person_however_typed(self) -> None:
        for query in ("サトウ タロウ", "ｻﾄｳﾀﾛｳ", "サトウ　タロウ"):
            found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.kana, query)
            self.assertEqual([f.values["氏名"] for f in found], ["佐藤　太郎"], query)
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "髙橋﨑子")
        self.assertEqual(len(found), 30)
        event = Event.objects.filter(kind="data.searched").order_by("-seq").first()
        self.assertEqual(event.facts["field"], "氏名")
        self.assertEqual(event.facts["purpose"], self.purpose.pk)
        self.assertNotIn("髙橋", str(event.facts))

    def test_view_is_recorded_with_ids_and_field_names_only(self) -> None:
        record = Record.objects.filter(dataset=self.dataset).first()
        found = access.view(self.world.worker, self.dataset, self.purpose, INSIDE, record.pk)
        self.assertEqual(found.values["郵便番号"], "140-8715")
        event = Event.objects.get(kind="data.viewed")
        self.assertEqual(event.facts["records"], [record.pk])
        self.assertIn("個人番号", event.facts["fields"])
        self.assertNotIn("123456789018", str(event.facts))

    def test_ineligible_or_outside_is_refused_and_recorded(self) -> None:
        with self.assertRaises(access.AccessRefused) as caught:
            access.search(self.world.worker, self.dataset, self.purpose, OUTSIDE, self.kana, "サトウ")
        self.assertEqual([r.code for r in caught.exception.reasons], ["outside_location"])
        with self.assertRaises(access.AccessRefused):
            access.view(self.world.auditor, self.dataset, self.purpose, INSIDE, 1)
        self.assertEqual(Event.objects.filter(kind="eligibility.refused").count(), 2)
        self.assertFalse(Event.objects.filter(kind__in=["data.searched", "data.viewed"]).exists())

    def test_a_purpose_is_required(self) -> None:
        with self.assertRaises(access.AccessRefused):
            access.search(self.world.worker, self.dataset, None, INSIDE, self.kana, "サトウ")
        self.assertTrue(Event.objects.filter(kind="data.refused").exists())

    def test_daily_limit_refuses_and_raises_a_suspected_incident(self) -> None:
        Dataset.objects.filter(pk=self.dataset.pk).update(daily_view_limit=2)
        self.dataset.refresh_from_db()
        ids = list(Record.objects.filter(dataset=self.dataset).values_list("pk", flat=True)[:3])
        access.view(self.world.worker, self.dataset, self.purpose, INSIDE, ids[0])
        access.view(self.world.worker, self.dataset, self.purpose, INSIDE, ids[1])
        with self.assertRaises(access.AccessRefused):
            access.view(self.world.worker, self.dataset, self.purpose, INSIDE, ids[2])
        self.assertTrue(Event.objects.filter(kind="data.limit_exceeded").exists())
        self.assertTrue(Event.objects.filter(kind="incident.suspected").exists())

    def test_unsearchable_field_and_foreign_record(self) -> None:
        with self.assertRaises(UserError):
            access.search(self.world.worker, self.dataset, self.purpose, INSIDE,
                          self.dataset.fields.get(name="備考"), "x")
        with self.assertRaises(UserError):
            access.view(self.world.worker, self.dataset, self.purpose, INSIDE, 10**9)


class VaultControlTests(VaultTestCase):
    def _state(self, code: str):
        self.contract.refresh_from_db()
        return next(r for r in evaluate_controls(self.contract) if r.control.code == code).state

    def test_limits_ok_then_violation(self) -> None:
        self.assertEqual(self._state("vault.daily_limits"), State.OK)
        Dataset.objects.filter(pk=self.dataset.pk).update(daily_search_limit=0)
        self.dataset.refresh_from_db()
        for _ in range(2):
            with self.assertRaises(access.AccessRefused):
                access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.kana, "サトウ")
        self.assertEqual(self._state("vault.daily_limits"), State.VIOLATION)
        self.assertEqual(Event.objects.filter(kind="incident.suspected").count(), 1)

    def test_data_of_a_closed_contract(self) -> None:
        self.assertEqual(self._state("vault.closed_contract_data"), State.OK)
        contracts.end_contract(self.world.supervisor, self.contract)
        self.assertEqual(self._state("vault.closed_contract_data"), State.VIOLATION)


class ChangeTests(VaultTestCase):
    def _values(self, **changes: str) -> dict[str, str]:
        values = {"宛名番号": "5001", "氏名": "鈴木 一郎", "氏名カナ": "スズキ イチロウ", "生年月日": "1990-01-02",
                  "性別": "男", "郵便番号": "140-0001", "住所": "品川区北品川1-1", "電話番号": "03-1111-2222",
                  "個人番号": "123456789018", "備考": ""}
        return {**values, **changes}

    def test_add_then_correct_and_the_old_ciphertext_is_void(self) -> None:
        record_id = access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, self._values())
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.kana, "ｽｽﾞｷ ｲﾁﾛｳ")
        self.assertEqual([f.record for f in found], [record_id])
        old = bytes(Record.objects.get(pk=record_id).ciphertext)
        changed = access.correct_record(self.world.worker, self.dataset, self.purpose, INSIDE, record_id,
                                        self._values(住所="品川区南品川2-2"))
        self.assertEqual(changed, ["住所"])
        record = Record.objects.get(pk=record_id)
        self.assertEqual(read_record(self.dataset, record)["住所"], "品川区南品川2-2")
        record.ciphertext = old  # putting the previous version back is caught
        with self.assertRaises(crypto.DecryptionError):
            read_record(self.dataset, record)
        event = Event.objects.get(kind="data.corrected")
        self.assertEqual(event.facts["fields"], ["住所"])
        self.assertNotIn("南品川", str(event.facts))

    def test_added_and_corrected_records_count_against_the_limit(self) -> None:
        Dataset.objects.filter(pk=self.dataset.pk).update(daily_view_limit=2)
        self.dataset.refresh_from_db()
        record_id = access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, self._values())
        access.correct_record(self.world.worker, self.dataset, self.purpose, INSIDE, record_id,
                              self._values(住所="品川区南品川2-2"))
        with self.assertRaises(access.AccessRefused):
            access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, self._values())
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 32)  # 31 imported, one added

    def test_undeclared_or_invalid_values_are_refused(self) -> None:
        with self.assertRaises(UserError):
            access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, self._values(本籍="東京都"))
        with self.assertRaises(UserError) as caught:
            access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, self._values(個人番号="1"))
        self.assertIn("個人番号", str(caught.exception))
        self.assertNotIn("\\b1\\b", str(caught.exception))


class MatchTagTests(VaultTestCase):
    """Candidates are told by their match tags; what a tag claims is checked against the decrypted value."""

    def _sato(self) -> Record:
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎")
        return Record.objects.get(pk=found[0].record)

    def test_a_forged_tag_does_not_show_another_record(self) -> None:
        from itaku.vault.models import IndexEntry
        from itaku.vault.sealing import postings
        from itaku.vault.services import open_keys

        sato = self._sato()
        other = Record.objects.filter(dataset=self.dataset).exclude(pk=sato.pk).first()
        _, index = open_keys(self.dataset)
        value, probe = index.keyed("佐藤太郎", field=self.name.pk)
        forged = index.tags([probe], [other.pk])[0]
        IndexEntry.objects.create(dataset=self.dataset, field=self.name, value=value,
                                  postings=postings([other.pk], [forged]))
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎")
        self.assertEqual([f.record for f in found], [sato.pk])
        event = Event.objects.filter(kind="data.searched").order_by("-seq").first()
        self.assertEqual((event.facts["candidates"] >= 2, event.facts["matches"]), (True, 1))

    def test_a_damaged_tag_hides_its_record_and_shows_no_other(self) -> None:
        from itaku.vault.models import IndexEntry
        from itaku.vault.sealing import postings, read_postings

        sato = self._sato()
        for entry in IndexEntry.objects.filter(dataset=self.dataset, field=self.name):
            pairs = read_postings(bytes(entry.postings))
            if sato.pk in dict(pairs):
                damaged = [(pk, tag ^ 1 if pk == sato.pk else tag) for pk, tag in pairs]
                entry.postings = postings([pk for pk, _ in damaged], [tag for _, tag in damaged])
                entry.save()
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎")
        self.assertEqual(found, [])

    def test_a_cut_entry_stops_the_search_with_a_clear_error(self) -> None:
        from itaku.vault.models import IndexEntry

        sato = self._sato()
        for entry in IndexEntry.objects.filter(dataset=self.dataset, field=self.name):
            entry.postings = bytes(entry.postings)[:-1]  # a posting's last byte lost: every later one shifted
            entry.save()
        with self.assertRaises(crypto.CryptoError) as caught:
            access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎")
        self.assertIn("An index entry's postings are damaged", str(caught.exception))
        self.assertNotIn(str(sato.pk), str(caught.exception))

    def test_a_posting_of_a_record_that_does_not_exist_shows_nothing(self) -> None:
        from itaku.vault.models import IndexEntry
        from itaku.vault.sealing import postings
        from itaku.vault.services import open_keys

        sato = self._sato()
        _, index = open_keys(self.dataset)
        value, probe = index.keyed("佐藤太郎", field=self.name.pk)
        missing = Record.objects.order_by("-pk").first().pk + 1000
        IndexEntry.objects.create(dataset=self.dataset, field=self.name, value=value,
                                  postings=postings([missing], index.tags([probe], [missing])))
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎")
        self.assertEqual([f.record for f in found], [sato.pk])

    def test_a_correction_moves_the_record_between_entries(self) -> None:
        sato = self._sato()
        values = access.view(self.world.worker, self.dataset, self.purpose, INSIDE, sato.pk).values
        access.correct_record(self.world.worker, self.dataset, self.purpose, INSIDE, sato.pk,
                              {**values, "氏名": "佐藤　次郎"})
        search = access.search
        self.assertEqual(search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤太郎"), [])
        found = search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "佐藤次郎")
        self.assertEqual([f.record for f in found], [sato.pk])
        from itaku.vault.models import IndexEntry
        from itaku.vault.sealing import read_postings

        naming = [entry.value for entry in IndexEntry.objects.filter(dataset=self.dataset, field=self.name)
                  if sato.pk in dict(read_postings(bytes(entry.postings)))]
        self.assertEqual(len(naming), 1)  # out of the old value's entry, in the new one's


class PostingsMigrationTests(LedgerTransactionTestCase):
    """Migration vault 0008 gathers the index entries of one record each into one per field and value."""

    def test_the_entries_of_each_value_are_gathered_with_their_tags(self) -> None:
        import importlib
        from unittest import mock

        from django.core.management import call_command
        from django.db import connection

        from itaku.vault.models import IndexEntry
        from itaku.vault.sealing import read_postings

        migration = importlib.import_module("itaku.vault.migrations.0008_index_postings")
        call_command("migrate", "vault", "0007", verbosity=0)
        try:
            with connection.cursor() as cursor:  # no constraints on these columns: no other rows needed
                cursor.executemany(
                    "INSERT INTO vault_indexentry (dataset_id, field_id, value, record_id, tag)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [(1, 2, 5, 11, 7), (1, 2, 5, 10, -3), (1, 2, 6, 14, 1), (1, 2, 5, 13, 4), (1, 3, 5, 10, 8),
                     (2, 2, 5, 12, 9)])
        finally:
            with mock.patch.object(migration, "CHUNK", 2):  # pages of two rows: runs of a value cross them
                call_command("migrate", "vault", verbosity=0)
        found = {(e.dataset_id, e.field_id, e.value): read_postings(bytes(e.postings))
                 for e in IndexEntry.objects.all()}
        self.assertEqual(found, {(1, 2, 5): [(10, -3), (11, 7), (13, 4)], (1, 2, 6): [(14, 1)],
                                 (1, 3, 5): [(10, 8)], (2, 2, 5): [(12, 9)]})

"""Article 13: disposal on the authority's instruction by cryptographic erasure, the deletion that follows
in the background, paper and media disposed of by hand, the 廃棄報告書 and its controls."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Event
from itaku.lib.era import dual_date
from itaku.lib.errors import UserError
from itaku.places.models import WorkLocation
from itaku.provisions.controls import Result, State
from itaku.submissions.models import Submission
from itaku.vault import access, copies, crypto, disposal, tasks
from itaku.vault.exports import Format
from itaku.vault.models import Copy, Dataset, Disposal, DisposalInstruction, IndexEntry, Record
from itaku.vault.services import FieldSpec, create_dataset, import_file, master_keys, open_keys, read_record
from tests.base import LedgerTransactionTestCase, World
from tests.people.helpers import INSIDE
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import FIELDS, HEADER, ROW, csv_bytes

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PLACE = "第一データセンター（東京都品川区東品川）"
PERSON = "鈴木 一郎"
NOTE = "契約の終了に伴い、住民基本台帳抜粋を廃棄してください。"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


class DisposalTestCase(VaultTestCase):
    """The vault's 31 people, instructed for disposal and disposed of on demand."""

    def instruct(self, dataset: Dataset | None = None) -> DisposalInstruction:
        return disposal.instruct_disposal(self.world.supervisor, dataset or self.dataset, instruction_note=NOTE)

    def dispose(self, dataset: Dataset | None = None) -> Disposal:
        dataset = dataset or self.dataset
        if disposal.open_instruction(dataset) is None:
            self.instruct(dataset)
        return disposal.dispose(self.world.responsible, dataset, place=PLACE, person_in_charge=PERSON)

    def media(self, **changes: object) -> Disposal:
        instruction = disposal.instruct_media_disposal(self.world.supervisor, self.contract,
                                                       instruction_note="申請書の原本を廃棄してください。")
        values = {"items": ["氏名", "住所", "電話番号"], "medium": "紙の申請書", "records": 120, "files": 3,
                  "disposed_at": timezone.now(), "method": "溶解処理（委託業者による）",
                  "place": "本社 5階 施錠室", "person_in_charge": PERSON, **changes}
        return disposal.record_media_disposal(self.world.responsible, instruction, **values)


class InstructionTests(DisposalTestCase):
    def test_only_the_authority_instructs(self) -> None:
        for person in ("auditor", "responsible", "worker", "colleague", "outsider", "foreign_responsible"):
            with self.assertRaises(disposal.DisposalError, msg=person):
                disposal.instruct_disposal(getattr(self.world, person), self.dataset, instruction_note=NOTE)
        self.assertFalse(DisposalInstruction.objects.exists())
        instruction = self.instruct()
        self.assertEqual(instruction.instructed_by, self.world.supervisor)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="vault.disposal_instructed")
        self.assertEqual(event.facts, {"instruction": instruction.pk, "dataset": self.dataset.pk, "has_note": True})
        self.assertEqual(event.articles, [13])

    def test_one_open_instruction_and_none_after_disposal(self) -> None:
        self.instruct()
        with self.assertRaises(disposal.DisposalError):
            self.instruct()
        self.dispose()
        with self.assertRaises(disposal.DisposalError):
            self.instruct()

    def test_paper_instruction_says_what(self) -> None:
        with self.assertRaises(disposal.DisposalError) as caught:
            disposal.instruct_media_disposal(self.world.supervisor, self.contract, instruction_note="  ")
        self.assertIn("what the authority instructs", caught.exception.message_en)
        with self.assertRaises(disposal.DisposalError):
            disposal.instruct_media_disposal(self.world.responsible, self.contract, instruction_note="申請書")


class CryptoEraseTests(DisposalTestCase):
    def test_refused_without_an_instruction_and_nothing_changes(self) -> None:
        with self.assertRaises(disposal.DisposalError) as caught:
            disposal.dispose(self.world.responsible, self.dataset, place=PLACE, person_in_charge=PERSON)
        self.assertIn("instruction", caught.exception.message_en)
        self.dataset.refresh_from_db()
        self.assertIsNotNone(self.dataset.wrapped_data_key)
        self.assertFalse(Disposal.objects.exists())
        self.assertEqual(read_record(self.dataset, Record.objects.filter(dataset=self.dataset).first())["性別"], "女")

    def test_only_the_responsible_person_disposes(self) -> None:
        self.instruct()
        for person in ("supervisor", "worker", "foreign_responsible"):
            with self.assertRaises(disposal.DisposalError, msg=person):
                disposal.dispose(getattr(self.world, person), self.dataset, place=PLACE, person_in_charge=PERSON)
        self.assertFalse(Dataset.objects.get(pk=self.dataset.pk).is_disposed)

    def test_unreadable_at_once(self) -> None:
        record = Record.objects.filter(dataset=self.dataset).order_by("pk").first()
        kana = self.dataset.fields.get(name="氏名カナ")
        self.assertEqual(len(access.search(self.world.worker, self.dataset, self.purpose, INSIDE, kana, "ｻﾄｳ ﾀﾛｳ")), 1)
        self.dispose()
        # The caller's object, a fresh one and every path to the data refuse; the rows are still there.
        for dataset in (self.dataset, Dataset.objects.get(pk=self.dataset.pk)):
            self.assertIsNone(dataset.wrapped_data_key)
            self.assertIsNone(dataset.wrapped_index_key)
            self.assertEqual(dataset.status, Dataset.Status.DISPOSED)
            with self.assertRaises(UserError):
                open_keys(dataset)
            with self.assertRaises(UserError):
                read_record(dataset, record)
            with self.assertRaises(access.AccessRefused):
                access.search(self.world.worker, dataset, self.purpose, INSIDE, kana, "ｻﾄｳ ﾀﾛｳ")
            with self.assertRaises(access.AccessRefused):
                access.view(self.world.worker, dataset, self.purpose, INSIDE, record.pk)
            with self.assertRaises(UserError):
                import_file(self.world.responsible, dataset, io.BytesIO(csv_bytes(1)))
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)

    def test_no_copy_of_the_keys_is_left_in_the_database(self) -> None:
        wrapped = (bytes(self.dataset.wrapped_data_key), bytes(self.dataset.wrapped_index_key))
        record = Record.objects.filter(dataset=self.dataset).order_by("pk").first()
        self.dispose()
        # Every binary value of every table: neither wrapped key is anywhere, and whatever the master key
        # unwraps there (the other datasets' keys) does not open this dataset's records.
        other = create_dataset(self.world.supervisor, self.contract, name="別ファイル", source="entrusted",
                               fields=FIELDS, purposes=["照合"], expected_rows=100)
        unwrapped = []
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            value = bytes(value)
                            self.assertNotIn(wrapped[0], value, table)
                            self.assertNotIn(wrapped[1], value, table)
                            for purpose in ("data", "index"):
                                with contextlib.suppress(crypto.DecryptionError):
                                    unwrapped.append(master_keys().unwrap(value, purpose=purpose))
        self.assertEqual(len(unwrapped), 2)  # the other dataset's two keys, nothing else
        self.assertEqual(Dataset.objects.exclude(wrapped_data_key=None).get().pk, other.pk)
        for key in unwrapped:
            with self.assertRaises(crypto.DecryptionError):
                crypto.FieldCipher(key).open_record(bytes(record.ciphertext), dataset=self.dataset.pk,
                                                    record=record.pk, version=record.sealed_version)

    def test_the_record_holds_every_item_of_article_13_2(self) -> None:
        instruction = self.instruct()
        before = timezone.now()
        found = disposal.dispose(self.world.responsible, self.dataset, place=PLACE, person_in_charge=PERSON)
        found.refresh_from_db()
        self.assertEqual(found.items, [f.name for f in FIELDS])  # information items: the field names
        self.assertEqual(found.medium, disposal.VAULT_MEDIUM)
        self.assertEqual((found.records, found.files), (31, 1))
        self.assertTrue(before <= found.disposed_at <= timezone.now())
        self.assertEqual(found.method, "暗号消去（NIST SP 800-88 Rev. 2 purge: cryptographic erase）")
        self.assertEqual((found.place, found.person_in_charge), (PLACE, PERSON))
        self.assertEqual((found.contract, found.instruction, found.dataset), (self.contract, instruction, self.dataset))
        self.assertEqual(found.reported_by, self.world.responsible)
        self.assertEqual(found.master_key_version, 1)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="vault.disposed")
        self.assertEqual(event.facts["records"], 31)
        self.assertEqual(event.facts["fields"], [f.name for f in FIELDS])
        self.assertEqual(event.facts["disposal"], found.pk)
        for typed in (PLACE, PERSON, "データセンター", "髙橋", "123456789018"):
            self.assertNotIn(typed, json.dumps(event.facts, ensure_ascii=False))

    def test_a_second_disposal_is_refused(self) -> None:
        self.dispose()
        with self.assertRaises(disposal.DisposalError):
            disposal.dispose(self.world.responsible, self.dataset, place=PLACE, person_in_charge=PERSON)
        self.assertEqual(Disposal.objects.count(), 1)

    def test_place_and_person_are_required(self) -> None:
        self.instruct()
        with self.assertRaises(disposal.DisposalError) as caught:
            disposal.dispose(self.world.responsible, self.dataset, place=" ", person_in_charge="")
        self.assertIn("place of disposal", caught.exception.message_en)
        self.assertIn("person in charge of the disposal", caught.exception.message_en)
        self.assertIsNotNone(Dataset.objects.get(pk=self.dataset.pk).wrapped_data_key)


class DeletionTests(DisposalTestCase):
    """The index entries go at the pace of the records: at most one per searchable field (three) a record."""

    def setUp(self) -> None:
        super().setUp()
        self.entries = IndexEntry.objects.filter(dataset=self.dataset).count()  # the import's: one per value
        self.assertGreater(self.entries, 0)

    def counts(self) -> tuple[int, int]:
        return (Record.objects.filter(dataset=self.dataset).count(),
                IndexEntry.objects.filter(dataset=self.dataset).count())

    def test_deleted_in_the_background_once_committed(self) -> None:
        self.assertEqual(self.counts(), (31, self.entries))
        with override_settings(TASKS=IMMEDIATE), self.captureOnCommitCallbacks(execute=True) as callbacks:
            found = self.dispose()
            self.assertEqual(self.counts(), (31, self.entries))  # unreadable already, deleted after the commit
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(self.counts(), (0, 0))
        found.refresh_from_db()
        self.assertIsNotNone(found.deletion_finished)
        self.assertEqual((found.deleted_records, found.deleted_index_entries), (31, self.entries))
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="vault.deletion_finished")
        self.assertEqual({k: event.facts[k] for k in ("disposal", "dataset", "records", "index_entries")},
                         {"disposal": found.pk, "dataset": self.dataset.pk, "records": 31,
                          "index_entries": self.entries})
        self.assertIsInstance(event.facts["milliseconds"], int)

    def test_an_interrupted_deletion_continues_where_it_stopped(self) -> None:
        found = self.dispose()
        self.assertEqual(tasks.delete_chunk(found.pk, size=10)[0], 10)  # then the worker dies
        self.assertEqual(self.counts(), (21, max(0, self.entries - 30)))
        found.refresh_from_db()
        self.assertEqual((found.deleted_records, found.deleted_index_entries), (10, min(self.entries, 30)))
        self.assertIsNone(found.deletion_finished)
        self.assertFalse(Event.objects.filter(kind="vault.deletion_finished").exists())
        self.assertEqual(tasks.run_deletion(found.pk, size=8), 21)  # run again: only what remained
        self.assertEqual(self.counts(), (0, 0))
        self.assertEqual(tasks.run_deletion(found.pk), 0)  # and again: nothing to do, finished once
        found.refresh_from_db()
        self.assertEqual((found.deleted_records, found.deleted_index_entries), (31, self.entries))
        self.assertEqual(Event.objects.get(kind="vault.deletion_finished").facts["records"], 31)

    def test_a_chunk_continues_above_the_last_one_and_misses_nothing_below(self) -> None:
        found = self.dispose()
        ids = list(Record.objects.filter(dataset=self.dataset).order_by("pk").values_list("pk", flat=True))
        self.assertEqual(tasks.delete_chunk(found.pk, size=5, after=ids[20]), (5, ids[25]))
        self.assertEqual(set(Record.objects.values_list("pk", flat=True)), {*ids[:21], *ids[26:]})
        self.assertEqual(tasks.delete_chunk(found.pk, size=100, after=ids[-1]), (26, ids[-1]))  # swept from below
        self.assertEqual(self.counts(), (0, 0))
        self.assertEqual(tasks.delete_chunk(found.pk, after=ids[-1])[0], 0)
        found.refresh_from_db()
        self.assertEqual((found.deleted_records, found.deleted_index_entries), (31, self.entries))
        self.assertIsNotNone(found.deletion_finished)

    def test_resume_enqueues_every_unfinished_deletion(self) -> None:
        found = self.dispose()
        tasks.delete_chunk(found.pk, size=5)
        with override_settings(TASKS=IMMEDIATE):
            self.assertEqual(disposal.resume_deletions(), [found.pk])
        self.assertEqual(self.counts(), (0, 0))
        self.assertEqual(disposal.resume_deletions(), [])

    def test_other_datasets_are_untouched(self) -> None:
        other = create_dataset(self.world.supervisor, self.contract, name="別ファイル", source="entrusted",
                               fields=FIELDS, purposes=["照合"], expected_rows=100)
        import_file(self.world.responsible, other, io.BytesIO(csv_bytes(4)))
        entries = IndexEntry.objects.filter(dataset=other).count()
        tasks.run_deletion(self.dispose().pk, size=7)
        self.assertEqual(self.counts(), (0, 0))
        self.assertEqual(Record.objects.filter(dataset=other).count(), 4)
        self.assertEqual(IndexEntry.objects.filter(dataset=other).count(), entries)
        self.assertEqual(read_record(other, Record.objects.filter(dataset=other).first())["性別"], "女")

    def test_the_task_runs_by_its_path(self) -> None:
        found = self.dispose()
        with override_settings(TASKS=IMMEDIATE):
            result = tasks.delete_disposed_data.enqueue(found.pk)
        self.assertEqual(result.return_value, 31)
        self.assertEqual(tasks.delete_disposed_data.module_path, "itaku.vault.tasks.delete_disposed_data")


class MediaDisposalTests(DisposalTestCase):
    def test_paper_gets_the_same_items(self) -> None:
        found = self.media()
        self.assertEqual(found.items, ["氏名", "住所", "電話番号"])
        self.assertEqual((found.medium, found.records, found.files), ("紙の申請書", 120, 3))
        self.assertIsNone(found.dataset)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="vault.media_disposed")
        self.assertEqual(event.facts, {"disposal": found.pk, "instruction": found.instruction_id, "records": 120,
                                       "files": 3, "items": 3})

    def test_bad_records_are_refused_naming_the_item(self) -> None:
        cases = {
            "items": {"items": []},
            "date and time of disposal": {"disposed_at": timezone.now() + dt.timedelta(hours=1)},
            "number of records": {"records": 0, "files": 0},
            "medium": {"medium": ""},
            "method of disposal": {"method": ""},
            "information items": {"items": ["氏名", "氏名"]},
        }
        for label, changes in cases.items():
            with self.assertRaises(disposal.DisposalError, msg=label) as caught:
                self.media(**changes)
            self.assertIn(label, caught.exception.message_en)
        self.assertFalse(Disposal.objects.exists())

    def test_not_before_the_instruction_and_only_once(self) -> None:
        with self.assertRaises(disposal.DisposalError) as caught:
            self.media(disposed_at=timezone.now() - dt.timedelta(days=1))
        self.assertIn("precede", caught.exception.message_en)
        found = self.media()
        with self.assertRaises(disposal.DisposalError):
            disposal.record_media_disposal(
                self.world.responsible, found.instruction, items=["氏名"], medium="紙", records=1, files=1,
                disposed_at=timezone.now(), method="裁断", place="本社", person_in_charge=PERSON)

    def test_a_dataset_instruction_is_not_carried_out_by_hand(self) -> None:
        with self.assertRaises(disposal.DisposalError):
            disposal.record_media_disposal(
                self.world.responsible, self.instruct(), items=["氏名"], medium="紙", records=1, files=1,
                disposed_at=timezone.now(), method="裁断", place="本社", person_in_charge=PERSON)


class ReportTests(DisposalTestCase):
    def test_the_pdf_lists_every_item(self) -> None:
        found = self.dispose()
        tasks.run_deletion(found.pk)
        found.refresh_from_db()
        text = pdf_text(disposal.report_pdf(found))
        local = timezone.localtime(found.disposed_at)
        instructed = timezone.localtime(found.instruction.instructed_at)
        expected = [
            "廃棄報告書", "Disposal report", self.contract.number, self.world.contractor.name, "第１３",
            *[f.name for f in FIELDS], "情報項目", "媒体名", disposal.VAULT_MEDIUM, "数量", "記録31件",
            "ファイル・媒体1点", "廃棄日時", f"{dual_date(local)} {local:%H:%M}", "廃棄方法", disposal.CRYPTO_ERASE,
            "廃棄場所", PLACE, "廃棄担当者", PERSON, "住民基本台帳抜粋",
            "指示日時", f"{dual_date(instructed)} {instructed:%H:%M}", NOTE, str(self.world.supervisor),
            f"指示番号InstructionNo.{found.instruction_id}", "報告者", str(self.world.responsible),
            "削除完了",
        ]
        for item in expected:
            self.assertIn(squeeze(item), text, item)

    def test_copies_of_the_dataset_are_listed_apart(self) -> None:
        place = WorkLocation.objects.get(contract=self.contract)
        made = []
        for medium in ("USB暗号化メモリ", "紙"):
            request = copies.request_copy(
                self.world.responsible, self.dataset, purpose=self.purpose, fields=[self.name], medium=medium,
                holder=self.world.worker, place=place, destroy_by=timezone.localdate() + dt.timedelta(days=30))
            copies.decide_request(self.world.supervisor, request, approve=True)
            copies.produce_copy(self.world.worker, request, fmt=Format.CSV_UTF8, client_address=INSIDE)
            made.append(Copy.objects.get(request=request))
        destroyed, held = made
        at = timezone.now()
        copies.confirm_destruction(self.world.responsible, destroyed, method=Copy.Method.SHREDDING, destroyed_at=at,
                                   place=place, person=self.world.responsible)
        found = self.dispose()
        text = pdf_text(disposal.report_pdf(found))
        local = timezone.localtime(at)
        section, rest = text.split(squeeze("複写物の廃棄"), 1)[1].split(squeeze("未廃棄の複写物"), 1)
        for item in (destroyed.request.code, str(self.world.worker), f"{dual_date(local)} {local:%H:%M}", "裁断",
                     "Shredding", str(place), str(self.world.responsible), "第１０"):
            self.assertIn(squeeze(item), section, item)
        self.assertNotIn(held.request.code, section)
        for item in (held.request.code, "未廃棄", "Notyetdestroyed", "紙",
                     dual_date(held.request.destroy_by)):
            self.assertIn(squeeze(item), rest.split(squeeze("報告者"))[0], item)
        self.assertNotIn(destroyed.request.code, rest)
        # The contract, the report date and the reporter (the letterhead and the reporter's section).
        for item in (self.contract.number, self.contract.title, f"報告日Reportdate{dual_date(timezone.localdate())}",
                     str(self.world.responsible)):
            self.assertIn(squeeze(item), rest, item)
        data = disposal.report_data(found)
        self.assertEqual([c["destroyed"] for c in data["copies"]], [True, False])
        self.assertEqual(data["copies"][0]["method"], "裁断 Shredding")

    def test_a_copy_destroyed_after_the_acknowledgement_changes_the_report(self) -> None:
        place = WorkLocation.objects.get(contract=self.contract)
        request = copies.request_copy(
            self.world.responsible, self.dataset, purpose=self.purpose, fields=[self.name], medium="USB暗号化メモリ",
            holder=self.world.worker, place=place, destroy_by=timezone.localdate() + dt.timedelta(days=30))
        copies.decide_request(self.world.supervisor, request, approve=True)
        copies.produce_copy(self.world.worker, request, fmt=Format.CSV_UTF8, client_address=INSIDE)
        found = self.dispose()
        disposal.submit_report(self.world.responsible, found)
        disposal.decide_report(self.world.supervisor, found, acknowledge=True)
        self.assertEqual(disposal.report_state(found).status, "acknowledged")
        copies.confirm_destruction(self.world.worker, Copy.objects.get(request=request), method=Copy.Method.ERASURE,
                                   destroyed_at=timezone.now(), place=place, person=self.world.worker)
        self.assertEqual(disposal.report_state(found).status, "changed")  # the report it acknowledged is stale
        disposal.submit_report(self.world.responsible, found)
        self.assertNotIn(squeeze("未廃棄"), pdf_text(disposal.report_pdf(found)))

    def test_a_dataset_never_copied_says_so(self) -> None:
        text = pdf_text(disposal.report_pdf(self.dispose()))
        self.assertIn(squeeze("この個人情報ファイルの複写物は作成されていません。"), text)
        self.assertNotIn("未廃棄", text)

    def test_paper_report(self) -> None:
        text = pdf_text(disposal.report_pdf(self.media()))
        expected = ("廃棄報告書", "氏名、住所、電話番号", "紙の申請書", "記録120件", "ファイル・媒体3点", "溶解処理",
                    "本社5階施錠室", "申請書の原本を廃棄してください。")
        for item in expected:
            self.assertIn(squeeze(item), text, item)
        self.assertNotIn("削除", text)
        self.assertNotIn("複写物", text)  # copies are of datasets in the vault, not of paper

    def test_report_data_is_plain(self) -> None:
        found = self.dispose()
        data = disposal.report_data(found)
        json.dumps(data)  # strings, numbers and lists only
        self.assertEqual(data["items"], [f.name for f in FIELDS])
        self.assertEqual(data["articles"], [13])
        self.assertTrue(data["specific"])  # the dataset declares 個人番号: marked in the report too
        self.assertIn(squeeze("特定個人情報"), pdf_text(disposal.report_pdf(found)))
        self.assertNotIn(squeeze("特定個人情報"), pdf_text(disposal.report_pdf(self.media())))

    def test_submitted_and_acknowledged(self) -> None:
        found = self.dispose()
        with self.assertRaises(disposal.DisposalError):
            disposal.submit_report(self.world.worker, found)
        submission = disposal.submit_report(self.world.responsible, found)
        self.assertEqual(submission.kind, "vault.disposal")
        self.assertEqual(disposal.report_state(found).status, "submitted")
        with self.assertRaises(disposal.DisposalError):
            disposal.decide_report(self.world.responsible, found, acknowledge=True)
        with self.assertRaises(UserError):
            disposal.decide_report(self.world.supervisor, found, acknowledge=False)  # a return needs a reason
        decided = disposal.decide_report(self.world.supervisor, found, acknowledge=True)
        self.assertEqual(decided.status, Submission.Status.ACKNOWLEDGED)
        self.assertEqual(disposal.report_state(found).status, "acknowledged")
        self.assertEqual(disposal.report_date(found), timezone.localdate(submission.submitted_at))
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="vault.disposal.")
                     .order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds, ["vault.disposal.submitted", "vault.disposal.acknowledged"])
        with self.assertRaises(disposal.DisposalError):
            disposal.submit_report(self.world.responsible, found)

    def test_returned_corrected_and_submitted_again(self) -> None:
        found = self.dispose()
        disposal.submit_report(self.world.responsible, found)
        with self.assertRaises(disposal.DisposalError):
            disposal.correct_disposal(self.world.responsible, found, place="別の場所")  # awaiting a decision
        disposal.decide_report(self.world.supervisor, found, acknowledge=False, comment="廃棄場所が違います。")
        self.assertEqual(disposal.report_state(found).status, "returned")
        with self.assertRaises(disposal.DisposalError):
            disposal.correct_disposal(self.world.responsible, found, records=1)  # what the system did stays
        found = disposal.correct_disposal(self.world.responsible, found, place="第二データセンター（大阪市）")
        event = Event.objects.get(kind="vault.disposal_corrected")
        self.assertEqual(event.facts, {"disposal": found.pk, "fields": ["place"]})
        disposal.submit_report(self.world.responsible, found)
        disposal.decide_report(self.world.supervisor, found, acknowledge=True)
        self.assertIn("第二データセンター", pdf_text(disposal.report_pdf(found)))


class ControlTests(DisposalTestCase):
    def result(self, code: str) -> Result:
        return next(r for r in evaluate_controls(self.contract) if r.control.code == code)

    def age(self, found: Disposal, days: int) -> None:
        """Move a disposal and its instruction `days` into the past."""
        earlier = timezone.now() - dt.timedelta(days=days)
        DisposalInstruction.objects.filter(pk=found.instruction_id).update(instructed_at=earlier)
        Disposal.objects.filter(pk=found.pk).update(disposed_at=earlier)

    def test_controls_cover_article_13(self) -> None:
        for code in ("vault.disposal_instructions", "vault.disposal_reports", "vault.disposal_deletion"):
            self.assertEqual(self.result(code).articles, (13,))

    def test_instruction_due_then_overdue(self) -> None:
        instruction = self.instruct()
        self.assertEqual(self.result("vault.disposal_instructions").state, State.DUE_SOON)
        DisposalInstruction.objects.filter(pk=instruction.pk).update(
            instructed_at=timezone.now() - dt.timedelta(days=31))
        result = self.result("vault.disposal_instructions")
        self.assertEqual(result.state, State.OVERDUE)
        self.assertIn("住民基本台帳抜粋", result.findings[0].message_ja)

    def test_instruction_carried_out(self) -> None:
        self.dispose()
        result = self.result("vault.disposal_instructions")
        self.assertEqual(result.state, State.OK)
        self.assertEqual(result.findings[0].evidence[0].label, "vault.disposed")

    def test_report_due_soon_within_14_days(self) -> None:
        found = self.dispose()
        self.age(found, 13)
        self.assertEqual(self.result("vault.disposal_reports").state, State.DUE_SOON)

    def test_no_report_within_14_days_is_a_violation(self) -> None:
        found = self.dispose()
        self.age(found, 15)
        result = self.result("vault.disposal_reports")
        self.assertEqual(result.state, State.VIOLATION)
        self.assertEqual(result.findings[0].evidence[0].ref, f"vault.disposal:{found.pk}")

    def test_a_late_report_stays_a_violation(self) -> None:
        found = self.dispose()
        self.age(found, 20)
        disposal.submit_report(self.world.responsible, found)
        disposal.decide_report(self.world.supervisor, found, acknowledge=True)
        self.assertEqual(self.result("vault.disposal_reports").state, State.VIOLATION)

    def test_report_not_acknowledged_is_missing_evidence(self) -> None:
        found = self.media()
        disposal.submit_report(self.world.responsible, found)
        result = self.result("vault.disposal_reports")
        self.assertEqual(result.state, State.MISSING)
        self.assertIn("awaiting acknowledgement", result.findings[0].message_en)
        disposal.decide_report(self.world.supervisor, found, acknowledge=False, comment="数量を確認してください。")
        self.assertEqual(self.result("vault.disposal_reports").state, State.MISSING)

    def test_all_done_is_ok(self) -> None:
        found = self.dispose()
        tasks.run_deletion(found.pk)
        disposal.submit_report(self.world.responsible, found)
        disposal.decide_report(self.world.supervisor, found, acknowledge=True)
        for code in ("vault.disposal_instructions", "vault.disposal_reports", "vault.disposal_deletion"):
            result = self.result(code)
            self.assertEqual(result.state, State.OK, code)
            self.assertTrue(result.findings[0].evidence, code)
        acknowledged = self.result("vault.disposal_reports").findings[0].evidence
        self.assertEqual(acknowledged[-1].label, "vault.disposal.acknowledged")

    def test_an_unfinished_deletion_is_overdue_after_an_hour(self) -> None:
        found = self.dispose()
        tasks.delete_chunk(found.pk, size=3)
        self.assertEqual(self.result("vault.disposal_deletion").state, State.OK)  # still running: no finding
        Disposal.objects.filter(pk=found.pk).update(disposed_at=timezone.now() - dt.timedelta(hours=2))
        self.assertEqual(self.result("vault.disposal_deletion").state, State.OVERDUE)
        tasks.run_deletion(found.pk)
        self.assertEqual(self.result("vault.disposal_deletion").state, State.OK)

    def test_through_the_cli(self) -> None:
        found = self.dispose()
        self.age(found, 15)
        out = StringIO()
        call_command("controls", self.contract.number, "--json", stdout=out)
        states = {item["control"]: item["state"] for item in json.loads(out.getvalue())}
        self.assertEqual(states["vault.disposal_reports"], "violation")
        self.assertEqual(states["vault.disposal_instructions"], "ok")


class DisposalWithoutDataTests(DisposalTestCase):
    def test_an_empty_dataset_is_disposed_of_with_zero_records(self) -> None:
        empty = create_dataset(self.world.supervisor, self.contract, name="空のファイル", source="collected",
                               fields=[FieldSpec("氏名", "text")], purposes=["受付"], expected_rows=10)
        found = self.dispose(empty)
        self.assertEqual((found.records, found.files, found.items), (0, 1, ["氏名"]))
        self.assertEqual(tasks.run_deletion(found.pk), 0)
        found.refresh_from_db()
        self.assertIsNotNone(found.deletion_finished)


class SecureDeleteTests(LedgerTransactionTestCase):
    """On SQLite the old row's bytes are overwritten: the database file holds no copy of the keys after a
    checkpoint (PostgreSQL keeps old row versions until vacuum; the master-key rotation covers both)."""

    def test_the_database_file_holds_no_copy_of_the_keys(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's secure_delete")
        world = World()
        dataset = create_dataset(world.supervisor, world.contract, name="住民基本台帳抜粋", source="entrusted",
                                 fields=FIELDS, purposes=["照合"], expected_rows=100)
        import_file(world.responsible, dataset, io.BytesIO((HEADER + ROW.format(n=1)).encode("cp932")))
        wrapped = bytes(dataset.wrapped_data_key), bytes(dataset.wrapped_index_key)
        path = Path(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.assertIn(wrapped[0], path.read_bytes())  # the test can see a key where there is one
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = OFF")  # as SQLite is built by default (Debian's is not)
        disposal.instruct_disposal(world.supervisor, dataset, instruction_note=NOTE)
        disposal.dispose(world.responsible, dataset, place=PLACE, person_in_charge=PERSON)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("PRAGMA secure_delete")
            self.assertEqual(cursor.fetchone()[0], 0)  # restored for the rest of the connection
        content = path.read_bytes()
        self.assertNotIn(wrapped[0], content)
        self.assertNotIn(wrapped[1], content)


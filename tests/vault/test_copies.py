"""Copies (article 10): requested, approved by the authority, produced once to the holder from the place of
keeping, stamped and guarded, in the register until destruction is confirmed; the control on overdue copies."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from unittest import mock

import openpyxl
from django.db import connection
from django.utils import timezone

from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Event
from itaku.places import services as places
from itaku.places.models import WorkLocation
from itaku.provisions.controls import State
from itaku.submissions import services as submissions
from itaku.submissions.services import SubmissionError
from itaku.vault import copies
from itaku.vault.access import AccessRefused
from itaku.vault.copies import KIND, CopyError, Status
from itaku.vault.exports import ExportError, Format
from itaku.vault.models import Copy, CopyRequest
from itaku.vault.services import import_file
from tests.base import make_user
from tests.people.helpers import INSIDE, OUTSIDE
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import HEADER, ROW

SECRETS = ("髙橋", "﨑子", "ﾀｶﾊｼ", "123456789018", "品川区広町", "03-3777-1111", "佐藤", "サトウ", "ｻﾄｳ", "𠮷",
           "calc", "SUM")


class CopyTestCase(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = WorkLocation.objects.get(contract=self.contract)
        self.today = timezone.localdate()

    def _request(self, **overrides) -> CopyRequest:
        items = {
            "purpose": self.purpose, "fields": [self.name, self.dataset.fields.get(name="住所")],
            "medium": "USB暗号化メモリ", "holder": self.world.worker, "place": self.place,
            "destroy_by": self.today + dt.timedelta(days=30),
        }
        items.update(overrides)
        return copies.request_copy(self.world.responsible, self.dataset, **items)

    def _approved(self, **overrides) -> CopyRequest:
        request = self._request(**overrides)
        copies.decide_request(self.world.supervisor, request, approve=True)
        return request

    def _produce(self, request: CopyRequest, fmt: Format = Format.CSV_UTF8, by=None, address: str = INSIDE):
        return copies.produce_copy(by or self.world.worker, request, fmt=fmt, client_address=address)

    def _import(self, text: str, encoding: str = "utf-8") -> None:
        report = import_file(self.world.responsible, self.dataset, io.BytesIO((HEADER + text).encode(encoding)))
        self.assertTrue(report.ok, [str(e) for e in report.errors])


class RequestTests(CopyTestCase):
    def test_a_request_is_submitted_to_the_authority(self) -> None:
        request = self._request()
        self.assertEqual(request.code, f"C-{self.contract.pk}-1")
        self.assertEqual(copies.status(request), Status.SUBMITTED)
        pending = submissions.latest(request, KIND)
        self.assertTrue(pending.is_open)
        self.assertEqual(pending.snapshot["fields"], sorted([self.name.pk, self.dataset.fields.get(name="住所").pk]))
        self.assertEqual(self._request().number, 2)
        requested = Event.objects.filter(kind="vault.copy_requested").first()
        self.assertEqual(requested.facts["fields"], ["氏名", "住所"])
        self.assertTrue(Event.objects.filter(kind=f"{KIND}.submitted").exists())

    def test_only_the_responsible_person_requests(self) -> None:
        for person in (self.world.worker, self.world.supervisor, self.world.foreign_responsible):
            with self.assertRaises(CopyError):
                copies.request_copy(person, self.dataset, purpose=self.purpose, fields=[self.name], medium="紙",
                                    holder=self.world.worker, place=self.place,
                                    destroy_by=self.today + dt.timedelta(days=5))
        self.assertFalse(CopyRequest.objects.exists())

    def test_bad_requests_are_refused_with_the_reason(self) -> None:
        cases = {
            "The destroy-by date must be after today": {"destroy_by": self.today},
            "within the contract period": {"destroy_by": self.contract.end + dt.timedelta(days=1)},
            "The holder must belong to the contractor": {"holder": self.world.supervisor},
            "must be the responsible person or a worker": {"holder": make_user("temp", self.world.contractor)},
            "Choose one or more of the dataset's fields": {"fields": []},
            "Enter the medium": {"medium": "  "},
            "only by a searchable field": {"where": (self.dataset.fields.get(name="備考"), "x")},
            "Enter the value to choose records by": {"where": (self.kana, " ")},
        }
        for expected, overrides in cases.items():
            with self.assertRaises(CopyError) as caught:
                self._request(**overrides)
            self.assertIn(expected, caught.exception.message_en, overrides)
        unacknowledged = places.add_location(
            self.world.responsible, self.contract, name="倉庫", address="東京都港区芝浦3-4-2", networks=[],
            storage="施錠庫", safeguards="施錠")
        with self.assertRaises(CopyError) as caught:
            self._request(place=unacknowledged)
        self.assertIn("保管場所は、委託者が確認した作業場所", caught.exception.message_ja)
        self.assertFalse(CopyRequest.objects.exists())

    def test_the_filter_value_is_held_encrypted(self) -> None:
        request = self._request(where=(self.kana, "サトウ タロウ"))
        self.assertEqual(copies.filter_value(request), "サトウ タロウ")
        self.assertNotIn("サトウ".encode(), bytes(request.filter_ciphertext))
        snapshot = str(submissions.latest(request, KIND).snapshot)
        self.assertNotIn("サトウ", snapshot)
        with connection.cursor() as cursor:
            cursor.execute("SELECT filter_ciphertext FROM vault_copyrequest")
            self.assertNotIn("サトウ".encode(), bytes(cursor.fetchone()[0]))


class ApprovalTests(CopyTestCase):
    def test_pending_or_rejected_requests_produce_nothing(self) -> None:
        request = self._request()
        with self.assertRaises(CopyError) as caught:
            self._produce(request)
        self.assertIn("承認", caught.exception.message_ja)
        with self.assertRaises(SubmissionError):
            copies.decide_request(self.world.supervisor, request, approve=False)  # a rejection needs a reason
        with self.assertRaises(CopyError):
            copies.decide_request(self.world.auditor, request, approve=True)  # auditors do not decide
        copies.decide_request(self.world.supervisor, request, approve=False, comment="全件の複写は不要です。")
        self.assertEqual(copies.status(request), Status.REJECTED)
        with self.assertRaises(CopyError):
            self._produce(request)
        self.assertFalse(Copy.objects.exists())
        self.assertFalse(Event.objects.filter(kind="data.copied").exists())
        self.assertTrue(Event.objects.filter(kind=f"{KIND}.rejected").exists())

    def test_produced_once_to_the_holder(self) -> None:
        request = self._approved()
        self.assertEqual(copies.status(request), Status.APPROVED)
        for person in (self.world.responsible, self.world.supervisor):
            with self.assertRaises(CopyError) as caught:
                self._produce(request, by=person)
            self.assertIn("保有者", caught.exception.message_ja)
        made = self._produce(request)
        self.assertEqual(made.filename, f"{request.code}.csv")
        self.assertTrue(made.data.startswith(codecs.BOM_UTF8))
        rows = list(csv.reader(io.StringIO(made.data.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[0][0], f"複写番号: {request.code}")
        self.assertEqual(rows[1], ["氏名", "住所"])
        self.assertEqual(len(rows) - 2, 31)
        self.assertEqual(made.records, 31)
        with self.assertRaises(CopyError) as caught:
            self._produce(request)
        self.assertIn("一度だけ", caught.exception.message_ja)
        copy = Copy.objects.get()
        self.assertEqual((copy.records, copy.sha256, copy.format), (31, made.sha256, "csv_utf8"))
        self.assertEqual(copies.status(request), Status.HELD)
        self.assertEqual(Event.objects.filter(kind="data.copied").count(), 1)

    def test_a_change_after_approval_voids_it(self) -> None:
        request = self._approved()
        self.assertIsNotNone(submissions.accepted(request, KIND))
        request = copies.change_request(self.world.responsible, request, medium="紙")
        self.assertIsNone(submissions.accepted(request, KIND))
        self.assertEqual(copies.status(request), Status.CHANGED)
        with self.assertRaises(CopyError) as caught:
            self._produce(request)
        self.assertIn("無効", caught.exception.message_ja)
        changed = Event.objects.get(kind="vault.copy_changed")
        self.assertEqual(changed.facts["changed"], ["medium"])
        copies.submit_request(self.world.responsible, request)
        with self.assertRaises(CopyError):  # no change while the authority decides
            copies.change_request(self.world.responsible, request, medium="USB暗号化メモリ")
        copies.decide_request(self.world.supervisor, request, approve=True)
        self.assertEqual(self._produce(request).records, 31)
        with self.assertRaises(CopyError):  # nor after production
            copies.change_request(self.world.responsible, request, medium="USB暗号化メモリ")

    def test_changing_the_filter_or_fields_voids_the_approval_too(self) -> None:
        request = self._approved(where=(self.kana, "サトウ タロウ"))
        request = copies.change_request(self.world.responsible, request, where=(self.kana, "サトウ タロウ"))
        self.assertIsNotNone(submissions.accepted(request, KIND))  # the same filter: nothing changed
        request = copies.change_request(self.world.responsible, request, where=(self.kana, "タカハシ"))
        self.assertIsNone(submissions.accepted(request, KIND))
        self.assertEqual(Event.objects.get(kind="vault.copy_changed").facts["changed"], ["filter_sha256"])


class ProductionTests(CopyTestCase):
    def test_the_gate_and_the_place_of_keeping(self) -> None:
        request = self._approved()
        with self.assertRaises(AccessRefused) as caught:
            self._produce(request, address=OUTSIDE)
        self.assertEqual([r.code for r in caught.exception.reasons], ["outside_location"])
        self.assertTrue(Event.objects.filter(kind="eligibility.refused").exists())
        annex = places.add_location(
            self.world.responsible, self.contract, name="別館作業室", address="東京都港区芝浦3-4-2",
            networks=["203.0.113.0/24"], storage="暗号化サーバ", safeguards="入退室管理")
        places.report_location(self.world.responsible, annex)
        places.decide_location(self.world.supervisor, annex, acknowledge=True)
        with self.assertRaises(CopyError) as caught:
            self._produce(request, address="203.0.113.9")
        self.assertIn("本社作業室", caught.exception.message_ja)
        self.assertFalse(Copy.objects.exists())
        self.assertEqual(self._produce(request).records, 31)

    def test_only_the_records_equal_to_the_filter(self) -> None:
        request = self._approved(where=(self.kana, "ｻﾄｳﾀﾛｳ"), fields=[self.name, self.kana])
        made = self._produce(request, Format.CSV_CP932)
        rows = list(csv.reader(io.StringIO(made.data.decode("cp932"), newline="")))
        self.assertEqual(rows[1:], [["氏名", "氏名カナ"], ["佐藤　太郎", "ｻﾄｳ ﾀﾛｳ"]])
        self.assertEqual(Event.objects.get(kind="data.copied").facts["filter_field"], "氏名カナ")

    def test_cp932_refuses_a_character_it_lacks_and_nothing_is_produced(self) -> None:
        self._import(ROW.format(n=500).replace("髙橋 﨑子", "𠮷野 花子"))
        request = self._approved(fields=[self.dataset.fields.get(name="宛名番号"), self.name])
        with self.assertRaises(ExportError) as caught:
            self._produce(request, Format.CSV_CP932)
        self.assertIn("「氏名」", caught.exception.message_ja)
        self.assertIn("“氏名”", caught.exception.message_en)
        self.assertNotIn("𠮷", str(caught.exception))
        self.assertNotIn("花子", str(caught.exception))
        self.assertFalse(Copy.objects.exists())
        self.assertFalse(Event.objects.filter(kind="data.copied").exists())
        made = self._produce(request, Format.CSV_UTF8)
        self.assertIn("𠮷野 花子", made.data.decode("utf-8-sig"))

    def test_formula_injection_is_neutralised_in_csv_and_xlsx(self) -> None:
        attack = (ROW.format(n=700).replace("品川区広町2-1-36 ①号", "@SUM(1+1)").replace(",女,", ",+1,")
                  .replace("123456789018,", "123456789018,\"=cmd|' /C calc'!A0\""))
        self._import(attack)
        fields = [self.dataset.fields.get(name=n) for n in ("宛名番号", "性別", "住所", "備考")]
        csv_copy = self._produce(self._approved(fields=fields, where=(fields[0], "100700")))
        rows = list(csv.reader(io.StringIO(csv_copy.data.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows[2], ["100700", "'+1", "'@SUM(1+1)", "'=cmd|' /C calc'!A0"])
        xlsx_copy = self._produce(self._approved(fields=fields, where=(fields[0], "100700")), Format.XLSX)
        book = openpyxl.load_workbook(io.BytesIO(xlsx_copy.data))
        self.assertEqual(book.properties.identifier, f"複写番号: C-{self.contract.pk}-2")
        first, _header, cells = list(book.active.iter_rows())
        self.assertEqual(first[0].value, f"複写番号: C-{self.contract.pk}-2")
        self.assertEqual([c.value for c in cells], ["100700", "+1", "@SUM(1+1)", "=cmd|' /C calc'!A0"])
        self.assertEqual([c.data_type for c in cells], ["s"] * 4)
        self.assertEqual([c.quotePrefix for c in cells], [False, True, True, True])

    def test_the_ledger_holds_no_values(self) -> None:
        self._import(ROW.format(n=800).replace("髙橋 﨑子", "𠮷野 花子"))
        request = self._approved(where=(self.kana, "サトウ タロウ"))
        self._produce(request, Format.XLSX)
        copies.confirm_destruction(self.world.worker, Copy.objects.get(), method=Copy.Method.ERASURE,
                                   destroyed_at=timezone.now(), place=self.place, person=self.world.worker)
        copied = Event.objects.get(kind="data.copied")
        self.assertEqual(copied.facts["person"], self.world.worker.pk)
        self.assertEqual(copied.facts["fields"], ["氏名", "住所"])
        self.assertEqual(copied.facts["records"], 1)
        for event in Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="vault.copy"):
            for secret in SECRETS:
                self.assertNotIn(secret, event.facts_json, event.kind)
        for secret in SECRETS:
            self.assertNotIn(secret, copied.facts_json)


class DestructionAndRegisterTests(CopyTestCase):
    def test_destruction_is_confirmed_once_with_its_particulars(self) -> None:
        request = self._approved()
        self._produce(request)
        copy = Copy.objects.get()
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.worker, copy, method="thrown away", destroyed_at=timezone.now(),
                                       place=self.place, person=self.world.worker)
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.SHREDDING,
                                       destroyed_at=timezone.now() + dt.timedelta(hours=1), place=self.place,
                                       person=self.world.worker)
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.supervisor, copy, method=Copy.Method.SHREDDING,
                                       destroyed_at=timezone.now(), place=self.place, person=self.world.worker)
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.SHREDDING,
                                       destroyed_at=timezone.now(), place=self.place, person=self.world.supervisor)
        at = timezone.now()
        copies.confirm_destruction(self.world.responsible, copy, method=Copy.Method.SHREDDING, destroyed_at=at,
                                   place=self.place, person=self.world.worker)
        copy.refresh_from_db()
        self.assertEqual((copy.destroyed_at, copy.destroyed_by, copy.destruction_recorded_by),
                         (at, self.world.worker, self.world.responsible))
        event = Event.objects.get(kind="vault.copy_destroyed")
        self.assertEqual(event.facts["method"], "shredding")
        self.assertEqual(event.facts["place"], self.place.pk)
        self.assertFalse(event.facts["late"])
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.SHREDDING,
                                       destroyed_at=timezone.now(), place=self.place, person=self.world.worker)
        self.assertEqual(copies.status(request), Status.DESTROYED)

    def test_a_destruction_typed_in_the_minute_of_production_is_accepted(self) -> None:
        """A form gives minutes only: 10:15 for a copy produced at 10:15:40 is not before it; 10:14 is."""
        self._produce(self._approved())
        copy = Copy.objects.get()
        minute = copy.produced_at.replace(second=0, microsecond=0)
        with self.assertRaises(CopyError):
            copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.SHREDDING,
                                       destroyed_at=minute - dt.timedelta(minutes=1), place=self.place,
                                       person=self.world.worker)
        copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.SHREDDING, destroyed_at=minute,
                                   place=self.place, person=self.world.worker)
        self.assertEqual(copies.status(Copy.objects.get().request), Status.DESTROYED)

    def test_the_register_says_who_holds_what_where_until_when(self) -> None:
        held = self._approved()
        self._produce(held)
        self._request(medium="紙", destroy_by=self.today + dt.timedelta(days=3))
        first, second = copies.register(self.contract)
        self.assertEqual((first.number, first.status, first.holder, first.place, first.records, first.format),
                         (held.code, Status.HELD, str(self.world.worker), str(self.place), 31, Format.CSV_UTF8))
        self.assertEqual(first.fields, ["氏名", "住所"])
        self.assertEqual(first.destroy_by, self.today + dt.timedelta(days=30))
        self.assertEqual(first.state, State.OK)
        self.assertIsNotNone(first.produced_at)
        self.assertEqual((second.status, second.medium, second.records, second.state), (Status.SUBMITTED, "紙", None,
                                                                                       None))


class CopyControlTests(CopyTestCase):
    CODE = "vault.copies_destroyed"

    def _control(self, on: dt.date | None = None):
        with mock.patch("itaku.vault.copies.timezone.localdate", return_value=on or self.today):
            return next(r for r in evaluate_controls(self.contract) if r.control.code == self.CODE)

    def test_no_copies_or_copies_within_their_date_are_ok(self) -> None:
        self.assertEqual(self._control().state, State.OK)
        self._produce(self._approved())
        result = self._control()
        self.assertEqual(result.state, State.OK)
        self.assertIn("廃棄期限内", result.findings[0].message_ja)
        self.assertIn(10, result.articles)  # article 10 of the Shinagawa text

    def test_due_within_seven_days_is_due_soon(self) -> None:
        request = self._approved()
        self._produce(request)
        self.assertEqual(self._control(request.destroy_by - dt.timedelta(days=7)).state, State.DUE_SOON)
        self.assertEqual(self._control(request.destroy_by - dt.timedelta(days=8)).state, State.OK)

    def test_past_its_date_and_not_destroyed_is_a_violation(self) -> None:
        request = self._approved()
        self._produce(request)
        result = self._control(request.destroy_by + dt.timedelta(days=1))
        self.assertEqual(result.state, State.VIOLATION)
        self.assertIn(request.code, result.findings[0].message_ja)
        self.assertTrue(any(e.label == "data.copied" for e in result.findings[0].evidence))

    def test_destroyed_in_time_stays_ok_and_destroyed_late_is_a_violation(self) -> None:
        in_time, late = self._approved(), self._approved()
        self._produce(in_time)
        self._produce(late)
        later = timezone.now() + dt.timedelta(days=60)
        for request in (in_time, late):
            copy = Copy.objects.get(request=request)
            when = timezone.now() if request == in_time else later
            with mock.patch("itaku.vault.copies.timezone.now", return_value=later):
                copies.confirm_destruction(self.world.worker, copy, method=Copy.Method.ERASURE, destroyed_at=when,
                                           place=self.place, person=self.world.worker)
        result = self._control(self.today + dt.timedelta(days=90))
        self.assertEqual(result.state, State.VIOLATION)
        self.assertEqual(len(result.findings), 1)
        self.assertIn(late.code, result.findings[0].message_ja)
        self.assertTrue(Event.objects.filter(kind="vault.copy_destroyed", facts__late=True).exists())

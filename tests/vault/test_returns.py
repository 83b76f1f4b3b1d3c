"""The return (article 12): a package of every dataset as CSV and XLSX with a manifest and the ledger head,
its hash in the ledger, downloaded by the authority's own user, receipt confirmed; the two return controls."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import time
import zipfile
from unittest import mock

import openpyxl
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Chain, Event
from itaku.provisions.controls import State
from itaku.submissions import services as submissions
from itaku.submissions.services import SubmissionError
from itaku.vault import returns
from itaku.vault.models import Dataset, ReturnPackage
from itaku.vault.returns import KIND, ReturnError
from itaku.vault.services import FieldSpec, create_dataset, import_file
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import HEADER, ROW

SECRETS = ("髙橋", "﨑子", "ﾀｶﾊｼ", "123456789018", "品川区広町", "03-3777-1111", "佐藤", "ｻﾄｳ")


class ReturnTestCase(VaultTestCase):
    def _built(self) -> ReturnPackage:
        returns.request_return(self.world.supervisor, self.contract)
        return returns.build_return(self.world.responsible, self.contract)

    def _archive(self, data: bytes) -> tuple[zipfile.ZipFile, dict]:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return archive, json.loads(archive.read(returns.MANIFEST))


class PackageTests(ReturnTestCase):
    def test_built_only_after_the_end_or_on_request(self) -> None:
        with self.assertRaises(ReturnError):
            returns.build_return(self.world.responsible, self.contract)
        for person in (self.world.responsible, self.world.auditor):
            with self.assertRaises(ReturnError):
                returns.request_return(person, self.contract)
        returns.request_return(self.world.supervisor, self.contract)
        with self.assertRaises(ReturnError):  # asked already, not yet answered
            returns.request_return(self.world.supervisor, self.contract)
        for person in (self.world.worker, self.world.supervisor):
            with self.assertRaises(ReturnError):
                returns.build_return(person, self.contract)
        package = returns.build_return(self.world.responsible, self.contract)
        self.assertEqual(package.code, f"R-{self.contract.pk}-1")
        self.assertEqual(package.request, returns.ReturnRequest.objects.get())
        self.assertTrue(submissions.latest(package, KIND).is_open)

    def test_after_the_end_without_a_request(self) -> None:
        contracts.end_contract(self.world.supervisor, self.contract)
        package = returns.build_return(self.world.responsible, self.world.refresh())
        self.assertIsNone(package.request)
        self.assertEqual(package.records, 31)

    def test_the_package_holds_every_dataset_with_a_manifest_and_the_ledger_head(self) -> None:
        returns.request_return(self.world.supervisor, self.contract)
        head = Chain.objects.get(key=self.contract.ledger_chain)
        package = returns.build_return(self.world.responsible, self.contract)
        made = returns.download_return(self.world.auditor, package)
        self.assertEqual((made.filename, made.content_type, made.records), (f"{package.code}.zip", "application/zip",
                                                                            31))
        self.assertEqual(made.sha256, package.sha256)
        archive, manifest = self._archive(made.data)
        self.assertEqual(manifest["package"], package.code)
        self.assertEqual(manifest["ledger"], {"chain": self.contract.ledger_chain, "head_seq": head.head_seq,
                                              "head_hash": head.head_hash})
        (described,) = manifest["datasets"]
        self.assertEqual((described["id"], described["name"], described["records"], described["specific"]),
                         (self.dataset.pk, "住民基本台帳抜粋", 31, True))
        self.assertEqual([f["name"] for f in described["fields"]][:3], ["宛名番号", "氏名", "氏名カナ"])
        files = [f["name"] for f in described["files"]]
        self.assertEqual(files, [f"dataset-{self.dataset.pk}.csv", f"dataset-{self.dataset.pk}.xlsx"])
        self.assertEqual(sorted(archive.namelist()), sorted([returns.MANIFEST, *files]))
        for file in described["files"]:
            content = archive.read(file["name"])
            self.assertEqual(hashlib.sha256(content).hexdigest(), file["sha256"], file["name"])
            self.assertEqual(len(content), file["size"])
        rows = list(csv.reader(io.StringIO(archive.read(f"dataset-{self.dataset.pk}.csv").decode("utf-8-sig"),
                                           newline="")))
        self.assertEqual(rows[0][:3], ["宛名番号", "氏名", "氏名カナ"])
        self.assertEqual(len(rows), 32)
        self.assertIn(["1000", "髙橋 﨑子", "ﾀｶﾊｼ ｻｷｺ"], [r[:3] for r in rows])
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read(f"dataset-{self.dataset.pk}.xlsx"))).active
        self.assertEqual(sheet.max_row, 32)
        self.assertEqual(sheet["I2"].value, "123456789018")
        event = Event.objects.get(kind="data.returned_package")
        self.assertEqual((event.facts["sha256"], event.facts["records"], event.facts["person"]),
                         (package.sha256, 31, self.world.responsible.pk))
        self.assertGreater(event.seq, head.head_seq)

    def test_a_disposed_dataset_is_listed_not_returned(self) -> None:
        other = create_dataset(self.world.supervisor, self.contract, name="申告書受付簿",
                               source=Dataset.Source.ENTRUSTED, fields=[FieldSpec("受付番号", "number")],
                               purposes=["受付"], expected_rows=100)
        Dataset.objects.filter(pk=self.dataset.pk).update(status=Dataset.Status.DISPOSED)
        package = self._built()
        self.assertEqual(package.datasets, [{"dataset": other.pk, "records": 0}])
        archive, manifest = self._archive(returns.download_return(self.world.supervisor, package).data)
        self.assertEqual([d["id"] for d in manifest["datasets"]], [other.pk])
        self.assertEqual(manifest["disposed_datasets"], [{"id": self.dataset.pk, "name": "住民基本台帳抜粋"}])
        self.assertEqual(archive.read(f"dataset-{other.pk}.csv").decode("utf-8-sig"), "受付番号\r\n")
        Dataset.objects.filter(pk=other.pk).update(status=Dataset.Status.DISPOSED)
        returns.request_return(self.world.supervisor, self.contract)
        with self.assertRaises(ReturnError) as caught:
            returns.build_return(self.world.responsible, self.contract)
        self.assertIn("no dataset to return", caught.exception.message_en)
        with self.assertRaises(ReturnError):  # the package can no longer be rebuilt
            returns.download_return(self.world.supervisor, package)

    def test_the_ledger_holds_no_values(self) -> None:
        package = self._built()
        returns.download_return(self.world.supervisor, package)
        returns.confirm_receipt(self.world.supervisor, package)
        events = Event.objects.filter(chain=self.contract.ledger_chain)
        for event in events.filter(kind__in=["data.returned_package", "vault.return_downloaded",
                                             "vault.return_requested", f"{KIND}.submitted", f"{KIND}.acknowledged"]):
            for secret in SECRETS:
                self.assertNotIn(secret, event.facts_json, event.kind)
        self.assertNotIn("髙橋", json.dumps(submissions.latest(package, KIND).snapshot, ensure_ascii=False))


class DownloadAndReceiptTests(ReturnTestCase):
    def test_only_the_authority_downloads_and_each_download_is_recorded(self) -> None:
        package = self._built()
        for person in (self.world.responsible, self.world.worker, self.world.outsider, self.world.colleague):
            with self.assertRaises(ReturnError):
                returns.download_return(person, package)
        self.assertIsNone(returns.downloaded(package))
        returns.download_return(self.world.supervisor, package)
        returns.download_return(self.world.auditor, package)
        events = Event.objects.filter(kind="vault.return_downloaded")
        self.assertEqual([e.actor_id for e in events.order_by("seq")],
                         [self.world.supervisor.pk, self.world.auditor.pk])
        self.assertEqual(events.first().facts["sha256"], package.sha256)
        self.assertFalse(events.filter(facts__has_key="person").exists())  # the authority is not a handler

    def test_rebuilt_later_to_the_same_bytes_refused_once_the_data_changed(self) -> None:
        package = self._built()
        with mock.patch("time.time", return_value=time.time() + 86400 * 3):
            self.assertEqual(returns.download_return(self.world.supervisor, package).sha256, package.sha256)
        report = import_file(self.world.responsible, self.dataset, io.BytesIO((HEADER + ROW.format(n=900))
                                                                              .encode("cp932")))
        self.assertTrue(report.ok)
        with self.assertRaises(ReturnError) as caught:
            returns.download_return(self.world.supervisor, package)
        self.assertIn("新しいパッケージ", caught.exception.message_ja)
        self.assertEqual(Event.objects.filter(kind="vault.return_downloaded").count(), 1)
        returns.request_return(self.world.supervisor, self.contract)
        fresh = returns.build_return(self.world.responsible, self.contract)
        self.assertEqual(fresh.number, 2)
        self.assertEqual(fresh.records, 32)

    def test_receipt_is_confirmed_by_the_supervisor_after_a_download(self) -> None:
        package = self._built()
        with self.assertRaises(ReturnError):
            returns.confirm_receipt(self.world.supervisor, package)
        returns.download_return(self.world.auditor, package)
        with self.assertRaises(ReturnError):
            returns.confirm_receipt(self.world.auditor, package)
        returns.confirm_receipt(self.world.supervisor, package)
        self.assertIsNotNone(submissions.accepted(package, KIND))
        self.assertEqual(returns.received(self.contract), package)
        with self.assertRaises(ReturnError):
            returns.confirm_receipt(self.world.supervisor, package)

    def test_sent_back_with_a_reason(self) -> None:
        package = self._built()
        with self.assertRaises(SubmissionError):
            returns.send_back(self.world.supervisor, package, " ")
        returns.send_back(self.world.supervisor, package, "XLSXが開けません。")
        self.assertIsNone(returns.received(self.contract))
        self.assertTrue(Event.objects.filter(kind=f"{KIND}.returned").exists())


class ReturnControlTests(ReturnTestCase):
    def _state(self, code: str, days: int = 0) -> State:
        self.contract.refresh_from_db()
        on = timezone.localdate() + dt.timedelta(days=days)
        with mock.patch("itaku.vault.returns.timezone.localdate", return_value=on):
            return next(r for r in evaluate_controls(self.contract) if r.control.code == code).state

    def test_after_the_end_due_then_violation_then_ok_once_received(self) -> None:
        code = "vault.return_after_end"
        self.assertEqual(self._state(code), State.OK)
        contracts.end_contract(self.world.supervisor, self.contract)
        self.assertEqual(self._state(code), State.DUE_SOON)
        self.assertEqual(self._state(code, days=30), State.DUE_SOON)
        self.assertEqual(self._state(code, days=31), State.VIOLATION)
        package = returns.build_return(self.world.responsible, self.world.refresh())
        self.assertEqual(self._state(code, days=31), State.VIOLATION)  # built but not yet received
        returns.download_return(self.world.supervisor, package)
        returns.confirm_receipt(self.world.supervisor, package)
        self.assertEqual(self._state(code, days=31), State.OK)

    def test_the_end_of_the_period_counts_when_the_contract_was_not_closed(self) -> None:
        code = "vault.return_after_end"
        self.assertEqual(self._state(code, days=300 + 30), State.DUE_SOON)
        self.assertEqual(self._state(code, days=300 + 31), State.VIOLATION)

    def test_on_request_due_then_overdue_then_ok_once_built(self) -> None:
        code = "vault.return_on_request"
        self.assertEqual(self._state(code), State.OK)
        returns.request_return(self.world.supervisor, self.contract)
        self.assertEqual(self._state(code, days=14), State.DUE_SOON)
        self.assertEqual(self._state(code, days=15), State.OVERDUE)
        returns.build_return(self.world.responsible, self.contract)
        self.assertEqual(self._state(code, days=15), State.OK)

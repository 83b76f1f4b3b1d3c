"""A large import is checked and sealed by worker processes (`vault.sealing`): the same records, the same
problems named at the same rows, all or nothing, and a worker that dies stops the import."""

from __future__ import annotations

import csv
import io
import sys
from unittest import mock

from django.test import override_settings

from itaku.ledger.models import Event
from itaku.portal import juki
from itaku.vault import sealing, services
from itaku.vault.models import Dataset, ImportRun, Record
from itaku.vault.services import FieldSpec, create_dataset, import_file, matching, read_record
from tests.base import ContractTestCase

PIECE_BYTES = 2048  # about 16 rows a piece: the file's 300 rows go to the workers in ~20 pieces


def juki_csv(count: int, encoding: str = "cp932", change: dict[int, dict[str, str]] | None = None) -> bytes:
    """The demo's register export of `count` rows; `change` sets cells of some data rows (from 1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(juki.HEADER)
    for number, row in enumerate(juki.rows(count), start=1):
        for name, value in (change or {}).get(number, {}).items():
            row[juki.HEADER.index(name)] = value
        writer.writerow(row)
    return out.getvalue().encode(encoding)


@override_settings(VAULT_IMPORT_WORKERS=2)
class WorkerImportTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        for target, name, value in ((services, "WORKERS_FROM_BYTES", 0), (sealing, "CHUNK_BYTES", PIECE_BYTES)):
            patcher = mock.patch.object(target, name, value)
            patcher.start()
            self.addCleanup(patcher.stop)
        self.fields = [FieldSpec(**spec) for spec in juki.FIELDS]

    def _dataset(self, name: str = "住民基本台帳抜粋") -> Dataset:
        return create_dataset(self.world.supervisor, self.contract, name=name, source=Dataset.Source.ENTRUSTED,
                              fields=self.fields, purposes=["住民税課税資料の入力"], expected_rows=300)

    def _import(self, data: bytes, dataset: Dataset | None = None, **options: object) -> services.ImportReport:
        return import_file(self.world.responsible, dataset or self._dataset(), io.BytesIO(data), **options)

    def test_workers_write_the_records_this_process_would(self) -> None:
        data = juki_csv(300)
        with mock.patch.object(sealing, "_Worker", wraps=sealing._Worker) as started:
            report = self._import(data, dataset := self._dataset())
        self.assertEqual(started.call_count, 2)  # the workers did the work
        self.assertTrue(report.ok, [str(e) for e in report.errors])
        self.assertEqual((report.rows, report.imported), (300, 300))
        with override_settings(VAULT_IMPORT_WORKERS=0):
            alone = self._import(data, other := self._dataset("同じファイル"))
        self.assertEqual(alone.imported, 300)
        expected = [dict(zip(juki.HEADER, row, strict=True)) for row in juki.rows(300)]
        for each in (dataset, other):
            records = Record.objects.filter(dataset=each).order_by("pk")
            self.assertEqual([read_record(each, record) for record in records], expected)
        name = dataset.fields.get(name="氏名")
        wanted = expected[123]["氏名"]
        found = [values[1] for _, values in matching(dataset, name, wanted)[1]]  # the blind index the workers wrote
        self.assertEqual(found, [wanted] * sum(row["氏名"] == wanted for row in expected))
        self.assertEqual(Event.objects.filter(kind="vault.imported", facts__dataset=dataset.pk).count(), 1)

    def test_problems_in_later_pieces_are_named_by_their_rows(self) -> None:
        data = juki_csv(300, change={250: {"個人番号": "123456789012"}, 280: {"郵便番号": "郵便"}})
        report = self._import(data, dataset := self._dataset())
        self.assertFalse(report.ok)
        self.assertEqual([(error.row, error.column) for error in report.errors], [(251, "個人番号"), (281, "郵便番号")])
        self.assertEqual((report.rows, report.imported), (300, 0))
        self.assertFalse(Record.objects.filter(dataset=dataset).exists())
        self.assertEqual(ImportRun.objects.filter(dataset=dataset).count(), 0)
        self.assertTrue(Event.objects.filter(kind="vault.import_refused", facts__dataset=dataset.pk).exists())

    def test_quoted_line_breaks_keep_their_rows_across_pieces(self) -> None:
        notes = {n: {"備考": "転入\r\n（旧住所: 大田区）"} for n in range(1, 301, 7)}
        data = juki_csv(300, change={**notes, 290: {**notes.get(290, {}), "生年月日": "昭和99年1月1日"}})
        report = self._import(data)
        self.assertEqual([(error.row, error.column) for error in report.errors], [(291, "生年月日")])
        self.assertEqual(report.rows, 300)
        report = self._import(juki_csv(300, change=notes), dataset := self._dataset("備考つき"))
        self.assertTrue(report.ok, [str(e) for e in report.errors])
        first = Record.objects.filter(dataset=dataset).order_by("pk").first()
        self.assertEqual(read_record(dataset, first)["備考"], "転入\r\n（旧住所: 大田区）")

    def test_mixed_encodings_in_a_later_piece_name_their_row(self) -> None:
        data = juki_csv(200, "utf-8") + juki_csv(1, "cp932").split(b"\r\n", 1)[1]
        report = self._import(data, dataset := self._dataset())
        self.assertEqual([error.message_en for error in report.errors],
                         ["Row 202: bytes that are not UTF-8 (mixed encodings)."])
        self.assertFalse(Record.objects.filter(dataset=dataset).exists())

    def test_a_dry_run_checks_with_the_workers_and_writes_nothing(self) -> None:
        report = self._import(juki_csv(300, change={300: {"電話番号": "電話"}}), dataset := self._dataset(),
                              dry_run=True)
        self.assertEqual([(error.row, error.column) for error in report.errors], [(301, "電話番号")])
        self.assertFalse(Record.objects.filter(dataset=dataset).exists())

    def test_a_worker_that_dies_stops_the_import_and_leaves_nothing(self) -> None:
        with mock.patch.object(sealing, "COMMAND", (sys.executable, "-c", "import sys; sys.stdin.buffer.read(100)")), \
                self.assertRaises(sealing.SealingFailed):
            self._import(juki_csv(300), dataset := self._dataset())
        self.assertFalse(Record.objects.filter(dataset=dataset).exists())
        self.assertFalse(ImportRun.objects.filter(dataset=dataset).exists())
        self.assertFalse(Event.objects.filter(kind="vault.imported").exists())

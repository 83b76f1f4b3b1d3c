"""Datasets and imports: keys made and wrapped, files validated whole before a single row is written.

An import reads the file twice as a stream: the first pass checks every row against the declared fields
(article 6: an undeclared column refuses the file); only a clean file is read again and written, in one
transaction with its ledger event, so a refused or interrupted import leaves no record behind.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.ledger.services import record
from itaku.lib.csvfile import ENCODING_LABELS, MAX_ERRORS, SNIFF_BYTES, RowError, sniff, stream_records
from itaku.lib.errors import UserError
from itaku.vault import crypto, values
from itaku.vault.models import Dataset, Field, ImportRun, Purpose, Record

BATCH = 5000


@cache
def master_keys() -> crypto.LocalMasterKeys:
    """The installation's master keys (settings.VAULT_MASTER_KEY: one secret, or a versioned list)."""
    return crypto.LocalMasterKeys.parse(settings.VAULT_MASTER_KEY, source="ITAKU_VAULT_MASTER_KEY")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    required: bool = True
    searchable: bool = False
    special_care: bool = False
    max_length: int = 200


def _articles(contract: Contract, *topics: str) -> list[int]:
    return sorted({n for topic in topics for n in contract.articles_for(topic)})


def create_dataset(
    by: Any, contract: Contract, *, name: str, source: str, fields: Sequence[FieldSpec], purposes: Sequence[str],
    expected_rows: int = 100_000,
) -> Dataset:
    """Declare a dataset (個人情報ファイル) with its purposes and fields, and give it fresh keys."""
    if by.organisation_id not in (contract.authority_id, contract.contractor_id):
        raise UserError("契約の当事者だけが個人情報ファイルを定義できます。",
                        "Only a party to the contract can declare a dataset.")
    if not fields or not purposes:
        raise UserError("項目と利用目的を一つ以上定めてください。", "Declare at least one field and one purpose.")
    names = [unicodedata.normalize("NFKC", f.name).strip() for f in fields]
    if len(set(names)) != len(names) or not all(names):
        raise UserError("項目名が空か重複しています。", "A field name is empty or repeated.")
    searchable = sum(1 for f in fields if f.searchable)
    with transaction.atomic():
        keys = crypto.new_dataset_keys(master_keys())
        dataset = Dataset.objects.create(
            contract=contract, name=name.strip(), source=source, expected_rows=expected_rows,
            index_bits=crypto.index_bits(expected_rows, indexes=max(searchable, 1)),
            wrapped_data_key=keys.data_key, wrapped_index_key=keys.index_key, created_by=by,
        )
        Field.objects.bulk_create([
            Field(dataset=dataset, position=i, name=n, kind=f.kind, required=f.required, searchable=f.searchable,
                  special_care=f.special_care, max_length=f.max_length)
            for i, (n, f) in enumerate(zip(names, fields, strict=True), start=1)
        ])
        Purpose.objects.bulk_create([Purpose(dataset=dataset, title=p.strip()) for p in purposes])
        record("vault.dataset_created", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract, "collection", "custody"),
               facts={"dataset": dataset.pk, "fields": names, "purposes": len(purposes), "source": source,
                      "specific": any(f.kind == Field.Kind.MY_NUMBER for f in fields),
                      "index_bits": dataset.index_bits})
        return dataset


@dataclass
class ImportReport:
    """What an import found: the encoding, the rows, the first MAX_ERRORS problems and how many in all."""

    encoding: str = ""
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding or "-")

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


def _columns(header: list[str], fields: list[Field], report: ImportReport) -> list[Field] | None:
    by_name = {unicodedata.normalize("NFKC", f.name).strip(): f for f in fields}
    columns: list[Field] = []
    for title in header:
        found = by_name.get(unicodedata.normalize("NFKC", title).strip())
        if found is None:
            report.add(RowError(1, title, "宣言されていない項目です（第6: 必要最小限の収集）。",
                                "not a declared field (article 6: only what is needed)."))
        elif found in columns:
            report.add(RowError(1, title, "同じ項目の列が重複しています。", "the column is repeated."))
        columns.append(found)
    for missing in [f for f in fields if f.required and f not in columns]:
        report.add(RowError(1, missing.name, "必須の項目の列がありません。", "a required field's column is missing."))
    return columns if report.ok else None


def _rows(stream: BinaryIO, report: ImportReport) -> Iterator[tuple[int, list[str]]]:
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not head.strip():
        raise UserError("ファイルが空です。", "The file is empty.")
    report.encoding = report.encoding or sniff(head)
    return stream_records(stream, report.encoding)


def _check(dataset: Dataset, stream: BinaryIO) -> tuple[ImportReport, list[Field] | None]:
    """The first pass: every row against the declaration; nothing is written."""
    report = ImportReport()
    fields = list(dataset.fields.order_by("position"))
    rows = _rows(stream, report)
    try:
        first = next(rows, None)
        if first is None:
            raise UserError("ファイルが空です。", "The file is empty.")
        columns = _columns(first[1], fields, report)
        if columns is None:
            return report, None
        width = len(columns)
        for row, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            report.rows += 1
            if len(cells) != width:
                report.add(RowError(row, None, f"列の数が見出しと違います（{len(cells)}列、見出しは{width}列）。",
                                    f"{len(cells)} columns where the header has {width}."))
                continue
            for column, cell in zip(columns, cells, strict=True):
                reason = values.problem(column.kind, cell, required=column.required, max_length=column.max_length)
                if reason:
                    report.add(RowError(row, column.name, *reason))
    except UserError as error:
        report.add(RowError(None, None, error.message_ja, error.message_en))
        return report, None
    if report.rows == 0 and report.ok:
        report.add(RowError(None, None, "データ行がありません。", "The file has no data rows."))
    return report, columns


def _reserve_ids(count: int) -> list[int]:
    """Record ids before the rows exist: the associated data of each ciphertext names its own row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('vault_record', 'id')) "
                           "FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM vault_record")  # SQLite: we hold the write lock
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _write(dataset: Dataset, run: ImportRun, columns: list[Field], stream: BinaryIO, report: ImportReport) -> None:
    cipher, index = open_keys(dataset)
    fields = list(dataset.fields.order_by("position"))
    position = {f.pk: i for i, f in enumerate(fields)}
    searchable = [f for f in fields if f.searchable]
    now = timezone.now()
    batch: list[list[str]] = []

    def flush() -> None:
        ids = _reserve_ids(len(batch))
        records, entries = [], []
        for record_id, record_values in zip(ids, batch, strict=True):
            blob = cipher.seal_record(record_values, dataset=dataset.pk, record=record_id,
                                      version=dataset.schema_version)
            records.append((record_id, dataset.pk, blob, dataset.schema_version, "", run.pk, now))
            for f in searchable:
                value = index.of(record_values[position[f.pk]], field=f.pk)
                if value is not None:
                    entries.append((dataset.pk, f.pk, value, record_id))
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO vault_record (id, dataset_id, ciphertext, schema_version, channel, import_run_id, created)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)", records)
            if entries:
                cursor.executemany("INSERT INTO vault_indexentry (dataset_id, field_id, value, record_id)"
                                   " VALUES (%s, %s, %s, %s)", entries)
        report.imported += len(batch)
        batch.clear()

    rows = _rows(stream, report)
    next(rows)  # the header, checked in the first pass
    for _row, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        record_values = [""] * len(fields)
        for column, cell in zip(columns, cells, strict=True):
            record_values[position[column.pk]] = cell
        batch.append(record_values)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # explicit ids bypass the sequence's own bookkeeping
            cursor.execute("SELECT setval(pg_get_serial_sequence('vault_record', 'id'), "
                           "GREATEST((SELECT MAX(id) FROM vault_record), 1))")


def import_file(by: Any, dataset: Dataset, stream: BinaryIO, *, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then (unless `dry_run` or anything is wrong) write it all or nothing."""
    if dataset.is_disposed:
        raise UserError("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")
    report, columns = _check(dataset, stream)
    contract = dataset.contract
    if not report.ok or dry_run:
        if not dry_run:
            with transaction.atomic():
                record("vault.import_refused", chain=contract.ledger_chain, actor=by,
                       articles=_articles(contract, "collection"),
                       facts={"dataset": dataset.pk, "rows": report.rows, "errors": report.error_count,
                              "encoding": report.encoding})
        return report
    with transaction.atomic():
        run = ImportRun.objects.create(dataset=dataset, started_by=by, encoding=report.encoding, rows=report.rows)
        _write(dataset, run, columns, stream, report)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.DONE, finished=timezone.now())
        record("vault.imported", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract, "collection", "custody"),
               facts={"dataset": dataset.pk, "import": run.pk, "records": report.imported,
                      "encoding": report.encoding, "fields": [c.name for c in columns]})
    return report


def open_keys(dataset: Dataset) -> tuple[crypto.FieldCipher, crypto.BlindIndex]:
    """The dataset's cipher and blind index; refused once the dataset is disposed of (keys destroyed)."""
    if dataset.wrapped_data_key is None or dataset.wrapped_index_key is None:
        raise UserError("廃棄済みの個人情報ファイルです（鍵は消去されています）。",
                        "The dataset has been disposed of; its keys are destroyed.")
    return crypto.open_dataset(crypto.WrappedKeys(dataset.wrapped_data_key, dataset.wrapped_index_key),
                               master_keys(), index_bits=dataset.index_bits)


def read_record(dataset: Dataset, record_obj: Record) -> dict[str, str]:
    """Decrypt one record into {field name: value}; raises crypto.DecryptionError on any tampering."""
    cipher, _ = open_keys(dataset)
    return named(dataset, cipher.open_record(record_obj.ciphertext, dataset=dataset.pk, record=record_obj.pk,
                                              version=record_obj.sealed_version))


def named(dataset: Dataset, values: list[str]) -> dict[str, str]:
    names = list(dataset.fields.order_by("position").values_list("name", flat=True))
    return dict(zip(names, values, strict=True))

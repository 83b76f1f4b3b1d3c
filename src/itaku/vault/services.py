"""Datasets and imports: keys made and wrapped, files validated whole before a single row is written.

An import reads the file twice as a stream: the first pass checks every row against the declared fields
(article 6: an undeclared column refuses the file); only a clean file is read again and written, in one
transaction with its ledger event, so a refused or interrupted import leaves no record behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import queue
import sqlite3
import struct
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, BinaryIO, NoReturn

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


def _reserve_ids(count: int) -> Iterator[int]:
    """Ids for `count` records before the rows exist: the associated data of each ciphertext names its row.

    All of an import's ids are taken before its first row is written, so that the writer needs no query of
    its own; as ranges, so that a million ids take no memory.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # From the sequence, so that no concurrent writer takes them; runs of consecutive values come back
            # as ranges (one, unless another session drew values meanwhile). The sequence is looked up once:
            # pg_get_serial_sequence() on every row would cost ten times the nextval() itself.
            cursor.execute(
                "WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence('vault_record', 'id')::regclass AS id)"
                " SELECT MIN(id), MAX(id) FROM (SELECT id, id - ROW_NUMBER() OVER (ORDER BY id) AS run"
                " FROM (SELECT nextval(seq.id) AS id FROM seq, generate_series(1, %s)) AS drawn) AS numbered"
                " GROUP BY run ORDER BY 1", [count])
            ranges = [range(low, high + 1) for low, high in cursor.fetchall()]
        else:
            # SQLite: the IMMEDIATE transaction holds the write lock, so no one else takes ids meanwhile; past
            # the highest id ever given (AUTOINCREMENT's sqlite_sequence): a disposed record's id never returns.
            cursor.execute("SELECT MAX(COALESCE((SELECT MAX(id) FROM vault_record), 0), "
                           "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'vault_record'), 0))")
            start = cursor.fetchone()[0] + 1
            ranges = [range(start, start + count)]
    return itertools.chain.from_iterable(ranges)


_RECORD_COLUMNS = "vault_record (id, dataset_id, ciphertext, schema_version, channel, import_run_id, created)"
_ENTRY_COLUMNS = "vault_indexentry (dataset_id, field_id, value, record_id)"
_ROWS_PER_INSERT = 500
_SQLITE_CACHE_KIB = -65536  # PRAGMA cache_size, in KiB when negative: 64 MB, whatever the size of the file
# PostgreSQL's binary COPY format: signature, flags, header extension; then per row the number of columns
# and each value as its length and bytes (bigint 8, integer 4, timestamptz µs since 2000 in 8); then -1.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_COPY_RECORD = struct.Struct("!hiqiqi")  # 7 columns; id; dataset; the ciphertext's length, its bytes after
_COPY_RECORD_END = struct.Struct("!iiiiqiq")  # schema version; channel "" (0 bytes); import run; created
_COPY_ENTRY = struct.Struct("!hiqiqiqiq")  # 4 columns: dataset, field, value, record
_POSTGRES_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# A sealed batch: [(record id, ciphertext)], [(field id, index value, record id)].
_Batch = tuple[list[tuple[int, bytes]], list[tuple[int, int, int]]]
# A writer: `prepare` turns a sealed batch into what `send` gives the database. The caller's thread
# prepares (Python's work, under the GIL); the writer's thread sends (mostly the database's work, without it).
_Writer = tuple[Callable[[_Batch], Any], Callable[[Any], None]]


@contextlib.contextmanager
def _sqlite_writer(dataset_id: int, version: int, run_id: int, created: dt.datetime) -> Iterator[_Writer]:
    """Multi-row INSERTs on the driver's own connection: SQLite's work per statement (AUTOINCREMENT's
    bookkeeping among it) is paid once for hundreds of rows, and the driver lets go of the GIL meanwhile.

    A larger page cache for the import's length keeps the blind-index B-tree in memory: with SQLite's
    default 2 MB, a million records take half as long again, their pages spilled to the log and read back.
    """
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    stamp = connection.ops.adapt_datetimefield_value(created)

    def statements(table: str, width: int, params: list[Any]) -> Iterator[tuple[str, list[Any]]]:
        step = min(_ROWS_PER_INSERT, limit // width) * width
        row = "(" + ", ".join("?" * width) + ")"
        for start in range(0, len(params), step):
            chunk = params[start:start + step]
            yield f"INSERT INTO {table} VALUES " + ", ".join([row] * (len(chunk) // width)), chunk  # noqa: S608

    def prepare(batch: _Batch) -> list[tuple[str, list[Any]]]:
        records, entries = batch
        params: list[Any] = []
        for record_id, blob in records:
            params += (record_id, dataset_id, blob, version, "", run_id, stamp)
        out = list(statements(_RECORD_COLUMNS, 7, params))
        params = []
        for field_id, value, record_id in entries:
            params += (dataset_id, field_id, value, record_id)
        return out + list(statements(_ENTRY_COLUMNS, 4, params))

    def send(prepared: list[tuple[str, list[Any]]]) -> None:
        for sql, params in prepared:
            raw.execute(sql, params)

    (cache_size,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = {_SQLITE_CACHE_KIB}")
    try:
        yield prepare, send
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache_size)}")


@contextlib.contextmanager
def _postgres_writer(dataset_id: int, version: int, run_id: int, created: dt.datetime) -> Iterator[_Writer]:
    """Binary COPY through psycopg on the import's own connection: bytea goes as bytes, not as hex text. The
    rows are packed here (struct) and sent whole, so that the writer's thread needs the GIL for no row."""
    raw = connection.connection
    microseconds = (created - _POSTGRES_EPOCH) // dt.timedelta(microseconds=1)
    record_end = _COPY_RECORD_END.pack(4, version, 0, 8, run_id, 8, microseconds)
    pack_record, pack_entry = _COPY_RECORD.pack, _COPY_ENTRY.pack

    def prepare(batch: _Batch) -> tuple[bytes, bytes]:
        records, entries = batch
        parts = [_COPY_HEADER]
        for record_id, blob in records:
            parts += (pack_record(7, 8, record_id, 8, dataset_id, len(blob)), blob, record_end)
        parts.append(_COPY_TRAILER)
        rows = [_COPY_HEADER]
        rows += [pack_entry(4, 8, dataset_id, 8, field_id, 8, value, 8, record_id)
                 for field_id, value, record_id in entries]
        rows.append(_COPY_TRAILER)
        return b"".join(parts), b"".join(rows)

    def send(prepared: tuple[bytes, bytes]) -> None:
        with raw.cursor() as cursor:
            for table, data in zip((_RECORD_COLUMNS, _ENTRY_COLUMNS), prepared, strict=True):
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)

    yield prepare, send


@contextlib.contextmanager
def _in_background(send: Callable[[Any], None]) -> Iterator[Callable[[Any], None]]:
    """`send` on a thread of its own, at most two batches behind the caller.

    The drivers let go of the GIL while the database works, so SQLite inserts (or PostgreSQL receives) one
    batch while the caller seals the next. It stays one transaction: the writer uses the import's
    connection, which nothing else touches meanwhile. The writer's error is raised to the caller; the
    caller's error stops the writer, and both end before the transaction is rolled back.
    """
    pending: queue.Queue[Any] = queue.Queue(maxsize=2)
    failed: list[BaseException] = []
    stopped = threading.Event()

    def run() -> None:
        while (batch := pending.get()) is not None:
            if failed or stopped.is_set():
                continue
            try:
                send(batch)
            except BaseException as error:  # raised again in the caller's thread
                failed.append(error)

    def submit(batch: Any) -> None:
        if failed:
            raise failed[0]
        pending.put(batch)

    thread = threading.Thread(target=run, name="vault-import-writer", daemon=True)
    thread.start()
    try:
        yield submit
    except BaseException:
        stopped.set()
        raise
    finally:
        pending.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _write(dataset: Dataset, run: ImportRun, columns: list[Field], stream: BinaryIO, report: ImportReport) -> None:
    """The second pass: seal each row, index its searchable values, and write them in batches.

    The loop touches only local names and plain tuples (no model objects, no attribute lookups per value);
    a writer thread inserts one batch while the next is sealed (SQLite: multi-row INSERTs, PostgreSQL:
    binary COPY). The file must read as the first pass saw it: a changed width or row count stops the
    import, and its transaction keeps nothing.
    """
    cipher, index = open_keys(dataset)
    fields = list(dataset.fields.order_by("position"))
    position = {f.pk: i for i, f in enumerate(fields)}
    width = len(columns)
    column_of = {position[c.pk]: i for i, c in enumerate(columns)}
    # For each declared field, the column of the file that holds it (None: an optional field left out).
    take = [column_of.get(i) for i in range(len(fields))]
    as_is = take == list(range(width))  # the file's columns are the declaration's, in order
    searchable = [(position[f.pk], f.pk) for f in fields if f.searchable]
    seal, index_of = cipher.seal_record, index.of
    dataset_id, version = dataset.pk, dataset.schema_version
    writer = _postgres_writer if connection.vendor == "postgresql" else _sqlite_writer
    ids = _reserve_ids(report.rows)

    def sealed(rows: list[list[str]]) -> _Batch:
        records: list[tuple[int, bytes]] = []
        entries: list[tuple[int, int, int]] = []
        add_record, add_entry = records.append, entries.append
        for cells, record_id in zip(rows, ids, strict=False):  # ids holds report.rows, checked below
            add_record((record_id, seal(cells, dataset=dataset_id, record=record_id, version=version)))
            for at, field_id in searchable:
                value = index_of(cells[at], field=field_id)
                if value is not None:
                    add_entry((field_id, value, record_id))
        report.imported += len(rows)
        return records, entries

    lines = _rows(stream, report)
    next(lines)  # the header, checked in the first pass
    batch: list[list[str]] = []
    with writer(dataset_id, version, run.pk, timezone.now()) as (prepare, send), _in_background(send) as write:
        for _row, cells in lines:
            if not "".join(cells).strip():  # a blank line, skipped as the first pass skipped it
                continue
            if len(cells) != width:
                _changed()
            batch.append(cells if as_is else ["" if i is None else cells[i] for i in take])
            if len(batch) == BATCH:
                if report.imported + BATCH > report.rows:
                    _changed()
                write(prepare(sealed(batch)))
                batch = []
        if report.imported + len(batch) != report.rows:
            _changed()
        if batch:
            write(prepare(sealed(batch)))


def _changed() -> NoReturn:
    raise UserError("ファイルが確認の後に変わりました。何も取り込んでいません。",
                    "The file changed after it was checked; nothing was imported.")


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

"""Datasets and imports: keys made and wrapped, files checked whole, all or nothing.

An import reads the file once, as a stream: each row is checked against the declared fields (article 6: an
undeclared column refuses the file) and, while no row has failed, sealed and written in the transaction
that also records its ledger event. The first problem stops the writing, the rest of the file is still
checked so that the report names every problem, and the transaction is rolled back: a refused or
interrupted import leaves no record behind.
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
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from itaku.vault.models import Dataset, Field, ImportRun, Purpose, PurposeNotice, Record

BATCH = 5000
_REMEMBERED_VALUES = 1 << 16  # per searchable field: names and readings recur in a city's file


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
    columns: list[Field] = field(default_factory=list)  # the declared fields the file's columns hold

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


def _checked_rows(fields: list[Field], stream: BinaryIO, report: ImportReport) -> Iterator[list[str]]:
    """The rows that fit the declaration, each as the declared fields' values in their order.

    A row that does not fit is counted in `report`, named by row and column, and left out; so is a problem
    of the file itself (mixed encodings, broken quotes), after which nothing more is read. Raises UserError
    only for an empty file, before anything is yielded.
    """
    rows = _rows(stream, report)
    try:
        first = next(rows, None)
        if first is None:
            raise UserError("ファイルが空です。", "The file is empty.")
        columns = _columns(first[1], fields, report)
        if columns is None:
            return
        report.columns = columns
        width = len(columns)
        column_of = {c.pk: i for i, c in enumerate(columns)}
        # For each declared field, the file's column that holds it (None: an optional field left out).
        take = [column_of.get(f.pk) for f in fields]
        as_is = take == list(range(width))  # the file's columns are the declaration's, in order
        checks = [values.checker(c.kind, required=c.required, max_length=c.max_length) for c in columns]
        names = [c.name for c in columns]
        for row, cells in rows:
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # a blank line, as Excel leaves
                continue
            report.rows += 1
            if len(cells) != width:
                report.add(RowError(row, None, f"列の数が見出しと違います（{len(cells)}列、見出しは{width}列）。",
                                    f"{len(cells)} columns where the header has {width}."))
                continue
            reasons = [check(cell) for check, cell in zip(checks, cells)]  # noqa: B905 (the width is checked above)
            if reasons.count(None) == width:
                yield cells if as_is else ["" if i is None else cells[i] for i in take]
                continue
            for name, reason in zip(names, reasons, strict=True):
                if reason is not None:
                    report.add(RowError(row, name, *reason))
    except UserError as error:
        report.add(RowError(None, None, error.message_ja, error.message_en))
        return
    if report.rows == 0 and report.ok:
        report.add(RowError(None, None, "データ行がありません。", "The file has no data rows."))


def _ids() -> Iterator[int]:
    """Ids for records before their rows exist: the associated data of each ciphertext names its row.

    Drawn as the import goes (it does not know its rows in advance), so that the writer needs no query of
    its own. PostgreSQL: from the sequence, BATCH at a time, so that no concurrent writer takes them; runs
    of consecutive values come back as ranges. SQLite: the IMMEDIATE transaction holds the write lock, so
    no one else takes ids meanwhile; past the highest id ever given (AUTOINCREMENT's sqlite_sequence), so a
    disposed record's id never returns.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT MAX(COALESCE((SELECT MAX(id) FROM vault_record), 0), "
                           "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'vault_record'), 0))")
            yield from itertools.count(cursor.fetchone()[0] + 1)
        while True:
            # The sequence is looked up once: pg_get_serial_sequence() on every row would cost ten times the
            # nextval() itself.
            cursor.execute(
                "WITH seq AS MATERIALIZED (SELECT pg_get_serial_sequence('vault_record', 'id')::regclass AS id)"
                " SELECT MIN(id), MAX(id) FROM (SELECT id, id - ROW_NUMBER() OVER (ORDER BY id) AS run"
                " FROM (SELECT nextval(seq.id) AS id FROM seq, generate_series(1, %s)) AS drawn) AS numbered"
                " GROUP BY run ORDER BY 1", [BATCH])
            for low, high in cursor.fetchall():
                yield from range(low, high + 1)


_RECORD_COLUMNS = ("vault_record (id, dataset_id, ciphertext, schema_version, channel, notice_id, import_run_id,"
                   " created)")
_ENTRY_COLUMNS = "vault_indexentry (dataset_id, field_id, value, record_id, tag)"
_ROWS_PER_INSERT = 2 * BATCH  # a batch's records in one INSERT, its index entries in another
_SQLITE_CACHE_KIB = -65536  # PRAGMA cache_size, in KiB when negative: 64 MB, whatever the size of the file
# PostgreSQL's binary COPY format: signature, flags, header extension; then per row the number of columns
# and each value as its length and bytes (bigint 8, integer 4, timestamptz µs since 2000 in 8); then -1.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_COPY_RECORD = struct.Struct("!hiqiqi")  # 8 columns; id; dataset; the ciphertext's length, its bytes after
_COPY_ENTRY = struct.Struct("!hiqiqiqiqiq")  # 5 columns: dataset, field, value, record, tag
_POSTGRES_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

# A sealed batch: [(record id, ciphertext)], [(field id, index value, record id, match tag)].
_Batch = tuple[list[tuple[int, bytes]], list[tuple[int, int, int, int]]]


@dataclass(frozen=True)
class _Same:
    """The columns every record of an import shares."""

    dataset: int
    version: int
    channel: str
    notice: int | None
    run: int
    created: dt.datetime


# A writer: `prepare` turns a sealed batch into what `send` gives the database. The caller's thread
# prepares (Python's work, under the GIL); the writer's thread sends (mostly the database's work, without it).
_Writer = tuple[Callable[[_Batch], Any], Callable[[Any], None]]


@contextlib.contextmanager
def _sqlite_writer(same: _Same) -> Iterator[_Writer]:
    """Multi-row INSERTs on the driver's own connection: SQLite's work per statement (AUTOINCREMENT's
    bookkeeping among it) is paid once for thousands of rows, and the driver lets go of the GIL meanwhile.
    Few statements, because each one's end waits for the GIL, which the caller's thread gives up only every
    5 ms (sys.getswitchinterval()): at 500 rows a statement the writer spent more time waiting than writing.

    A larger page cache for the import's length keeps the blind-index B-tree in memory: with SQLite's
    default 2 MB, a million records take half as long again, their pages spilled to the log and read back.
    """
    raw = connection.connection
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    dataset_id = same.dataset
    shared = (same.version, same.channel, same.notice, same.run, connection.ops.adapt_datetimefield_value(same.created))

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
            params += (record_id, dataset_id, blob, *shared)
        out = list(statements(_RECORD_COLUMNS, 8, params))
        params = []
        for field_id, value, record_id, tag in entries:
            params += (dataset_id, field_id, value, record_id, tag)
        return out + list(statements(_ENTRY_COLUMNS, 5, params))

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
def _postgres_writer(same: _Same) -> Iterator[_Writer]:
    """Binary COPY through psycopg on the import's own connection: bytea goes as bytes, not as hex text. The
    rows are packed here (struct) and sent whole, so that the writer's thread needs the GIL for no row."""
    raw = connection.connection
    dataset_id = same.dataset
    channel = same.channel.encode()
    microseconds = (same.created - _POSTGRES_EPOCH) // dt.timedelta(microseconds=1)
    # After the ciphertext, the same for every row: schema version, channel, notice (or NULL), import, created.
    record_end = b"".join([
        struct.pack("!ii", 4, same.version), struct.pack("!i", len(channel)), channel,
        struct.pack("!i", -1) if same.notice is None else struct.pack("!iq", 8, same.notice),
        struct.pack("!iqiq", 8, same.run, 8, microseconds)])
    pack_record, pack_entry = _COPY_RECORD.pack, _COPY_ENTRY.pack

    def prepare(batch: _Batch) -> tuple[bytes, bytes]:
        records, entries = batch
        parts = [_COPY_HEADER]
        for record_id, blob in records:
            parts += (pack_record(8, 8, record_id, 8, dataset_id, len(blob)), blob, record_end)
        parts.append(_COPY_TRAILER)
        rows = [_COPY_HEADER]
        rows += [pack_entry(5, 8, dataset_id, 8, field_id, 8, value, 8, record_id, 8, tag)
                 for field_id, value, record_id, tag in entries]
        rows.append(_COPY_TRAILER)
        return b"".join(parts), b"".join(rows)

    def send(prepared: tuple[bytes, bytes]) -> None:
        with raw.cursor() as cursor:
            for table, data in zip((_RECORD_COLUMNS, _ENTRY_COLUMNS), prepared, strict=True):
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)

    # The foreign keys are checked row by row as each COPY goes (the server works while this process seals
    # the next batch) instead of all at the commit, after the last batch, as DEFERRABLE INITIALLY DEFERRED
    # would: for a million records, 20 seconds of checks one after the other.
    # (After an error the transaction is rolled back, and the setting with it.)
    with raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield prepare, send
    with raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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


def _write(dataset: Dataset, fields: list[Field], run: ImportRun, rows: Iterator[list[str]],
           report: ImportReport) -> None:
    """Seal each row, index its searchable values, and write them in batches while no row has failed.

    The loop touches only local names and plain tuples (no model objects, no attribute lookups per value);
    a writer thread inserts one batch while the next is checked and sealed (SQLite: multi-row INSERTs,
    PostgreSQL: binary COPY). After the first problem the rest of the file is only checked.
    """
    cipher, index = open_keys(dataset)
    searchable = [(i, f.pk, index.keyed_field(f.pk, remember=_REMEMBERED_VALUES))
                  for i, f in enumerate(fields) if f.searchable]
    seal, tags = cipher.seal_records, index.tags
    dataset_id, version = dataset.pk, dataset.schema_version
    writer = _postgres_writer if connection.vendor == "postgresql" else _sqlite_writer
    ids = _ids()
    first: list[int] = []  # the import's first record id: every later one is higher

    def sealed(batch: list[list[str]]) -> _Batch:
        numbers = list(itertools.islice(ids, len(batch)))
        first[:] = first or numbers[:1]
        keyed: list[tuple[int, int, bytes, int]] = []  # field, index value, probe, record
        add_entry = keyed.append
        for cells, record_id in zip(batch, numbers, strict=True):
            for at, field_id, keyed_of in searchable:
                found = keyed_of(cells[at])
                if found is not None:
                    add_entry((field_id, *found, record_id))
        report.imported += len(batch)
        blobs = seal(batch, dataset=dataset_id, records=numbers, version=version)
        tagged = tags([entry[2] for entry in keyed], [entry[3] for entry in keyed])
        # In index order: the database then inserts each batch's entries for a value into the same leaf of
        # the lookup index, one after the other, instead of all over it (SQLite: half the writer's time).
        entries = sorted([(f, value, r, tag) for (f, value, _, r), tag in zip(keyed, tagged, strict=True)])
        return list(zip(numbers, blobs, strict=True)), entries

    same = _Same(dataset_id, version, run.channel, run.notice_id, run.pk, timezone.now())
    with writer(same) as (prepare, send), _in_background(send) as write:
        while batch := list(itertools.islice(rows, BATCH)):
            if report.ok:
                write(prepare(sealed(batch)))
    if report.ok and first:
        _check_entries(dataset_id, first[0])


def _check_entries(dataset_id: int, first: int) -> None:
    """Every index entry of the import names one of its records: the check the database does not make row by
    row (IndexEntry.record has no constraint), made once for the whole import in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM vault_indexentry e LEFT JOIN vault_record r ON r.id = e.record_id"
            " AND r.dataset_id = e.dataset_id WHERE e.record_id >= %s AND e.dataset_id = %s AND r.id IS NULL",
            [first, dataset_id])
        (orphans,) = cursor.fetchone()
    if orphans:
        raise RuntimeError(f"the import wrote {orphans} index entries without their record")  # a bug, not input


class _Refused(Exception):
    """Raised inside the import's transaction to roll it back once a row has failed."""


def _refuse_disposed(dataset: Dataset) -> None:
    if dataset.is_disposed:
        raise UserError("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")


def collected_with(dataset: Dataset, notice: PurposeNotice | None, channel: str) -> tuple[PurposeNotice | None, str]:
    """The notice and channel records come in with: collected data names the version of the purpose notice
    the people were shown and how their data came (article 7); entrusted data has neither (its handover
    accounts for it)."""
    channel = channel.strip()
    if dataset.source == Dataset.Source.COLLECTED:
        if notice is None or notice.dataset_id != dataset.pk:
            raise UserError("収集した個人情報には、本人に示した利用目的の明示（版）を指定してください（第7）。",
                            "Collected data needs the version of the purpose notice the people were shown "
                            "(article 7).")
        if not channel or len(channel) > Record._meta.get_field("channel").max_length:
            raise UserError("収集の経路（紙の申込書、Webフォーム、電話など）を50文字以内で入力してください。",
                            "Enter how the data was collected (paper form, web form, phone …), in at most 50 "
                            "characters.")
        return notice, channel
    if notice is not None or channel:
        raise UserError("委託者から受領したデータには利用目的の明示も収集経路も指定できません（授受を記録します）。",
                        "Entrusted data has no purpose notice or collection channel; record its handover.")
    return None, ""


def import_file(
    by: Any, dataset: Dataset, stream: BinaryIO, *, dry_run: bool = False, notice: PurposeNotice | None = None,
    channel: str = "",
) -> ImportReport:
    """Check the whole file and (unless `dry_run` or anything is wrong) write it, all or nothing; collected
    data comes with the purpose notice shown and the channel (`collected_with`)."""
    _refuse_disposed(dataset)
    contract = dataset.contract
    if by is not None and by.organisation_id != contract.contractor_id:
        raise UserError("記録の取込みは受託者だけが行えます（第8）。",
                        "Only the contractor's people import records (article 8).")
    notice, channel = collected_with(dataset, notice, channel)
    fields = list(dataset.fields.order_by("position"))
    report = ImportReport()
    if dry_run:
        for _ in _checked_rows(fields, stream, report):
            pass
        return report
    try:
        with transaction.atomic():
            # The dataset's row locked, then looked at again: a disposal that committed meanwhile refuses
            # the import, and one that comes later waits for it (and erases its records with the rest).
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            _refuse_disposed(dataset)
            run = ImportRun.objects.create(dataset=dataset, started_by=by, encoding="", notice=notice, channel=channel)
            _write(dataset, fields, run, _checked_rows(fields, stream, report), report)
            if not report.ok:
                raise _Refused
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.DONE, finished=timezone.now(),
                                                       encoding=report.encoding, rows=report.rows)
            record("vault.imported", chain=contract.ledger_chain, actor=by,
                   articles=_articles(contract, "collection", "custody"),
                   facts={"dataset": dataset.pk, "import": run.pk, "records": report.imported,
                          "encoding": report.encoding, "fields": [c.name for c in report.columns],
                          **({"notice": notice.pk, "channel": channel} if notice else {})})
    except _Refused:
        report.imported = 0
        with transaction.atomic():
            record("vault.import_refused", chain=contract.ledger_chain, actor=by,
                   articles=_articles(contract, "collection"),
                   facts={"dataset": dataset.pk, "rows": report.rows, "errors": report.error_count,
                          "encoding": report.encoding})
    return report


def open_keys(dataset: Dataset) -> tuple[crypto.FieldCipher, crypto.BlindIndex]:
    """The dataset's cipher and blind index; refused once the dataset is disposed of (keys destroyed)."""
    if dataset.wrapped_data_key is None or dataset.wrapped_index_key is None:
        raise UserError("廃棄済みの個人情報ファイルです（鍵は消去されています）。",
                        "The dataset has been disposed of; its keys are destroyed.")
    return crypto.open_dataset(crypto.WrappedKeys(dataset.wrapped_data_key, dataset.wrapped_index_key),
                               master_keys(), index_bits=dataset.index_bits)


_IDS_PER_QUERY = 1000  # records asked by id at a time: under every database's limit of parameters


def matching(dataset: Dataset, field: Field, query: str, *, among: Iterable[int] | None = None,
             ) -> tuple[int, Iterator[tuple[int, list[str]]]]:
    """The records whose `field` equals `query` by the blind-index rule, in id order, decrypted (which also
    authenticates them), and the number of candidates the index gave.

    The candidates come from the lookup index alone (record id and match tag); one AES call tells which
    of them hold the query, and only those are read and decrypted. Each is compared once decrypted as well,
    so a tag that matched by chance (2**-64) never shows a record. `among` limits the candidates (a share's
    records). The records are read in chunks as the iterator is consumed, inside the caller's transaction.
    """
    cipher, index = open_keys(dataset)
    found = index.keyed(query, field=field.pk)
    if found is None:
        return 0, iter(())
    value, probe = found
    # Plain SQL on the search's path: the ORM's own work was several times the database's for each query.
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_id, tag FROM vault_indexentry WHERE dataset_id = %s AND field_id = %s"
                       " AND value = %s", [dataset.pk, field.pk, value])
        candidates = cursor.fetchall()
    if among is not None:
        kept = set(among)
        candidates = [row for row in candidates if row[0] in kept]
    expected = index.tags([probe] * len(candidates), [pk for pk, _ in candidates])
    ids = sorted(pk for (pk, tag), wanted in zip(candidates, expected, strict=True) if tag == wanted)
    position = [pk for pk, _ in layout(dataset)].index(field.pk)
    target = crypto.normalise_for_index(query)

    def records() -> Iterator[tuple[int, list[str]]]:
        open_record, dataset_id = cipher.open_record, dataset.pk
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start:start + _IDS_PER_QUERY]
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, ciphertext, revision, schema_version FROM vault_record"  # noqa: S608
                               f" WHERE dataset_id = %s AND id IN ({', '.join(['%s'] * len(chunk))}) ORDER BY id",
                               [dataset_id, *chunk])
                rows = cursor.fetchall()
            for pk, ciphertext, revision, schema_version in rows:
                values = open_record(ciphertext, dataset=dataset_id, record=pk,
                                     version=Record.version_of(revision, schema_version))
                if crypto.normalise_for_index(values[position]) == target:
                    yield pk, values

    return len(candidates), records()


_LAYOUTS: dict[tuple[int, bytes], list[tuple[int, str]]] = {}


def layout(dataset: Dataset) -> list[tuple[int, str]]:
    """The dataset's fields as (id, name) in position order. Declared once with the dataset and never
    changed, so kept per process, under the dataset's id and its wrapped index key (random, one per dataset:
    an id used again by another database or after a rollback does not find another dataset's fields)."""
    key = None if dataset.wrapped_index_key is None else (dataset.pk, bytes(dataset.wrapped_index_key))
    found = _LAYOUTS.get(key) if key else None
    if found is None:
        found = list(dataset.fields.order_by("position").values_list("pk", "name"))
        if key:  # a disposed dataset has nothing to key it by, and is rarely asked
            _LAYOUTS[key] = found
    return found


def read_record(dataset: Dataset, record_obj: Record) -> dict[str, str]:
    """Decrypt one record into {field name: value}; raises crypto.DecryptionError on any tampering."""
    cipher, _ = open_keys(dataset)
    return named(dataset, cipher.open_record(record_obj.ciphertext, dataset=dataset.pk, record=record_obj.pk,
                                              version=record_obj.sealed_version))


def named(dataset: Dataset, values: list[str]) -> dict[str, str]:
    return dict(zip([name for _, name in layout(dataset)], values, strict=True))

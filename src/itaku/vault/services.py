"""Datasets and imports: keys made and wrapped, files checked whole, all or nothing.

An import reads the file once, as a stream: each row is checked against the declared fields (article 6: an
undeclared column refuses the file) and, while no row has failed, sealed and written in the transaction
that also records its ledger event. The first problem stops the writing, the rest of the file is still
checked so that the report names every problem, and the transaction is rolled back: a refused or
interrupted import leaves no record behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
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
from itaku.lib.csvfile import (
    ENCODING_LABELS,
    MAX_ERRORS,
    SNIFF_BYTES,
    RowError,
    Unreadable,
    first_record,
    record_chunks,
    sniff,
    stream_records,
)
from itaku.lib.errors import UserError
from itaku.vault import crypto, sealing
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


_ROWS_PER_INSERT = 1000  # rows a multi-row INSERT: a piece's ~4,000 records and ~8,000 index entries in few statements
_SQLITE_CACHE_KIB = -65536  # PRAGMA cache_size, in KiB when negative: 64 MB, whatever the size of the file
_POSTGRES_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# A file shorter is sealed in the import's own process (a worker takes ~0.1 s to start, the import of 1 MB
# ~0.2 s); the file's first SNIFF_BYTES tell.
WORKERS_FROM_BYTES = SNIFF_BYTES


@dataclass(frozen=True)
class _Same:
    """The columns every record of an import shares."""

    dataset: int
    version: int
    channel: str
    notice: int | None
    run: int
    created: dt.datetime


# A writer: how the sealers pack a batch (`sealing.SQLiteRows` or `PostgresRows`) and `send`, which gives
# the database what they packed, on the writer's thread (mostly the database's work, without the GIL).
_Writer = tuple[sealing.SQLiteRows | sealing.PostgresRows, Callable[[Any], None]]


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
    shared = (same.version, same.channel, same.notice, same.run, connection.ops.adapt_datetimefield_value(same.created))
    rows = sealing.SQLiteRows(same.dataset, shared, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER),
                              _ROWS_PER_INSERT)

    def send(prepared: list[tuple[str, list[Any], bool]]) -> None:
        for sql, params, many in prepared:
            (raw.executemany if many else raw.execute)(sql, params)

    (cache_size,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = {_SQLITE_CACHE_KIB}")
    try:
        yield rows, send
    finally:
        raw.execute(f"PRAGMA cache_size = {int(cache_size)}")


@contextlib.contextmanager
def _postgres_writer(same: _Same) -> Iterator[_Writer]:
    """Binary COPY through psycopg on the import's own connection: bytea goes as bytes, not as hex text. The
    rows are packed by the sealers and sent whole, so that the writer's thread needs the GIL for no row."""
    raw = connection.connection
    channel = same.channel.encode()
    microseconds = (same.created - _POSTGRES_EPOCH) // dt.timedelta(microseconds=1)
    rows = sealing.PostgresRows(same.dataset, b"".join([
        struct.pack("!ii", 4, same.version), struct.pack("!i", len(channel)), channel,
        struct.pack("!i", -1) if same.notice is None else struct.pack("!iq", 8, same.notice),
        struct.pack("!iqiq", 8, same.run, 8, microseconds)]))

    def send(prepared: tuple[bytes, bytes]) -> None:
        with raw.cursor() as cursor:
            for table, data in zip((sealing.RECORD_COLUMNS, sealing.ENTRY_COLUMNS), prepared, strict=True):
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)

    # The foreign keys are checked row by row as each COPY goes (the server works while this process seals
    # the next batch) instead of all at the commit, after the last batch, as DEFERRABLE INITIALLY DEFERRED
    # would: for a million records, 20 seconds of checks one after the other.
    # (After an error the transaction is rolled back, and the setting with it.)
    with raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield rows, send
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


def _header(stream: BinaryIO, fields: list[Field], report: ImportReport) -> tuple[Iterator[bytes], bool] | None:
    """The file's header matched to the declaration (article 6: an undeclared column refuses the file); then
    the rest of the file in pieces that end at record boundaries, and whether the file is large enough for
    workers; None when the header is refused."""
    stream.seek(0)
    head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise UserError("ファイルが空です。", "The file is empty.")
    stream.seek(0)
    report.encoding = report.encoding or sniff(head)
    pieces = record_chunks(stream, sealing.CHUNK_BYTES)
    header, rest = first_record(next(pieces))
    try:
        cells = next(stream_records(io.BytesIO(header), report.encoding))[1]
    except Unreadable as error:
        report.add(RowError(None, None, error.message_ja, error.message_en))
        return None
    columns = _columns(cells, fields, report)
    if columns is None:
        return None
    report.columns = columns
    return itertools.chain([rest] if rest else [], pieces), len(head) >= WORKERS_FROM_BYTES


def _pass(dataset: Dataset, fields: list[Field], stream: BinaryIO, report: ImportReport,
          run: ImportRun | None = None) -> None:
    """One pass over the file: every row checked and (with `run`, while no row has failed) sealed, indexed
    and written in this transaction; without `run` (a dry run) only checked.

    The pieces of the file go to sealers (`sealing`: in worker processes for a large file) with the record ids
    they may use; what comes back is counted into `report` in the file's order and handed to a writer
    thread (SQLite: multi-row INSERTs, PostgreSQL: binary COPY) that inserts one batch while the next is
    sealed. After the first problem the rest of the file is only checked; after a problem of the file itself
    (mixed encodings, broken quotes) nothing more is read.
    """
    found = _header(stream, fields, report)
    if found is None:
        return
    pieces, large = found
    columns = report.columns
    column_of = {c.pk: i for i, c in enumerate(columns)}
    take = tuple(column_of.get(f.pk) for f in fields)  # for each declared field, the file's column (None: left out)
    keys = None
    if run is not None:
        keys = (*crypto.unwrap_dataset(_wrapped(dataset), master_keys()), dataset.index_bits)
    with contextlib.ExitStack() as stack:
        rows, write = None, None
        if run is not None:
            writer = _postgres_writer if connection.vendor == "postgresql" else _sqlite_writer
            rows, send = stack.enter_context(writer(_Same(dataset.pk, dataset.schema_version, run.channel,
                                                           run.notice_id, run.pk, timezone.now())))
            write = stack.enter_context(_in_background(send))
        plan = sealing.Plan(
            encoding="utf-8" if report.encoding == "utf-8-sig" else report.encoding,
            columns=tuple(sealing.Column(c.name, c.kind, c.required, c.max_length) for c in columns),
            take=None if take == tuple(range(len(columns))) else take,
            searchable=tuple((i, f.pk) for i, f in enumerate(fields) if f.searchable),
            dataset=dataset.pk, version=dataset.schema_version, keys=keys, rows=rows, remember=_REMEMBERED_VALUES)
        ids = _ids() if run is not None else None

        def jobs() -> Iterator[tuple[bytes, list[int]]]:
            for piece in pieces:
                # At most one row per line: the ids of blank lines and of lines inside quotes go unused.
                yield piece, list(itertools.islice(ids, piece.count(b"\n") + 1)) if ids is not None else []

        workers = settings.VAULT_IMPORT_WORKERS if large else 0
        offset = 1  # rows before the piece: the header's
        for piece in sealing.sealed(plan, jobs(), lambda: write is not None and report.ok, workers=workers):
            report.rows += piece.rows
            for error in piece.errors:
                report.add(dataclasses.replace(error, row=error.row + offset) if error.row is not None else error)
            report.error_count += piece.error_count - len(piece.errors)  # those past the piece's list
            if piece.unreadable is not None:
                moved = piece.unreadable.after(offset)
                report.add(RowError(None, None, moved.message_ja, moved.message_en))
                break
            offset += piece.records
            if write is not None and report.ok and piece.payload is not None:
                write(piece.payload)
                report.imported += piece.imported
    if report.rows == 0 and report.ok:
        report.add(RowError(None, None, "データ行がありません。", "The file has no data rows."))


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
    channel: str = "", size: int | None = None,
) -> ImportReport:
    """Check the whole file and (unless `dry_run` or anything is wrong) write it, all or nothing; collected
    data comes with the purpose notice shown and the channel (`collected_with`). `size`, the file's bytes
    where the caller knows them: a file over VAULT_IMPORT_MAX_BYTES is refused before any of it is read."""
    _refuse_disposed(dataset)
    contract = dataset.contract
    if by is not None and by.organisation_id != contract.contractor_id:
        raise UserError("記録の取込みは受託者だけが行えます（第8）。",
                        "Only the contractor's people import records (article 8).")
    notice, channel = collected_with(dataset, notice, channel)
    fields = list(dataset.fields.order_by("position"))
    report = ImportReport()
    limit = settings.VAULT_IMPORT_MAX_BYTES
    if size is not None and size > limit:
        report.add(RowError(None, None, f"ファイルが大きすぎます（{size:,}バイト、上限は{limit:,}バイト）。",
                            f"The file is too large ({size:,} bytes; the limit is {limit:,})."))
        if not dry_run:
            _record_refusal(by, dataset, report)
        return report
    if dry_run:
        _pass(dataset, fields, stream, report)
        return report
    try:
        with transaction.atomic():
            # The dataset's row locked, then looked at again: a disposal that committed meanwhile refuses
            # the import, and one that comes later waits for it (and erases its records with the rest).
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            _refuse_disposed(dataset)
            run = ImportRun.objects.create(dataset=dataset, started_by=by, encoding="", notice=notice, channel=channel)
            _pass(dataset, fields, stream, report, run)
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
        _record_refusal(by, dataset, report)
    return report


def _record_refusal(by: Any, dataset: Dataset, report: ImportReport) -> None:
    """The `vault.import_refused` event: counts and the encoding, never a value."""
    with transaction.atomic():
        record("vault.import_refused", chain=dataset.contract.ledger_chain, actor=by,
               articles=_articles(dataset.contract, "collection"),
               facts={"dataset": dataset.pk, "rows": report.rows, "errors": report.error_count,
                      "encoding": report.encoding})


def _wrapped(dataset: Dataset) -> crypto.WrappedKeys:
    """The dataset's wrapped keys; refused once the dataset is disposed of (keys destroyed)."""
    if dataset.wrapped_data_key is None or dataset.wrapped_index_key is None:
        raise UserError("廃棄済みの個人情報ファイルです（鍵は消去されています）。",
                        "The dataset has been disposed of; its keys are destroyed.")
    return crypto.WrappedKeys(dataset.wrapped_data_key, dataset.wrapped_index_key)


def open_keys(dataset: Dataset) -> tuple[crypto.FieldCipher, crypto.BlindIndex]:
    """The dataset's cipher and blind index; refused once the dataset is disposed of (keys destroyed)."""
    return crypto.open_dataset(_wrapped(dataset), master_keys(), index_bits=dataset.index_bits)


_IDS_PER_QUERY = 1000  # records asked by id at a time: under every database's limit of parameters


def matching(dataset: Dataset, field: Field, query: str, *, among: Iterable[int] | None = None,
             ) -> tuple[int, Iterator[tuple[int, list[str]]]]:
    """The records whose `field` equals `query` by the blind-index rule, in id order, decrypted (which also
    authenticates them), and the number of candidates the index gave.

    The candidates come from the index entries alone (record id and match tag); one AES call tells which
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
        cursor.execute("SELECT postings FROM vault_indexentry WHERE dataset_id = %s AND field_id = %s"
                       " AND value = %s", [dataset.pk, field.pk, value])
        candidates = sealing.read_postings(*(blob for (blob,) in cursor.fetchall()))
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

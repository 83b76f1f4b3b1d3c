"""An import's file, a piece at a time: checked, sealed, indexed and packed for the database, here or in
worker processes beside the import.

Framework-free (no Django): a worker is `python -m itaku.vault.sealing`, which imports this module, the
encryption layer and the checks, nothing else. The import's process cuts the file at record boundaries
(`csvfile.record_chunks`), hands each piece with the record ids it may use to a `Sealer`, and writes what
comes back, in the file's order, in its one transaction; so Python's work for the rows runs on every core
while the database writes. A worker gets the plan (the dataset's two keys among it) and the pieces over its
pipe, never through a file, and sends back ciphertexts, index entries and problems, never a value. When the
import ends or fails its workers end with it, and a worker whose import died meets the end of its pipe.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import operator
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from itaku.lib.csvfile import MAX_ERRORS, RowError, Unreadable, piece_records
from itaku.vault import crypto, values

CHUNK_BYTES = 1 << 19  # about 4,000 rows of a city's register: a piece for one sealer
_IN_FLIGHT = 2  # pieces given to each worker ahead of its answers
COMMAND = (sys.executable, "-m", "itaku.vault.sealing")  # a worker: this interpreter, this module

# A batch's index entries: (field id, index value, postings).
Entries = list[tuple[int, int, bytes]]
# An index entry's postings: for each record of the batch whose value has the entry's index value, the
# record id and its match tag (crypto.BlindIndex.tags), in record order.
POSTING = struct.Struct(">Qq")


def postings(records: Sequence[int], tags: Sequence[int]) -> bytes:
    """The postings of an index entry: each (record, tag) packed."""
    return b"".join(map(POSTING.pack, records, tags))


def read_postings(*blobs: bytes | memoryview) -> list[tuple[int, int]]:
    """(record id, match tag) of each posting of the index entries, in their order (joined first: one call to
    unpack them all, a search reads a few hundred entries)."""
    if any(len(blob) % POSTING.size for blob in blobs):
        raise crypto.CryptoError("検索索引の項目が損なわれています。", "An index entry's postings are damaged.")
    return list(POSTING.iter_unpack(b"".join(blobs)))


@dataclass(frozen=True)
class Column:
    """A column of the file, as the declared field it holds."""

    name: str
    kind: str
    required: bool
    max_length: int


@dataclass(frozen=True)
class SQLiteRows:
    """A batch as SQLite takes it: multi-row INSERTs of `rows_per_insert` rows (within the driver's variable
    limit), the rest row by row in one executemany. Every statement has one of four texts, so the driver's
    statement cache keeps four: a statement per batch size would keep 128 prepared statements of thousands
    of parameters each, a hundred megabytes."""

    dataset: int
    shared: tuple[Any, ...]  # after id, dataset, ciphertext: schema version, channel, notice, import, created
    variable_limit: int
    rows_per_insert: int

    def pack(self, records: list[tuple[int, bytes]], entries: Entries) -> list[tuple[str, list[Any], bool]]:
        dataset, shared = self.dataset, self.shared
        return [*self._statements(RECORD_COLUMNS, [(record_id, dataset, blob, *shared) for record_id, blob in records]),
                *self._statements(ENTRY_COLUMNS, [(dataset, *entry) for entry in entries])]

    def _statements(self, table: str, rows: list[tuple[Any, ...]]) -> Iterator[tuple[str, list[Any], bool]]:
        """(SQL, parameters, whether executemany takes them)."""
        if not rows:
            return
        width = len(rows[0])
        step = min(self.rows_per_insert, self.variable_limit // width)
        row = "(" + ", ".join("?" * width) + ")"
        whole = len(rows) - len(rows) % step
        sql = f"INSERT INTO {table} VALUES " + ", ".join([row] * step)  # noqa: S608
        for start in range(0, whole, step):
            yield sql, list(itertools.chain.from_iterable(rows[start:start + step])), False
        if whole < len(rows):
            yield f"INSERT INTO {table} VALUES {row}", rows[whole:], True  # noqa: S608


# PostgreSQL's binary COPY format: signature, flags, header extension; then per row the number of columns
# and each value as its length and bytes (bigint 8, integer 4, timestamptz µs since 2000 in 8); then -1.
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
COPY_TRAILER = b"\xff\xff"
_COPY_RECORD = struct.Struct("!hiqiqi")  # 8 columns; id; dataset; the ciphertext's length, its bytes after
_COPY_ENTRY = struct.Struct("!hiqiqiqi")  # 4 columns: dataset, field, value; the postings' length, their bytes after
RECORD_COLUMNS = ("vault_record (id, dataset_id, ciphertext, schema_version, channel, notice_id, import_run_id,"
                  " created)")
ENTRY_COLUMNS = "vault_indexentry (dataset_id, field_id, value, postings)"


@dataclass(frozen=True)
class PostgresRows:
    """A batch as PostgreSQL takes it: two binary COPY streams, bytea as bytes, packed here whole."""

    dataset: int
    record_end: bytes  # after the ciphertext, the same for every row: schema version, channel, notice, import, created

    def pack(self, records: list[tuple[int, bytes]], entries: Entries) -> tuple[bytes, bytes]:
        pack_record, pack_entry, dataset, end = _COPY_RECORD.pack, _COPY_ENTRY.pack, self.dataset, self.record_end
        parts = [COPY_HEADER]
        for record_id, blob in records:
            parts += (pack_record(8, 8, record_id, 8, dataset, len(blob)), blob, end)
        parts.append(COPY_TRAILER)
        rows = [COPY_HEADER]
        for field_id, value, blob in entries:
            rows += (pack_entry(4, 8, dataset, 8, field_id, 8, value, len(blob)), blob)
        rows.append(COPY_TRAILER)
        return b"".join(parts), b"".join(rows)


@dataclass(frozen=True)
class Plan:
    """What a sealer needs, in plain values (a worker receives it pickled)."""

    encoding: str  # of the pieces, which follow the header (so never with a BOM)
    columns: tuple[Column, ...]  # the file's columns, in its order
    take: tuple[int | None, ...] | None  # for each declared field the file's column (None: left out); None: as is
    searchable: tuple[tuple[int, int], ...]  # (position among the declared fields, field id)
    dataset: int
    version: int
    keys: tuple[bytes, bytes, int] | None  # data key, index key, index bits; None: only check (a dry run)
    rows: SQLiteRows | PostgresRows | None
    remember: int = 1 << 16  # index values remembered per searchable field: names and readings recur


@dataclass
class Sealed:
    """What a sealer made of one piece; its rows are numbered from 1 within the piece."""

    records: int = 0  # CSV records read, blank lines included: the next piece's rows come after these
    rows: int = 0  # data rows
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS problems
    error_count: int = 0
    unreadable: Unreadable | None = None  # the piece stopped being readable there: nothing after it counts
    imported: int = 0
    payload: Any = None  # the writer's statements, when sealed

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


class Sealer:
    """Checks, seals, indexes and packs pieces of one file for one dataset (`Plan`)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        cols = plan.columns
        self._checks = [values.checker(c.kind, required=c.required, max_length=c.max_length) for c in cols]
        self._fit = [values.column_checker(c.kind, required=c.required, max_length=c.max_length) for c in cols]
        self._cipher: crypto.FieldCipher | None = None
        self._keyed: list[tuple[int, int, Callable[[Sequence[str]], list[tuple[int, bytes] | None]]]] = []
        if plan.keys is not None:
            data_key, index_key, bits = plan.keys
            self._cipher, self._index = crypto.FieldCipher(data_key), crypto.BlindIndex(index_key, bits=bits)
            self._keyed = [(at, field_id, self._index.keyed_column(field_id, remember=plan.remember))
                           for at, field_id in plan.searchable]

    def __call__(self, piece: bytes, ids: Sequence[int], seal: bool) -> Sealed:
        """One piece: its rows checked a column at a time (row by row only when something is wrong) and, if
        `seal` and nothing is, sealed as records `ids[0]`, `ids[1]` … and packed for the writer."""
        out = Sealed()
        read, out.unreadable = piece_records(piece, self.plan.encoding)
        out.records = len(read)
        batch = self._checked(read, out)
        if seal and batch and not out.error_count and out.unreadable is None:
            if self.plan.take is not None:
                batch = [["" if i is None else cells[i] for i in self.plan.take] for cells in batch]
            out.imported = len(batch)
            out.payload = self._sealed(batch, ids[:len(batch)])
        return out

    def _checked(self, read: list[list[str]], out: Sealed) -> list[list[str]]:
        width = len(self._checks)
        if set(map(len, read)) == {width} and all(map(str.strip, map(operator.itemgetter(0), read))):
            # The usual piece, told in C: every row as wide as the header, none blank (a first cell).
            numbers: Sequence[int] = range(1, len(read) + 1)
            batch = read
            out.rows = len(read)
        else:
            numbers, batch = self._rows(read, out)
        if batch and not all(fits(column) for fits, column in zip(self._fit, zip(*batch, strict=True), strict=True)):
            batch = [cells for row, cells in zip(numbers, batch, strict=True) if self._fits(row, cells, out)]
        return batch

    def _rows(self, read: list[list[str]], out: Sealed) -> tuple[list[int], list[list[str]]]:
        """The rows that are neither blank nor of the wrong width, and their numbers."""
        width = len(self._checks)
        numbers, batch = [], []
        for row, cells in enumerate(read, start=1):
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # a blank line, as Excel leaves
                continue
            out.rows += 1
            if len(cells) != width:
                out.add(RowError(row, None, f"列の数が見出しと違います（{len(cells)}列、見出しは{width}列）。",
                                 f"{len(cells)} columns where the header has {width}."))
                continue
            numbers.append(row)
            batch.append(cells)
        return numbers, batch

    def _fits(self, row: int, cells: list[str], out: Sealed) -> bool:
        reasons = [check(cell) for check, cell in zip(self._checks, cells, strict=True)]
        for column, reason in zip(self.plan.columns, reasons, strict=True):
            if reason is not None:
                out.add(RowError(row, column.name, *reason))
        return reasons.count(None) == len(reasons)

    def _sealed(self, batch: list[list[str]], numbers: Sequence[int]) -> Any:
        if self._cipher is None or self.plan.rows is None:
            raise ValueError("a plan without keys or writer only checks")
        if len(numbers) != len(batch):
            raise ValueError(f"{len(batch)} rows for {len(numbers)} record ids")
        entries: Entries = []
        for at, field_id, keyed_of in self._keyed:
            entries += self._entries(field_id, keyed_of(list(map(operator.itemgetter(at), batch))), numbers)
        blobs = self._cipher.seal_records(batch, dataset=self.plan.dataset, records=numbers, version=self.plan.version)
        return self.plan.rows.pack(list(zip(numbers, blobs, strict=True)), entries)

    def _entries(self, field_id: int, found: list[tuple[int, bytes] | None], numbers: Sequence[int]) -> Entries:
        """The batch's index entries of one field: one per index value (a few hundred rows to insert instead
        of one per record), its records in their order with their match tags. Sorted and cut in C loops."""
        if None in found:  # an optional field left empty has no entry
            kept = [at for at, each in enumerate(found) if each is not None]
            found, numbers = [found[at] for at in kept], [numbers[at] for at in kept]
        if not found:
            return []
        values = list(map(operator.itemgetter(0), found))
        order = sorted(range(len(values)), key=values.__getitem__)  # stable: each value's records in order
        values = list(map(values.__getitem__, order))
        records = list(map(numbers.__getitem__, order))
        probes = list(map(operator.itemgetter(1), map(found.__getitem__, order)))
        packed = postings(records, self._index.tags(probes, records))
        starts = [0, *itertools.compress(range(1, len(values)), map(operator.ne, values[1:], values))]
        size = POSTING.size
        return [(field_id, values[start], packed[start * size:end * size])
                for start, end in zip(starts, [*starts[1:], len(values)], strict=True)]


class SealingFailed(RuntimeError):
    """A worker failed or ended: the import stops and its transaction is rolled back."""


@dataclass(frozen=True)
class _Failure:
    kind: str  # the exception's type, never its message (it could quote a value)


class _Worker:
    """One `python -m itaku.vault.sealing` process: pieces go in on a thread of their own (so that a full
    pipe never blocks the import while the worker waits for its answer to be read), answers come out in order."""

    def __init__(self, plan: Plan) -> None:
        package = str(Path(__file__).resolve().parents[2])  # the folder that holds `itaku`
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")]))}
        self._process = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)  # noqa: S603
        self._jobs: queue.Queue[bytes | None] = queue.Queue(maxsize=_IN_FLIGHT + 1)
        self._jobs.put(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
        self._sender = threading.Thread(target=self._send, name="vault-import-sealing", daemon=True)
        self._sender.start()

    def _send(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        with contextlib.suppress(OSError, ValueError):
            while (job := self._jobs.get()) is not None:
                stdin.write(job)
                stdin.flush()
        with contextlib.suppress(OSError, ValueError):
            stdin.close()

    def put(self, job: tuple[bytes, Sequence[int], bool]) -> None:
        # Pickled here: the sender's thread only writes, so it allocates (and keeps a malloc arena for) nothing.
        self._jobs.put(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self) -> Sealed:
        try:
            answer = pickle.load(self._process.stdout)  # noqa: S301 (our own worker, over its own pipe)
        except (EOFError, pickle.UnpicklingError, OSError):
            raise SealingFailed(f"the import's sealing process ended (exit code {self._process.poll()})") from None
        if isinstance(answer, _Failure):
            raise SealingFailed(f"the import's sealing process failed ({answer.kind})")
        return answer

    def close(self, *, finished: bool) -> None:
        """End the worker: after its last answer it leaves when its input ends; otherwise it is stopped."""
        if not finished:
            self._process.kill()
        with contextlib.suppress(queue.Full):
            self._jobs.put_nowait(None)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._sender.join(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()


def sealed(plan: Plan, pieces: Iterable[tuple[bytes, Sequence[int]]], seal: Callable[[], bool], *,
           workers: int = 0) -> Iterator[Sealed]:
    """What each piece came to, in order; `seal()` is asked as each piece is handed over (it turns false once
    a row has failed: the rest is only checked). With `workers`, that many processes take the pieces in turn,
    at most _IN_FLIGHT each ahead of the answers; with 0 this process does the work."""
    if not workers:
        sealer = Sealer(plan)
        for piece, ids in pieces:
            yield sealer(piece, ids, seal())
        return
    pool = [_Worker(plan) for _ in range(workers)]
    waiting: collections.deque[_Worker] = collections.deque()
    finished = False
    try:
        for worker, (piece, ids) in zip(itertools.cycle(pool), pieces, strict=False):
            if len(waiting) == workers * _IN_FLIGHT:
                yield waiting.popleft().get()
            worker.put((piece, ids, seal()))
            waiting.append(worker)
        while waiting:
            yield waiting.popleft().get()
        finished = True
    finally:
        for worker in pool:
            worker.close(finished=finished)


def _serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """A worker's loop: the plan, then (piece, ids, seal) after (piece, ids, seal) until the input ends."""
    try:
        sealer = Sealer(pickle.load(stdin))  # noqa: S301 (the import that started this process)
        while True:
            job = pickle.load(stdin)  # noqa: S301
            try:
                answer: Sealed | _Failure = sealer(*job)
            except Exception as error:  # sent as its type alone: its message could hold a value
                answer = _Failure(type(error).__name__)
            pickle.dump(answer, stdout, protocol=pickle.HIGHEST_PROTOCOL)
            stdout.flush()
    except (EOFError, BrokenPipeError):
        return


if __name__ == "__main__":
    # Through the module's own name, so that what it pickles names `itaku.vault.sealing`, not `__main__`.
    from itaku.vault import sealing

    sealing._serve(sys.stdin.buffer, sys.stdout.buffer)


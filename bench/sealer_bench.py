"""Where a sealing worker's time goes: the steps of `vault.sealing.Sealer`, one after the other, over the
pieces of a CP932 file of N rows of `itaku.portal.juki`, in CPU microseconds a row.

A worker's work is most of an import's CPU time (bench/import_bench.py, the README's "where an import's time
goes"); this times each step alone so that a change to one shows in its own figure. No Django and no
database: the sealer is framework-free, and its plan is built here as the import builds it (the dataset of
juki.FIELDS, two blind indexes of 9 bits, random keys, SQLite's packing). The baseline is `csv.reader` over
the same decoded pieces: the floor of reading the file at all.

    .venv/bin/python bench/sealer_bench.py [--rows 500000]

One JSON line per step on stdout (`measure`, `value` in µs/row, `unit`, the baseline's), a table on stderr.
"""

from __future__ import annotations

import argparse
import csv
import io
import operator
import os
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "src")]

from common import emit  # noqa: E402

from itaku.lib import csvfile  # noqa: E402
from itaku.portal import juki  # noqa: E402
from itaku.vault import sealing  # noqa: E402

BASELINE = "csv.reader over the decoded pieces"
MAX_LENGTH = 200  # vault.services.FieldSpec's default, which the benchmark's dataset keeps
SQLITE_VARIABLES, ROWS_PER_INSERT = 32766, 1000  # as vault.services packs for SQLite


def plan() -> sealing.Plan:
    columns = tuple(sealing.Column(spec["name"], spec["kind"], spec.get("required", True), MAX_LENGTH)
                    for spec in juki.FIELDS)
    searchable = tuple((i, 100 + i) for i, spec in enumerate(juki.FIELDS) if spec.get("searchable"))
    rows = sealing.SQLiteRows(1, (1, "", None, 1, "2026-12-03 00:00:00"), SQLITE_VARIABLES, ROWS_PER_INSERT)
    return sealing.Plan(encoding="cp932", columns=columns, take=None, searchable=searchable, dataset=1, version=1,
                        keys=(os.urandom(32), os.urandom(32), 9), rows=rows)


def timed(function, *args):
    start = time.process_time()
    result = function(*args)
    return result, time.process_time() - start


def run(count: int) -> None:
    text = "".join(",".join(row) + "\r\n" for row in juki.rows(count))
    pieces = list(csvfile.record_chunks(io.BytesIO(text.encode("cp932")), sealing.CHUNK_BYTES))
    del text
    sealer = sealing.Sealer(plan())
    steps: dict[str, float] = {}

    _, steps[BASELINE] = timed(lambda: [list(csv.reader(io.StringIO(p.decode("cp932"), newline="\n")))
                                        for p in pieces])
    reads, steps["read: piece_records (decode, csv)"] = timed(
        lambda: [csvfile.piece_records(p, "cp932")[0] for p in pieces])
    batches, steps["check: rows and ten fields"] = timed(lambda: [sealer._checked(r, sealing.Sealed()) for r in reads])
    assert sum(map(len, batches)) == count, "the benchmark's rows must all pass the checks"
    ids, first = [], 1
    for batch in batches:
        ids.append(list(range(first, first + len(batch))))
        first += len(batch)

    def entries() -> list:
        return [[entry for at, field, keyed_of in sealer._keyed
                 for entry in sealer._entries(field, keyed_of(list(map(operator.itemgetter(at), batch))), numbers)]
                for batch, numbers in zip(batches, ids, strict=True)]

    index, steps["index: blind indexes, match tags, entries"] = timed(entries)
    blobs, steps["seal: AES-256-GCM a record"] = timed(
        lambda: [sealer._cipher.seal_records(b, dataset=1, records=n, version=1) for b, n in zip(batches, ids,
                                                                                                strict=True)])
    _, steps["pack: statements for SQLite"] = timed(
        lambda: [sealer.plan.rows.pack(list(zip(n, b, strict=True)), e) for n, b, e in zip(ids, blobs, index,
                                                                                             strict=True)])
    steps["the sealer in all"] = sum(v for k, v in steps.items() if k != BASELINE)
    base = steps[BASELINE] / count * 1e6
    for name, seconds in steps.items():
        value = seconds / count * 1e6
        extra = {} if name == BASELINE else {"baseline_measure": BASELINE, "baseline_value": round(base, 2),
                                             "ratio": round(value / base, 2)}
        emit(f"sealer {name}", round(value, 2), "µs/row CPU", rows=count, **extra)
        print(f"  {name:<45} {value:6.2f} µs/row", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000)
    run(parser.parse_args().rows)

"""Disposal benchmark (issue 4, "Speed and memory"): a dataset of N records made unreadable by crypto erase,
then its ciphertexts and index entries deleted as the background job does it.

    ITAKU_VAR_DIR=/tmp/itaku-bench .venv/bin/python bench/disposal_bench.py 100000 [--postgres URL]

A throwaway SQLite database in a temporary folder (or, with --postgres, a throwaway database on that
server, dropped afterwards) is migrated, given the parties and contract of tests.base.World and a dataset
of the ten fields of src/itaku/portal/juki.py (two blind-indexed); a CP932 file of N of its made-up rows is
imported by vault.services.import_file (`fill_seconds`), so the records and index entries are what an import
leaves. Then, timed apart:
  disposal_unreadable_seconds  disposal.dispose: the instruction checked, both wrapped keys destroyed, the
                               disposal record and its ledger event written, committed; afterwards the
                               keys, a record and access are checked to refuse;
  deletion_seconds             tasks.run_deletion: chunks of 10,000 records with their index entries, one
                               transaction each, until nothing remains (the vault.deletion_finished event).
On PostgreSQL the tables get the VACUUM ANALYZE that autovacuum gives them some time after a large
import, unless --cold (then the planner has no statistics and the count runs without a visibility map).
One JSON line per figure on stdout. Goal: unreadable in under 1 s whatever N; deletion reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.common import bench_dataset, emit, throwaway_postgres  # noqa: E402

UNREADABLE_GOAL_SECONDS = 1.0


def fill(world: object, dataset: object, count: int, folder: Path) -> int:
    """Import `count` made-up rows as a city's export would come (`vault.services.import_file`); returns the
    index entries the import wrote."""
    from itaku.portal import juki
    from itaku.vault.models import IndexEntry
    from itaku.vault.services import import_file

    path = juki.write(folder / "juki.csv", count)
    with path.open("rb") as stream:
        report = import_file(world.responsible, dataset, stream)
    path.unlink()
    if not report.ok or report.imported != count:
        raise SystemExit(f"the import refused the benchmark's file: {[str(e) for e in report.errors[:3]]}")
    return IndexEntry.objects.filter(dataset=dataset).count()


def run(count: int, folder: Path, *, cold: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tests.base import World

    from itaku.ledger.models import Event
    from itaku.lib.errors import UserError
    from itaku.vault import access, disposal, tasks
    from itaku.vault.models import Dataset, IndexEntry, Purpose, Record
    from itaku.vault.services import open_keys, read_record

    world = World()
    dataset = bench_dataset(world, count)
    started = time.perf_counter()
    entries = fill(world, dataset, count, folder)
    emit("fill_seconds", round(time.perf_counter() - started, 3), "s", records=count, index_entries=entries)
    if connection.vendor == "postgresql" and not cold:
        with connection.cursor() as cursor:  # what autovacuum does to a table some time after a large import
            cursor.execute("VACUUM ANALYZE vault_record, vault_indexentry")
    sample = Record.objects.filter(dataset=dataset).order_by("-pk").first()
    disposal.instruct_disposal(world.supervisor, dataset, instruction_note="ベンチマーク")

    started = time.perf_counter()
    found = disposal.dispose(world.responsible, dataset, place="ベンチマーク", person_in_charge="ベンチマーク")
    unreadable = time.perf_counter() - started
    fresh = Dataset.objects.get(pk=dataset.pk)
    refused = 0
    for attempt in (lambda: open_keys(fresh), lambda: read_record(fresh, sample),
                    lambda: access.view(world.worker, fresh, Purpose.objects.get(dataset=fresh), "192.0.2.10",
                                        sample.pk)):
        try:
            attempt()
        except UserError:
            refused += 1
    if refused != 3 or found.records != count:
        raise SystemExit(f"the disposal did not make the data unreadable ({refused} of 3 refused)")
    emit("disposal_unreadable_seconds", round(unreadable, 4), "s", records=count,
         goal_seconds=UNREADABLE_GOAL_SECONDS, met=unreadable < UNREADABLE_GOAL_SECONDS)

    started = time.perf_counter()
    deleted = tasks.run_deletion(found.pk)
    seconds = time.perf_counter() - started
    left = Record.objects.filter(dataset=dataset).count() + IndexEntry.objects.filter(dataset=dataset).count()
    event = Event.objects.get(kind="vault.deletion_finished", facts__disposal=found.pk)
    if deleted != count or left or event.facts["index_entries"] != entries:
        raise SystemExit(f"the deletion left {left} rows ({deleted} of {count} records deleted)")
    emit("deletion_seconds", round(seconds, 3), "s", records=count, index_entries=entries,
         records_per_second=round(count / seconds) if seconds else None,
         ledger_milliseconds=event.facts["milliseconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server (postgres://user@host:5432/any); a throwaway database is used")
    parser.add_argument("--cold", action="store_true",
                        help="PostgreSQL: dispose right after the import, before any VACUUM ANALYZE")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itaku.settings")
    with tempfile.TemporaryDirectory(prefix="itaku-disposal-bench-") as work:
        os.environ.setdefault("ITAKU_VAR_DIR", str(Path(work) / "var"))
        if not args.postgres:
            os.environ["ITAKU_DATABASE_URL"] = f"sqlite:///{Path(work) / 'bench.sqlite3'}"
            run(args.records, Path(work), cold=args.cold)
            return
        with throwaway_postgres(args.postgres, f"itaku_disposal_bench_{os.getpid()}"):
            run(args.records, Path(work), cold=args.cold)


if __name__ == "__main__":
    main()

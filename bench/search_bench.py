"""Search benchmark (issue 4, "Speed and memory"): a search by a blind-indexed field in a dataset of N records,
end to end as the dataset page calls it. Goal: median under 5 ms on SQLite at 1,000,000 records.

    .venv/bin/python bench/search_bench.py --records 1000000 [--searches 500] [--database sqlite|postgres]

A throwaway database (SQLite in a temporary folder, or a database created on a PostgreSQL server and dropped at
the end) is migrated and given the parties and contract of tests.base.World, an eligible worker (trained,
pledged, in the acknowledged structure, at an acknowledged work location: tests.people.helpers.make_eligible)
and a dataset declared as in itaku.portal.juki; the file of N rows that itaku.portal.juki generates is imported
by `vault.services.import_file`, as a city's export would be. Then, in the same process, after a warm-up:
  search         vault.access.search(worker, dataset, purpose, address, field, query): the eligibility gate,
                 the purpose, the daily limit, the blind-index lookup, the candidates' match tags compared,
                 the matches read, decrypted and compared, the `data.searched` ledger event and the commit;
                 names and kana taken from the file, and one query in ten for a value that is not in it (its
                 index value still has its candidates);
  lookup alone   the same queries through the lookup the search makes (keys, blind index, tags, matches
                 decrypted and compared), without the gate, the limit and the ledger event;
  indexed SELECT the candidates' index entries (their postings: record ids and tags) by the index value,
                 in plain SQL: the floor of any lookup by this index, nothing compared or decrypted.
One JSON line per figure on stdout (median and p95 of wall time, median CPU time), a summary on stderr.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.common import bench_dataset, emit, throwaway_postgres  # noqa: E402

GOAL_MS = 5.0
WARM_UP = 20
MISSING_EVERY = 10  # one query in ten is for a value not in the file
ADDRESS = "192.0.2.10"  # inside tests.people.helpers' acknowledged work location
OURS = "search (ours)"
LOOKUP = "lookup alone (no gate, limit or ledger event)"
SELECT = "indexed SELECT of the candidates' entries (nothing compared)"


def queries(count: int, searches: int) -> list[tuple[str, str]]:
    """(field name, value) pairs: names and kana of rows spread over the file, and some values not in it."""
    from itaku.portal.juki import rows

    step = max(count // searches, 1)
    wanted = set(range(0, count, step))
    out: list[tuple[str, str]] = []
    for n, row in enumerate(rows(count)):
        if n in wanted:
            i = len(out)
            if i % MISSING_EVERY == MISSING_EVERY - 1:
                out.append(("氏名", f"該当　なし{i}") if i % 2 else ("氏名カナ", f"ｶﾞｲﾄｳ ﾅｼ{i}"))
            else:
                out.append(("氏名", row[1]) if i % 2 else ("氏名カナ", row[2]))
    return out[:searches]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function: Callable[..., list], arguments: tuple, walls: list[float], cpus: list[float]) -> list:
    cpu, start = time.process_time(), time.perf_counter()
    result = function(*arguments)
    walls.append((time.perf_counter() - start) * 1000)
    cpus.append((time.process_time() - cpu) * 1000)
    return result


def run(count: int, searches: int, profile: str | None) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from tests.base import World
    from tests.people.helpers import make_eligible

    from itaku.ledger.models import Event
    from itaku.ledger.services import verify_chain
    from itaku.portal import juki
    from itaku.vault import access
    from itaku.vault.models import Dataset, Purpose
    from itaku.vault.sealing import POSTING
    from itaku.vault.services import import_file, open_keys

    where = {"database": connection.vendor, "records": count}
    world = World()
    make_eligible(world)
    dataset = bench_dataset(world, count)
    with tempfile.TemporaryDirectory(prefix="itaku-search-bench-") as work:
        path = juki.write(Path(work) / "juki.csv", count)
        started = time.perf_counter()
        with path.open("rb") as stream:
            report = import_file(world.responsible, dataset, stream)
        if not report.ok or report.imported != count:
            raise SystemExit(f"the import failed: {[str(error) for error in report.errors[:5]]}")
        emit("import_seconds", round(time.perf_counter() - started, 1), "s", **where)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does to the tables some time after a large import
            cursor.execute("VACUUM ANALYZE vault_record, vault_indexentry")
    total = WARM_UP + searches
    Dataset.objects.filter(pk=dataset.pk).update(daily_search_limit=total)  # the limits are per dataset and day
    dataset = Dataset.objects.select_related("contract").get(pk=dataset.pk)
    purpose = Purpose.objects.get(dataset=dataset)
    fields = {f.name: f for f in dataset.fields.filter(searchable=True)}
    asked = queries(count, searches)
    warm = [asked[i * len(asked) // WARM_UP] for i in range(WARM_UP)]

    _, index = open_keys(dataset)
    select = "SELECT postings FROM vault_indexentry WHERE dataset_id = %s AND field_id = %s AND value = %s"

    def plain(name: str, value: str) -> list:
        field = fields[name]
        with connection.cursor() as cursor:
            cursor.execute(select, [dataset.pk, field.pk, index.of(value, field=field.pk)])
            return cursor.fetchall()

    def ours(name: str, value: str) -> list:
        return access.search(world.worker, dataset, purpose, ADDRESS, fields[name], value)

    def lookup(name: str, value: str) -> list:
        return access._lookup(dataset, fields[name], value)[1]  # the baseline: no gate, no limit, no event

    for name, value in warm:  # warm-up: the code paths, the connection, the database's pages
        plain(name, value)
        lookup(name, value)
        ours(name, value)
    figures = {}
    candidates = matches = entries = 0
    for label, function in ((SELECT, plain), (LOOKUP, lookup), (OURS, ours)):
        walls: list[float] = []
        cpus: list[float] = []
        profiler = None
        if profile and label == OURS:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        for name, value in asked:
            found = timed(function, (name, value), walls, cpus)
            if label == SELECT:  # each entry's postings: 16 bytes a record
                entries += len(found)
                candidates += sum(len(blob) for (blob,) in found) // POSTING.size
            elif label == OURS:
                matches += len(found)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        figures[label] = walls, cpus
    events = Event.objects.filter(chain=world.contract.ledger_chain, kind="data.searched").count()
    missing = [value for _, value in asked if "ﾅｼ" in value or "なし" in value]
    if events != total or not verify_chain(world.contract.ledger_chain).ok or matches < len(asked) - len(missing):
        raise SystemExit(f"the searches did not leave what they should ({events} events, {matches} matches)")

    base_walls, _ = figures[LOOKUP]
    select_walls, _ = figures[SELECT]
    walls, cpus = figures[OURS]
    extra = {**where, "searches": len(asked), "candidates_per_search": round(candidates / len(asked)),
             "index_entries_per_search": round(entries / len(asked)),
             "matches_per_search": round(matches / len(asked))}
    median = statistics.median(walls)
    for stat, value, base, other in (("median", median, statistics.median(base_walls),
                                      statistics.median(select_walls)),
                                     ("p95", percentile(walls, 0.95), percentile(base_walls, 0.95),
                                      percentile(select_walls, 0.95))):
        emit(f"{OURS} {stat}", round(value, 2), "ms", **extra, baseline_measure=f"{LOOKUP} {stat}",
             baseline_value=round(base, 2), ratio=round(value / base, 2),
             **({"goal": f"median < {GOAL_MS:g} ms", "met": value < GOAL_MS} if stat == "median" else {}))
        emit(f"{OURS} {stat}", round(value, 2), "ms", **extra, baseline_measure=f"{SELECT} {stat}",
             baseline_value=round(other, 2), ratio=round(value / other, 2))
    emit(f"{OURS} median CPU", round(statistics.median(cpus), 2), "ms", **extra,
         baseline_measure=f"{LOOKUP} median CPU", baseline_value=round(statistics.median(figures[LOOKUP][1]), 2))
    print(f"\n{connection.vendor}, {count:,} records, {len(asked)} searches "
          f"(~{extra['candidates_per_search']:,} candidates in ~{extra['index_entries_per_search']:,} index entries,"
          f" ~{extra['matches_per_search']:,} matches each):",
          file=sys.stderr)
    for label, (label_walls, label_cpus) in figures.items():
        print(f"  {label:<55} median {statistics.median(label_walls):7.2f} ms  p95 "
              f"{percentile(label_walls, 0.95):7.2f} ms  CPU median {statistics.median(label_cpus):7.2f} ms",
              file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("ITAKU_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server where a throwaway database may be created and dropped")
    parser.add_argument("--profile", help="write a cProfile of the timed searches (ours) to this file")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itaku.settings")
    with tempfile.TemporaryDirectory(prefix="itaku-search-bench-") as work:
        os.environ["ITAKU_VAR_DIR"] = str(Path(work) / "var")
        if args.database == "sqlite":
            os.environ["ITAKU_DATABASE_URL"] = f"sqlite:///{Path(work) / 'bench.sqlite3'}"
            run(args.records, args.searches, args.profile)
            return
        with throwaway_postgres(args.postgres_url, f"itaku_search_bench_{os.getpid()}"):
            run(args.records, args.searches, args.profile)


if __name__ == "__main__":
    main()

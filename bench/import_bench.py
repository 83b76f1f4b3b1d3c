"""Import benchmark (issue 4, "Speed and memory"): the vault's import against two baselines in the same run.

    .venv/bin/python bench/import_bench.py --rows 100000 --rows 1000000 --database sqlite|postgres

For each size a CP932 CSV of a city's 住民基本台帳 export (src/itaku/portal/juki.py) is generated once into a temporary
folder; then each contender runs in a child process of its own, on a fresh copy of one migrated database:
  ours  vault.services.import_file: its one pass over the file (validation, encryption, blind indexes and
        writing), one transaction and one `vault.imported` ledger event, the commit included;
  (a)   the floor: the same rows read by csv.reader and written in clear by plain `sqlite3` executemany;
  (b)   what a Django developer would do instead: a model with django-fernet-encrypted-fields (per-field
        Fernet) and bulk_create in batches of 1,000 in one transaction, no validation;
  (a')  on PostgreSQL also psycopg COPY of the rows in clear, the floor of that database.
Each child reports its time and its own peak RSS (ru_maxrss), so memory is the import's process, Django
included. One JSON line per figure goes to stdout, a table to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

FERNET = "django-fernet-encrypted-fields==0.4.0"
CONTRACT = "品委第2025-0001号"  # tests.base.World's contract
FLOOR = "(a) sqlite3 executemany in clear"
FLOOR_PG = "(a') psycopg COPY in clear"
DJANGO = "(b) Django bulk_create, per-field Fernet"
OURS = "import (ours)"
RATIO_TO_FLOOR, RATIO_TO_DJANGO, RSS_LIMIT_MB = 4, 5, 300


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def csv_rows(path: Path) -> Iterator[list[str]]:
    """The data rows as the baselines read them: the csv module over CP932, no checks."""
    import csv

    with path.open(encoding="cp932", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        yield from reader


# Children ---------------------------------------------------------------------------------------------------

def child_setup() -> dict:
    """Migrate the template database and create the parties and contract of tests.base.World."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.base import World

    World()
    return {}


def child_ours(csv_path: Path, rows: int, profile: Path | None) -> dict:
    import django

    django.setup()
    from itaku.accounts.models import User
    from itaku.contracts.models import Contract
    from itaku.ledger.models import Event
    from itaku.ledger.services import verify_chain
    from itaku.portal.juki import FIELDS
    from itaku.vault import services
    from itaku.vault.models import Dataset, IndexEntry, Record

    contract = Contract.objects.get(number=CONTRACT)
    supervisor, responsible = (User.objects.get(username=name) for name in ("supervisor", "responsible"))
    dataset = services.create_dataset(
        supervisor, contract, name=f"住民基本台帳抜粋 {rows}", source=Dataset.Source.ENTRUSTED,
        fields=[services.FieldSpec(**spec) for spec in FIELDS], purposes=["住民税課税資料の入力"], expected_rows=rows,
    )
    phases: dict[str, float] = {}

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            start, cpu = time.perf_counter(), cpu_seconds()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = time.perf_counter() - start
                phases[f"{name}_cpu"] = cpu_seconds() - cpu
        return wrapper

    services._pass = timed("pass", services._pass)
    rss_before = peak_rss_mb()
    cpu_before = cpu_seconds()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    with csv_path.open("rb") as stream:
        report = services.import_file(responsible, dataset, stream)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_before
    if profiler:
        profiler.disable()
        Path(profile).parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
    peak = peak_rss_mb()
    if not report.ok or report.imported != rows:
        raise SystemExit(f"the import failed: {[str(error) for error in report.errors[:5]]}")
    events = Event.objects.filter(chain=contract.ledger_chain, kind="vault.imported", facts__dataset=dataset.pk)
    counts = {"records": Record.objects.filter(dataset=dataset).count(),
              "index_entries": IndexEntry.objects.filter(dataset=dataset).count(), "ledger_events": events.count()}
    if counts["records"] != rows or counts["ledger_events"] != 1 or not verify_chain(contract.ledger_chain).ok:
        raise SystemExit(f"the import did not leave what it should: {counts}")
    return {"seconds": elapsed, "cpu_seconds": cpu, "peak_rss_mb": peak, "rss_before_mb": rss_before, **phases,
            **counts, "index_bits": dataset.index_bits}


def child_floor(csv_path: Path, database: Path) -> dict:
    import sqlite3

    connection = sqlite3.connect(database, isolation_level=None)
    connection.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                             "CREATE TABLE person (id INTEGER PRIMARY KEY, "
                             + ", ".join(f"c{i} TEXT" for i in range(10)) + ")")
    start = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO person (c0, c1, c2, c3, c4, c5, c6, c7, c8, c9)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", csv_rows(csv_path))
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    (count,) = connection.execute("SELECT count(*) FROM person").fetchone()
    connection.close()
    return {"seconds": elapsed, "peak_rss_mb": peak_rss_mb(), "records": count}


def child_floor_pg(csv_path: Path) -> dict:
    import django

    django.setup()
    from django.db import connection, transaction

    columns = ", ".join(f"c{i}" for i in range(10))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_clear (id bigserial PRIMARY KEY, {columns.replace(',', ' text,')} text)")
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY bench_clear ({columns}) FROM STDIN") as copy:
        for row in csv_rows(csv_path):
            copy.write_row(row)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_clear")
        (count,) = cursor.fetchone()
    return {"seconds": elapsed, "peak_rss_mb": peak_rss_mb(), "records": count}


def child_django(csv_path: Path, fernet_dir: Path) -> dict:
    """Baseline (b) with the package itself (installed into `fernet_dir`, never into the project)."""
    sys.path.insert(0, str(fernet_dir))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, models, transaction

    settings.SALT_KEY = secrets.token_hex(16)  # the package derives its Fernet key from SECRET_KEY and this
    from encrypted_fields.fields import EncryptedCharField

    from itaku.portal.juki import HEADER

    attributes = {f"c{i}": EncryptedCharField(name, max_length=200, null=True, blank=True)
                  for i, name in enumerate(HEADER)}
    attributes.update(__module__=__name__, Meta=type("Meta", (), {"app_label": "bench", "db_table": "bench_person"}))
    person = type("Person", (models.Model,), attributes)
    with connection.schema_editor() as editor:
        editor.create_model(person)
    for field in person._meta.concrete_fields:  # the PBKDF2 key derivation, once per field and process
        getattr(field, "f", None)
    names = list(attributes)[: len(HEADER)]
    start = time.perf_counter()
    with transaction.atomic():
        batch = []
        for row in csv_rows(csv_path):
            batch.append(person(**dict(zip(names, row, strict=True))))
            if len(batch) == 1000:
                person.objects.bulk_create(batch)
                batch.clear()
        person.objects.bulk_create(batch)
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "peak_rss_mb": peak_rss_mb(), "records": person.objects.count()}


def child_generate(csv_path: Path, rows: int) -> dict:
    from itaku.portal import juki

    start = time.perf_counter()
    juki.write(csv_path, rows)
    return {"seconds": time.perf_counter() - start, "bytes": csv_path.stat().st_size}


def run_child(mode: str, env: dict[str, str], *arguments: str) -> dict:
    """Run this script as a child in `mode`; its result is the JSON on its last line of stdout."""
    done = subprocess.run([sys.executable, __file__, "--child", mode, *arguments], env=env, check=False,  # noqa: S603
                          stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"the {mode} child failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Databases --------------------------------------------------------------------------------------------------

class SQLite:
    """A migrated template folder (database, secrets) copied afresh for each contender."""

    name = "sqlite"

    def __init__(self, work: Path) -> None:
        self.work = work
        self.template = work / "var-template"

    def env(self, base: dict[str, str], var: Path) -> dict[str, str]:
        env = {**base, "ITAKU_VAR_DIR": str(var)}
        env.pop("ITAKU_DATABASE_URL", None)
        return env

    def prepare(self, base: dict[str, str]) -> None:
        run_child("setup", self.env(base, self.template))

    @contextlib.contextmanager
    def fresh(self, base: dict[str, str], label: str) -> Iterator[dict[str, str]]:
        var = self.work / f"var-{label}"
        shutil.rmtree(var, ignore_errors=True)
        shutil.copytree(self.template, var)
        try:
            yield self.env(base, var)
        finally:
            shutil.rmtree(var, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.template, ignore_errors=True)


class Postgres:
    """A throwaway template database, cloned (CREATE DATABASE … TEMPLATE) for each contender, dropped after."""

    name = "postgres"

    def __init__(self, work: Path, url: str) -> None:
        import psycopg

        self.work, self.url = work, url
        self.prefix = f"itaku_bench_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self.admin = psycopg.connect(self._url("postgres"), autocommit=True)

    def _url(self, database: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))

    def _create(self, name: str, template: str | None = None) -> None:
        clause = f" TEMPLATE {template}" if template else ""
        self.admin.execute(f"CREATE DATABASE {name}{clause}")

    def env(self, base: dict[str, str], database: str) -> dict[str, str]:
        return {**base, "ITAKU_VAR_DIR": str(self.work / "var-pg"), "ITAKU_DATABASE_URL": self._url(database)}

    def prepare(self, base: dict[str, str]) -> None:
        self._create(self.template)
        run_child("setup", self.env(base, self.template))

    @contextlib.contextmanager
    def fresh(self, base: dict[str, str], label: str) -> Iterator[dict[str, str]]:
        name = f"{self.prefix}_{label}"
        self._create(name, self.template)
        try:
            yield self.env(base, name)
        finally:
            self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def close(self) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.admin.close()


# The run ----------------------------------------------------------------------------------------------------

def install_fernet(work: Path, given: str | None) -> Path:
    """django-fernet-encrypted-fields in a folder of the benchmark's own, put on sys.path by baseline (b) only."""
    target = Path(given) if given else work / "fernet"
    if not (target / "encrypted_fields").is_dir():
        command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), FERNET]
        subprocess.run(command, check=True)  # noqa: S603
    return target


def figure(measure: str, value: float, unit: str, **extra: object) -> dict:
    return {"measure": measure, "value": round(value, 1), "unit": unit, **extra}


def figures(database: str, rows: int, ours: dict, floor: dict, django: dict | None, floor_pg: dict | None,
            smaller: tuple[int, dict] | None) -> list[dict]:
    where = {"database": database, "rows": rows}
    speed = rows / ours["seconds"]
    floor_speed = rows / floor["seconds"]
    out = [
        figure(f"{OURS} rows/s", speed, "rows/s", **where, baseline_measure=FLOOR, baseline_value=round(floor_speed),
               ratio=round(floor_speed / speed, 2), goal=f"floor/ours ≤ {RATIO_TO_FLOOR}",
               met=floor_speed / speed <= RATIO_TO_FLOOR),
    ]
    if django:
        django_speed = rows / django["seconds"]
        out.append(figure(f"{OURS} rows/s", speed, "rows/s", **where, baseline_measure=DJANGO,
                          baseline_value=round(django_speed), ratio=round(speed / django_speed, 2),
                          goal=f"ours/(b) ≥ {RATIO_TO_DJANGO}", met=speed / django_speed >= RATIO_TO_DJANGO))
    if floor_pg:
        pg_speed = rows / floor_pg["seconds"]
        out.append(figure(f"{OURS} rows/s", speed, "rows/s", **where, baseline_measure=FLOOR_PG,
                          baseline_value=round(pg_speed), ratio=round(pg_speed / speed, 2)))
    out.append(figure(f"{OURS} the pass (check, encrypt, index, write) rows/s", rows / ours["pass"], "rows/s",
                      **where, cpu_seconds=round(ours["pass_cpu"], 2)))
    rss = figure(f"{OURS} peak RSS", ours["peak_rss_mb"], "MB", **where, rss_before_import_mb=round(
        ours["rss_before_mb"], 1), goal=f"< {RSS_LIMIT_MB} MB", met=ours["peak_rss_mb"] < RSS_LIMIT_MB)
    if smaller:
        small_rows, small = smaller
        rss.update(baseline_measure=f"{OURS} peak RSS at {small_rows} rows",
                   baseline_value=round(small["peak_rss_mb"], 1),
                   ratio=round(ours["peak_rss_mb"] / small["peak_rss_mb"], 2))
    out.append(rss)
    out.append(figure(f"{FLOOR} rows/s", floor_speed, "rows/s", **where))
    out.append(figure(f"{FLOOR} peak RSS", floor["peak_rss_mb"], "MB", **where))
    if django:
        out.append(figure(f"{DJANGO} rows/s", rows / django["seconds"], "rows/s", **where))
        out.append(figure(f"{DJANGO} peak RSS", django["peak_rss_mb"], "MB", **where))
    if floor_pg:
        out.append(figure(f"{FLOOR_PG} rows/s", rows / floor_pg["seconds"], "rows/s", **where))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeat for several sizes)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("ITAKU_BENCH_POSTGRES_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server where throwaway databases may be created and dropped")
    parser.add_argument("--workdir", help="keep the CSV files and the Fernet package here (default: a temp dir)")
    parser.add_argument("--fernet-dir", help="a folder already holding django-fernet-encrypted-fields (pip --target)")
    parser.add_argument("--skip-django", action="store_true", help="leave out baseline (b), the slow one")
    parser.add_argument("--profile", help="write a cProfile of our import per size into this folder")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        arguments = args.child_args
        result = {
            "setup": lambda: child_setup(),
            "generate": lambda: child_generate(Path(arguments[0]), int(arguments[1])),
            "ours": lambda: child_ours(Path(arguments[0]), int(arguments[1]),
                                       Path(arguments[2]) if len(arguments) > 2 else None),
            "floor": lambda: child_floor(Path(arguments[0]), Path(arguments[1])),
            "floor-pg": lambda: child_floor_pg(Path(arguments[0])),
            "django": lambda: child_django(Path(arguments[0]), Path(arguments[1])),
        }[args.child]()
        print(json.dumps(result))
        return

    sizes = args.rows or [100_000]
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="itaku-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work))  # databases of this run only
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "itaku.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
            "ITAKU_SECRET_KEY": secrets.token_urlsafe(48), "ITAKU_VAULT_MASTER_KEY": secrets.token_urlsafe(32)}
    fernet = None if args.skip_django else install_fernet(work, args.fernet_dir)
    database = SQLite(run_dir) if args.database == "sqlite" else Postgres(run_dir, args.postgres_url)
    table = []
    try:
        database.prepare(base)
        smaller = None
        for rows in sorted(sizes):
            csv_path = work / f"juki-{rows}.csv"
            if not csv_path.exists():
                partial = run_dir / csv_path.name
                run_child("generate", base, str(partial), str(rows))
                partial.replace(csv_path)
            floor_db = run_dir / f"floor-{rows}.sqlite3"
            floor = run_child("floor", base, str(csv_path), str(floor_db))
            for suffix in ("", "-wal", "-shm"):
                Path(f"{floor_db}{suffix}").unlink(missing_ok=True)
            profile = [str(Path(args.profile) / f"ours-{database.name}-{rows}.prof")] if args.profile else []
            with database.fresh(base, "ours") as env:
                ours = run_child("ours", env, str(csv_path), str(rows), *profile)
            django = floor_pg = None
            if fernet:
                with database.fresh(base, "django") as env:
                    django = run_child("django", env, str(csv_path), str(fernet))
            if database.name == "postgres":
                with database.fresh(base, "floor") as env:
                    floor_pg = run_child("floor-pg", env, str(csv_path))
            for line in figures(database.name, rows, ours, floor, django, floor_pg, smaller):
                print(json.dumps(line, ensure_ascii=False), flush=True)
            table.append((rows, ours, floor, django, floor_pg))
            smaller = (rows, ours)
    finally:
        database.close()
        shutil.rmtree(run_dir if args.workdir else work, ignore_errors=True)
    print_table(database.name, table)


def print_table(database: str, table: list) -> None:
    out = sys.stderr
    print(f"\n{database}: rows/s (ours vs (a) floor, (b) Django+Fernet), peak RSS of each process", file=out)
    print(f"{'rows':>9} {'ours':>9} {'(a)':>9} {'(b)':>9} {'(a)/ours':>9} {'ours/(b)':>9} {'the pass':>15} "
          f"{'rest':>6} {'RSS ours':>9} {'RSS (b)':>8}", file=out)
    for rows, ours, floor, django, _floor_pg in table:
        speed, floor_speed = rows / ours["seconds"], rows / floor["seconds"]
        django_speed = rows / django["seconds"] if django else float("nan")
        print(f"{rows:>9} {speed:>9.0f} {floor_speed:>9.0f} {django_speed:>9.0f} {floor_speed / speed:>9.2f} "
              f"{speed / django_speed:>9.2f} {ours['pass']:>5.2f}s cpu {ours['pass_cpu']:>5.2f}s "
              f"{ours['seconds'] - ours['pass']:>5.2f}s "
              f"{ours['peak_rss_mb']:>7.0f}MB {django['peak_rss_mb'] if django else float('nan'):>6.0f}MB", file=out)


if __name__ == "__main__":
    main()

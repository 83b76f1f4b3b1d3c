"""A process killed during an import leaves no records of that import (issue 4, "Bad input, faults").

Real processes on a real database: `itaku vault import` runs as a child on a throwaway database of its own
(an SQLite file, or a fresh PostgreSQL database when ITAKU_DATABASE_URL names a PostgreSQL server), is
killed with SIGKILL once it is writing rows, and then other processes look at what is left.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.test import SimpleTestCase

from tests.vault.test_import import FIELDS, csv_bytes

ROOT = Path(__file__).resolve().parents[2]
ITAKU = str(Path(sys.executable).with_name("itaku"))
DATASET = "住民基本台帳抜粋"
# A write pass of several seconds, long enough to be caught in the middle, and more than the import's SQLite
# page cache (64 MB, services._SQLITE_CACHE_KIB) holds: the transaction spills into the log halfway through.
ROWS = 400_000
WRITING_TIMEOUT = 20
WRITTEN_BYTES = 8 * 1024 * 1024  # about a tenth of what the import writes


def prepare() -> None:
    """In a child process: migrate the throwaway database, create the parties, the contract and the dataset."""
    from django.core.management import call_command

    from itaku.vault.models import Dataset
    from itaku.vault.services import create_dataset
    from tests.base import World

    call_command("migrate", interactive=False, verbosity=0)
    world = World()
    create_dataset(world.supervisor, world.contract, name=DATASET, source=Dataset.Source.ENTRUSTED, fields=FIELDS,
                   purposes=["住民税課税資料の入力"], expected_rows=ROWS)
    print(json.dumps({"contract": world.contract.number}))


def inspect() -> None:
    """In a child process: what the killed import left behind."""
    from django.db import connection

    from itaku.ledger.models import Event
    from itaku.vault.models import ImportRun, IndexEntry, Record

    found = {"records": Record.objects.count(), "index_entries": IndexEntry.objects.count(),
             "import_runs": ImportRun.objects.count(),
             "imported_events": Event.objects.filter(kind="vault.imported").count()}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            found["integrity"] = cursor.fetchone()[0]
    print(json.dumps(found))


class ThrowawayDatabase:
    """The children's database: a file under `var` for SQLite, or a database created (and later dropped) on
    the PostgreSQL server the suite runs on, never the suite's own test database."""

    def __init__(self, var: Path) -> None:
        self.env = {**os.environ, "ITAKU_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "itaku.settings",
                    "ITAKU_VAULT_IMPORT_WORKERS": "2",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.postgres = urlsplit(os.environ.get("ITAKU_DATABASE_URL", "")).scheme.startswith("postgres")
        self.sqlite_file = var / "itaku.sqlite3"
        self.monitor = None
        self.sqlite_start = 0
        if self.postgres:
            import psycopg

            server = urlsplit(os.environ["ITAKU_DATABASE_URL"])
            self.name = f"itaku_crash_{secrets.token_hex(4)}"
            self.admin = psycopg.connect(urlunsplit(server._replace(path="/postgres")), autocommit=True)
            self.admin.execute(f"CREATE DATABASE {self.name}")
            self.env["ITAKU_DATABASE_URL"] = urlunsplit(server._replace(path=f"/{self.name}"))
        else:
            self.env.pop("ITAKU_DATABASE_URL", None)

    def python(self, code: str) -> dict:
        """Run `code` after django.setup() in a child process and return the JSON it prints."""
        done = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def watch(self) -> None:
        """Take the measure of the database before the import starts."""
        if self.postgres:
            import psycopg

            self.monitor = psycopg.connect(self.env["ITAKU_DATABASE_URL"], autocommit=True)
        else:
            self.sqlite_start = self._sqlite_bytes()

    def writing(self) -> bool:
        """Whether the import has written a good part of its rows (uncommitted, so no other process sees them)."""
        if self.postgres:  # the table's file grows with the uncommitted rows
            return self.monitor.execute("SELECT pg_relation_size('vault_record')").fetchone()[0] > WRITTEN_BYTES
        # SQLite spills the transaction's pages into the write-ahead log long before it commits.
        return self._sqlite_bytes() - self.sqlite_start > WRITTEN_BYTES

    def _sqlite_bytes(self) -> int:
        files = (self.sqlite_file, Path(f"{self.sqlite_file}-wal"))
        return sum(path.stat().st_size for path in files if path.exists())

    def drop(self) -> None:
        if self.postgres:
            if self.monitor is not None:
                self.monitor.close()
            self.admin.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self.admin.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class KilledImportTests(SimpleTestCase):
    def test_sigkill_while_writing_leaves_no_record_and_an_intact_ledger(self) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        database = ThrowawayDatabase(folder / "var")
        self.addCleanup(database.drop)
        contract = database.python("from tests.vault.test_import_crash import prepare; prepare()")["contract"]
        database.watch()
        path = folder / "juki.csv"
        path.write_bytes(csv_bytes(ROWS))

        child = subprocess.Popen([ITAKU, "vault", "import", contract, DATASET, str(path), "--by", "responsible"],
                                 cwd=ROOT, env=database.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(child.stderr.close)
        self.addCleanup(lambda: child.poll() is None and child.kill())
        deadline = time.monotonic() + WRITING_TIMEOUT
        while not database.writing():
            if child.poll() is not None:
                self.fail(f"the import ended ({child.returncode}) before it was seen writing: "
                          f"{child.stderr.read().decode()[-2000:]}")
            self.assertLess(time.monotonic(), deadline, "the import was never seen writing records")
            time.sleep(0.05)
        workers = children(child.pid)
        self.assertEqual(len(workers), 2, "the import's sealing workers")  # ITAKU_VAULT_IMPORT_WORKERS below
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        self.assertEqual(child.returncode, -signal.SIGKILL, "the import finished before it was killed")
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers):  # each meets the end of its pipe
            self.assertLess(time.monotonic(), deadline, "a sealing worker outlived its import")
            time.sleep(0.05)

        left = database.python("from tests.vault.test_import_crash import inspect; inspect()")
        self.assertEqual({key: left[key] for key in ("records", "index_entries", "import_runs", "imported_events")},
                         {"records": 0, "index_entries": 0, "import_runs": 0, "imported_events": 0})
        if not database.postgres:
            self.assertEqual(left["integrity"], "ok")
        verify = subprocess.run([ITAKU, "ledger", "verify", "--json"], cwd=ROOT, env=database.env,
                                capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        chains = json.loads(verify.stdout)
        self.assertGreater(len(chains), 1, chains)  # the system's and the contract's
        self.assertTrue(all(chain["ok"] and chain["events"] > 0 for chain in chains), chains)

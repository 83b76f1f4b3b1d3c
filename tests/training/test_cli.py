"""`itaku training import CONTRACT FILE [--dry-run]`: a summary, and a non-zero exit on any error."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from itaku.ledger.models import Event
from itaku.training.models import Completion
from tests.training.support import TrainingTestCase, csv_bytes

HEADER = ["ユーザー名", "氏名", "講座", "受講日", "結果"]


class ImportCommandTests(TrainingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.staff("takahashi", "髙橋 﨑子")
        self.good = self._file("good.csv", [
            HEADER, ["takahashi", "髙橋﨑子", "個人情報保護研修", "令和7年4月1日", "修了"],
            ["worker", "", "個人情報保護研修", "2025/4/2", "修了"],
        ], "cp932")
        self.bad = self._file("bad.csv", [HEADER, ["takahashi", "", "個人情報保護研修", "2025-04-01", "修了"],
                                          ["worker", "", "個人情報保護研修", "昨日", "修了"]], "utf-8-sig")

    def _file(self, name: str, rows: list[list[str]], encoding: str) -> str:
        path = self.folder / name
        path.write_bytes(csv_bytes(rows, encoding))
        return str(path)

    def _run(self, *args: str) -> str:
        out = StringIO()
        call_command("training", "import", self.contract.number, *args, stdout=out)
        return out.getvalue()

    def test_dry_run_prints_a_summary_and_records_nothing(self) -> None:
        out = self._run(self.good, "--dry-run")
        self.assertIn("encoding: CP932", out)
        self.assertIn("rows: 2", out)
        self.assertIn("errors: 0", out)
        self.assertIn("dry run", out)
        self.assertFalse(Completion.objects.exists())

    def test_real_import_as_the_responsible_person(self) -> None:
        out = self._run(self.good, "--by", "responsible")
        self.assertIn("imported: 2", out)
        self.assertEqual(Completion.objects.count(), 2)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="training.imported")
        self.assertEqual(event.actor_id, self.world.responsible.pk)
        self.assertEqual(event.facts["encoding"], "cp932")

    def test_without_by_the_system_records(self) -> None:
        self._run(self.good)
        self.assertTrue(all(c.recorded_by is None for c in Completion.objects.all()))

    def test_errors_exit_non_zero_with_row_and_column(self) -> None:
        for extra in ((), ("--dry-run",)):
            out = StringIO()
            with self.assertRaises(CommandError) as caught:
                call_command("training", "import", self.contract.number, self.bad, *extra, stdout=out)
            self.assertIn("1件の誤り", str(caught.exception))
            self.assertIn("3行目「受講日」", out.getvalue())
            self.assertIn("Row 3, column “受講日”", out.getvalue())
            self.assertIn("encoding: UTF-8 (BOM)", out.getvalue())
        self.assertFalse(Completion.objects.exists())

    def test_unknown_contract_file_or_user(self) -> None:
        with self.assertRaises(CommandError):
            call_command("training", "import", "no-such-contract", self.good, stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("training", "import", self.contract.number, str(self.folder / "missing.csv"),
                         stdout=StringIO())
        with self.assertRaises(CommandError):
            self._run(self.good, "--by", "worker")  # a worker may not record completions
        self.assertFalse(Completion.objects.exists())


def test_exit_status_of_the_itaku_command(tmp_path) -> None:
    """The real entry point: a missing contract makes `itaku training import` exit with status 1."""
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER]))
    env = {k: v for k, v in os.environ.items() if k != "ITAKU_DATABASE_URL"}  # a throw-away SQLite database
    env["ITAKU_VAR_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-m", "itaku.cli", "migrate", "-v0"], env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "itaku.cli", "training", "import", "X-0", str(bad)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "no such contract" in done.stderr

"""`itaku keys rotate`: every dataset's keys re-wrapped under the newest master key, records untouched, and
the data still readable after the old version has left the key list."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from itaku.ledger.models import SYSTEM_CHAIN, Event
from itaku.vault import crypto, disposal
from itaku.vault.models import Dataset, Record
from itaku.vault.services import create_dataset, import_file, master_keys, read_record
from tests.base import ContractTestCase
from tests.vault.test_import import FIELDS, csv_bytes

OLD = "old-secret-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
NEW = "new-secret-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


class KeysTestCase(ContractTestCase):
    """Two datasets imported under master-key version 1 (a bare secret, as a fresh installation has)."""

    def setUp(self) -> None:
        super().setUp()
        self.use(OLD)
        self.datasets = []
        for name, rows in (("住民基本台帳抜粋", 3), ("課税資料", 2)):
            dataset = create_dataset(self.world.supervisor, self.contract, name=name, source="entrusted",
                                     fields=FIELDS, purposes=["住民税課税資料の入力"], expected_rows=1000)
            import_file(self.world.responsible, dataset, io.BytesIO(csv_bytes(rows)))
            self.datasets.append(dataset)

    def use(self, key_list: str, **more: object) -> None:
        """Switch the installation's key list, as a restart with a new ITAKU_VAULT_MASTER_KEY would."""
        override = self.settings(VAULT_MASTER_KEY=key_list, **more)
        override.enable()
        master_keys.cache_clear()
        self.addCleanup(master_keys.cache_clear)
        self.addCleanup(override.disable)

    def versions(self) -> set[int]:
        keys = Dataset.objects.exclude(wrapped_data_key=None).values_list("wrapped_data_key", "wrapped_index_key")
        return {master_keys().version_of(bytes(key)) for pair in keys for key in pair}

    def readable(self) -> list[str]:
        return [read_record(Dataset.objects.get(pk=d.pk), Record.objects.filter(dataset=d).first())["性別"]
                for d in self.datasets]

    def rotate(self, *args: str) -> str:
        out = StringIO()
        call_command("keys", "rotate", *args, stdout=out)
        return out.getvalue()


class RotateTests(KeysTestCase):
    def test_rotation_rewraps_and_survives_the_removal_of_version_1(self) -> None:
        ciphertexts = {r.pk: bytes(r.ciphertext) for r in Record.objects.all()}
        self.use(f"1:{OLD} 2:{NEW}")
        self.assertEqual(self.versions(), {1})
        output = self.rotate()
        self.assertIn("re-wrapped 2 datasets under master-key version 2", output)
        self.assertEqual(self.versions(), {2})
        self.assertEqual({r.pk: bytes(r.ciphertext) for r in Record.objects.all()}, ciphertexts)  # untouched
        self.assertEqual(self.readable(), ["女", "女"])
        self.use(f"2:{NEW}")  # version 1 removed from the list
        self.assertEqual(self.readable(), ["女", "女"])
        self.use(OLD)  # and version 1 alone no longer opens anything
        with self.assertRaises(crypto.DecryptionError):
            self.readable()

    def test_one_event_on_the_system_chain_with_counts_only(self) -> None:
        self.use(f"1:{OLD}\n2:{NEW}")
        self.rotate()
        event = Event.objects.get(chain=SYSTEM_CHAIN, kind="vault.keys_rotated")
        self.assertEqual(event.facts, {"version": 2, "rewrapped": 2, "unchanged": 0, "from_versions": [1]})
        self.rotate()  # again: nothing left to re-wrap
        latest = Event.objects.filter(kind="vault.keys_rotated").order_by("-seq").first()
        self.assertEqual(latest.facts, {"version": 2, "rewrapped": 0, "unchanged": 2, "from_versions": []})

    def test_disposed_datasets_are_skipped(self) -> None:
        first = self.datasets[0]
        disposal.instruct_disposal(self.world.supervisor, first, instruction_note="廃棄してください。")
        disposal.dispose(self.world.responsible, first, place="本社", person_in_charge="鈴木")
        self.use(f"1:{OLD} 2:{NEW}")
        self.rotate()
        self.assertEqual(Event.objects.get(kind="vault.keys_rotated").facts["rewrapped"], 1)
        self.assertIsNone(Dataset.objects.get(pk=first.pk).wrapped_data_key)

    def test_all_or_nothing_when_a_version_is_missing(self) -> None:
        self.use(f"2:{NEW}")  # version 1, which wrapped every key, is not held
        with self.assertRaises(CommandError) as caught:
            self.rotate()
        self.assertIn("version 1", str(caught.exception))
        self.use(OLD)
        self.assertEqual(self.versions(), {1})
        self.assertFalse(Event.objects.filter(kind="vault.keys_rotated").exists())


class NewSecretFileTests(KeysTestCase):
    def setUp(self) -> None:
        super().setUp()
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        folder = Path(temporary.name)
        self.key_file = folder / "vault_master_key"
        self.key_file.write_text(OLD + "\n")
        self.key_file.chmod(0o600)
        self.secret_file = folder / "new_secret"
        self.secret_file.write_text(NEW + "\n")
        self.use(OLD + "\n", VAULT_MASTER_KEY_FILE=self.key_file)

    def test_adds_version_2_to_the_key_file_then_rotates(self) -> None:
        output = self.rotate("--new-secret-file", str(self.secret_file))
        self.assertIn(f"added master-key version 2 to {self.key_file}", output)
        self.assertEqual(self.key_file.read_text(), f"1:{OLD}\n2:{NEW}\n")
        self.assertEqual(stat.S_IMODE(self.key_file.stat().st_mode), 0o600)
        self.assertNotIn(NEW, output)
        self.use(self.key_file.read_text())
        self.assertEqual(self.versions(), {2})
        self.use(f"2:{NEW}")
        self.assertEqual(self.readable(), ["女", "女"])

    def test_refused_when_the_list_comes_from_the_environment(self) -> None:
        self.use(f"1:{OLD}", VAULT_MASTER_KEY_FILE=self.key_file)  # what ITAKU_VAULT_MASTER_KEY would give
        with self.assertRaises(CommandError) as caught:
            self.rotate("--new-secret-file", str(self.secret_file))
        self.assertIn("ITAKU_VAULT_MASTER_KEY", str(caught.exception))
        self.assertEqual(self.key_file.read_text(), OLD + "\n")
        self.assertEqual(self.versions(), {1})

    def test_a_weak_or_repeated_secret_is_refused(self) -> None:
        for secret in ("short", OLD):
            self.secret_file.write_text(secret)
            with self.assertRaises(CommandError):
                self.rotate("--new-secret-file", str(self.secret_file))
            self.assertEqual(self.key_file.read_text(), OLD + "\n")
        self.assertEqual(self.versions(), {1})


class StatusTests(KeysTestCase):
    def test_status_names_versions_and_disposals_left_in_backups(self) -> None:
        first = self.datasets[0]
        disposal.instruct_disposal(self.world.supervisor, first, instruction_note="廃棄してください。")
        disposal.dispose(self.world.responsible, first, place="本社", person_in_charge="鈴木")
        self.use(f"1:{OLD} 2:{NEW}")
        out = StringIO()
        call_command("keys", "status", stdout=out)
        text = out.getvalue()
        self.assertIn("master-key versions held: 1, 2 (version 2 wraps)", text)
        self.assertIn("version 1: 1 datasets", text)
        self.assertIn("version 1 still opens the destroyed keys of 1 disposed datasets", text)
        self.assertNotIn(OLD, text)


def test_help_explains_how_to_add_a_version() -> None:
    with tempfile.TemporaryDirectory() as var:
        result = subprocess.run([sys.executable, "-m", "itaku.cli", "keys", "rotate", "--help"],
                                env={**os.environ, "ITAKU_VAR_DIR": var}, capture_output=True, text=True, check=True)
    for step in ('ITAKU_VAULT_MASTER_KEY="1:<old secret> 2:<new secret>"', "itaku keys rotate",
                 "remove \"1:<old secret>\"", "--new-secret-file PATH"):
        assert step in result.stdout, step

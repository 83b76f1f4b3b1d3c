"""`itaku keys rotate [--new-secret-file PATH]` and `itaku keys status`: the vault's master keys (article 11).

Rotation re-wraps each dataset's two wrapped keys (65 bytes each) under the newest master-key version, in
one transaction, without touching a single record; the system chain records the counts.
"""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from itaku.ledger.services import record
from itaku.vault import crypto
from itaku.vault.models import Dataset, Disposal
from itaku.vault.services import master_keys

ROTATE_HELP = """\
Re-wrap every dataset's data key and blind-index key under the newest master-key version, in one
transaction; records are not touched. Disposed datasets have no keys left and are skipped.

How to rotate the master key:
  1. Make a new secret:  python -c "import secrets; print(secrets.token_urlsafe(32))"
  2. Add it to the key list as the next version. The list is ITAKU_VAULT_MASTER_KEY when that is set,
     else the file ITAKU_VAULT_MASTER_KEY_FILE (default var/vault_master_key). A list is one bare secret
     (version 1) or "version:secret" entries separated by spaces or newlines; the highest version wraps,
     every listed version unwraps:   ITAKU_VAULT_MASTER_KEY="1:<old secret> 2:<new secret>"
     Restart `itaku serve` and `itaku db_worker`, so that every process holds both versions.
  3. Run `itaku keys rotate`.
  4. `itaku keys status` then shows no dataset under version 1. Keep version 1 until every backup made
     before the rotation has expired (a backup holds keys wrapped under it), then remove "1:<old secret>"
     from the list, restart, and destroy the old secret. This also completes the cryptographic erasure of
     datasets disposed of while version 1 was in use: their wrapped keys survive in those backups.

--new-secret-file PATH does step 2 on the key file for you: it adds the secret in PATH (one line) to the
file as the next version, then rotates. Run it with the services stopped, or restart them right after;
it refuses when the key list comes from ITAKU_VAULT_MASTER_KEY, which a command cannot change.
"""

_SEPARATORS = re.compile(r"[\s,]+")


def _items(text: str) -> list[str]:
    return [item for line in text.splitlines() for item in _SEPARATORS.split(line.split("#", 1)[0].strip()) if item]


def rotate(old: crypto.MasterKeyProvider, new: crypto.MasterKeyProvider) -> dict[str, Any]:
    """Unwrap with `old`, wrap with `new` every dataset's keys not yet under `new`'s version; one transaction."""
    version = new.current_version()
    rewrapped = unchanged = 0
    previous: set[int] = set()
    with transaction.atomic():
        datasets = (Dataset.objects.select_for_update().filter(wrapped_data_key__isnull=False)
                    .only("pk", "wrapped_data_key", "wrapped_index_key").order_by("pk"))
        for dataset in datasets:
            keys = crypto.WrappedKeys(dataset.wrapped_data_key, dataset.wrapped_index_key)
            under = {new.version_of(keys.data_key), new.version_of(keys.index_key)}
            if under == {version}:
                unchanged += 1
                continue
            previous |= under - {version}
            fresh = crypto.rewrap(keys, old, new)
            Dataset.objects.filter(pk=dataset.pk).update(wrapped_data_key=fresh.data_key,
                                                         wrapped_index_key=fresh.index_key)
            rewrapped += 1
        facts = {"version": version, "rewrapped": rewrapped, "unchanged": unchanged, "from_versions": sorted(previous)}
        record("vault.keys_rotated", facts=facts)
    return facts


class Command(BaseCommand):
    help = ("The vault's master keys: `rotate` re-wraps every dataset's keys under the newest version, "
            "`status` shows the versions in use.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rotation = sub.add_parser("rotate", help="re-wrap every dataset's keys under the newest master-key version",
                                  description=ROTATE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
        rotation.add_argument("--new-secret-file", metavar="PATH",
                              help="add the secret in PATH to the key file as the next version, then rotate")
        sub.add_parser("status", help="master-key versions held and the datasets wrapped under each")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            old = master_keys()
            if options["action"] == "status":
                self._status(old)
                return
            new = self._add_version(old, Path(options["new_secret_file"])) if options["new_secret_file"] else old
            facts = rotate(old, new)
        except crypto.CryptoError as exc:
            raise CommandError(f"{exc.message_ja} / {exc.message_en}") from None
        self.stdout.write(f"re-wrapped {facts['rewrapped']} datasets under master-key version {facts['version']}"
                          f" ({facts['unchanged']} already under it); records untouched.")
        self.stdout.write("Restart `itaku serve` and `itaku db_worker` if they are running; remove older versions from"
                          " the key list once every backup made before now has expired (`itaku keys status`).")

    def _add_version(self, old: crypto.LocalMasterKeys, secret_file: Path) -> crypto.LocalMasterKeys:
        """Append the new secret to the key file as the next version (written before any key is re-wrapped)."""
        key_file = Path(settings.VAULT_MASTER_KEY_FILE)
        current = settings.VAULT_MASTER_KEY
        try:
            on_file = key_file.read_text(encoding="utf-8")
            secret = secret_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise CommandError(f"鍵ファイルを読めません / cannot read a key file ({reason})") from None
        if on_file.strip() != current.strip():
            raise CommandError(
                f"使用中の鍵一覧は {key_file} ではなく ITAKU_VAULT_MASTER_KEY から読まれています。"
                "そこに新しい版を加え、--new-secret-file なしで実行してください"
                f" / the key list in use does not come from {key_file} "
                "(ITAKU_VAULT_MASTER_KEY is set): add the new version there and run rotate without --new-secret-file")
        items = _items(current)
        if secret in items or any(item.partition(":")[2] == secret for item in items):
            raise CommandError("この秘密は既に鍵一覧にあります / that secret is already in the key list")
        version = old.current_version() + 1
        crypto.LocalMasterKeys.from_secret(secret, version)  # refuses a weak or malformed secret
        if len(items) == 1 and ":" not in items[0]:
            text = f"1:{items[0]}\n{version}:{secret}\n"
        else:
            text = f"{current.rstrip()}\n{version}:{secret}\n"
        new = crypto.LocalMasterKeys.parse(text, source=str(key_file))
        temporary = key_file.with_name(f".{key_file.name}.new")
        temporary.unlink(missing_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, key_file)
        folder = os.open(key_file.parent, os.O_RDONLY)  # the new version must be on disk before any key uses it
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        self.stdout.write(f"added master-key version {version} to {key_file}")
        return new

    def _status(self, keys: crypto.LocalMasterKeys) -> None:
        held = keys.versions()
        self.stdout.write(f"master-key versions held: {', '.join(map(str, held))} (version {keys.current_version()}"
                          " wraps)")
        under: Counter[int] = Counter()
        for data_key in Dataset.objects.filter(wrapped_data_key__isnull=False).values_list("wrapped_data_key",
                                                                                           flat=True):
            under[keys.version_of(bytes(data_key))] += 1
        for version in sorted(set(held) | set(under)):
            self.stdout.write(f"  version {version}: {under[version]} datasets")
        erased = Counter(Disposal.objects.filter(master_key_version__in=held)
                         .values_list("master_key_version", flat=True))
        for version, count in sorted(erased.items()):
            self.stdout.write(f"  version {version} still opens the destroyed keys of {count} disposed datasets"
                              " left in backups: retire it once those backups have expired")

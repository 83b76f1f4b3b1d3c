"""`itaku ledger verify [CONTRACT]`: recompute the hash chains and name the first broken event."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.ledger import services


class Command(BaseCommand):
    help = "Verify the ledger's hash chains (all, or one contract's by its number)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute every hash and link")
        verify.add_argument("contract", nargs="?", help="contract number (default: every chain)")
        verify.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keys = [services.resolve(options["contract"])] if options["contract"] else services.chains()
        except services.LedgerError as exc:
            raise CommandError(str(exc)) from None
        results = [services.verify_chain(key) for key in keys]
        if options["json"]:
            self.stdout.write(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=2))
        else:
            for r in results:
                if r.ok:
                    self.stdout.write(f"OK      {r.chain}: {r.events} events")
                else:
                    self.stdout.write(f"BROKEN  {r.chain}: first broken event #{r.broken_seq}: {r.reason}")
        broken = [r for r in results if not r.ok]
        if broken:
            raise CommandError(f"{len(broken)} chain(s) broken / 台帳の改ざんまたは欠落を検出しました")

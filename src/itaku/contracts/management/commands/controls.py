"""`itaku controls CONTRACT [--json]`: every control's findings for one contract; `itaku controls --refresh`:
every stored snapshot brought up to date (for a timer: the dashboard then has nothing left to evaluate)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.contracts.models import Contract
from itaku.contracts.services import evaluate_controls
from itaku.contracts.standing import refresh_all


class Command(BaseCommand):
    help = "Evaluate every control on a contract (by its number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", nargs="?", help="contract number")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--refresh", action="store_true",
                            help="evaluate again every contract whose stored snapshot is out of date")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refresh"]:
            began = time.monotonic()
            evaluated = refresh_all()
            self.stdout.write(f"{evaluated} 件の契約を再評価しました / contracts evaluated again: {evaluated} "
                              f"({time.monotonic() - began:.1f} s)")
            return
        if not options["contract"]:
            raise CommandError("契約番号か --refresh を指定してください / give a contract number or --refresh")
        contract = Contract.objects.select_related("provisions").filter(number=options["contract"]).first()
        if contract is None:
            raise CommandError(f"{options['contract']}: 契約が見つかりません / no such contract")
        results = evaluate_controls(contract)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
            return
        for result in results:
            articles = ",".join(str(a) for a in result.articles) or "-"
            self.stdout.write(f"{result.state.value:17} art.{articles:6} {result.control.code}")
            for finding in result.findings:
                self.stdout.write(f"    {finding.message_ja} / {finding.message_en}")

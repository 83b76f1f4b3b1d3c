"""`itaku controls CONTRACT [--json]`: every control's findings for one contract."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.contracts.models import Contract
from itaku.contracts.services import evaluate_controls


class Command(BaseCommand):
    help = "Evaluate every control on a contract (by its number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", help="contract number")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
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

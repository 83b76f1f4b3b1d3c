"""`itaku eligibility CONTRACT PERSON --address IP [--json]`: the gate's decision and every reason."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts.models import User
from itaku.contracts.models import Contract
from itaku.people.eligibility import evaluate


class Command(BaseCommand):
    help = "May PERSON (a user name) handle CONTRACT's data from ADDRESS now? Exits 1 when refused."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", help="contract number")
        parser.add_argument("person", help="user name")
        parser.add_argument("--address", required=True, help="client IP address")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(number=options["contract"]).first()
        if contract is None:
            raise CommandError(f"{options['contract']}: 契約が見つかりません / no such contract")
        person = User.objects.filter(username=options["person"]).first()
        if person is None:
            raise CommandError(f"{options['person']}: 利用者が見つかりません / no such user")
        decision = evaluate(person, contract, options["address"])
        if options["json"]:
            self.stdout.write(json.dumps(decision.as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("allowed / 可" if decision.allowed else "refused / 不可")
            for reason in decision.reasons:
                articles = ",".join(str(a) for a in reason.articles)
                self.stdout.write(f"  [{reason.code}] art.{articles}: {reason.message_ja} / {reason.message_en}")
        if not decision.allowed:
            raise SystemExit(1)

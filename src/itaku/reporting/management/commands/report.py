"""`itaku report CONTRACT --period 2026-10 -o FILE.pdf`: the 個人情報取扱状況報告書 of one period as a PDF.

The period says the frequency: YYYY-MM a month, YYYY-Qn a fiscal quarter (Q1 = April–June), YYYY a fiscal
year (April–March). A submitted round's frozen figures are rendered as submitted; otherwise the figures as
compiled now. Prints the output path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.contracts.documents import letterhead
from itaku.contracts.models import Contract
from itaku.documents.registry import render
from itaku.lib.errors import UserError
from itaku.reporting import document_data, services
from itaku.reporting.documents import PeriodicReportDocument


class Command(BaseCommand):
    help = "Render the periodic report (個人情報取扱状況報告書) of a contract for one period as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contract", help="contract number")
        parser.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn (fiscal quarter) or YYYY (fiscal year)")
        parser.add_argument("-o", "--output", required=True, metavar="FILE.pdf")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.select_related("authority", "contractor").filter(number=options["contract"]).first()
        if contract is None:
            raise CommandError(f"契約「{options['contract']}」が見つかりません / no contract numbered "
                               f"{options['contract']!r}")
        try:
            period = services.parse_period(contract, options["period"])
        except UserError as error:
            raise CommandError(str(error)) from None
        data = document_data.periodic_data(contract, period)
        kind = PeriodicReportDocument.kind
        output = Path(options["output"])
        try:
            output.write_bytes(render(kind, letterhead(contract, kind, data["submitted_on"]), data))
        except OSError as exc:
            raise CommandError(f"ファイルを書けません / cannot write the file ({exc.strerror})") from None
        self.stdout.write(str(output))

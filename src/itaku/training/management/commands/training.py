"""`itaku training import CONTRACT FILE [--dry-run] [--by USERNAME]`: completions from a CSV file.

The file holds the completions of one party's people: those of the responsible person named by `--by`
(the contractor's or a subcontractor's), or of the contractor for a system import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts.models import User
from itaku.contracts.access import Perm, own_party, perms
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.training import services


class Command(BaseCommand):
    help = "Import training completions from a CSV file (UTF-8, UTF-8 with BOM or CP932) into a contract."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="check a CSV of completions and record them if every row is valid")
        load.add_argument("contract", help="contract number")
        load.add_argument("file", help="CSV file: ユーザー名, 氏名 (optional), 講座, 受講日, 結果")
        load.add_argument("--dry-run", action="store_true", help="check only; record nothing")
        load.add_argument("--by", metavar="USERNAME",
                          help="record as this responsible person, for the people of their organisation "
                               "(default: system, for the contractor's people)")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(number=options["contract"]).first()
        if contract is None:
            raise CommandError(f"{options['contract']}: 契約が見つかりません / no such contract")
        by = party = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None or Perm.SUBMIT not in perms(by, contract):
                raise CommandError(f"{options['by']}: この契約の責任者ではありません / "
                                   "not the responsible person of this contract")
            party = own_party(by, contract)
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(
                f"{options['file']}: ファイルを読めません / cannot read the file ({exc.strerror})") from None
        try:
            report = services.import_completions(by, contract, data, dry_run=options["dry_run"], organisation=party)
        except UserError as error:
            raise CommandError(f"{error.message_ja} / {error.message_en}") from None
        self.stdout.write(f"文字コード encoding: {report.encoding_label}")
        self.stdout.write(f"データ行 rows: {report.rows}")
        self.stdout.write(f"登録済のため省略 already recorded: {report.skipped}")
        self.stdout.write(f"誤り errors: {report.error_count}")
        for error in report.errors:
            self.stdout.write(f"  {error}")
        if report.unlisted:
            self.stdout.write(f"  ほかに{report.unlisted}件 / {report.unlisted} more not listed")
        if not report.ok:
            raise CommandError(f"{report.error_count}件の誤りのため、何も取り込んでいません / "
                               f"nothing imported: {report.error_count} error(s)")
        if options["dry_run"]:
            self.stdout.write(f"確認のみ（取り込みなし） dry run, nothing recorded: {len(report.entries)} to import")
        else:
            self.stdout.write(f"取り込み imported: {report.imported}")

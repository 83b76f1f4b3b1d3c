"""`itaku vault import CONTRACT DATASET FILE --by USER [--dry-run] [--notice VERSION --channel TEXT]`: check,
then import all or nothing; collected data names the version of the purpose notice the people were shown and
how it came (article 7)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts.models import User
from itaku.lib.errors import UserError
from itaku.vault.disposal import resume_deletions
from itaku.vault.models import Dataset
from itaku.vault.services import import_file


class Command(BaseCommand):
    help = "Import a CSV (UTF-8, UTF-8 with BOM or CP932) into a dataset; exits 1 when anything is refused."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="check and import a CSV file")
        load.add_argument("contract", help="contract number")
        load.add_argument("dataset", help="dataset name")
        load.add_argument("file")
        load.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        load.add_argument("--by", required=True, help="the user name the import is recorded for")
        load.add_argument("--notice", type=int, metavar="VERSION",
                          help="collected data: the version of the dataset's purpose notice the people were shown")
        load.add_argument("--channel", default="", metavar="TEXT",
                          help="collected data: how it was collected (紙の申込書, Webフォーム, 電話 …)")
        sub.add_parser("resume-deletions", help="re-enqueue the deletions of disposed datasets a crash left unfinished")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "resume-deletions":
            resumed = resume_deletions()
            self.stdout.write(f"resumed / 再開: {len(resumed)}")
            return
        dataset = Dataset.objects.select_related("contract").filter(
            contract__number=options["contract"], name=options["dataset"]).first()
        if dataset is None:
            raise CommandError("個人情報ファイルが見つかりません / no such dataset under that contract")
        by = User.objects.filter(username=options["by"], organisation__isnull=False).first()
        if by is None or by.organisation_id not in (dataset.contract.authority_id, dataset.contract.contractor_id):
            raise CommandError("--by: 契約の当事者の利用者を指定してください / name a user of a party to the contract")
        notice = None
        if options["notice"] is not None:
            notice = dataset.notices.filter(version=options["notice"]).first()
            if notice is None:
                version = options["notice"]
                raise CommandError(f"--notice: この個人情報ファイルに第{version}版の利用目的の明示はありません / "
                                   f"the dataset has no version {version} of its purpose notice")
        try:
            with Path(options["file"]).open("rb") as stream:
                report = import_file(by, dataset, stream, dry_run=options["dry_run"], notice=notice,
                                     channel=options["channel"], size=os.fstat(stream.fileno()).st_size)
        except OSError as exc:
            raise CommandError(f"ファイルを読めません / cannot read the file ({exc.strerror})") from None
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"encoding: {report.encoding_label}")
        self.stdout.write(f"rows: {report.rows}")
        self.stdout.write(f"imported: {report.imported}{' (dry run)' if options['dry_run'] else ''}")
        for error in report.errors:
            self.stdout.write(f"  {error}")
        unlisted = report.error_count - len(report.errors)
        if unlisted:
            self.stdout.write(f"  … ほか{unlisted}件 / {unlisted} more")
        if not report.ok:
            raise SystemExit(1)

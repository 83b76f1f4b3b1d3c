"""`itaku provisions parse FILE` prints the tree; `itaku provisions import FILE --authority NAME` stores it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts.models import Organisation
from itaku.provisions import services
from itaku.provisions.parser import ProvisionsError
from itaku.provisions.reader import parse_document
from itaku.provisions.topics import map_articles


class Command(BaseCommand):
    help = "Parse or import a special-provisions text (.txt UTF-8/CP932, .docx, .pdf)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser("parse", help="print the parsed tree as JSON")
        parse.add_argument("file")
        store = sub.add_parser("import", help="store as the authority's next version")
        store.add_argument("file")
        store.add_argument("--authority", required=True, help="the authority's organisation name")
        store.add_argument("--label", required=True, help="e.g. 令和7年4月改正")

    def _read(self, name: str) -> bytes:
        path = Path(name)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: ファイルを読めません / cannot read the file ({exc.strerror})") from None

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(options["file"])
        try:
            if options["action"] == "parse":
                provisions = parse_document(data, options["file"])
                tree = provisions.to_dict()
                tree["topics"] = {str(k): list(v) for k, v in map_articles(provisions).items()}
                self.stdout.write(json.dumps(tree, ensure_ascii=False, indent=2))
                return
            try:
                authority = Organisation.objects.get(name=options["authority"], kind=Organisation.Kind.AUTHORITY)
            except Organisation.DoesNotExist:
                raise CommandError(f"{options['authority']}: 委託者が見つかりません / no such authority") from None
            version = services.import_version(authority, data, Path(options["file"]).name, label=options["label"])
            self.stdout.write(f"stored {version} ({len(version.tree['articles'])} articles)")
        except ProvisionsError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None

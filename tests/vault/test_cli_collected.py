"""`itaku vault import` of collected data (article 7): `--notice VERSION` and `--channel TEXT` go with every
record; without them, or with a version the dataset does not have, nothing is imported."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from itaku.vault.collection import publish_notice
from itaku.vault.models import Dataset, ImportRun, Record
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.vault.test_import import FIELDS, csv_bytes


class CollectedCliTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dataset = create_dataset(self.world.responsible, self.contract, name="申込者名簿",
                                      source=Dataset.Source.COLLECTED, fields=FIELDS, purposes=["申込の受付"])
        self.first = publish_notice(self.world.responsible, self.dataset, "申込の受付のために利用します。")
        publish_notice(self.world.responsible, self.dataset, "改訂: 統計としてのみ公表します。")
        self.path = Path(self.enterContext(tempfile.TemporaryDirectory()), "moushikomi.csv")
        self.path.write_bytes(csv_bytes(3))

    def _run(self, *options: str, dataset: str = "申込者名簿") -> str:
        out = StringIO()
        call_command("vault", "import", self.contract.number, dataset, str(self.path), "--by", "responsible", *options,
                     stdout=out)
        return out.getvalue()

    def test_the_notice_version_and_channel_go_with_every_record(self) -> None:
        out = self._run("--notice", "1", "--channel", "紙の申込書")
        self.assertIn("imported: 3", out)
        self.assertEqual(set(Record.objects.filter(dataset=self.dataset).values_list("notice", "channel")),
                         {(self.first.pk, "紙の申込書")})
        self.assertEqual(ImportRun.objects.get(dataset=self.dataset).notice, self.first)

    def test_a_missing_or_unknown_notice_or_channel_imports_nothing(self) -> None:
        with self.assertRaisesMessage(CommandError, "version 3 of its purpose notice"):
            self._run("--notice", "3", "--channel", "紙の申込書")
        with self.assertRaisesMessage(CommandError, "article 7"):
            self._run("--channel", "紙の申込書")
        with self.assertRaisesMessage(CommandError, "collected"):
            self._run("--notice", "2")
        create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋", source=Dataset.Source.ENTRUSTED,
                       fields=FIELDS, purposes=["課税"])
        with self.assertRaisesMessage(CommandError, "handover"):
            self._run("--channel", "紙の申込書", dataset="住民基本台帳抜粋")
        with self.assertRaisesMessage(CommandError, "version 1 of its purpose notice"):
            self._run("--notice", "1", dataset="住民基本台帳抜粋")
        self.assertFalse(Record.objects.exists())


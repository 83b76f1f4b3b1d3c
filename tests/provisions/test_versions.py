"""Provisions versions per authority: upload, errors that say why, laws found, the parse command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from itaku.ledger.models import Event
from itaku.provisions.models import ProvisionsVersion
from itaku.provisions.topics import shinagawa_text
from tests.base import ContractTestCase

# The package's own copy of ../shared/provisions/shinagawa.txt (a parser test checks they are identical).
SHARED = Path(__file__).resolve().parents[2] / "src" / "itaku" / "provisions" / "data" / "shinagawa.txt"


class UploadTests(ContractTestCase):
    def _upload(self, data: bytes, name: str = "tokki.txt", label: str = "令和8年4月改正"):
        client = self.client_for(self.world.supervisor)
        return client.post("/provisions/upload/", {"label": label, "file": SimpleUploadedFile(name, data)})

    def test_cp932_upload_becomes_version_2(self) -> None:
        response = self._upload(shinagawa_text().encode("cp932"))
        version = ProvisionsVersion.objects.get(authority=self.world.authority, number=2)
        self.assertRedirects(response, f"/provisions/{version.pk}/")
        self.assertEqual(len(version.tree["articles"]), 20)
        self.assertEqual(version.articles_for("subcontracting"), [8])
        self.assertEqual(len(version.laws), 4)
        self.assertTrue(Event.objects.filter(kind="provisions.version_created", facts__version=version.pk).exists())
        page = self.client_for(self.world.supervisor).get(f"/provisions/{version.pk}/").content.decode()
        self.assertIn("再委託の制限", page)

    def test_not_a_provisions_text_is_refused_with_a_reason(self) -> None:
        response = self._upload("本日は晴天なり。".encode())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "条が見つかりません / no article found")
        self.assertEqual(ProvisionsVersion.objects.filter(authority=self.world.authority).count(), 1)

    def test_binary_is_refused(self) -> None:
        response = self._upload(bytes(range(256)) * 10, name="x.txt")
        self.assertContains(response, "cannot determine the text encoding")
        self.assertEqual(ProvisionsVersion.objects.filter(authority=self.world.authority).count(), 1)

    def test_oversized_is_refused(self) -> None:
        response = self._upload(b"a" * (5 * 1024 * 1024 + 1))
        self.assertContains(response, "上限5MB")


class CommandTests(ContractTestCase):
    def test_parse_shared_text(self) -> None:
        out = StringIO()
        call_command("provisions", "parse", str(SHARED), stdout=out)
        tree = json.loads(out.getvalue())
        self.assertEqual(len(tree["articles"]), 20)
        article8 = tree["articles"][7]
        self.assertEqual(article8["heading"], "再委託の制限")
        self.assertEqual(len(article8["paragraphs"]), 5)
        self.assertEqual([i["label"] for i in article8["paragraphs"][0]["items"]], list("アイウエオカキ"))
        self.assertEqual(tree["parties"]["authority"], "品川区")
        self.assertEqual(tree["parties"]["contractor_alias"], "乙")
        self.assertEqual(tree["topics"]["8"], ["subcontracting"])

    def test_bad_file_is_a_clear_error(self) -> None:
        with self.assertRaises(CommandError) as caught:
            call_command("provisions", "parse", "/nonexistent/file.txt", stdout=StringIO())
        self.assertIn("cannot read", str(caught.exception))

    def test_import(self) -> None:
        out = StringIO()
        call_command("provisions", "import", str(SHARED), "--authority", "品川区", "--label", "改正", stdout=out)
        self.assertTrue(ProvisionsVersion.objects.filter(authority=self.world.authority, number=2).exists())
        with self.assertRaises(CommandError):
            call_command("provisions", "import", str(SHARED), "--authority", "どこか", "--label", "x", stdout=out)

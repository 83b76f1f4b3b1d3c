"""Downloads: the recorded file as an attachment with its checked type, only while it still hashes to
what was recorded; a tampered or missing file is refused and the refusal goes into the ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from itaku.ledger.models import Event
from itaku.ledger.services import verify_chain
from itaku.rules import services, uploads
from itaku.rules.errors import RulesError
from tests.rules.files import RULES_TEXT, pdf_bytes, upload
from tests.rules.helpers import RulesTestCase


class DownloadTests(RulesTestCase):
    def _url(self, version) -> str:
        return f"/contracts/{self.contract.pk}/rules/{version.pk}/download/"

    def test_the_file_as_stored_with_safe_headers(self) -> None:
        data = pdf_bytes("download me")
        version = services.upload_version(self.world.responsible, self.contract, title="規程",
                                          document_date=dt.date(2025, 4, 1), upload=upload("社内規程.pdf", data))
        for user in (self.world.supervisor, self.world.auditor, self.world.responsible):
            response = self.client_for(user).get(self._url(version))
            self.assertEqual(response.status_code, 200, user)
            self.assertEqual(response.content, data)
            self.assertEqual(response["Content-Type"], uploads.PDF)
            self.assertEqual(response["Content-Disposition"],
                             f"attachment; filename*=utf-8''{quote('社内規程.pdf')}")
            self.assertEqual(response["X-Content-Type-Options"], "nosniff")
            self.assertIn("no-store", response["Cache-Control"])

    def test_cp932_text_keeps_its_charset(self) -> None:
        data = RULES_TEXT.encode("cp932")
        version = services.upload_version(self.world.responsible, self.contract, title="規程",
                                          document_date=dt.date(2025, 4, 1), upload=upload("rules.txt", data))
        response = self.client_for(self.world.auditor).get(self._url(version))
        self.assertEqual(response["Content-Type"], "text/plain; charset=windows-31j")
        self.assertEqual(response.content.decode("cp932"), RULES_TEXT)


class IntegrityTests(RulesTestCase):
    def _failures(self) -> list[Event]:
        return list(Event.objects.filter(chain=self.contract.ledger_chain, kind="rules.integrity_failed"))

    def test_a_tampered_file_is_refused_and_recorded(self) -> None:
        version = self.new_version()
        Path(version.attachment.file.path).write_bytes(b"%PDF-1.4 something else entirely")
        client = self.client_for(self.world.supervisor)
        response = client.get(f"/contracts/{self.contract.pk}/rules/{version.pk}/download/", follow=True)
        self.assertEqual(response.redirect_chain, [(f"/contracts/{self.contract.pk}/rules/", 302)])
        page = response.content.decode()
        self.assertNotIn("something else entirely", page)
        self.assertIn("does not match the SHA-256 recorded at upload", page)
        self.assertIn("登録時のハッシュ値", page)
        [event] = self._failures()
        self.assertEqual(event.actor_id, self.world.supervisor.pk)
        self.assertEqual(event.articles, [5])
        self.assertEqual(event.facts["version"], version.pk)
        self.assertEqual(event.facts["recorded_sha256"], version.attachment.sha256)
        self.assertNotEqual(event.facts["found_sha256"], version.attachment.sha256)
        self.assertFalse(event.facts["missing"])
        self.assertTrue(verify_chain(self.contract.ledger_chain).ok)

    def test_a_missing_file_is_refused_and_recorded(self) -> None:
        version = self.new_version()
        Path(version.attachment.file.path).unlink()
        url = f"/contracts/{self.contract.pk}/rules/{version.pk}/download/"
        response = self.client_for(self.world.auditor).get(url)
        self.assertEqual(response.status_code, 302)
        [event] = self._failures()
        self.assertEqual((event.facts["missing"], event.facts["found_sha256"]), (True, None))

    def test_a_tampered_file_cannot_be_submitted(self) -> None:
        version = self.new_version()
        Path(version.attachment.file.path).write_bytes(b"changed")
        with self.assertRaises(RulesError):
            self.submit(version)
        self.assertEqual(len(self._failures()), 1, "the refusal stays recorded although the step failed")
        self.assertFalse(Event.objects.filter(kind="rules.version.submitted").exists())

    def test_an_intact_file_records_nothing(self) -> None:
        version = self.new_version()
        self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/rules/{version.pk}/download/")
        self.assertEqual(self._failures(), [])

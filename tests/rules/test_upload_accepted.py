"""Real PDF, Word and text files (UTF-8, UTF-8 with BOM, CP932) are stored as versions, typed by content."""

from __future__ import annotations

import datetime as dt
import hashlib

from itaku.ledger.models import Event
from itaku.rules import services, uploads
from itaku.rules.models import RulesVersion
from tests.base import ContractTestCase
from tests.rules.files import RULES_TEXT, docx_bytes, pdf_bytes, upload


class UploadThroughThePageTests(ContractTestCase):
    def test_pdf_is_stored_with_hash_size_date_and_event(self) -> None:
        data = pdf_bytes()
        client = self.client_for(self.world.responsible)
        response = client.post(f"/contracts/{self.contract.pk}/rules/upload/", {
            "title": "個人情報保護規程", "document_date": "2025-04-01",
            "file": upload("社内規程（改定版）.pdf", data, content_type="text/html"),
        })
        self.assertRedirects(response, f"/contracts/{self.contract.pk}/rules/")
        version = RulesVersion.objects.get()
        self.assertEqual((version.number, version.title, version.organisation), (1, "個人情報保護規程",
                                                                                 self.world.contractor))
        attachment = version.attachment
        self.assertEqual(attachment.sha256, hashlib.sha256(data).hexdigest())
        self.assertEqual(attachment.size, len(data))
        self.assertEqual(attachment.document_date, dt.date(2025, 4, 1))
        self.assertEqual(version.document_date, dt.date(2025, 4, 1))
        self.assertEqual(attachment.content_type, uploads.PDF, "the browser's claim is not trusted")
        self.assertEqual(attachment.filename, "社内規程（改定版）.pdf")
        self.assertTrue(attachment.intact())

        event = Event.objects.get(chain=self.contract.ledger_chain, kind="rules.version_uploaded")
        self.assertEqual(event.facts, {"version": version.pk, "organisation": self.world.contractor.pk, "number": 1,
                                       "attachment": attachment.pk, "sha256": attachment.sha256,
                                       "size": len(data)})
        self.assertEqual(event.articles, [5])
        self.assertEqual(event.actor_id, self.world.responsible.pk)
        for event in Event.objects.filter(chain=self.contract.ledger_chain):
            self.assertNotIn("社内規程", event.facts_json, "file names stay out of the ledger")

        page = client.get(f"/contracts/{self.contract.pk}/rules/").content.decode()
        self.assertIn(attachment.sha256, page)
        self.assertIn("2025-04-01", page)


class UploadKindsTests(ContractTestCase):
    def _store(self, name: str, data: bytes) -> RulesVersion:
        return services.upload_version(self.world.responsible, self.contract, title="規程",
                                       document_date=dt.date(2025, 4, 1), upload=upload(name, data))

    def test_docx(self) -> None:
        version = self._store("rules.docx", docx_bytes())
        self.assertEqual(version.attachment.content_type, uploads.DOCX)

    def test_utf8_text_with_and_without_bom(self) -> None:
        plain = self._store("rules.txt", RULES_TEXT.encode("utf-8"))
        with_bom = self._store("RULES.TXT", b"\xef\xbb\xbf" + RULES_TEXT.encode("utf-8"))
        self.assertEqual(plain.attachment.content_type, uploads.TEXT_UTF8)
        self.assertEqual(with_bom.attachment.content_type, uploads.TEXT_UTF8)

    def test_cp932_text(self) -> None:
        data = (RULES_TEXT + "髙﨑 ①\n").encode("cp932")
        version = self._store("rules.txt", data)
        self.assertEqual(version.attachment.content_type, uploads.TEXT_CP932)
        self.assertEqual(version.attachment.sha256, hashlib.sha256(data).hexdigest())

    def test_a_file_of_exactly_the_limit_is_accepted(self) -> None:
        data = b"%PDF-1.7\n" + b"0" * (uploads.MAX_UPLOAD_BYTES - 9)
        version = self._store("big.pdf", data)
        self.assertEqual(version.attachment.size, uploads.MAX_UPLOAD_BYTES)

"""Disguised, damaged, oversized and zip-bomb-like files are refused with the field and the reason,
and nothing is stored: no version, no attachment, no file, no ledger event."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from itaku.ledger.models import Event
from itaku.rules import services, uploads
from itaku.rules.errors import RulesError
from itaku.rules.models import RulesVersion
from itaku.submissions.models import Attachment
from tests.base import ContractTestCase
from tests.rules.files import EXE, HTML, RULES_TEXT, pdf_bytes, plain_zip, upload, zip_bomb_docx

# (file name, content, what the English message must say)
REFUSED = {
    "program renamed .pdf": ("rules.pdf", EXE, "named .pdf but its content is not a PDF"),
    "PDF renamed .docx": ("rules.docx", pdf_bytes(), "named .docx but its content is not a Word document"),
    "HTML named .txt": ("rules.txt", HTML, "named .txt but its content is HTML"),
    "HTML after a BOM and blanks": ("rules.txt", b"\xef\xbb\xbf \n<HTML><body>x</body></HTML>", "content is HTML"),
    "oversized": ("rules.pdf", b"%PDF-1.7\n" + b"0" * uploads.MAX_UPLOAD_BYTES, "the file is too large"),
    "zip bomb": ("rules.docx", zip_bomb_docx(), "a possible zip bomb"),
    "ZIP without a Word document": ("rules.docx", plain_zip(), "named .docx but its content is not a Word document"),
    "damaged ZIP": ("rules.docx", b"PK\x03\x04" + b"\x00garbage" * 50, "damaged"),
    "NUL bytes in text": ("rules.txt", RULES_TEXT.encode() + b"\x00\x01", "contains NUL bytes"),
    "neither UTF-8 nor CP932": ("rules.txt", b"\x82\xa0\x85\x40 rules", "neither as UTF-8 nor as Shift_JIS"),
    "PDF named .txt": ("rules.txt", pdf_bytes(), "named .txt but its content is a PDF"),
    "program named .exe": ("setup.exe", EXE, "choose a PDF (.pdf), a Word document (.docx) or a text file"),
    "legacy Word .doc": ("rules.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "choose a PDF (.pdf)"),
    "empty file": ("rules.txt", b"", "the file is empty"),
}


class RefusedUploadTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.events = Event.objects.filter(chain=self.contract.ledger_chain).count()

    def assertNothingStored(self, case: str) -> None:
        self.assertFalse(RulesVersion.objects.exists(), case)
        self.assertFalse(Attachment.objects.exists(), case)
        self.assertEqual(Event.objects.filter(chain=self.contract.ledger_chain).count(), self.events, case)
        files = [p for p in Path(settings.STORAGES["default"]["OPTIONS"]["location"]).rglob("*") if p.is_file()]
        self.assertEqual(files, [], case)

    def test_service_refuses_each_with_field_and_reason(self) -> None:
        for case, (name, data, reason) in REFUSED.items():
            with self.subTest(case), self.assertRaises(RulesError) as raised:
                services.upload_version(self.world.responsible, self.contract, title="規程",
                                        document_date=dt.date(2025, 4, 1), upload=upload(name, data))
            self.assertEqual(raised.exception.field, "file", case)
            self.assertTrue(raised.exception.message_en.startswith("Rules file: "), case)
            self.assertIn(reason, raised.exception.message_en, case)
            self.assertTrue(raised.exception.message_ja.startswith("社内規程ファイル: "), case)
            self.assertNothingStored(case)

    def test_page_shows_the_reason_at_the_field(self) -> None:
        client = self.client_for(self.world.responsible)
        for case in ("program renamed .pdf", "PDF renamed .docx", "HTML named .txt", "oversized", "zip bomb"):
            name, data, reason = REFUSED[case]
            response = client.post(f"/contracts/{self.contract.pk}/rules/upload/", {
                "title": "規程", "document_date": "2025-04-01", "file": upload(name, data, "application/pdf"),
            })
            self.assertEqual(response.status_code, 200, case)
            self.assertIn(reason, response.context["form"].errors["file"][0], case)
            self.assertContains(response, "社内規程ファイル", msg_prefix=case)
            self.assertNothingStored(case)

    def test_title_and_date_are_required(self) -> None:
        good = upload("rules.pdf", pdf_bytes())
        with self.assertRaises(RulesError) as raised:
            services.upload_version(self.world.responsible, self.contract, title="  ",
                                    document_date=dt.date(2025, 4, 1), upload=good)
        self.assertEqual(raised.exception.field, "title")
        with self.assertRaises(RulesError) as raised:
            services.upload_version(self.world.responsible, self.contract, title="規程", document_date=None,
                                    upload=good)
        self.assertEqual(raised.exception.field, "document_date")
        response = self.client_for(self.world.responsible).post(
            f"/contracts/{self.contract.pk}/rules/upload/", {"title": "規程", "file": good},
        )
        self.assertIn("document_date", response.context["form"].errors)
        self.assertNothingStored("missing fields")

    def test_only_the_contractor_uploads_and_not_under_a_closed_contract(self) -> None:
        with self.assertRaises(RulesError):
            services.upload_version(self.world.supervisor, self.contract, title="規程",
                                    document_date=dt.date(2025, 4, 1), upload=upload("rules.pdf", pdf_bytes()))
        self.contract.status = "ended"
        self.contract.save(update_fields=["status"])
        with self.assertRaises(RulesError):
            services.upload_version(self.world.responsible, self.contract, title="規程",
                                    document_date=dt.date(2025, 4, 1), upload=upload("rules.pdf", pdf_bytes()))
        self.assertNothingStored("refused uploader")

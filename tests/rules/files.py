"""Real rules files for the tests: a PDF from reportlab, a .docx from python-docx, texts in UTF-8 and CP932,
and the disguised or oversized files that must be refused."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

RULES_TEXT = (
    "個人情報保護規程\n"
    "第1条 この規程は、株式会社テストデータにおける個人情報の取扱いを定める。\n"
    "施行日 令和7年4月1日\n"
)


def pdf_bytes(text: str = "Personal information protection rules") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.drawString(72, 770, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def docx_bytes(text: str = RULES_TEXT) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bomb_docx(inflated: int = 60 * 1024 * 1024) -> bytes:
    """A tiny ZIP with word/document.xml that inflates past the 50 MB guard."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * inflated)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a Word document")
    return buffer.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)

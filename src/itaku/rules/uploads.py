"""What a rules file must be before it is stored: a PDF, a Word (.docx) document or plain text, by content.

The name only says which kind the user claims; the bytes must then be that kind. A renamed program, a PDF
named .docx, a web page named .txt or an archive that inflates to gigabytes is refused before anything is
written, with the field and the reason in both languages. The content type sent on download is the one
decided here, never the browser's claim.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile

from itaku.rules.errors import RulesError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""The largest rules file accepted (10 MB): rules documents are text, not scans of whole binders."""

MAX_DOCX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
"""A .docx whose members add up to more than this when inflated is refused as a possible zip bomb."""

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_UTF8 = "text/plain; charset=utf-8"
TEXT_CP932 = "text/plain; charset=windows-31j"  # the IANA name of CP932; browsers read it as Shift_JIS

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_HTML_STARTS = ("<!doctype", "<html")
_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "text"}

FIELD = "file"


class RulesFileError(RulesError):
    """A refused rules file: the message names the field, and says why."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(f"社内規程ファイル: {message_ja}", f"Rules file: {message_en}", FIELD)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: the content type to store and send, decided from the bytes."""

    content_type: str


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse anything but a real PDF, .docx or UTF-8/CP932 text within the limits; never writes anything."""
    size = upload.size or 0
    if size == 0:
        raise RulesFileError("ファイルが空です。", "the file is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise RulesFileError(
            f"ファイルが大きすぎます（{size:,} バイト、上限 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB）。",
            f"the file is too large ({size:,} bytes; the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB).",
        )
    kind = _SUFFIXES.get(PurePath(upload.name or "").suffix.lower())
    if kind is None:
        raise RulesFileError(
            "PDF（.pdf）、Word 文書（.docx）、テキスト（.txt）のいずれかを選んでください。",
            "choose a PDF (.pdf), a Word document (.docx) or a text file (.txt).",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if kind == "pdf":
        return CheckedFile(_check_pdf(data))
    if kind == "docx":
        return CheckedFile(_check_docx(data))
    return CheckedFile(_check_text(data))


def _check_pdf(data: bytes) -> str:
    if not data.startswith(_PDF_MAGIC):
        raise RulesFileError(
            "拡張子は .pdf ですが、内容が PDF ではありません（%PDF- で始まっていません）。",
            "the file is named .pdf but its content is not a PDF (it does not start with %PDF-).",
        )
    return PDF


def _check_docx(data: bytes) -> str:
    not_word = RulesFileError(
        "拡張子は .docx ですが、内容が Word 文書（.docx）ではありません。",
        "the file is named .docx but its content is not a Word document (.docx).",
    )
    if not data.startswith(_ZIP_MAGIC):
        raise not_word
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise RulesFileError(
            "Word 文書（.docx）が壊れています（ZIP として読めません）。",
            "the Word document (.docx) is damaged (it cannot be read as a ZIP archive).",
        ) from None
    if "word/document.xml" not in {member.filename for member in members}:
        raise not_word
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_DOCX_UNCOMPRESSED_BYTES:
        limit = MAX_DOCX_UNCOMPRESSED_BYTES // (1024 * 1024)
        raise RulesFileError(
            f"展開後の大きさが {inflated:,} バイトになり、上限 {limit} MB を超えます（ZIP 爆弾の疑い）。",
            f"it would inflate to {inflated:,} bytes, over the {limit} MB limit (a possible zip bomb).",
        )
    return DOCX


def _check_text(data: bytes) -> str:
    if data.startswith((_PDF_MAGIC, _ZIP_MAGIC)):
        raise RulesFileError(
            "拡張子は .txt ですが、内容が PDF または ZIP（Word 文書など）です。",
            "the file is named .txt but its content is a PDF or a ZIP archive (such as a Word document).",
        )
    if b"\x00" in data:
        raise RulesFileError(
            "テキストファイルに NUL 文字が含まれています（バイナリファイルではありませんか）。",
            "the text file contains NUL bytes (is it a binary file?).",
        )
    text, content_type = _decode(data)
    if text is None:
        raise RulesFileError(
            "テキストを UTF-8 としても Shift_JIS（CP932）としても読めません。",
            "the text can be read neither as UTF-8 nor as Shift_JIS (CP932).",
        )
    if text.lstrip()[:16].lower().startswith(_HTML_STARTS):
        raise RulesFileError(
            "拡張子は .txt ですが、内容が HTML（ウェブページ）です。",
            "the file is named .txt but its content is HTML (a web page).",
        )
    return content_type


def _decode(data: bytes) -> tuple[str | None, str]:
    """UTF-8 (with or without a BOM) first, then CP932, as Excel and Notepad save them."""
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8"), TEXT_UTF8
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), TEXT_CP932
    except UnicodeDecodeError:
        return None, TEXT_UTF8

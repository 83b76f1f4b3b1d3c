"""Read an uploaded provisions document (.txt, .docx or .pdf) into plain text for the parser.

Authorities send whatever they have: a text file saved by Excel or Notepad (CP932 or UTF-8 with a BOM),
the Word file the provisions were typed in, or a PDF. The content decides how a file is read; the
file name only improves the error message when the two disagree.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import PurePath

from charset_normalizer import from_bytes
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph as WordParagraph
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from itaku.provisions.parser import Provisions, ProvisionsError, parse_text

__all__ = ["parse_document", "read_document"]

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls
# A decoding that yields control characters is the wrong one (ISO-2022-JP read as UTF-8 keeps its ESC).
_IMPLAUSIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffd]")
# Japanese encodings worth trying on charset-normalizer's word; Shift_JIS is read as CP932 already.
_HINTED = frozenset(
    {
        "euc_jp",
        "euc_jis_2004",
        "iso2022_jp",
        "iso2022_jp_2",
        "iso2022_jp_2004",
        "iso2022_jp_3",
        "iso2022_jp_ext",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
    }
)  # as codecs.lookup() names them
_KANGXI_RADICALS = re.compile("[\u2e80-\u2fdf]")


def read_document(data: bytes, filename: str) -> str:
    """The text of an uploaded .txt, .docx or .pdf, decided by content; ProvisionsError if unreadable."""
    if _PDF_MAGIC in data[:1024]:
        return _read_pdf(data)
    if data.startswith(_ZIP_MAGIC):
        return _read_docx(data)
    if data.startswith(_OLE_MAGIC):
        raise ProvisionsError(
            "旧形式の Word/Excel ファイル（.doc/.xls）には対応していません。.docx か .txt で保存してください",
            "legacy Word/Excel files (.doc/.xls) are not supported; save the file as .docx or .txt",
        )
    return _read_text(data, PurePath(filename).suffix.lower())


def parse_document(data: bytes, filename: str) -> Provisions:
    """read_document, then parse_text."""
    return parse_text(read_document(data, filename))


def _read_text(data: bytes, suffix: str) -> str:
    candidates = ["utf-8", "cp932"]
    if data.startswith(codecs.BOM_UTF8):
        candidates.insert(0, "utf-8-sig")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.insert(0, "utf-16")
    for encoding in candidates:
        text = _decode(data, encoding)
        if text is not None:
            return text
    best = from_bytes(data).best()
    if best is not None and codecs.lookup(best.encoding).name in _HINTED:
        text = _decode(data, best.encoding)
        if text is not None:
            return text
    if suffix in (".pdf", ".docx"):
        kind = "PDF" if suffix == ".pdf" else "Word (.docx)"
        raise ProvisionsError(
            f"拡張子は {suffix} ですが、内容が {kind} ではありません",
            f"the file is named {suffix} but its content is not {kind}",
        )
    raise ProvisionsError("文字コードを判別できません", "cannot determine the text encoding")


def _decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _IMPLAUSIBLE.search(text) else text


def _read_docx(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_word = "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile as error:
        raise ProvisionsError("ZIP ファイルが壊れています", "the ZIP file is damaged") from error
    if not is_word:
        raise ProvisionsError(
            "Word 文書（.docx）ではない ZIP ファイルです", "a ZIP file that is not a Word document (.docx)"
        )
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises KeyError, ValueError, lxml errors … on damaged files
        raise ProvisionsError("Word 文書を読み込めません", "cannot read the Word document") from error
    return "\n".join(_block_lines(document.iter_inner_content()))


def _block_lines(blocks: Iterable[WordParagraph | Table]) -> list[str]:
    """Paragraph texts in document order; a table contributes its cells row by row."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, WordParagraph):
            lines.append(block.text)
            continue
        seen = set()  # the cells' XML elements: a merged cell repeats across the grid
        for row in block.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    lines += _block_lines(cell.iter_inner_content())
    return lines


def _read_pdf(data: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(data))
        locked = reader.is_encrypted and not reader.decrypt("")
        # Pages are joined without a blank line: a page break is no paragraph break.
        text = "" if locked else "\n".join((page.extract_text() or "").strip("\n") for page in reader.pages)
    except (PyPdfError, ValueError, KeyError) as error:
        raise ProvisionsError("PDF を読み込めません", "cannot read the PDF") from error
    if locked:
        raise ProvisionsError("パスワードで保護された PDF です", "the PDF is password-protected")
    if not text.strip():
        raise ProvisionsError(
            "PDF に文字情報がありません（スキャン画像の PDF ではありませんか）",
            "the PDF has no text layer (is it a scanned image?)",
        )
    # Some PDF fonts map 行 or 目 to the look-alike Kangxi radical characters; NFKC maps them back.
    return _KANGXI_RADICALS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)

"""Reading uploaded provisions documents: text encodings, Word and PDF, decided by content."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from itaku.provisions.parser import ProvisionsError, parse_text
from itaku.provisions.reader import parse_document, read_document
from itaku.provisions.topics import shinagawa_text

FONTS = (
    Path(__file__).resolve().parents[2] / "src/itaku/documents/fonts/ipaexg.ttf",
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
)
NAMES = "第1条（基本事項）髙橋 﨑山 ① 令和５年４月１日～３月３１日、乙は、個人情報を適正に取り扱う。\n"


def japanese_font() -> str:
    """Register IPAex Gothic: reportlab's built-in CID fonts leave no extractable text."""
    path = next((font for font in FONTS if font.exists()), None)
    if path is None:
        pytest.skip("IPAex Gothic (ipaexg.ttf) is not installed")
    pdfmetrics.registerFont(TTFont("IPAexGothic", str(path)))
    return "IPAexGothic"


def pdf_of(text: str, width: int = 38, **options: str) -> bytes:
    """A PDF whose text layer holds `text`, hard-wrapped at `width` characters like a typeset page."""
    font = japanese_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, **options)
    y = 800.0
    for line in text.split("\n"):
        for start in range(0, max(len(line), 1), width):
            if y < 50:
                page.showPage()
                y = 800.0
            page.setFont(font, 10.5)
            page.drawString(50, y, line[start : start + width])
            y -= 16
    page.save()
    return buffer.getvalue()


def docx_of(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        document.add_paragraph("（返還）")
        document.add_paragraph("第4条 乙は、資料を返還しなければならない。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- text files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        NAMES.encode("utf-8"),
        b"\xef\xbb\xbf" + NAMES.encode("utf-8"),
        NAMES.encode("cp932"),
        NAMES.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp932", "utf-16-bom"],
)
def test_text_encodings(data: bytes) -> None:
    assert read_document(data, "provisions.txt") == NAMES


def test_cp932_is_not_read_as_shift_jis() -> None:
    data = NAMES.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("shift_jis")  # 髙 﨑 ① are CP932 extensions
    assert "～" in read_document(data, "provisions.csv")  # FULLWIDTH TILDE, not shift_jis's WAVE DASH


@pytest.mark.parametrize("encoding", ["euc_jp", "iso2022_jp"])
def test_other_japanese_encodings_by_hint(encoding: str) -> None:
    text = shinagawa_text().replace("､", "、")  # ISO-2022-JP has no half-width forms
    assert read_document(text.encode(encoding), "provisions.txt") == text


def test_garbage_bytes() -> None:
    garbage = random.Random(0).randbytes(4000)
    with pytest.raises(ProvisionsError) as raised:
        read_document(garbage, "provisions.txt")
    assert str(raised.value) == "文字コードを判別できません / cannot determine the text encoding"


def test_garbage_named_pdf_says_so() -> None:
    with pytest.raises(ProvisionsError) as raised:
        read_document(random.Random(1).randbytes(4000), "provisions.pdf")
    assert "named .pdf but its content is not PDF" in raised.value.message_en


def test_text_named_pdf_is_read_as_text() -> None:
    assert read_document(NAMES.encode("cp932"), "provisions.pdf") == NAMES


# --- Word ------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_order() -> None:
    data = docx_of(
        ["個人情報取扱特記事項", "（基本事項）", "第1条 乙は、個人情報を適正に取り扱う。"],
        table=[["（秘密の保持）", "第2条 乙は、秘密を守る。"], ["（再委託）", "第3条 乙は、再委託しない。"]],
    )
    assert read_document(data, "provisions.docx").splitlines() == [
        "個人情報取扱特記事項",
        "（基本事項）",
        "第1条 乙は、個人情報を適正に取り扱う。",
        "（秘密の保持）",
        "第2条 乙は、秘密を守る。",
        "（再委託）",
        "第3条 乙は、再委託しない。",
        "（返還）",
        "第4条 乙は、資料を返還しなければならない。",
    ]
    provisions = parse_document(data, "upload.bin")  # content, not the name, decides
    assert [a.heading for a in provisions.articles] == ["基本事項", "秘密の保持", "再委託", "返還"]


def test_docx_merged_cell_is_read_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "第1条（目的）乙は、目的を守る。"
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_document(buffer.getvalue(), "provisions.docx") == "第1条（目的）乙は、目的を守る。"


def test_shinagawa_as_docx() -> None:
    data = docx_of(shinagawa_text().split("\n"))
    assert parse_document(data, "shinagawa.docx") == parse_text(shinagawa_text())


def test_zip_that_is_not_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ProvisionsError) as raised:
        read_document(buffer.getvalue(), "provisions.docx")
    assert raised.value.message_en == "a ZIP file that is not a Word document (.docx)"


def test_legacy_doc_is_refused_clearly() -> None:
    with pytest.raises(ProvisionsError) as raised:
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "provisions.doc")
    assert ".docx" in raised.value.message_en


# --- PDF -------------------------------------------------------------------------------------------


def test_shinagawa_as_pdf_parses_to_the_same_tree() -> None:
    data = pdf_of(shinagawa_text())
    assert parse_document(data, "shinagawa.pdf") == parse_text(shinagawa_text())
    assert parse_document(data, "shinagawa.txt") == parse_text(shinagawa_text())  # content wins


def test_image_only_pdf_has_no_text_layer() -> None:
    scan = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(scan).text((20, 80), "scanned page", fill=0)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.drawImage(ImageReader(scan), 50, 500, width=400, height=200)
    page.save()
    with pytest.raises(ProvisionsError) as raised:
        read_document(buffer.getvalue(), "scan.pdf")
    assert raised.value.message_en == "the PDF has no text layer (is it a scanned image?)"


def test_password_protected_pdf() -> None:
    with pytest.raises(ProvisionsError) as raised:
        read_document(pdf_of(NAMES, encrypt="secret"), "locked.pdf")
    assert raised.value.message_en == "the PDF is password-protected"


def test_damaged_pdf() -> None:
    with pytest.raises(ProvisionsError) as raised:
        read_document(b"%PDF-1.7\n" + random.Random(2).randbytes(2000), "broken.pdf")
    assert raised.value.message_en == "cannot read the PDF"

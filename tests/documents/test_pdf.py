import dataclasses
import datetime
import io

import pypdf
import pytest
from reportlab.platypus import Flowable, PageBreak

from itaku.documents import registry
from itaku.documents.pdf import DocumentRenderer, Letterhead, safe_text

LETTERHEAD = Letterhead(
    authority="品川区",
    contractor="株式会社髙﨑データサービス",
    contract_number="R7-品川-0042",
    contract_title="住民情報システム運用保守業務委託",
    document_title_ja="廃棄報告書",
    document_title_en="Disposal report",
    date=datetime.date(2025, 11, 25),
)


class TwoPages(DocumentRenderer):
    kind = "test.two_pages"
    title_ja = "廃棄報告書"
    title_en = "Disposal report"

    def story(self) -> list[Flowable]:
        return [
            self.heading("第１３（廃棄）Disposal"),
            self.paragraph(self.data["text"]),
            self.paragraph("廃棄した情報項目を記録する。", label="２"),
            self.paragraph("再委託する業務の内容", label="ア", indent=1),
            self.field_list([("情報項目 Items", self.data["items"]), ("数量 Quantity", "3")]),
            PageBreak(),
            self.table([["媒体 Medium", "方法 Method"], ["USB <メモリ> & HDD", "物理破壊"]]),
        ]


@pytest.fixture
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_RENDERERS", {})


@pytest.fixture
def pdf(empty_registry: None) -> bytes:
    registry.register(TwoPages)
    data = {
        "text": "乙は、個人情報を廃棄した。𠮷野家の葛\U000e0100飾区店。",
        "items": "氏名\ufe00、住所\u200d",
    }
    return registry.render("test.two_pages", LETTERHEAD, data)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_safe_text_replaces_missing_glyphs_with_geta() -> None:
    assert safe_text("𠮷野家") == "〓野家"


def test_safe_text_strips_variation_selectors_and_zero_width_characters() -> None:
    assert safe_text("葛\U000e0100") == "葛"
    assert safe_text("辻\ufe00") == "辻"
    assert safe_text("a\u200db\u200cc\u200bd\ufeff") == "abcd"


def test_safe_text_keeps_what_the_font_has() -> None:
    text = "① ㈱ 髙 﨑 ～ − ㍾ ｱ 〓\n\tABC"
    assert safe_text(text) == text


def test_safe_text_never_raises() -> None:
    assert safe_text("\ud800\x00x\U0010ffff") == "〓x〓"


def test_letterhead_and_page_numbers_on_every_page(pdf: bytes) -> None:
    texts = pages_text(pdf)
    assert len(texts) == 2
    for number, text in enumerate(texts, start=1):
        for expected in (
            "廃棄報告書",
            "Disposal report",
            "委託者 Authority",
            "品川区",
            "株式会社髙﨑データサービス",
            "R7-品川-0042",
            "住民情報システム運用保守業務委託",
            "令和7年11月25日",
            "2025-11-25",
            "itaku",
            f"{number} / 2",
        ):
            assert expected in text, (number, expected)


def test_body_text_is_printed_safely(pdf: bytes) -> None:
    first, second = pages_text(pdf)
    assert "〓野家の葛飾区店" in first
    assert "氏名、住所" in first
    assert "再委託する業務の内容" in first
    assert "USB <メモリ> & HDD" in second


def test_metadata(pdf: bytes) -> None:
    meta = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == "廃棄報告書 Disposal report (R7-品川-0042)"
    assert meta.author == "株式会社髙﨑データサービス"
    assert meta["/CreationDate"].startswith("D:20251125")


def test_letterhead_with_a_character_the_font_lacks(empty_registry: None) -> None:
    letterhead = dataclasses.replace(LETTERHEAD, contractor="株式会社𠮷田\U000e0100データ")
    pdf = TwoPages(letterhead, {"text": "本文", "items": "氏名"}).render()
    assert "株式会社〓田データ" in pages_text(pdf)[0]
    assert pypdf.PdfReader(io.BytesIO(pdf)).metadata.author == "株式会社𠮷田\U000e0100データ"


def test_fonts_are_embedded_not_reader_cid_fonts(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert "Heisei" not in name
        assert "IPAex" in name
        assert "/FontFile2" in font["/FontDescriptor"], name
        assert "/ToUnicode" in font, name  # text stays searchable and copyable


def test_rendering_is_deterministic(pdf: bytes) -> None:
    data = {
        "text": "乙は、個人情報を廃棄した。𠮷野家の葛\U000e0100飾区店。",
        "items": "氏名\ufe00、住所\u200d",
    }
    assert registry.render("test.two_pages", LETTERHEAD, data) == pdf


def test_registry_refuses_a_duplicate_kind(empty_registry: None) -> None:
    registry.register(TwoPages)

    class Again(TwoPages):
        pass

    with pytest.raises(ValueError, match=r"test\.two_pages"):
        registry.register(Again)


def test_registry_register_is_a_class_decorator(empty_registry: None) -> None:
    @registry.register
    class Notice(TwoPages):
        kind = "test.notice"

    assert registry.renderer("test.notice") is Notice
    assert registry.kinds() == ["test.notice"]


def test_registry_unknown_kind(empty_registry: None) -> None:
    with pytest.raises(KeyError, match=r"test\.missing"):
        registry.renderer("test.missing")
    with pytest.raises(KeyError):
        registry.render("test.missing", LETTERHEAD, {})

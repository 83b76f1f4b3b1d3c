import datetime
import hashlib
import io

import pypdf

from itaku.documents import registry
from itaku.documents.pdf import Letterhead
from itaku.provisions.documents import ProvisionsPrintout
from itaku.provisions.parser import parse_text
from itaku.provisions.topics import shinagawa_text

SHA = "0" * 63 + "f"

LETTERHEAD = Letterhead(
    authority="品川区",
    contractor="株式会社髙﨑データサービス",
    contract_number="R7-品川-0042",
    contract_title="住民情報システム運用保守業務委託",
    document_title_ja=ProvisionsPrintout.title_ja,
    document_title_en=ProvisionsPrintout.title_en,
    date=datetime.date(2025, 11, 25),
)

ARTICLE_8_ITEMS = [
    ("ア", "再委託する業務の内容"),
    ("イ", "再委託の相手方"),
    ("ウ", "再委託の期間"),
    ("エ", "再委託が必要な理由"),
    ("オ", "再委託の相手方に求める個人情報保護措置の内容"),
    ("カ", "再委託先の相手方の監督方法"),
    ("キ", "その他甲が必要と認める事項"),
]

DATA = {
    "title": "個人情報を取り扱う委託契約の特記事項",
    "version_label": "v1 令和7年度",
    "text_sha256": SHA,
    "parties": {
        "authority": "品川区",
        "authority_alias": "甲",
        "contractor": "受託者",
        "contractor_alias": "乙",
    },
    "laws": [
        "個人情報の保護に関する法律(平成15年法律第57号)",
        "品川区個人情報の保護に関する法律施行条例(令和5年品川区条例第3号)",
    ],
    "articles": [
        {
            "number": 1,
            "heading": "個人情報の保護",
            "paragraphs": [
                {
                    "number": 1,
                    "text": "受託者（以下「乙」という。）は、この契約による事務を履行するにあたっては､"
                    "個人情報の保護に関する法律(平成15年法律第57号)の趣旨にのっとり、個人情報の保護を図るものとする。",
                    "items": [],
                }
            ],
        },
        {
            "number": 8,
            "heading": "再委託の制限",
            "paragraphs": [
                {
                    "number": 1,
                    "text": "乙は、この契約による業務を第三者に再委託してはならない。"
                    "ただし、あらかじめ次に掲げる事項を甲に通知し、甲の承諾を得なければならない。",
                    "items": [{"label": label, "text": text} for label, text in ARTICLE_8_ITEMS],
                },
                {
                    "number": 2,
                    "text": "前項ただし書の場合、乙は、この契約と同等の安全管理措置を義務付ける"
                    "再委託契約を結ばなければならない。",
                    "items": [],
                },
            ],
        },
    ],
}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def squashed(text: str) -> str:
    """The text without whitespace: a label and its text come back from the PDF with a space between."""
    return "".join(text.split())


def test_printout_is_registered() -> None:
    assert registry.renderer("provisions.printout") is ProvisionsPrintout


def test_printout_prints_the_provisions() -> None:
    text = text_of(registry.render("provisions.printout", LETTERHEAD, DATA))
    for expected in (
        "特記事項",
        "Special provisions",
        "個人情報を取り扱う委託契約の特記事項",
        "v1 令和7年度",
        SHA,
        "甲＝品川区、乙＝受託者",
        "個人情報の保護に関する法律(平成15年法律第57号)",
        "品川区個人情報の保護に関する法律施行条例(令和5年品川区条例第3号)",
        "第１（個人情報の保護）",
        "第８（再委託の制限）",
        "令和7年11月25日 (2025-11-25)",
        "1 / 1",
    ):
        assert expected in text, expected
    assert "２前項ただし書の場合" in squashed(text)
    for label, item in ARTICLE_8_ITEMS:
        assert label + item in squashed(text)
    # The first paragraph of an article is not numbered.
    assert "第１（個人情報の保護）受託者" in squashed(text)


def test_printout_without_laws() -> None:
    text = text_of(ProvisionsPrintout(LETTERHEAD, {**DATA, "laws": []}).render())
    assert "（記載なし） None stated" in text


def test_printout_metadata_names_the_authority() -> None:
    meta = pypdf.PdfReader(io.BytesIO(ProvisionsPrintout(LETTERHEAD, DATA).render())).metadata
    assert meta.author == "品川区"
    assert meta.title.startswith("特記事項 Special provisions")


def test_printout_of_the_parsed_shinagawa_text() -> None:
    source = shinagawa_text()
    data = {
        **parse_text(source).to_dict(),
        "version_label": "v1 品川区",
        "text_sha256": hashlib.sha256(source.encode()).hexdigest(),
        "laws": ["個人情報の保護に関する法律(平成15年法律第57号)"],
    }
    text = text_of(ProvisionsPrintout(LETTERHEAD, data).render())
    assert "再委託の制限" in text
    assert "キその他甲が必要と認める事項" in squashed(text)
    assert "第２０（契約の解除および損害賠償義務）" in text

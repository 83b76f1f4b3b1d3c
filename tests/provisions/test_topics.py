"""Topics: mapping each authority's article numbers to the topics the controls are written for."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from itaku.provisions.parser import Article, Paragraph, parse_text
from itaku.provisions.topics import TOPICS, canonical_hash, map_articles, match_topics, shinagawa_text, topic

from .test_parser import as_pdf_copy, shinagawa_source

CODES = (
    "protection",
    "structure",
    "training",
    "confidentiality",
    "internal_rules",
    "collection",
    "purpose_notice",
    "subcontracting",
    "use_outside_purpose",
    "copy",
    "custody",
    "return",
    "disposal",
    "take_out",
    "work_location",
    "inspection",
    "reporting",
    "incident",
    "publication",
    "termination",
)

OTHER_CITY = """個人情報の取扱いに関する特記事項

第1条（秘密の保持）
受注者は、この契約に関して知り得た個人情報を他に漏らしてはならない。
第2条（事故発生時における報告）
受注者は、個人情報の漏えい等の事故が生じたときは、直ちに発注者に報告しなければならない。
第3条（再委託の禁止）
受注者は、発注者の承諾があるときを除き、業務を第三者に委託してはならない。
第4条（資料等の返還及び廃棄）
受注者は、契約が終了したときは、提供を受けた資料を返還し、又は廃棄しなければならない。
第5条（適用範囲）
この特記事項は、この契約に係る業務の全般について適用する。
第6条（目的外利用及び提供の禁止）
受注者は、個人情報を契約の目的以外に利用してはならない。
第7条（立入調査）
発注者は、必要があると認めるときは、受注者の作業場所に立ち入ることができる。
"""


def article(heading: str, body: str) -> Article:
    return Article(1, heading, (Paragraph(1, body, ()),))


def test_topic_codes_and_labels() -> None:
    assert tuple(t.code for t in TOPICS) == CODES
    assert topic("subcontracting").label_ja == "再委託の制限"
    assert topic("use_outside_purpose").label_ja == "目的外使用・外部提供の禁止"
    assert topic("termination").label_ja == "契約の解除・損害賠償"
    assert all(t.label_ja and t.label_en for t in TOPICS)
    with pytest.raises(KeyError):
        topic("unknown")


def test_shipped_template_is_the_shinagawa_text() -> None:
    assert shinagawa_text() == shinagawa_source()


def test_shinagawa_maps_article_n_to_topic_n() -> None:
    expected = {n: (code,) for n, code in enumerate(CODES, 1)}
    provisions = parse_text(shinagawa_text())
    assert map_articles(provisions) == expected
    assert {a.number: match_topics(a) for a in provisions.articles} == expected  # the heuristic agrees


def test_shipped_table_is_keyed_by_the_shinagawa_tree() -> None:
    shipped = json.loads((resources.files("itaku.provisions") / "data/shinagawa_topics.json").read_text("utf-8"))
    provisions = parse_text(shinagawa_text())
    assert shipped["sha256"] == canonical_hash(provisions)
    assert canonical_hash(parse_text(as_pdf_copy(shinagawa_text(), 30, 7))) == shipped["sha256"]
    edited = parse_text(shinagawa_text().replace("再委託の制限", "再委託の禁止"))
    assert canonical_hash(edited) != shipped["sha256"]
    assert map_articles(edited)[8] == ("subcontracting",)


def test_another_city_maps_by_heading() -> None:
    provisions = parse_text(OTHER_CITY)
    assert provisions.parties.authority == "発注者"
    assert map_articles(provisions) == {
        1: ("confidentiality",),
        2: ("incident",),
        3: ("subcontracting",),
        4: ("return", "disposal"),
        5: (),
        6: ("use_outside_purpose",),
        7: ("inspection",),
    }


@pytest.mark.parametrize(
    ("heading", "body", "expected"),
    [
        ("適用範囲", "この特記事項は、業務の全般について適用する。", ()),
        ("", "乙は、甲の承諾なく業務を再委託してはならない。", ("subcontracting",)),
        ("", "乙は、知り得た情報を第三者に漏らしてはならない。", ()),  # 第三者 alone is too common to trust
        ("", "乙は、契約が解除された後も同様とする。", ()),
        ("定義", "乙は、廃棄した記録を甲に報告する。", ("disposal",)),
        ("契約の解除", "甲は、契約を解除することができる。", ("termination",)),
        ("個人情報保護に関する規程の提出", "乙は、社内規程を提出する。", ("internal_rules",)),
        ("持ち出しの禁止", "乙は、資料を持ち出してはならない。", ("take_out",)),
    ],
)
def test_match_topics(heading: str, body: str, expected: tuple[str, ...]) -> None:
    assert match_topics(article(heading, body)) == expected

"""The provisions parser: Shinagawa's text, other authorities' layouts, PDF copies and bad input."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest

from itaku.provisions.parser import Item, Parties, Provisions, ProvisionsError, parse_text

SHINAGAWA = Path(__file__).resolve().parents[3] / "shared" / "provisions" / "shinagawa.txt"
PACKAGED = Path(__file__).resolve().parents[2] / "src/itaku/provisions/data/shinagawa.txt"

SHINAGAWA_HEADINGS = (
    "個人情報の保護",
    "責任者等の明確化",
    "教育の実施",
    "秘密保持義務",
    "個人情報保護に関する規程の提出",
    "適正収集",
    "利用目的の明示",
    "再委託の制限",
    "目的外使用および外部提供の禁止",
    "複写および複製の禁止",
    "授受および保管",
    "返還",
    "廃棄",
    "持出しの禁止",
    "作業場所の特定",
    "立入検査および調査",
    "遵守状況の報告",
    "事故の報告",
    "公表措置",
    "契約の解除および損害賠償義務",
)


def shinagawa_source() -> str:
    return (SHINAGAWA if SHINAGAWA.exists() else PACKAGED).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shinagawa() -> Provisions:
    return parse_text(shinagawa_source())


def as_pdf_copy(text: str, width: int, seed: int) -> str:
    """Hard-wrap every line at `width` characters and scatter spaces between CJK characters, as a PDF copy.

    Spaces never split a number: PDF text runs do not break inside one.
    """
    rng = random.Random(seed)

    def spaceable(ch: str) -> bool:
        return unicodedata.east_asian_width(ch) in ("W", "F") and not ch.isdigit() and not ch.isspace()

    out = []
    for line in text.split("\n"):
        for start in range(0, max(len(line), 1), width):
            chunk = line[start : start + width]
            spaced = ""
            for index, ch in enumerate(chunk):
                spaced += ch
                following = chunk[index + 1 : index + 2]
                if following and spaceable(ch) and spaceable(following) and rng.random() < 0.15:
                    spaced += rng.choice([" ", "　", "  "])
            out.append(spaced)
    return "\n".join(out)


# --- Shinagawa -------------------------------------------------------------------------------------


@pytest.mark.skipif(not SHINAGAWA.exists(), reason="the shared provisions folder is not mounted")
def test_packaged_template_is_the_shared_text() -> None:
    assert PACKAGED.read_bytes() == SHINAGAWA.read_bytes()


def test_shinagawa_has_twenty_articles_with_their_headings(shinagawa: Provisions) -> None:
    assert [a.number for a in shinagawa.articles] == list(range(1, 21))
    assert tuple(a.heading for a in shinagawa.articles) == SHINAGAWA_HEADINGS
    assert shinagawa.article(8).heading == "再委託の制限"


def test_shinagawa_title_and_parties(shinagawa: Provisions) -> None:
    assert shinagawa.title == "個人情報を取り扱う委託契約の特記事項"
    assert shinagawa.parties == Parties(
        authority="品川区", authority_alias="甲", contractor="受託者", contractor_alias="乙"
    )


def test_shinagawa_article_8_paragraphs_and_items(shinagawa: Provisions) -> None:
    article = shinagawa.article(8)
    assert [p.number for p in article.paragraphs] == [1, 2, 3, 4, 5]
    first = article.paragraphs[0]
    assert first.text.startswith("乙は、この契約による業務を第三者に再委託してはならない。")
    assert first.text.endswith("遵守させなければならない。")
    assert first.items == (
        Item("ア", "再委託する業務の内容"),
        Item("イ", "再委託の相手方"),
        Item("ウ", "再委託の期間"),
        Item("エ", "再委託が必要な理由"),
        Item("オ", "再委託の相手方に求める個人情報保護措置の内容"),
        Item("カ", "再委託先の相手方の監督方法"),
        Item("キ", "その他甲が必要と認める事項"),
    )
    assert all(not p.items for p in article.paragraphs[1:])
    assert article.paragraphs[4].text == (
        "第１項から前項までの規定は、再委託した業務をさらに委託する場合について準用する。"
    )


def test_shinagawa_paragraph_counts(shinagawa: Provisions) -> None:
    counts = {a.number: len(a.paragraphs) for a in shinagawa.articles}
    assert counts == {n: {4: 2, 8: 5, 13: 2, 17: 2, 20: 2}.get(n, 1) for n in range(1, 21)}
    assert shinagawa.article(4).paragraphs[1].text == (
        "乙は、業務の従業者または従業者であった者についても、前項の規定による義務を遵守させなければならない。"
    )


def test_shinagawa_text_is_cleaned_but_keeps_its_characters(shinagawa: Provisions) -> None:
    first = shinagawa.article(1).paragraphs[0].text
    assert first.startswith("受託者（以下「乙」という。）は、この契約による事務を履行するにあたっては、個人情報")
    assert "法律(平成15年法律第57号)" in first  # ASCII parentheses stay as written
    assert "(令和5年品川区条例第3号)および品川区議会" in first  # the stray space is gone
    every_text = json.dumps(shinagawa.to_dict(), ensure_ascii=False)
    assert "､" not in every_text
    assert "複製してはならない。甲の許可を受けて" in shinagawa.article(10).paragraphs[0].text


def test_dict_round_trip(shinagawa: Provisions) -> None:
    data = json.loads(json.dumps(shinagawa.to_dict(), ensure_ascii=False))
    assert set(data) == {"title", "parties", "articles"}
    assert set(data["parties"]) == {"authority", "authority_alias", "contractor", "contractor_alias"}
    assert data["articles"][7]["paragraphs"][0]["items"][0] == {"label": "ア", "text": "再委託する業務の内容"}
    assert Provisions.from_dict(data) == shinagawa


def test_missing_article_is_a_key_error(shinagawa: Provisions) -> None:
    with pytest.raises(KeyError):
        shinagawa.article(21)


@pytest.mark.parametrize(("width", "seed"), [(12, 0), (20, 1), (30, 2), (30, 3), (31, 4), (45, 5)])
def test_shinagawa_copied_out_of_a_pdf_parses_to_the_same_tree(shinagawa: Provisions, width: int, seed: int) -> None:
    mangled = as_pdf_copy(shinagawa_source(), width, seed)
    assert mangled != shinagawa_source()
    assert parse_text(mangled) == shinagawa


def test_shinagawa_with_windows_newlines_and_a_bom(shinagawa: Provisions) -> None:
    assert parse_text("\ufeff" + shinagawa_source().replace("\n", "\r\n")) == shinagawa


# --- other layouts ---------------------------------------------------------------------------------


def test_heading_after_the_number_with_the_body_on_the_next_line_or_the_same_line() -> None:
    provisions = parse_text(
        "個人情報取扱特記事項\n"
        "第1条（秘密の保持）\n"
        "受注者は、業務上知り得た情報を第三者に漏らしてはならない。\n"
        "第2条（再委託の禁止）受注者は、発注者の承諾なく業務を再委託してはならない。\n"
        "第3条 返還\n"
        "受注者は、契約が終了したときは、資料を直ちに返還しなければならない。\n"
    )
    assert [(a.number, a.heading) for a in provisions.articles] == [(1, "秘密の保持"), (2, "再委託の禁止"), (3, "返還")]
    assert provisions.article(2).paragraphs[0].text == "受注者は、発注者の承諾なく業務を再委託してはならない。"
    assert provisions.article(3).paragraphs[0].text.startswith("受注者は、契約が終了したときは")
    assert provisions.title == "個人情報取扱特記事項"


def test_orderer_and_contractor_without_definitions() -> None:
    provisions = parse_text(
        "特記事項\n第1条（秘密の保持）受注者は、発注者から受け取った情報を漏らしてはならない。\n"
        "第2条（報告）受注者は、発注者の求めに応じて報告しなければならない。\n"
    )
    assert provisions.parties == Parties(authority="発注者", contractor="受注者")


def test_orderer_and_contractor_defined_as_ko_and_otsu() -> None:
    provisions = parse_text(
        "特記事項\n"
        "第1条（基本事項）株式会社○○（以下「乙」という。）は、発注者である○○市（以下「甲」という。）の"
        "個人情報を適正に取り扱わなければならない。\n"
    )
    assert provisions.parties == Parties("○○市", "甲", "株式会社○○", "乙")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("受託者は、区の指示に従わなければならない。受託者は、区に報告する。", Parties("区", None, "受託者", None)),
        ("乙は、甲の指示に従わなければならない。", Parties(None, "甲", None, "乙")),
        ("横浜市（以下「市」という。）と受注者は、次のとおり定める。", Parties("横浜市", "市", "受注者", None)),
        ("この特記事項は、業務の実施について定める。", Parties()),
    ],
)
def test_parties_from_the_words_used(body: str, expected: Parties) -> None:
    assert parse_text(f"第1条（基本事項）{body}\n").parties == expected


def test_bare_article_numbers_with_headings() -> None:
    provisions = parse_text(
        "特記事項\n"
        "1 基本事項\n"
        "乙は、個人情報を適正に取り扱わなければならない。\n"
        "2（秘密の保持）乙は、秘密を漏らしてはならない。\n"
        "2 前項の義務は、契約が終了した後も同様とする。\n"
        "【再委託】\n"
        "3 乙は、甲の承諾なく再委託してはならない。\n"
        "（返還）\n"
        "４　乙は、資料を返還しなければならない。\n"
    )
    assert [(a.number, a.heading, len(a.paragraphs)) for a in provisions.articles] == [
        (1, "基本事項", 1),
        (2, "秘密の保持", 2),
        (3, "再委託", 1),
        (4, "返還", 1),
    ]
    assert provisions.article(2).paragraphs[1].text == "前項の義務は、契約が終了した後も同様とする。"


def test_heading_styles_before_the_article() -> None:
    provisions = parse_text(
        "特記事項\n"
        "基本事項\n"
        "第1　乙は、個人情報を適正に取り扱わなければならない。\n"
        "【秘密の保持】\n"
        "第 2 条  乙は、秘密を漏らしてはならない。\n"
        "(再委託)\n"
        "第３条　　乙は、再委託してはならない。\n"
        "\n"
        "返還 及び 廃棄\n"
        "\n"
        "第４条 乙は、資料を返還しなければならない。\n"
    )
    assert [a.heading for a in provisions.articles] == ["基本事項", "秘密の保持", "再委託", "返還及び廃棄"]
    assert provisions.article(3).paragraphs[0].text == "乙は、再委託してはならない。"
    assert provisions.title == "特記事項"


def test_kanji_article_numbers() -> None:
    kanji = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    text = "特記事項\n" + "".join(f"第{k}条（見出し{n}）乙は、第{n}の義務を守る。\n" for n, k in enumerate(kanji, 1))
    provisions = parse_text(text)
    assert [a.number for a in provisions.articles] == list(range(1, 13))
    assert provisions.article(12).heading == "見出し12"


@pytest.mark.parametrize(
    ("lines", "labels"),
    [
        (["(1) 名称", "(2) 住所", "(3) 代表者"], ["(1)", "(2)", "(3)"]),
        (["（１）名称", "（２） 住所", "（３）　代表者"], ["(1)", "(2)", "(3)"]),
        (["⑴ 名称", "⑵住所", "⑶　代表者"], ["(1)", "(2)", "(3)"]),
        (["①名称", "② 住所", "③ 代表者"], ["(1)", "(2)", "(3)"]),
        (["１．名称", "２． 住所", "3. 代表者"], ["(1)", "(2)", "(3)"]),
        (["ア　名称", "イ 住所", "ウ　代表者"], ["ア", "イ", "ウ"]),
        (["(ア) 名称", "（イ）住所", "(ウ)代表者"], ["ア", "イ", "ウ"]),
    ],
)
def test_item_label_styles(lines: list[str], labels: list[str]) -> None:
    items = "\n".join(lines)
    text = f"第1条（再委託）\n乙は、次の事項を甲に届け出なければならない。\n{items}\n２　乙は、変更も届け出る。\n"
    article = parse_text(text).article(1)
    assert [item.label for item in article.paragraphs[0].items] == labels
    assert [item.text for item in article.paragraphs[0].items] == ["名称", "住所", "代表者"]
    assert article.paragraphs[0].text == "乙は、次の事項を甲に届け出なければならない。"
    assert article.paragraphs[1].text == "乙は、変更も届け出る。"


def test_item_labels_out_of_sequence_are_text() -> None:
    article = parse_text("第1条（事項）乙は、次の事項を守る。\nア　第一の事項\nウ　続き\n").article(1)
    assert article.paragraphs[0].items == (Item("ア", "第一の事項ウ続き"),)


def test_explicitly_numbered_first_paragraph() -> None:
    article = parse_text("第1条（目的）\n1 この特記事項は、目的を定める。\n2 乙は、これを守る。\n").article(1)
    assert [(p.number, p.text) for p in article.paragraphs] == [
        (1, "この特記事項は、目的を定める。"),
        (2, "乙は、これを守る。"),
    ]


def test_latin_words_keep_their_spaces() -> None:
    text = "第1条（管理）乙は、ISO 27001 に基づき、USB メモリ を使わない。Microsoft\nExcel の 表 も 同様 と する。\n"
    assert parse_text(text).article(1).paragraphs[0].text == (
        "乙は、ISO 27001に基づき、USB メモリを使わない。Microsoft Excel の表も同様とする。"
    )


# --- text copied out of a PDF ------------------------------------------------------------------------


def test_pdf_copy_with_wrapped_numbers_stray_spaces_and_a_spaced_title() -> None:
    text = "\n".join(
        [
            "特",
            "記",
            "事",
            "項",
            "（基本事項）",
            "第1条 受託者は、区の指示に従い、個人情報を適正に取り扱わなけれ",
            "ばならない。",
            "（再 委託）",
            "第 2 条 受託者は、会社法第",
            "2条第1項に規定する子会社に委託するときも、区の承認を得なければ",
            "ならない。また、会社法第",
            "2 条第3項の規定は、この場合に適用しない。受託者は、この条の第",
            "3 項に掲げる書類を提出する。",
            "２ 受 託者 は、前 項 の 規 定 に 違 反 し て は な ら な い 。",
            "- 1 -",
            "（検査）",
            "第3条 区は、受託者に対し、この特記事項の",
            "第2条 第1項の規定による報告を求めることができる。",
            "以上",
        ]
    )
    provisions = parse_text(text)
    assert provisions.title == "特記事項"
    assert [(a.number, a.heading) for a in provisions.articles] == [(1, "基本事項"), (2, "再委託"), (3, "検査")]
    second = provisions.article(2)
    assert [p.text for p in second.paragraphs] == [
        "受託者は、会社法第2条第1項に規定する子会社に委託するときも、区の承認を得なければならない。"
        "また、会社法第2条第3項の規定は、この場合に適用しない。受託者は、この条の第3項に掲げる書類を提出する。",
        "受託者は、前項の規定に違反してはならない。",
    ]
    assert provisions.article(3).paragraphs[0].text == (
        "区は、受託者に対し、この特記事項の第2条第1項の規定による報告を求めることができる。"
    )
    assert provisions.parties == Parties("区", None, "受託者", None)


def test_heading_wrapped_over_two_lines() -> None:
    provisions = parse_text(
        "特記事項\n（個人情報の適正な取扱いに関する\n基本的事項）\n第1条 乙は、個人情報を適正に取り扱う。\n"
    )
    assert provisions.article(1).heading == "個人情報の適正な取扱いに関する基本的事項"


def test_chapter_lines_are_not_text() -> None:
    provisions = parse_text(
        "第1章 総則\n第1条（目的）乙は、目的を守る。\n第2章　義務\n第2条（秘密）乙は、秘密を守る。\n"
    )
    assert [p.text for a in provisions.articles for p in a.paragraphs] == ["乙は、目的を守る。", "乙は、秘密を守る。"]


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\u3000\n", "\ufeff"])
def test_empty_text(text: str) -> None:
    with pytest.raises(ProvisionsError) as raised:
        parse_text(text)
    assert raised.value.line is None
    assert str(raised.value) == "テキストが空です / the text is empty"


def test_binary_garbage_names_its_line() -> None:
    with pytest.raises(ProvisionsError) as raised:
        parse_text("第1条（目的）乙は守る。\n\x00\x01PK\x03\x04\n")
    assert raised.value.line == 2
    assert str(raised.value).startswith("2行目: ")
    assert "line 2: " in str(raised.value)


def test_text_without_articles() -> None:
    with pytest.raises(ProvisionsError) as raised:
        parse_text("これは特記事項ではありません。\nただの文章です。\n")
    assert (raised.value.message_ja, raised.value.message_en, raised.value.line) == (
        "条が見つかりません",
        "no article found",
        None,
    )


@pytest.mark.parametrize(
    ("text", "line", "english"),
    [
        ("第1条（一）乙は守る。\n第2条（二）乙は守る。\n第2条（三）乙は守る。\n", 3, "article 2 is duplicated"),
        ("第1条（一）乙は守る。\n第2条（二）乙は守る。\n第4条（四）乙は守る。\n", 3, "article 3 is missing"),
        ("特記事項\n第2条（二）乙は守る。\n第1条（一）乙は守る。\n", 2, "article 1 is missing"),
        ("第1条（一）乙は守る。\n\n３　乙は守る。\n", 3, "article 1: paragraph 3 found where 2"),
        ("第1条（一）\n第2条（二）乙は守る。\n", 1, "article 1 has no text"),
    ],
)
def test_numbering_errors_name_the_line(text: str, line: int, english: str) -> None:
    with pytest.raises(ProvisionsError) as raised:
        parse_text(text)
    assert raised.value.line == line
    assert english in raised.value.message_en
    assert str(raised.value).startswith(f"{line}行目: {raised.value.message_ja} / line {line}: ")

"""Property: any provisions tree, written out in any of the layouts authorities use, parses back to itself.

Trees are generated from a safe alphabet (hiragana and kanji without the party words 甲 乙 区 市 … 者),
sentences end with 。 and never begin with a digit or 第, and items hold no numbers: those are the
conditions under which the text itself is unambiguous (see the rules in itaku.provisions.parser).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from itaku.provisions.parser import Article, Item, Paragraph, Parties, Provisions, parse_text

HIRAGANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
KANJI = "個人情報保護業務契約管理書面提出告安全措置必要適正処作場所記録存期間内容方法対象資料電子媒体確認実施義規定範囲"
WORDS = HIRAGANA + KANJI
KATAKANA = "アイウエオカキクケコ"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
DEFINITIONS = "受託者（以下「乙」という。）は、品川区（以下「甲」という。）に対し、"
DEFINED = Parties("品川区", "甲", "受託者", "乙")

word = st.text(alphabet=WORDS + "0123456789", min_size=2, max_size=8)
reference = st.builds("第{}条第{}項".format, st.integers(1, 30), st.integers(1, 9))
sentence = st.builds(
    lambda first, pieces: (first + "".join(pieces) + "ものとする")[:60] + "。",
    st.sampled_from(WORDS),
    st.lists(st.one_of(word, word, reference, st.just("、")), min_size=3, max_size=8),
)
paragraph_text = st.lists(sentence, min_size=1, max_size=3).map("".join)
item_text = st.builds(
    lambda text, stop: text + ("。" if stop else ""), st.text(alphabet=WORDS, min_size=2, max_size=20), st.booleans()
)
heading = st.text(alphabet=WORDS, min_size=2, max_size=10)


@st.composite
def paragraphs(draw: st.DrawFn, number: int) -> Paragraph:
    texts = draw(st.one_of(st.just([]), st.lists(item_text, min_size=1, max_size=len(KATAKANA))))
    kana = draw(st.booleans())
    items = tuple(Item(KATAKANA[i] if kana else f"({i + 1})", text) for i, text in enumerate(texts))
    return Paragraph(number, draw(paragraph_text), items)


@st.composite
def trees(draw: st.DrawFn) -> Provisions:
    articles = []
    for number in range(1, draw(st.integers(1, 25)) + 1):
        count = draw(st.integers(1, 5))
        articles.append(Article(number, draw(heading), tuple(draw(paragraphs(n)) for n in range(1, count + 1))))
    parties = Parties()
    if draw(st.booleans()):
        first = articles[0].paragraphs[0]
        defined = Paragraph(1, DEFINITIONS + first.text, first.items)
        articles[0] = Article(1, articles[0].heading, (defined, *articles[0].paragraphs[1:]))
        parties = DEFINED
    title = draw(st.text(alphabet=WORDS, min_size=3, max_size=15))
    return Provisions(title, parties, tuple(articles))


@dataclass(frozen=True)
class Layout:
    numbering: str  # "dai" (第１), "jo" (第1条) or "bare" (1)
    full_width: bool
    heading: str  # where the heading goes, see heading_lines()
    separator: str
    numbered_items: str  # how (1) items are written
    blank_lines: str  # "none", "articles" or "all"
    wrap: int | None  # PDF copy: hard wraps at this width, stray spaces, the title one character per line
    seed: int


SHINAGAWA = Layout("dai", True, "bracket_before", "　", "fullwidth", "articles", None, 0)
NUMBERED_HEADINGS = ("same_bracket", "same_bracket_inline", "same_bare")
HEADINGS_BEFORE = ("bracket_before", "paren_before", "lenticular_before")

layouts = st.one_of(
    st.just(SHINAGAWA),
    st.builds(
        Layout,
        numbering=st.sampled_from(("dai", "jo")),
        full_width=st.booleans(),
        heading=st.sampled_from((*HEADINGS_BEFORE, "bare_before", *NUMBERED_HEADINGS)),
        separator=st.sampled_from(("　", " ", "　 ", "  ")),
        numbered_items=st.sampled_from(("ascii", "fullwidth", "enclosed", "period")),
        blank_lines=st.sampled_from(("none", "articles", "all")),
        wrap=st.none() | st.integers(28, 40),
        seed=st.integers(0, 2**16),
    ),
    st.builds(
        Layout,
        numbering=st.just("bare"),
        full_width=st.booleans(),
        heading=st.sampled_from((*HEADINGS_BEFORE, *NUMBERED_HEADINGS)),
        separator=st.sampled_from(("　", " ", "  ")),
        numbered_items=st.sampled_from(("ascii", "fullwidth", "enclosed", "period")),
        blank_lines=st.sampled_from(("none", "articles", "all")),
        wrap=st.none() | st.integers(28, 40),
        seed=st.integers(0, 2**16),
    ),
)


def number(n: int, layout: Layout) -> str:
    return str(n).translate(FULL_WIDTH) if layout.full_width else str(n)


def item_line(item: Item, layout: Layout) -> str:
    if not item.label.startswith("("):
        return f"{item.label}{layout.separator}{item.text}"
    n = int(item.label[1:-1])
    label = {
        "ascii": f"({n}) ",
        "fullwidth": f"（{str(n).translate(FULL_WIDTH)}）",
        "enclosed": chr(ord("⑴") + n - 1),
        "period": f"{n}．",
    }[layout.numbered_items]
    return label + item.text


def article_lines(article: Article, layout: Layout) -> list[list[str]]:
    """The article as blocks of lines; blank lines may go between blocks."""
    marker = {"dai": "第{}", "jo": "第{}条", "bare": "{}"}[layout.numbering].format(number(article.number, layout))
    first, sep = article.paragraphs[0], layout.separator
    style = layout.heading
    if style in HEADINGS_BEFORE or style == "bare_before":
        left, right = {"bracket": "（）", "paren": "()", "lenticular": "【】", "bare": ("", "")}[style.split("_")[0]]
        blocks = [[f"{left}{article.heading}{right}"], [f"{marker}{sep}{first.text}"]]
    elif style == "same_bracket":
        blocks = [[f"{marker}（{article.heading}）", first.text]]
    elif style == "same_bracket_inline":
        blocks = [[f"{marker}（{article.heading}）{first.text}"]]
    else:
        blocks = [[f"{marker}{sep}{article.heading}", first.text]]
    for paragraph in article.paragraphs:
        if paragraph.number > 1:
            blocks.append([f"{number(paragraph.number, layout)}{sep}{paragraph.text}"])
        blocks += [[item_line(item, layout)] for item in paragraph.items]
    return blocks


def render(tree: Provisions, layout: Layout) -> str:
    """Write the tree out as an authority (or a PDF copy of its document) would."""
    rng = random.Random(layout.seed)
    lines = list(tree.title) if layout.wrap else [tree.title]
    for article in tree.articles:
        for index, block in enumerate(article_lines(article, layout)):
            if layout.blank_lines == "all" or (layout.blank_lines == "articles" and index == 0):
                lines.append("")
            lines += block
    if layout.wrap:
        lines = [pdf_spaces(chunk, rng) for line in lines for chunk in wrap(line, layout.wrap)]
    return "\n".join(lines) + "\n"


def wrap(line: str, width: int) -> list[str]:
    return [line[start : start + width] for start in range(0, len(line), width)] or [""]


def pdf_spaces(line: str, rng: random.Random) -> str:
    """Spaces between CJK characters, never inside a number, as PDF text extraction leaves them."""

    def spaceable(ch: str) -> bool:
        return unicodedata.east_asian_width(ch) in ("W", "F") and not ch.isdigit() and not ch.isspace()

    out = ""
    for index, ch in enumerate(line):
        out += ch
        following = line[index + 1 : index + 2]
        if following and spaceable(ch) and spaceable(following) and rng.random() < 0.1:
            out += rng.choice((" ", "　"))
    return out


@settings(max_examples=100, deadline=None)
@given(trees(), layouts)
def test_rendered_tree_parses_back(tree: Provisions, layout: Layout) -> None:
    assert parse_text(render(tree, layout)) == tree


@settings(max_examples=100, deadline=None)
@given(trees())
def test_shinagawa_layout_parses_back(tree: Provisions) -> None:
    assert parse_text(render(tree, SHINAGAWA)) == tree


@settings(max_examples=50, deadline=None)
@given(trees())
def test_dict_round_trip(tree: Provisions) -> None:
    assert Provisions.from_dict(tree.to_dict()) == tree

"""Parse a Japanese special-provisions text (特記事項) into articles, paragraphs and items.

Every authority annexes a text of the same shape with its own wording, typed by hand, pasted from Word
or copied out of a PDF, so the parser reads structure, not Shinagawa's phrasing. It imports no Django:
the models, the CLI and the UI all build on it.

The rules:

* Lines are stripped; page-number lines ("3", "- 3 -", "3/10"), chapter lines ("第1章 総則") and a closing
  以上 are dropped. Numbers may be ASCII or full-width digits, or kanji after 第 (第十条).
* The first line numbered 1 sets the article style. "第1" (第1, 第 1, 第１, 第1条, 第一条) followed by a
  space, a bracket or the end of the line: articles are 第N[条] lines and bare numbers are paragraphs.
  "1" followed by a space or a bracket: articles are bare numbers that have a heading by rules 1-3
  below, and a bare number without one is a paragraph.
* The heading of an article, in this order of precedence:
  1. a bracket right after the number: "第1条（目的）本文", "1（目的）";
  2. the line before, wholly enclosed in （…）, (…), 【…】, 〔…〕 or ［…］ (a PDF may wrap it over up to
     three lines); the whole number line is then body;
  3. the rest of the number line when it is at most 20 characters without 。、，． and the next line is not
     the next article: "第1条 個人情報の保護", body on the next line;
  4. (第N style only) a bare line before, at most 20 characters without 。、，．, after a finished sentence,
     an item, a blank line or, for article 1, after the title.
  Otherwise the heading is empty and the rest of the number line is paragraph 1.
  Rule 3 is ambiguous in PDF copies narrower than about 25 characters a line: a short first body line
  without punctuation reads as a heading unless a bracketed heading (rule 2) precedes it.
* The wrapped-number rule: a number starts an article or a paragraph only if it is the expected next
  number, it is followed by a separator (whitespace; for articles also a bracket or the end of the line),
  and the line before is finished: it ended with 。．：！？, was a heading or an item, or a blank line
  came between. So a PDF line starting "2条第1項…", "第2条第1項…" or "第2条 第1項…" continues the sentence
  of the line before. In a finished context a wrong number is an error (duplicate, missing or out of
  order); right after an item it is read as item text.
* Items: ア イ ウ … (also (ア), ア．, half-width ｱ), (1) （１） ⑴, ① or １． at the start of a line. The first
  item of a paragraph must be ア or 1 and follow a finished sentence; each next item must carry the next
  label in the same style. Labels are stored as "ア" or "(1)". A line after the items belongs to the
  last item (the model has no text after items).
* Any other line continues the current item, paragraph or, before article 1, the title. Lines are joined
  without a separator except between two Latin letters; whitespace touching a CJK or full-width
  character is removed unless the other side is a Latin letter ("USB メモリ" keeps its space);
  ､｡｢｣ become 、。「」. Nothing else is normalised: （ ） stay full-width, ( ) stay ASCII.
* The title is the first block of lines before article 1 that does not end with 。, skipping 別記/別紙;
  a title set one character per line is joined. Parties come from definitions such as
  受託者（以下「乙」という。）anywhere in the text; failing those, 甲/乙 when used, or the most used of
  発注者/委託者/区/市/… and 受注者/受託者/….
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Article", "Item", "Paragraph", "Parties", "Provisions", "ProvisionsError", "parse_text"]


@dataclass(frozen=True)
class Item:
    """An enumerated item of a paragraph, e.g. ア in article 8(1) of Shinagawa."""

    label: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (項); paragraph 1 is the text right after the article number."""

    number: int
    text: str
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Article:
    """An article (条) with its heading (見出し), possibly empty."""

    number: int
    heading: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Parties:
    """The authority (甲) and the contractor (乙) as the text names and abbreviates them."""

    authority: str | None = None
    authority_alias: str | None = None
    contractor: str | None = None
    contractor_alias: str | None = None


@dataclass(frozen=True)
class Provisions:
    """A parsed provisions text; to_dict()/from_dict() round-trip through JSON."""

    title: str
    parties: Parties
    articles: tuple[Article, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready tree (stored with each provisions version)."""
        return {
            "title": self.title,
            "parties": {
                "authority": self.parties.authority,
                "authority_alias": self.parties.authority_alias,
                "contractor": self.parties.contractor,
                "contractor_alias": self.parties.contractor_alias,
            },
            "articles": [
                {
                    "number": a.number,
                    "heading": a.heading,
                    "paragraphs": [
                        {
                            "number": p.number,
                            "text": p.text,
                            "items": [{"label": i.label, "text": i.text} for i in p.items],
                        }
                        for p in a.paragraphs
                    ],
                }
                for a in self.articles
            ],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provisions:
        """Rebuild from to_dict() output, e.g. a stored version's tree."""
        parties = d.get("parties") or {}
        return cls(
            title=d["title"],
            parties=Parties(
                authority=parties.get("authority"),
                authority_alias=parties.get("authority_alias"),
                contractor=parties.get("contractor"),
                contractor_alias=parties.get("contractor_alias"),
            ),
            articles=tuple(
                Article(
                    number=a["number"],
                    heading=a["heading"],
                    paragraphs=tuple(
                        Paragraph(
                            number=p["number"],
                            text=p["text"],
                            items=tuple(Item(label=i["label"], text=i["text"]) for i in p.get("items", ())),
                        )
                        for p in a["paragraphs"]
                    ),
                )
                for a in d["articles"]
            ),
        )

    def article(self, number: int) -> Article:
        """The article with this number; KeyError if the text has none."""
        for candidate in self.articles:
            if candidate.number == number:
                return candidate
        raise KeyError(number)


class ProvisionsError(ValueError):
    """Bad input; carries message_ja, message_en and line (1-based, or None).

    Users upload these texts themselves, so every message says what is wrong in both languages and
    where, when a line can be named.
    """

    def __init__(self, message_ja: str, message_en: str, line: int | None = None) -> None:
        self.message_ja = message_ja
        self.message_en = message_en
        self.line = line
        if line is None:
            super().__init__(f"{message_ja} / {message_en}")
        else:
            super().__init__(f"{line}行目: {message_ja} / line {line}: {message_en}")


# --- characters -----------------------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_NEWLINE = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffd]")
_HALFWIDTH_PUNCT = str.maketrans({"､": "、", "｡": "。", "｢": "「", "｣": "」"})
_SENTENCE_END = "。｡．.：:！？!?"
_NOT_IN_BARE_HEADING = frozenset("。｡、､，,．.")
_BARE_HEADING_MAX = 20
_DIGITS = "[0-9０-９]"
_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_NUMBER = "[〇一二三四五六七八九十百]+"
_KATAKANA_LABELS = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"

# Bracket families: （ and ( pair with either ） or ), as the texts mix them.
_OPEN = {"（": "paren", "(": "paren", "【": "lenticular", "〔": "shell", "［": "square", "[": "square"}
_CLOSE = {"）": "paren", ")": "paren", "】": "lenticular", "〕": "shell", "］": "square", "]": "square"}


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "H")


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and ch < "\u0250"


def _close_gap(match: re.Match[str]) -> str:
    before, gap, after = match.group(1), match.group(2), match.group(3)
    if (_is_wide(before) or _is_wide(after)) and not (_is_latin(before) or _is_latin(after)):
        return before
    return before + gap


_GAP = re.compile(r"(\S)(\s+)(?=(\S))")


def _clean(parts: Iterable[str]) -> str:
    """Join wrapped lines and drop the spaces a PDF puts between CJK characters."""
    text = ""
    for raw in parts:
        part = raw.strip()
        if not part:
            continue
        if text and _is_latin(text[-1]) and _is_latin(part[0]):
            text += " "
        text += part
    return _GAP.sub(_close_gap, text.translate(_HALFWIDTH_PUNCT))


def _ends_sentence(line: str) -> bool:
    return bool(line) and line[-1] in _SENTENCE_END


def _to_int(number: str) -> int:
    if number[0] not in _KANJI_DIGITS and number[0] not in "十百":
        return int(number)  # int() reads full-width digits too
    if "十" not in number and "百" not in number:
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in number))
    total = current = 0
    for ch in number:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        else:
            total += (current or 1) * (100 if ch == "百" else 10)
            current = 0
    return total + current


def _bracketed(text: str) -> tuple[str, str] | None:
    """Split "（見出し）rest" into ("見出し", "rest"); None unless text starts with a closed bracket."""
    family = _OPEN.get(text[:1])
    if family is None:
        return None
    depth = 0
    for index, ch in enumerate(text):
        if _OPEN.get(ch) == family:
            depth += 1
        elif _CLOSE.get(ch) == family:
            depth -= 1
            if depth == 0:
                inner = _clean([text[1:index]])
                return (inner, text[index + 1 :].strip()) if inner and "。" not in inner else None
    return None


def _bare_heading(text: str) -> str | None:
    cleaned = _clean([text])
    if 0 < len(cleaned) <= _BARE_HEADING_MAX and not _NOT_IN_BARE_HEADING.intersection(cleaned):
        return cleaned
    return None


# --- line patterns ----------------------------------------------------------------------------------

_DAI = re.compile(rf"第\s*({_DIGITS}+|{_KANJI_NUMBER})(?:\s*条)?(.*)", re.S)
_BARE = re.compile(rf"({_DIGITS}{{1,3}})((?:\s|[（(【〔［\[]).*)", re.S)
_PARAGRAPH = re.compile(rf"({_DIGITS}{{1,3}})\s+(\S.*)", re.S)
_PAGE_NUMBER = re.compile(rf"[-－‐―—–\s]*{_DIGITS}{{1,3}}\s*(?:[/／]\s*{_DIGITS}{{1,3}})?[-－‐―—–\s]*")
_CHAPTER = re.compile(rf"第\s*(?:{_DIGITS}+|{_KANJI_NUMBER})\s*[章節款](?:\s.*)?", re.S)
_ANNEX = re.compile(rf"[（(【]?\s*別\s*[記紙添表]\s*{_DIGITS}*\s*[）)】]?")
_ITEM_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("kana", re.compile(r"[（(]\s*([ア-ワｱ-ﾜ])\s*[）)]\s*(.*)", re.S)),
    ("kana", re.compile(r"([ア-ワｱ-ﾜ])(?:\s+|[．.]\s*)(.*)", re.S)),
    ("paren", re.compile(rf"[（(]\s*({_DIGITS}{{1,2}})\s*[）)]\s*(.*)", re.S)),
    ("paren", re.compile(r"([⑴-⒇])\s*(.*)", re.S)),
    ("circled", re.compile(r"([①-⑳])\s*(.*)", re.S)),
    ("period", re.compile(rf"({_DIGITS}{{1,2}})[．.](?!{_DIGITS})\s*(.*)", re.S)),
)


@dataclass(frozen=True)
class _Number:
    """An article-looking line: its number and what follows the separator."""

    number: int
    rest: str


@dataclass(frozen=True)
class _ArticleLine:
    number: int
    heading: str | None
    body: str


@dataclass(frozen=True)
class _ItemLine:
    style: str
    index: int
    label: str
    body: str


def _dai_number(line: str) -> _Number | None:
    match = _DAI.fullmatch(line)
    if match is None:
        return None
    rest = match.group(2)
    if rest and not rest[0].isspace() and rest[0] not in _OPEN:
        return None  # 第2条第1項…, 第3条の規定…: a reference, not an article
    return _Number(_to_int(match.group(1)), rest.strip())


def _bare_number(line: str) -> _Number | None:
    match = _BARE.fullmatch(line)
    return _Number(int(match.group(1)), match.group(2).strip()) if match else None


def _paragraph_line(line: str) -> _Number | None:
    match = _PARAGRAPH.fullmatch(line)
    return _Number(int(match.group(1)), match.group(2)) if match else None


def _item_line(line: str) -> _ItemLine | None:
    for style, pattern in _ITEM_PATTERNS:
        match = pattern.fullmatch(line)
        if match is None:
            continue
        raw, body = match.group(1), match.group(2).strip()
        if style == "kana":
            label = unicodedata.normalize("NFKC", raw)
            if label not in _KATAKANA_LABELS:
                continue
            return _ItemLine(style, _KATAKANA_LABELS.index(label), label, body)
        if "⑴" <= raw <= "⒇":
            number = ord(raw) - ord("⑴") + 1
        elif "①" <= raw <= "⑳":
            number = ord(raw) - ord("①") + 1
        else:
            number = int(raw)
        return _ItemLine(style, number - 1, f"({number})", body)
    return None


# --- the parse --------------------------------------------------------------------------------------

_OPEN_SENTENCE, _AFTER_ITEM, _FINISHED = "open", "item", "finished"


@dataclass
class _ItemDraft:
    label: str
    lines: list[str]


@dataclass
class _ParagraphDraft:
    number: int
    lines: list[str]
    items: list[_ItemDraft] = field(default_factory=list)
    item_style: str | None = None


@dataclass
class _ArticleDraft:
    number: int
    heading: str
    line: int
    paragraphs: list[_ParagraphDraft]


def _prepare(text: str) -> list[str]:
    text = _NEWLINE.sub("\n", _ZERO_WIDTH.sub("", text))
    if not text.strip():
        raise ProvisionsError("テキストが空です", "the text is empty")
    control = _CONTROL.search(text)
    if control is not None:
        raise ProvisionsError(
            "文字として読めないデータが含まれています（バイナリファイルではありませんか）",
            "the text contains unreadable control characters (is this a binary file?)",
            text.count("\n", 0, control.start()) + 1,
        )
    return [line.strip() for line in text.split("\n")]


def _numbering_error(found: int, expected: int, line: int) -> ProvisionsError:
    if found < expected:
        return ProvisionsError(
            f"第{found}条が重複しているか順番が違います（第{expected}条が来るはずです）",
            f"article {found} is duplicated or out of order (expected article {expected})",
            line,
        )
    return ProvisionsError(
        f"第{expected}条が見つかりません（次に第{found}条があります）",
        f"article {expected} is missing (found article {found} instead)",
        line,
    )


def _numbered_with_dai(lines: list[str]) -> bool:
    """Whether articles are 第N lines: the first line numbered 1 decides.

    A wrapped "第1条 第2項" deep inside a bare-numbered text must not switch the style.
    """
    for line in lines:
        for split in (_dai_number, _bare_number):
            found = split(line)
            if found is not None and found.number == 1:
                return split is _dai_number
    return False


class _Parser:
    """A single pass over the lines with one line of lookahead for headings."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.dai = _numbered_with_dai(lines)
        split = _dai_number if self.dai else _bare_number
        self.ignored = self._ignored_lines()
        self.numbers = [None if i in self.ignored else split(line) for i, line in enumerate(lines)]
        self.preamble: list[str] = []
        self.articles: list[_ArticleDraft] = []
        self.pending: str | None = None
        self.consumed = -1  # the last line of a heading taken by lookahead
        self.context = _FINISHED

    def _ignored_lines(self) -> set[int]:
        ignored = {
            i
            for i, line in enumerate(self.lines)
            if line and (_PAGE_NUMBER.fullmatch(line) or _CHAPTER.fullmatch(line))
        }
        meaningful = [i for i, line in enumerate(self.lines) if line and i not in ignored]
        if meaningful and self.lines[meaningful[-1]] == "以上":
            ignored.add(meaningful[-1])
        return ignored

    def _next_line(self, index: int) -> int | None:
        for following in range(index + 1, len(self.lines)):
            if self.lines[following] and following not in self.ignored:
                return following
        return None

    def _article_line(self, index: int, *, after_heading: bool = False) -> _ArticleLine | None:
        found = self.numbers[index]
        if found is None:
            return None
        if after_heading:
            return _ArticleLine(found.number, None, found.rest)
        bracket = _bracketed(found.rest)
        if bracket is not None:
            return _ArticleLine(found.number, bracket[0], bracket[1])
        heading = _bare_heading(found.rest)
        if heading is not None:
            following = self._next_line(index)
            next_number = self.numbers[following] if following is not None else None
            if following is not None and (next_number is None or next_number.number != found.number + 1):
                return _ArticleLine(found.number, heading, "")
        return _ArticleLine(found.number, None, found.rest)

    def _bracket_block(self, index: int) -> tuple[str, int] | None:
        """A wholly bracketed line, or one wrapped over up to three lines: (its text, its last index)."""
        if self.lines[index][:1] not in _OPEN:
            return None
        end = index
        while True:
            found = _bracketed(_clean(self.lines[index : end + 1]))
            if found is not None:
                return (found[0], end) if not found[1] else None
            if end - index == 2 or end + 1 >= len(self.lines) or not self.lines[end + 1]:
                return None
            end += 1

    def run(self) -> Provisions:
        for index, line in enumerate(self.lines):
            if index in self.ignored or index <= self.consumed:
                continue
            if not line:
                if not self.articles:
                    self.preamble.append("")
                self.context = _FINISHED
                continue
            if not (self._article(index) or self._heading(index) or self._paragraph(index) or self._item(line)):
                self._continue(line)
        if not self.articles:
            raise ProvisionsError("条が見つかりません", "no article found")
        return self._build()

    def _article(self, index: int) -> bool:
        marker = self._article_line(index, after_heading=self.pending is not None)
        if marker is None or (self.articles and self.context == _OPEN_SENTENCE):
            return False
        if not self.dai and marker.heading is None and self.pending is None:
            return False  # a bare number without a heading is a paragraph
        expected = len(self.articles) + 1
        if marker.number != expected:
            if self.articles and self.context == _AFTER_ITEM:
                return False
            raise _numbering_error(marker.number, expected, index + 1)
        heading = self.pending if self.pending is not None else marker.heading or ""
        self.pending = None
        first = _ParagraphDraft(1, [marker.body] if marker.body else [])
        self.articles.append(_ArticleDraft(marker.number, heading, index + 1, [first]))
        self.context = _FINISHED if not marker.body or _ends_sentence(marker.body) else _OPEN_SENTENCE
        return True

    def _heading(self, index: int) -> bool:
        line = self.lines[index]
        if _paragraph_line(line) or _item_line(line):
            return False
        block = self._bracket_block(index)
        if block is not None:
            heading, end = block
        else:
            bare = _bare_heading(line)
            if bare is None or not self.dai:
                return False
            if self.articles and self.context == _OPEN_SENTENCE:
                return False
            if not self.articles and not any(self.preamble):
                return False  # before article 1 a bare line is the title
            heading, end = bare, index
        following = self._next_line(end)
        if following is None:
            return False
        found = self.numbers[following]
        if found is None or found.number != len(self.articles) + 1:
            return False
        # A bracketed line yields only to a bracket on the number line; a bare line to any heading there.
        if block is not None:
            overruled = _bracketed(found.rest) is not None
        else:
            marker = self._article_line(following)
            overruled = marker is not None and marker.heading is not None
        if overruled:
            return False
        self.pending = heading
        self.consumed = end
        self.context = _FINISHED
        return True

    def _paragraph(self, index: int) -> bool:
        if not self.articles or self.context == _OPEN_SENTENCE:
            return False
        marker = _paragraph_line(self.lines[index])
        if marker is None:
            return False
        article = self.articles[-1]
        current = article.paragraphs[-1]
        explicit_first = current.number == 1 and not current.lines and not current.items
        expected = 1 if explicit_first else current.number + 1
        if marker.number != expected:
            if self.context == _AFTER_ITEM:
                return False
            raise ProvisionsError(
                f"第{article.number}条の項番号が順番どおりではありません（{expected}が来るはずが{marker.number}）",
                f"article {article.number}: paragraph {marker.number} found where {expected} was expected",
                index + 1,
            )
        if explicit_first:
            current.lines.append(marker.rest)
        else:
            article.paragraphs.append(_ParagraphDraft(marker.number, [marker.rest]))
        self.context = _FINISHED if _ends_sentence(marker.rest) else _OPEN_SENTENCE
        return True

    def _item(self, line: str) -> bool:
        if not self.articles:
            return False
        marker = _item_line(line)
        if marker is None:
            return False
        paragraph = self.articles[-1].paragraphs[-1]
        if paragraph.items:
            if marker.style != paragraph.item_style or marker.index != len(paragraph.items):
                return False
        elif marker.index != 0 or self.context != _FINISHED:
            return False
        paragraph.items.append(_ItemDraft(marker.label, [marker.body] if marker.body else []))
        paragraph.item_style = marker.style
        self.context = _FINISHED if _ends_sentence(marker.body) else _AFTER_ITEM
        return True

    def _continue(self, line: str) -> None:
        if not self.articles:
            self.preamble.append(line)
            return
        paragraph = self.articles[-1].paragraphs[-1]
        if paragraph.items:
            paragraph.items[-1].lines.append(line)
            self.context = _FINISHED if _ends_sentence(line) else _AFTER_ITEM
        else:
            paragraph.lines.append(line)
            self.context = _FINISHED if _ends_sentence(line) else _OPEN_SENTENCE

    def _build(self) -> Provisions:
        articles = []
        for draft in self.articles:
            paragraphs = tuple(
                Paragraph(p.number, _clean(p.lines), tuple(Item(i.label, _clean(i.lines)) for i in p.items))
                for p in draft.paragraphs
            )
            if not paragraphs[0].text and not paragraphs[0].items:
                raise ProvisionsError(
                    f"第{draft.number}条に本文がありません", f"article {draft.number} has no text", draft.line
                )
            articles.append(Article(draft.number, draft.heading, paragraphs))
        texts = [_clean(self.preamble)] + [
            text
            for article in articles
            for paragraph in article.paragraphs
            for text in (paragraph.text, *(item.text for item in paragraph.items))
        ]
        return Provisions(_title(self.preamble), _parties("\n".join(texts)), tuple(articles))


def _title(preamble: list[str]) -> str:
    lines = [line for line in preamble if not _ANNEX.fullmatch(line)]
    filled = [line for line in lines if line]
    if all(len(_clean([line])) <= 2 for line in filled):
        return _clean(filled)  # one character per line, as PDFs set a spaced-out title
    group: list[str] = []
    for line in [*lines, ""]:
        if line:
            group.append(line)
            continue
        text = _clean(group)
        if text and not _ends_sentence(text):
            return text
        group = []
    return ""


# --- parties ----------------------------------------------------------------------------------------

_DEFINITION = re.compile(
    r"[（(]\s*以下\s*[、,，]?\s*(?:単に\s*)?[「『]([^」』]{1,20})[」』]\s*(?:という|と称する|と呼ぶ|とする)"
)
_NAME_TAIL = re.compile("[\u3005-\u3007\u30a0-\u30ff\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9Ａ-Ｚａ-ｚ０-９○◯]+$")
_AUTHORITY_WORDS = ("甲", "発注者", "委託者", "区", "市", "町", "村", "都", "道", "府", "県")
_CONTRACTOR_WORDS = ("乙", "受注者", "受託者", "請負者", "事業者", "受任者")
_AUTHORITY_SUFFIXES = ("区", "市", "町", "村", "都", "道", "府", "県", "組合", "広域連合")
_KANJI = "\u3005\u4e00-\u9fff"


def _side(name: str | None, alias: str) -> str | None:
    if alias in _AUTHORITY_WORDS:
        return "authority"
    if alias in _CONTRACTOR_WORDS:
        return "contractor"
    if name and (name in _AUTHORITY_WORDS or name.endswith(_AUTHORITY_SUFFIXES)):
        return "authority"
    if name and (name in _CONTRACTOR_WORDS or "会社" in name):
        return "contractor"
    return None


def _count(word: str, text: str) -> int:
    """Occurrences of word not glued to a preceding kanji (再委託者 is not 委託者)."""
    after = f"(?![{_KANJI}])" if len(word) == 1 else ""
    return len(re.findall(f"(?<![{_KANJI}]){re.escape(word)}{after}", text))


def _parties(text: str) -> Parties:
    found: dict[str, tuple[str | None, str | None]] = {}
    for match in _DEFINITION.finditer(text):
        alias = match.group(1).strip()
        tail = _NAME_TAIL.search(text[: match.start()].rstrip())
        name = tail.group(0) if tail else None
        side = _side(name, alias)
        if side is not None and side not in found:
            found[side] = (name, alias)
    result: dict[str, str | None] = {}
    for side, alias_word, words in (
        ("authority", "甲", _AUTHORITY_WORDS[1:]),
        ("contractor", "乙", _CONTRACTOR_WORDS[1:]),
    ):
        name, alias = found.get(side, (None, None))
        if alias is None and _count(alias_word, text):
            alias = alias_word
        if name is None and alias is None:
            counts = [(_count(word, text), word) for word in words]
            best = max(counts, key=lambda pair: pair[0])
            name = best[1] if best[0] else None
        result[side], result[f"{side}_alias"] = name, alias
    return Parties(**result)


def parse_text(text: str) -> Provisions:
    """Parse a provisions text; raises ProvisionsError with a bilingual message on bad input."""
    return _Parser(_prepare(text)).run()

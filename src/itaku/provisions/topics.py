"""Topics: what an article is about, whatever its number in a given authority's text.

Controls are written once per topic (subcontracting, disposal …); each authority numbers and words its
articles differently, so every provisions version maps its article numbers to topic codes. The shipped
Shinagawa template maps by a reviewed table; any other text maps by keywords in the headings.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from itaku.provisions.parser import Article, Provisions

__all__ = ["TOPICS", "Topic", "canonical_hash", "map_articles", "match_topics", "shinagawa_text", "topic"]


@dataclass(frozen=True)
class Topic:
    """One obligation of the provisions, named as in the glossary."""

    code: str
    label_ja: str
    label_en: str


TOPICS: tuple[Topic, ...] = (
    Topic("protection", "個人情報の保護", "Protection of personal information"),
    Topic("structure", "責任者等の明確化", "Responsible person and structure"),
    Topic("training", "教育の実施", "Training"),
    Topic("confidentiality", "秘密保持", "Confidentiality"),
    Topic("internal_rules", "社内規程の提出", "Submission of internal rules"),
    Topic("collection", "適正収集", "Fair collection"),
    Topic("purpose_notice", "利用目的の明示", "Notice of the purpose"),
    Topic("subcontracting", "再委託の制限", "Restriction of subcontracting"),
    Topic(
        "use_outside_purpose",
        "目的外使用・外部提供の禁止",
        "No use outside the purpose or provision to others",
    ),
    Topic("copy", "複写・複製の禁止", "No copying"),
    Topic("custody", "授受・保管", "Handover and custody"),
    Topic("return", "返還", "Return"),
    Topic("disposal", "廃棄", "Disposal"),
    Topic("take_out", "持出しの禁止", "No taking out"),
    Topic("work_location", "作業場所の特定", "Work location"),
    Topic("inspection", "立入検査・調査", "Inspection and investigation"),
    Topic("reporting", "遵守状況の報告", "Compliance reports"),
    Topic("incident", "事故の報告", "Incident reports"),
    Topic("publication", "公表", "Publication"),
    Topic("termination", "契約の解除・損害賠償", "Termination and damages"),
)

# code: (keywords trusted anywhere, keywords trusted only in a heading). Words like 第三者, 調査, 解除 or
# 責任者 occur in the body of many articles, so a body match on them would be a false positive.
_KEYWORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "protection": (
        ("個人情報の保護に関する法律", "個人情報保護法"),
        ("個人情報の保護", "基本的事項", "基本事項"),
    ),
    "structure": (("管理体制", "実施体制"), ("責任者", "体制")),
    "training": (("教育", "研修"), ()),
    "confidentiality": (("秘密", "守秘"), ()),
    "internal_rules": (("社内規程",), ("規程",)),
    "collection": (("収集",), ()),
    "purpose_notice": (("利用目的の明示",), ("明示",)),
    "subcontracting": (("再委託",), ()),
    "use_outside_purpose": (("目的外", "外部提供"), ("第三者",)),
    "copy": (("複写", "複製"), ()),
    "custody": (("授受",), ("保管",)),
    "return": (("返還", "返却"), ()),
    "disposal": (("廃棄",), ()),
    "take_out": (("持出", "持ち出"), ()),
    "work_location": (("作業場所",), ()),
    "inspection": (("立入検査", "立入調査", "立ち入り"), ("調査", "検査", "監査")),
    "reporting": (("遵守状況", "定期報告"), ()),
    "incident": (("事故",), ()),
    "publication": (("公表",), ()),
    "termination": (("損害賠償",), ("解除",)),
}

_DATA = resources.files("itaku.provisions") / "data"


def topic(code: str) -> Topic:
    """The topic with this code; KeyError for an unknown code."""
    for candidate in TOPICS:
        if candidate.code == code:
            return candidate
    raise KeyError(code)


def match_topics(article: Article) -> tuple[str, ...]:
    """Topic codes by keyword: the heading decides; the body counts only if the heading says nothing."""
    heading = unicodedata.normalize("NFKC", article.heading)
    found = [t.code for t in TOPICS if any(word in heading for part in _KEYWORDS[t.code] for word in part)]
    if found:
        return tuple(found)
    body = unicodedata.normalize(
        "NFKC", "\n".join(text for p in article.paragraphs for text in (p.text, *(i.text for i in p.items)))
    )
    return tuple(t.code for t in TOPICS if any(word in body for word in _KEYWORDS[t.code][0]))


def canonical_hash(provisions: Provisions) -> str:
    """SHA-256 of the article tree, NFKC-normalised and without whitespace: the same text however typed."""
    payload = json.dumps(provisions.to_dict()["articles"], ensure_ascii=False, sort_keys=True)
    normalised = re.sub(r"\s+", "", unicodedata.normalize("NFKC", payload))
    return hashlib.sha256(normalised.encode()).hexdigest()


@cache
def _shinagawa_topics() -> dict[str, Any]:
    return json.loads((_DATA / "shinagawa_topics.json").read_text(encoding="utf-8"))


def map_articles(provisions: Provisions) -> dict[int, tuple[str, ...]]:
    """Article number -> topic codes: the reviewed table for the Shinagawa template, else match_topics."""
    shipped = _shinagawa_topics()
    if canonical_hash(provisions) == shipped["sha256"]:
        return {int(number): tuple(codes) for number, codes in shipped.items() if number != "sha256"}
    return {article.number: match_topics(article) for article in provisions.articles}


def shinagawa_text() -> str:
    """The Shinagawa City provisions, shipped as the default template."""
    return (_DATA / "shinagawa.txt").read_text(encoding="utf-8")

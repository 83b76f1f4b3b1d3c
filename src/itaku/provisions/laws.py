"""Find the laws an article names, e.g. 個人情報の保護に関する法律(平成15年法律第57号)."""

from __future__ import annotations

import re

# A law's number in brackets: (平成15年法律第57号), （令和5年品川区条例第3号）.
_NUMBER = re.compile(
    r"[(（]\s*((?:明治|大正|昭和|平成|令和)[^()（）]*?(?:法律|条例|政令|規則|省令)第[^()（）]*?号)\s*[)）]"
)
# Where a law's name starts: after a comma, a conjunction or the subject marker.
_NAME_START = re.compile(r"(?:、|､|,|，|および|及び|並びに|ならびに|又は|または|は|の趣旨|\s)+")

MY_NUMBER_ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律"


def extract_laws(text: str) -> list[str]:
    """The names with their numbers, in order of appearance, without duplicates."""
    laws: list[str] = []
    cursor = 0
    for match in _NUMBER.finditer(text):
        before = text[cursor:match.start()]
        pieces = [p for p in _NAME_START.split(before) if p]
        name = pieces[-1].strip() if pieces else ""
        cursor = match.end()
        if name:
            entry = f"{name}({match.group(1)})"
            if entry not in laws:
                laws.append(entry)
    return laws


def names_my_number_act(laws: list[str]) -> bool:
    return any(MY_NUMBER_ACT in law for law in laws)

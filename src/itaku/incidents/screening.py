"""What a public summary must not hold: My Number-like numbers and other patterns of personal data.

A summary is refused, naming the kind of pattern found (never the value), before it is published; the
check is also a control, so a summary that slipped through some other way is still found. The patterns are
narrow on purpose: a summary names dates of occurrence and numbers of people, which must pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from itaku.lib.mynumber import contains_my_number

_PHONE = re.compile(r"(?<![\d-])0\d{1,4}-?\d{1,4}-?\d{3,4}(?![\d-])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ADDRESS = re.compile(r"\d+丁目\s*\d+|\d+番地|\d+番\s*\d+号|[\u4e00-\u9fff々ヶ]\d{1,4}-\d{1,4}(?:-\d{1,4})?(?!\d)")
_BIRTH = re.compile(r"生年月日|誕生日|(?:19|20)\d{2}[年./-]\d{1,2}[月./-]\d{1,2}日?生"
                    r"|(?:明治|大正|昭和|平成|令和)\d{1,2}年\d{1,2}月\d{1,2}日生")


def _phone(text: str) -> bool:
    return any(len(re.sub(r"\D", "", m.group())) in (10, 11) for m in _PHONE.finditer(text))


def _my_number(text: str) -> bool:
    return contains_my_number(text) or contains_my_number(re.sub(r"(?<=\d)[\s-](?=\d)", "", text))


@dataclass(frozen=True)
class Pattern:
    code: str
    label_ja: str
    label_en: str
    test: Callable[[str], bool]


PATTERNS = (
    Pattern("my_number", "個人番号（マイナンバー）と思われる12桁の番号",
            "a 12-digit number that looks like a My Number",
            _my_number),
    Pattern("phone", "電話番号", "a phone number", _phone),
    Pattern("email", "メールアドレス", "an e-mail address", lambda t: bool(_EMAIL.search(t))),
    Pattern("address", "番地を含む住所", "a postal address with block numbers", lambda t: bool(_ADDRESS.search(t))),
    Pattern("birth_date", "生年月日", "a birth date", lambda t: bool(_BIRTH.search(t))),
)


def found(text: str) -> list[Pattern]:
    """The kinds of personal data the text seems to hold (NFKC-normalised: full-width digits count)."""
    normal = unicodedata.normalize("NFKC", text)
    return [p for p in PATTERNS if p.test(normal)]

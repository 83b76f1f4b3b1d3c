"""Checking one field value against its declaration: framework-free, named by row and column, never echoed."""

from __future__ import annotations

import re
import unicodedata

from itaku.lib.csvfile import parse_date
from itaku.lib.mynumber import is_valid

_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"\d{2,5}-?\d{1,4}-?\d{3,4}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_NOT_FOLDED = frozenset({"text", "free_text"})  # nothing to check past length: no NFKC needed (the import's hot path)


def problem(kind: str, value: str, *, required: bool, max_length: int) -> tuple[str, str] | None:
    """(reason ja, reason en) when `value` does not fit a field of `kind`, else None; never quotes it."""
    if value.strip() == "":
        return ("必須の項目が空です。", "a required field is empty.") if required else None
    if len(value) > max_length:
        return (f"{max_length}文字を超えています。", f"longer than {max_length} characters.")
    if kind in _NOT_FOLDED:
        return None
    folded = unicodedata.normalize("NFKC", value).strip()
    if kind == "date" and parse_date(folded) is None:
        return ("日付として読めません（例: 1980-04-01、昭和55年4月1日）。",
                "not a date (e.g. 1980-04-01, 昭和55年4月1日).")
    if kind == "number" and not _NUMBER.fullmatch(folded.replace(",", "")):
        return ("数値ではありません。", "not a number.")
    if kind == "postal_code" and not _POSTAL.fullmatch(folded):
        return ("郵便番号の形式ではありません（例: 140-8715）。", "not a postal code (e.g. 140-8715).")
    if kind == "phone" and not _PHONE.fullmatch(folded):
        return ("電話番号の形式ではありません。", "not a phone number.")
    if kind == "my_number" and not is_valid(folded.replace("-", "").replace(" ", "")):
        return ("個人番号の形式またはチェックデジットが正しくありません。",
                "not a valid My Number (12 digits with a correct check digit).")
    return None

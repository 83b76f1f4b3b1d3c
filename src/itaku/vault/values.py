"""Checking one field value against its declaration: framework-free, named by row and column, never echoed."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Collection

from itaku.lib.csvfile import parse_date
from itaku.lib.mynumber import is_valid

_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"\d{2,5}-?\d{1,4}-?\d{3,4}")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# The forms `problem` accepts, in ASCII as most files write them: their values need no NFKC.
_PLAIN = {"number": re.compile(_NUMBER.pattern, re.ASCII), "postal_code": re.compile(_POSTAL.pattern, re.ASCII),
          "phone": re.compile(_PHONE.pattern, re.ASCII)}
_REMEMBERED = 1 << 17  # a century of birth dates, written two ways
_NOT_FOLDED = frozenset({"text", "free_text"})  # nothing to check past length: no NFKC needed (the import's hot path)

Problem = tuple[str, str] | None


def checker(kind: str, *, required: bool, max_length: int) -> Callable[[str], Problem]:
    """`problem` for one declared field, its declaration bound once: an import checks millions of values.

    Text fields, most of a file, get a check of emptiness and length alone. A date field remembers the
    values it has accepted (a few thousand birth dates recur across a city's file), up to _REMEMBERED.
    """
    if kind == "date":
        accepted: set[str] = set()

        def date(value: str) -> Problem:
            if value in accepted:
                return None
            reason = problem(kind, value, required=required, max_length=max_length)
            if reason is None and len(accepted) < _REMEMBERED:
                accepted.add(value)
            return reason

        return date
    slow = functools.partial(problem, kind, required=required, max_length=max_length)
    if kind == "my_number":
        return lambda value: None if len(value) == 12 and is_valid(value) else slow(value)
    if kind in _PLAIN:
        # A value of ASCII digits and hyphens as the pattern wants is what NFKC and strip would leave it.
        fits = _PLAIN[kind].fullmatch
        return lambda value: None if len(value) <= max_length and fits(value) else slow(value)
    if kind not in _NOT_FOLDED:
        return slow

    def text(value: str) -> Problem:
        if len(value) > max_length or (required and not value.strip()):
            return problem(kind, value, required=required, max_length=max_length)
        return None

    return text


def column_checker(kind: str, *, required: bool, max_length: int) -> Callable[[Collection[str]], bool]:
    """Whether every value of a column (a batch of an import) fits, asked of the column at once: C loops over
    it instead of a Python call a value. Never true where `checker` would find a problem; false sends the
    caller to `checker` for each value, to name the rows (some forms it takes, such as full-width digits or
    a hyphenated My Number, only `checker` knows).
    """
    if kind in _NOT_FOLDED:
        def texts(column: Collection[str]) -> bool:
            return max(map(len, column), default=0) <= max_length and (not required or all(map(str.strip, column)))

        return texts
    if kind in _PLAIN:
        # The values joined by a character the pattern never admits, matched whole; a value holding that
        # character would make one value more than the column has.
        many = re.compile(rf"(?:(?:{_PLAIN[kind].pattern})\n)*(?:{_PLAIN[kind].pattern})", re.ASCII).fullmatch

        def plain(column: Collection[str]) -> bool:
            joined = "\n".join(column)
            return (max(map(len, column), default=0) <= max_length and joined.count("\n") == len(column) - 1
                    and many(joined) is not None)

        return plain
    if kind == "my_number":
        return lambda column: all(map(is_valid, column))
    slow = functools.partial(problem, kind, required=required, max_length=max_length)
    if kind == "date":
        accepted: set[str] = set()

        def dates(column: Collection[str]) -> bool:
            unknown = set(column).difference(accepted)
            if any(map(slow, unknown)):
                return False
            if len(accepted) < _REMEMBERED:
                accepted.update(unknown)
            return True

        return dates
    return lambda column: not any(map(slow, column))


def problem(kind: str, value: str, *, required: bool, max_length: int) -> Problem:
    """(reason ja, reason en) when `value` does not fit a field of `kind`, else None; never quotes it."""
    if value.strip() == "":
        return ("必須の項目が空です。", "a required field is empty.") if required else None
    if len(value) > max_length:
        return (f"{max_length}文字を超えています。", f"longer than {max_length} characters.")
    if kind in _NOT_FOLDED:
        return None
    folded = value.strip() if value.isascii() else unicodedata.normalize("NFKC", value).strip()  # ASCII is NFKC
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

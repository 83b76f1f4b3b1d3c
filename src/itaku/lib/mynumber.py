"""The 個人番号 (My Number) check digit, as defined by the My Number Act's ordinance."""

from __future__ import annotations

import re

_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(11, 0, -1))  # Qn of the digits from the left
_ZERO_CODES = ord("0") * sum(_WEIGHTS)


def check_digit(first_eleven: str) -> int:
    """Check digit for 11 digits: weights Qn = n+1 (n ≤ 6) or n−5 (n ≥ 7), Pn counted from the right."""
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("expected 11 ASCII digits")
    # Σ Pn×Qn over the ASCII codes (Pn + 48), written out: an import checks a million of these.
    d = first_eleven.encode()
    total = (6 * d[0] + 5 * d[1] + 4 * d[2] + 3 * d[3] + 2 * d[4] + 7 * d[5] + 6 * d[6] + 5 * d[7] + 4 * d[8]
             + 3 * d[9] + 2 * d[10]) - _ZERO_CODES
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid(number: str) -> bool:
    """True for 12 ASCII digits whose last digit is the check digit (form, not existence)."""
    return (
        len(number) == 12
        and number.isascii()
        and number.isdigit()
        and check_digit(number[:11]) == int(number[11])
    )


def contains_my_number(text: str) -> bool:
    """True when `text` holds a 12-digit run with a valid check digit: a guard for logs and the ledger."""
    return any(is_valid(match.group()) for match in _TWELVE_DIGITS.finditer(text))

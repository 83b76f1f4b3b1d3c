"""Japanese era (和暦) dates.

Official documents in Japan are dated in the era calendar (令和7年11月25日), and Python's standard
library has no era support. Only the eras a living contract can refer to are known: 昭和, 平成, 令和.
"""

import datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# (first day, name), newest first.
_ERAS: tuple[tuple[datetime.date, str], ...] = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
)


def _as_date(d: datetime.date) -> datetime.date:
    """The calendar day in Japan: an aware datetime is moved to Asia/Tokyo before taking its date."""
    if isinstance(d, datetime.datetime):
        if d.utcoffset() is not None:
            d = d.astimezone(TOKYO)
        return d.date()
    return d


def _era(d: datetime.date) -> tuple[str, int]:
    """The era name and the year within it; year 1 is printed 元年."""
    for start, name in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d.isoformat()} is before 昭和 (1926-12-25); older eras are not supported")


def era_year(d: datetime.date) -> str:
    """The era year alone, e.g. 令和7年 (令和元年 for 2019-05-01 to 2019-12-31)."""
    name, year = _era(_as_date(d))
    return f"{name}{'元' if year == 1 else year}年"


def era_date(d: datetime.date) -> str:
    """The date as official documents write it, e.g. 令和7年11月25日."""
    day = _as_date(d)
    return f"{era_year(day)}{day.month}月{day.day}日"


def dual_date(d: datetime.date) -> str:
    """The era date followed by the ISO date, for people and tools alike: 令和7年11月25日 (2025-11-25)."""
    day = _as_date(d)
    return f"{era_date(day)} ({day.isoformat()})"

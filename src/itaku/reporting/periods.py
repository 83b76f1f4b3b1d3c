"""Reporting periods and their due dates. Framework-free.

Japanese public bodies count in fiscal years (April to March), so a quarter is a fiscal quarter
(第1四半期 = April–June) and a yearly report covers one fiscal year: `2026` is April 2026 to March 2027.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from itaku.lib.workdays import add_working_days

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"
_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


class PeriodError(ValueError):
    """A period label that names no period."""


@dataclass(frozen=True)
class Period:
    frequency: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.start:%Y-%m}"
        fiscal_year = self.start.year if self.start.month >= 4 else self.start.year - 1
        if self.frequency == QUARTERLY:
            return f"{fiscal_year}-Q{(self.start.month - 4) % 12 // 3 + 1}"
        return f"{fiscal_year}"

    @property
    def label_ja(self) -> str:
        if self.frequency == MONTHLY:
            return f"{self.start.year}年{self.start.month}月"
        fiscal_year = self.start.year if self.start.month >= 4 else self.start.year - 1
        if self.frequency == QUARTERLY:
            return f"{fiscal_year}年度 第{(self.start.month - 4) % 12 // 3 + 1}四半期"
        return f"{fiscal_year}年度"

    def next(self) -> Period:
        return containing(self.end + dt.timedelta(days=1), self.frequency)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months_later(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def containing(day: dt.date, frequency: str) -> Period:
    """The period of `frequency` that `day` falls in."""
    if frequency == MONTHLY:
        return Period(MONTHLY, day.replace(day=1), _month_end(day.year, day.month))
    if frequency == QUARTERLY:
        offset = (day.month - 4) % 3
        year, month = _months_later(day.year, day.month, -offset)
        end_year, end_month = _months_later(year, month, 2)
        return Period(QUARTERLY, dt.date(year, month, 1), _month_end(end_year, end_month))
    if frequency == YEARLY:
        fiscal_year = day.year if day.month >= 4 else day.year - 1
        return Period(YEARLY, dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31))
    raise PeriodError(f"unknown frequency {frequency!r}")


def parse(label: str) -> Period:
    """`2026-10` (a month), `2026-Q1` (a fiscal quarter, April–June 2026) or `2026` (fiscal year 2026)."""
    found = _LABEL.match(label.strip())
    if found is None:
        raise PeriodError(label)
    year = int(found["year"])
    if found["month"]:
        month = int(found["month"])
        if not 1 <= month <= 12:
            raise PeriodError(label)
        return containing(dt.date(year, month, 1), MONTHLY)
    if found["quarter"]:
        start_year, start_month = _months_later(year, 4, 3 * (int(found["quarter"]) - 1))
        return containing(dt.date(start_year, start_month, 1), QUARTERLY)
    return containing(dt.date(year, 4, 1), YEARLY)


def between(first: dt.date, last: dt.date, frequency: str) -> Iterator[Period]:
    """Every period of `frequency` that overlaps the days from `first` to `last`."""
    period = containing(first, frequency)
    while period.start <= last:
        yield period
        period = period.next()


def due_on(period_end: dt.date, working_days: int) -> dt.date:
    """The `working_days`-th working day after the period's last day (10: the tenth working day after)."""
    return add_working_days(period_end + dt.timedelta(days=1), max(working_days, 1) - 1)

"""Working days of a Japanese public office: no weekends, national holidays (jpholiday) or the year-end
closure (29 December to 3 January, 行政機関の休日に関する法律 art. 1). Framework-free."""

from __future__ import annotations

import datetime as dt

import jpholiday


def is_working_day(day: dt.date) -> bool:
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The working day `count` working days after `day` (0: `day`, or the next working day)."""
    day = next_working_day(day)
    for _ in range(count):
        day = next_working_day(day + dt.timedelta(days=1))
    return day


def period_deadline(known_on: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` counted with `known_on` as day one; a last day that is not a
    working day moves to the next working day (the PPC's counting of the 30 and 60 days)."""
    return next_working_day(known_on + dt.timedelta(days=days - 1))

"""Working days: weekends, national holidays and the year-end closure are skipped."""

from __future__ import annotations

import datetime as dt

from itaku.lib.workdays import add_working_days, is_working_day, next_working_day, period_deadline


def test_weekends_holidays_and_the_year_end_are_not_working_days() -> None:
    assert is_working_day(dt.date(2026, 12, 1))  # a Tuesday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 11, 23))  # 勤労感謝の日
    assert not is_working_day(dt.date(2026, 12, 29))
    assert not is_working_day(dt.date(2027, 1, 3))
    assert is_working_day(dt.date(2027, 1, 4))


def test_next_and_added_working_days() -> None:
    assert next_working_day(dt.date(2026, 12, 26)) == dt.date(2026, 12, 28)  # Saturday → Monday
    assert next_working_day(dt.date(2026, 12, 29)) == dt.date(2027, 1, 4)
    assert add_working_days(dt.date(2026, 12, 25), 2) == dt.date(2027, 1, 4)  # Fri → Mon 28 → closure → 4 Jan
    assert add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 24)  # over the weekend and 23 Nov


def test_a_period_counts_the_day_it_became_known_as_day_one() -> None:
    assert period_deadline(dt.date(2026, 11, 2), 30) == dt.date(2026, 12, 1)
    assert period_deadline(dt.date(2026, 11, 30), 30) == dt.date(2027, 1, 4)  # 29 Dec falls in the closure
    assert period_deadline(dt.date(2026, 10, 2), 60) == dt.date(2026, 11, 30)  # 30 Nov is a Monday

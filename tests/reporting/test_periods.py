"""Periods and due dates: months, fiscal quarters and fiscal years; due dates in working days that skip
weekends, national holidays and the year-end closure."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from itaku.reporting import periods
from itaku.reporting.periods import PeriodError, parse

D = dt.date


class PeriodTests(SimpleTestCase):
    def test_a_month(self) -> None:
        period = parse("2026-10")
        self.assertEqual((period.frequency, period.start, period.end), ("monthly", D(2026, 10, 1), D(2026, 10, 31)))
        self.assertEqual(parse("2028-02").end, D(2028, 2, 29))

    def test_fiscal_quarters_start_in_april(self) -> None:
        self.assertEqual((parse("2026-Q1").start, parse("2026-Q1").end), (D(2026, 4, 1), D(2026, 6, 30)))
        self.assertEqual((parse("2026-Q4").start, parse("2026-Q4").end), (D(2027, 1, 1), D(2027, 3, 31)))
        self.assertEqual(periods.containing(D(2027, 2, 14), "quarterly").label, "2026-Q4")
        self.assertEqual(parse("2026-Q3").label_ja, "2026年度 第3四半期")

    def test_a_fiscal_year_runs_april_to_march(self) -> None:
        year = parse("2026")
        self.assertEqual((year.start, year.end, year.label), (D(2026, 4, 1), D(2027, 3, 31), "2026"))
        self.assertEqual(periods.containing(D(2027, 3, 31), "yearly").label, "2026")

    def test_bad_labels_are_refused(self) -> None:
        for label in ("2026-13", "2026-Q5", "26-10", "2026/10", "", "2026-1"):
            with self.assertRaises(PeriodError, msg=label):
                parse(label)

    def test_between_lists_every_overlapping_period(self) -> None:
        found = [p.label for p in periods.between(D(2026, 5, 15), D(2026, 10, 1), "quarterly")]
        self.assertEqual(found, ["2026-Q1", "2026-Q2", "2026-Q3"])


class DueDateTests(SimpleTestCase):
    def test_ten_working_days_skip_weekends_and_culture_day(self) -> None:
        # 31 Oct 2026 is a Saturday; 3 Nov (文化の日) a holiday: 2, 4, 5, 6, 9, 10, 11, 12, 13, 16 November.
        self.assertEqual(periods.due_on(D(2026, 10, 31), 10), D(2026, 11, 16))

    def test_the_year_end_closure_and_coming_of_age_day(self) -> None:
        # 29 Dec – 3 Jan closed, 11 Jan 2027 成人の日: 4, 5, 6, 7, 8, 12, 13, 14, 15, 18 January.
        self.assertEqual(periods.due_on(D(2026, 12, 31), 10), D(2027, 1, 18))

    def test_golden_week(self) -> None:
        # 30 Apr 2027 is a Friday; 3–5 May holidays: 6 May is the first working day after April.
        self.assertEqual(periods.due_on(D(2027, 4, 30), 1), D(2027, 5, 6))

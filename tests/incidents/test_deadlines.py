"""The PPC's deadlines counted from the day it became known, with weekends, holidays and the year-end."""

from __future__ import annotations

import datetime as dt

from django.test import SimpleTestCase

from itaku.incidents import statutory

D = dt.date


class DeadlineTests(SimpleTestCase):
    def test_day_one_is_the_day_it_became_known(self) -> None:
        # Tuesday 2026-11-10: day 3 is Thursday 12th, day 5 Saturday 14th → Monday 16th; day 30 Wednesday 9 Dec.
        d = statutory.deadlines(D(2026, 11, 10), unlawful=False)
        self.assertEqual(d.preliminary_target, D(2026, 11, 12))
        self.assertEqual(d.preliminary_late_after, D(2026, 11, 16))
        self.assertEqual(d.final_due, D(2026, 12, 9))

    def test_sixty_days_with_an_unlawful_purpose(self) -> None:
        # 2026-11-10 + 59 days = 2027-01-08 (Friday, a working day).
        self.assertEqual(statutory.deadlines(D(2026, 11, 10), unlawful=True).final_due, D(2027, 1, 8))

    def test_a_last_day_in_the_year_end_closure_moves_to_the_first_working_day(self) -> None:
        # Known 2026-11-30: day 30 is 29 December (closure) → 4 January 2027 (Monday).
        self.assertEqual(statutory.deadlines(D(2026, 11, 30), unlawful=False).final_due, D(2027, 1, 4))

    def test_a_last_day_on_a_holiday_moves(self) -> None:
        # Known 2026-11-01 (Sunday): day 3 is 3 November, 文化の日 → Wednesday 4th; day 30 is 30 November.
        d = statutory.deadlines(D(2026, 11, 1), unlawful=False)
        self.assertEqual(d.preliminary_target, D(2026, 11, 4))
        self.assertEqual(d.final_due, D(2026, 11, 30))
        # Known 2026-10-24 (Saturday): day 30 is 22 November (Sunday), 23rd is 勤労感謝の日 → 24th.
        self.assertEqual(statutory.deadlines(D(2026, 10, 24), unlawful=False).final_due, D(2026, 11, 24))

    def test_triggers_for_a_public_body(self) -> None:
        none = dict(special_care=False, ordinance_categories=0, financial_harm=False, unlawful_purpose="",
                    people_count=100)
        self.assertEqual(statutory.triggers(**none), [])  # 100 is not "more than 100"
        self.assertEqual([t.code for t in statutory.triggers(**{**none, "people_count": 101})], ["over_100"])
        self.assertEqual([t.code for t in statutory.triggers(**{**none, "people_count": 1, "special_care": True})],
                         ["special_care"])
        self.assertEqual([t.code for t in statutory.triggers(**{**none, "ordinance_categories": 1})],
                         ["special_care"])
        self.assertEqual([t.code for t in statutory.triggers(**{**none, "financial_harm": True,
                                                                "unlawful_purpose": "theft"})],
                         ["financial_harm", "unlawful_purpose"])

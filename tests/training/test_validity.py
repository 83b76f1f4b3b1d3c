"""Who holds valid training: required topics, the validity period by calendar months, corrections, due soon."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from itaku.contracts import services as contracts
from itaku.training import services
from itaku.training.models import TOPIC_CODES
from tests.training.support import TrainingTestCase, days_ago, today


class AddMonthsTests(SimpleTestCase):
    def test_calendar_months_clamp_to_the_month_end(self) -> None:
        self.assertEqual(services.add_months(dt.date(2026, 1, 31), 1), dt.date(2026, 2, 28))
        self.assertEqual(services.add_months(dt.date(2028, 1, 31), 1), dt.date(2028, 2, 29))
        self.assertEqual(services.add_months(dt.date(2026, 4, 1), 12), dt.date(2027, 4, 1))
        self.assertEqual(services.add_months(dt.date(2026, 11, 30), 3), dt.date(2027, 2, 28))
        self.assertEqual(services.add_months(dt.date(2026, 3, 31), -1), dt.date(2026, 2, 28))
        self.assertEqual(services.add_months(dt.date(2024, 2, 29), 12), dt.date(2025, 2, 28))

    def test_topics_are_the_four_of_the_issue(self) -> None:
        self.assertEqual([code for code, _, _ in services.TOPICS], ["privacy", "security", "provisions", "work"])
        self.assertEqual(dict((c, ja) for c, ja, _ in services.TOPICS)["provisions"], "本件特記事項")


class RequiredTopicsTests(TrainingTestCase):
    def test_default_is_all_four_without_storing_anything(self) -> None:
        self.assertEqual(services.required_topics(self.contract), frozenset(TOPIC_CODES))
        self.assertEqual(services.settings_for(self.contract).validity_months, 12)
        self.assertIsNone(services.settings_for(self.contract).pk)

    def test_changed_by_the_supervisor(self) -> None:
        services.change_settings(self.world.supervisor, self.contract, validity_months=6,
                                 required_topics=["security", "privacy"])
        self.assertEqual(services.required_topics(self.contract), frozenset({"privacy", "security"}))


class MissingTopicsTests(TrainingTestCase):
    def test_untrained_lacks_every_required_topic(self) -> None:
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(TOPIC_CODES))

    def test_a_course_covering_everything_trains(self) -> None:
        self.complete(self.world.worker, days_ago(10))
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset())

    def test_topics_add_up_across_courses(self) -> None:
        privacy = self.add_course("基礎", ["privacy", "security"])
        work = self.add_course("業務説明", ["work"])
        self.complete(self.world.worker, days_ago(30), privacy)
        self.complete(self.world.worker, days_ago(5), work)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset({"provisions"}))

    def test_only_required_topics_count(self) -> None:
        services.change_settings(self.world.supervisor, self.contract, validity_months=12,
                                 required_topics=["privacy"])
        self.complete(self.world.worker, days_ago(1), self.add_course("基礎", ["privacy"]))
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset())

    def test_not_passed_does_not_count(self) -> None:
        self.complete(self.world.worker, days_ago(3), passed=False)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(TOPIC_CODES))

    def test_valid_from_its_date_through_the_period(self) -> None:
        self.complete(self.world.worker, dt.date(2025, 1, 31))
        tokyo = ZoneInfo("Asia/Tokyo")
        before = dt.datetime(2025, 1, 30, 12, tzinfo=tokyo)
        last_day = dt.datetime(2026, 1, 31, 23, 59, tzinfo=tokyo)
        after = dt.datetime(2026, 2, 1, 0, 0, tzinfo=tokyo)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract, before), frozenset(TOPIC_CODES))
        self.assertEqual(services.missing_topics(self.world.worker, self.contract, last_day), frozenset())
        self.assertEqual(services.missing_topics(self.world.worker, self.contract, after), frozenset(TOPIC_CODES))

    def test_the_moment_is_taken_in_japan(self) -> None:
        self.complete(self.world.worker, dt.date(2025, 1, 31))
        # 2026-01-31 16:00 UTC is already 2026-02-01 in Tokyo: the completion has run out.
        utc = dt.datetime(2026, 1, 31, 16, 0, tzinfo=dt.UTC)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract, utc), frozenset(TOPIC_CODES))

    def test_month_end_is_calendar_aware(self) -> None:
        services.change_settings(self.world.supervisor, self.contract, validity_months=1, required_topics=["work"])
        self.complete(self.world.worker, dt.date(2026, 1, 31))
        tokyo = ZoneInfo("Asia/Tokyo")
        self.assertEqual(services.missing_topics(
            self.world.worker, self.contract, dt.datetime(2026, 2, 28, 9, tzinfo=tokyo)), frozenset())
        self.assertEqual(services.missing_topics(
            self.world.worker, self.contract, dt.datetime(2026, 3, 1, 9, tzinfo=tokyo)), frozenset({"work"}))

    def test_a_shorter_validity_applies_at_once(self) -> None:
        self.complete(self.world.worker, days_ago(100))
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset())
        services.change_settings(self.world.supervisor, self.contract, validity_months=3,
                                 required_topics=list(TOPIC_CODES))
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(TOPIC_CODES))

    def test_a_corrected_record_no_longer_counts(self) -> None:
        wrong = self.complete(self.world.worker, days_ago(3))
        self.complete(self.world.worker, days_ago(3), passed=False, corrects=wrong)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(TOPIC_CODES))

    def test_training_under_another_contract_does_not_count(self) -> None:
        other = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="別の業務", contractor=self.world.contractor,
            start=self.contract.start, end=self.contract.end, provisions=self.world.provisions,
        )
        course = services.add_course(self.world.supervisor, other, title="他契約の研修", topics=list(TOPIC_CODES))
        services.record_completion(self.world.responsible, other, person=self.world.worker, course=course,
                                   completed_on=days_ago(1), passed=True)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(TOPIC_CODES))
        self.assertEqual(services.missing_topics(self.world.worker, other), frozenset())


class DueSoonTests(TrainingTestCase):
    def setUp(self) -> None:
        super().setUp()
        services.change_settings(self.world.supervisor, self.contract, validity_months=1, required_topics=["work"])

    def test_newest_valid_completion_running_out_within_30_days(self) -> None:
        on = days_ago(10)
        self.complete(self.world.worker, on)
        expires = services.add_months(on, 1)
        self.assertEqual(services.due_soon(self.contract, [self.world.worker, self.world.responsible]),
                         [(self.world.worker, "work", expires)])

    def test_a_refresher_moves_the_date(self) -> None:
        self.complete(self.world.worker, days_ago(25))
        self.complete(self.world.worker, today())
        services.change_settings(self.world.supervisor, self.contract, validity_months=3, required_topics=["work"])
        self.assertEqual(services.due_soon(self.contract, [self.world.worker]), [])
        self.assertEqual(services.due_soon(self.contract, [self.world.worker], within_days=100),
                         [(self.world.worker, "work", services.add_months(today(), 3))])

    def test_missing_is_not_due_soon_and_the_window_is_honoured(self) -> None:
        self.assertEqual(services.due_soon(self.contract, [self.world.worker]), [])
        self.complete(self.world.worker, days_ago(1))
        self.assertEqual(services.due_soon(self.contract, [self.world.worker], within_days=5), [])
        at = dt.datetime.combine(days_ago(1) + dt.timedelta(days=20), dt.time(9), ZoneInfo("Asia/Tokyo"))
        self.assertEqual(len(services.due_soon(self.contract, [self.world.worker], within_days=15, at=at)), 1)

    def test_soonest_first(self) -> None:
        self.complete(self.world.worker, days_ago(5))
        self.complete(self.world.responsible, days_ago(20))
        due = services.due_soon(self.contract, [self.world.worker, self.world.responsible])
        self.assertEqual([person for person, _, _ in due], [self.world.responsible, self.world.worker])


class PeopleToTrainTests(TrainingTestCase):
    def test_responsible_and_workers_only(self) -> None:
        self.assertEqual(services.people_to_train(self.contract), [self.world.responsible, self.world.worker])

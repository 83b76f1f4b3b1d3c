"""Shared set-up of the training tests: courses covering topics, completions on given days, CSV bytes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.accounts import services as accounts
from itaku.accounts.models import User
from itaku.training import services
from itaku.training.models import TOPIC_CODES, Completion, Course
from tests.base import PASSWORD, ContractTestCase

ALL = list(TOPIC_CODES)


def today() -> dt.date:
    return timezone.localdate()


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    """A CSV file as Excel writes it: CRLF line ends; `utf-8-sig` adds the BOM."""
    return "".join(",".join(row) + "\r\n" for row in rows).encode(encoding)


class TrainingTestCase(ContractTestCase):
    """The world, plus one course covering all four topics defined by the responsible person."""

    def setUp(self) -> None:
        super().setUp()
        self.course = self.add_course("個人情報保護研修", ALL)

    def add_course(self, title: str, topics: list[str], by: User | None = None) -> Course:
        return services.add_course(by or self.world.responsible, self.contract, title=title, topics=topics)

    def complete(self, person: User, on: dt.date, course: Course | None = None, passed: bool = True,
                 corrects: Completion | None = None) -> Completion:
        return services.record_completion(self.world.responsible, self.contract, person=person,
                                          course=course or self.course, completed_on=on, passed=passed,
                                          corrects=corrects)

    def staff(self, username: str, display_name: str) -> User:
        return accounts.add_user(None, organisation=self.world.contractor, username=username,
                                 display_name=display_name, password=PASSWORD)

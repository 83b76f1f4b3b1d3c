"""Bring a world's contract to the point where its worker may handle data (articles 2, 3, 4, 15)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.people import services as people
from itaku.places import services as places
from itaku.training import services as training
from itaku.training.models import Completion, Course
from tests.base import World

OFFICE_NETWORK = "192.0.2.0/24"
INSIDE = "192.0.2.10"
OUTSIDE = "198.51.100.7"


def declare_structure(world: World) -> None:
    version = people.save_version(
        world.responsible, world.contract, responsible=world.responsible, responsible_scope="個人情報の管理全般",
        description="責任者が従事者を監督し、入力作業は施錠された作業室で行う。",
        members=[(world.worker, "課税資料のデータ入力")],
    )
    people.submit_version(world.responsible, version)
    people.decide_version(world.supervisor, version, acknowledge=True)


def train(world: World, person, on: dt.date | None = None) -> None:
    course = Course.objects.filter(contract=world.contract).first() or training.add_course(
        world.responsible, world.contract, title="個人情報保護・情報セキュリティ研修",
        summary="特記事項と社内規程", topics=[code for code, *_ in training.TOPICS],
    )
    training.record_completion(world.responsible, world.contract, person=person, course=course,
                               completed_on=on or timezone.localdate(), passed=True)


def report_location(world: World) -> None:
    location = places.add_location(
        world.responsible, world.contract, name="本社作業室", address="東京都港区芝浦3-4-1", room="5階 施錠室",
        networks=[OFFICE_NETWORK], safeguards="入退室管理・監視カメラ", storage="暗号化サーバ",
    )
    places.report_location(world.responsible, location)
    places.decide_location(world.supervisor, location, acknowledge=True)


def make_eligible(world: World) -> None:
    declare_structure(world)
    for person in (world.responsible, world.worker):
        train(world, person)
        people.accept_pledge(person, world.contract)
    report_location(world)


__all__ = ["INSIDE", "OUTSIDE", "Completion", "declare_structure", "make_eligible", "report_location", "train"]

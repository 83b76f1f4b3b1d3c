"""Bring a subcontractor through the gates every party must pass (articles 2–5, 15), by the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.people import services as people
from itaku.places import services as places
from itaku.rules import services as rules
from itaku.training import services as training
from tests.base import World
from tests.rules.files import pdf_bytes, upload

SUB_NETWORK = "203.0.113.0/24"
SUB_INSIDE = "203.0.113.20"


def pass_gates(world: World, organisation: Organisation, responsible: User, workers: list[User],
               network: str = SUB_NETWORK) -> None:
    """Structure, training, pledges, internal rules and a work location, each acknowledged by the authority."""
    contract = world.contract
    version = people.save_version(responsible, contract, responsible=responsible, organisation=organisation,
                                  description="再委託先の責任者が従事者を監督する。",
                                  members=[(worker, "データ入力") for worker in workers])
    people.submit_version(responsible, version)
    people.decide_version(world.supervisor, version, acknowledge=True)
    course = training.add_course(responsible, contract, title=f"{organisation.name} 個人情報保護研修",
                                 topics=[code for code, *_ in training.TOPICS])
    for person in (responsible, *workers):
        training.record_completion(responsible, contract, person=person, course=course,
                                   completed_on=timezone.localdate(), passed=True)
        people.accept_pledge(person, contract)
    version = rules.upload_version(responsible, contract, title="個人情報保護規程", document_date=dt.date(2025, 4, 1),
                                   upload=upload("rules.pdf", pdf_bytes("rules")), organisation=organisation)
    rules.submit_version(responsible, version)
    rules.decide_version(world.supervisor, version, acknowledge=True)
    location = places.add_location(responsible, contract, name=f"{organisation.name} 作業室",
                                   address="東京都品川区大崎1-2-3", networks=[network], storage="暗号化サーバ",
                                   safeguards="入退室管理", organisation=organisation)
    places.report_location(responsible, location)
    places.decide_location(world.supervisor, location, acknowledge=True)

"""Put subcontractors into a world's chain directly (the approval flow has its own tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.contracts import services as contracts
from itaku.contracts.models import Party, Role
from tests.base import World, make_organisation, make_user


@dataclass
class Sub:
    organisation: Organisation
    party: Party
    responsible: User
    worker: User


def add_subcontractor(world: World, name: str = "株式会社下請データ", parent: Party | None = None,
                      start: dt.date | None = None, end: dt.date | None = None) -> Sub:
    """An organisation in the chain below the contractor (or below `parent`), with a responsible person
    and a worker holding roles on the contract."""
    today = timezone.localdate()
    organisation = make_organisation(name, Organisation.Kind.SUBCONTRACTOR)
    party = Party.objects.create(contract=world.contract, organisation=organisation, parent=parent,
                                 start=start or world.contract.start, end=end or world.contract.end)
    slug = f"sub{party.pk}"
    responsible, worker = make_user(f"{slug}_responsible", organisation), make_user(f"{slug}_worker", organisation)
    contracts.assign_role(world.supervisor, world.contract, responsible, Role.RESPONSIBLE)
    contracts.assign_role(responsible, world.contract, worker, Role.WORKER)
    assert party.active_on(today)
    return Sub(organisation, party, responsible, worker)

"""The contract's chain: the contractor and every subcontractor below it (article 8), as organisations.

Every part of the provisions that asks "which party?" (structure, training, pledges, rules, locations,
data) asks here, so that a subcontractor is a party like the contractor and never a special case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.contracts.models import Contract, Party
from itaku.ledger.models import Event
from itaku.ledger.services import handling_events


def party_rows(contract: Contract) -> list[Party]:
    """Every subcontractor row of the contract, parents before children (tree order)."""
    rows = list(Party.objects.filter(contract=contract).select_related("organisation", "parent", "contract"))
    by_parent: dict[int | None, list[Party]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)

    def walk(parent: int | None) -> Iterator[Party]:
        for row in by_parent.get(parent, []):
            yield row
            yield from walk(row.pk)

    return list(walk(None))


def party_row(contract: Contract, organisation_id: int | None) -> Party | None:
    """The organisation's place in the chain below the contractor, if it has one."""
    if organisation_id is None:
        return None
    return Party.objects.filter(contract=contract, organisation_id=organisation_id).select_related(
        "parent", "contract").first()


def parties(contract: Contract) -> list[Organisation]:
    """The contractor, then every subcontractor ever approved (revoked ones too: their past handling counts)."""
    return [contract.contractor, *(row.organisation for row in party_rows(contract))]


def is_party(contract: Contract, organisation_id: int | None) -> bool:
    """True for the contractor and for any subcontractor in the chain, active or not."""
    return organisation_id == contract.contractor_id or party_row(contract, organisation_id) is not None


def is_active(contract: Contract, organisation_id: int | None, day: dt.date | None = None) -> bool:
    """May this party's people handle data today? The contractor always (the contract's own period is the
    gate's first check); a subcontractor only while its approval and every approval above it hold."""
    if organisation_id == contract.contractor_id:
        return True
    row = party_row(contract, organisation_id)
    return row is not None and row.active_on(day or timezone.localdate())


def below(contract: Contract, organisation_id: int) -> list[Organisation]:
    """The organisation and every party under it: the part of the chain it may see."""
    if organisation_id == contract.contractor_id:
        return parties(contract)
    rows = party_rows(contract)
    mine = next((row for row in rows if row.organisation_id == organisation_id), None)
    if mine is None:
        return []
    seen = {mine.pk}
    found = [mine.organisation]
    for row in rows:  # tree order: a child comes after its parent
        if row.parent_id in seen:
            seen.add(row.pk)
            found.append(row.organisation)
    return found


def handled_by(contract: Contract, organisation_id: int | None) -> QuerySet[Event]:
    """Handling events (the vault's `data.*`) of the people of one party: who handled is the event's person."""
    people = User.objects.filter(organisation_id=organisation_id).values_list("pk", flat=True)
    return handling_events(contract.ledger_chain).filter(facts__person__in=list(people))

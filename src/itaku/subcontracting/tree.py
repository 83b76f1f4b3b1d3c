"""The contract's chain as plain nested data (article 8): the contractor at the root, then every party at
every level with its approval, its people and its acknowledged work locations.

One function builds it for one viewer: the authority and the contractor get the whole chain, a
subcontractor only its own subtree (`contracts.access.visible_parties`), so the contract page, the
subcontracting page and any later report show the same, correctly cut, picture.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from itaku.accounts.models import Organisation
from itaku.contracts import access, chain
from itaku.contracts.models import Contract, Party, Role
from itaku.people import services as people
from itaku.places import services as places
from itaku.subcontracting import services
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission

# A party's standing in the chain, with its Japanese and English wording (as `services.Status`).
PARTY_STATUS = {
    "contractor": ("受託者", "Contractor"),
    "approved": ("承認中", "Approved"),
    "pending": ("期間開始前", "Approved, period not started"),
    "ended": ("期間終了", "Period ended"),
    "revoked": ("承認取消し", "Approval revoked"),
}


def party_status(party: Party, day: dt.date) -> str:
    """approved, pending (before its period), ended (after it) or revoked: the party's own approval."""
    if party.revoked_at is not None:
        return "revoked"
    if day > party.end:
        return "ended"
    if day < party.start:
        return "pending"
    return "approved"


def _approval(party: Party) -> dict[str, Any] | None:
    """The request that put the party where it is and the day the authority approved it."""
    request = services.current_request(party)
    if request is None:
        return None
    decision = submissions.rounds(request, services.REQUEST).filter(
        status=Submission.Status.APPROVED).order_by("-round").first()
    return {"request": request.pk, "subsidiary": request.subsidiary,
            "decided_on": timezone.localdate(decision.decided_at) if decision else None}


def _people(contract: Contract, organisation: Organisation, holders: dict[int, list[str]]) -> list[dict[str, Any]]:
    """The party's declared structure, then everyone else holding a role on the contract for it."""

    def entry(person: Any, in_structure: bool) -> dict[str, Any]:
        return {"id": person.pk, "name": person.display_name or person.username,
                "roles": holders.get(person.pk, []), "in_structure": in_structure}

    found = {person.pk: entry(person, True) for person in people.structure_people(contract, organisation)}
    for role in contract.roles.filter(user__organisation=organisation).select_related("user") \
            .order_by("user__username"):
        found.setdefault(role.user_id, entry(role.user, False))
    return list(found.values())


def _node(contract: Contract, organisation: Organisation, party: Party | None, day: dt.date,
          holders: dict[int, list[str]]) -> dict[str, Any]:
    if party is None:
        status, start, end, level, approval = "contractor", contract.start, contract.end, 0, None
    else:
        status, start, end, level = party_status(party, day), party.start, party.end, party.level
        approval = _approval(party)
    label_ja, label_en = PARTY_STATUS[status]
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name},
        "party": party.pk if party else None,
        "level": level,
        "subsidiary": bool(approval and approval["subsidiary"]),
        "status": status, "status_ja": label_ja, "status_en": label_en,
        "active": party.active_on(day) if party else True,
        "start": start, "end": end,
        "approval": approval,
        "people": _people(contract, organisation, holders),
        "locations": [{"id": loc.pk, "name": loc.name, "address": loc.address}
                      for loc in places.acknowledged_locations(contract, organisation)],
        "children": [],
    }


def chain_tree(user: Any, contract: Contract, day: dt.date | None = None) -> dict[str, Any] | None:
    """The chain as the user may see it: from the contractor for the authority and the contractor, from the
    user's own place for a subcontractor; None for someone who sees no part of it."""
    day = day or timezone.localdate()
    visible = {org.pk for org in access.visible_parties(user, contract)}
    if not visible:
        return None
    role_labels = dict(Role.choices)
    holders: dict[int, list[str]] = {}
    for user_id, role in contract.roles.filter(user__organisation_id__in=visible).values_list("user_id", "role") \
            .order_by("role"):
        holders.setdefault(user_id, []).append(str(role_labels[role]))
    rows = [row for row in chain.party_rows(contract) if row.organisation_id in visible]
    nodes: dict[int | None, dict[str, Any]] = {}
    root = None
    if contract.contractor_id in visible:
        root = nodes[None] = _node(contract, contract.contractor, None, day, holders)
    for row in rows:  # tree order: a parent comes before its children
        node = nodes[row.pk] = _node(contract, row.organisation, row, day, holders)
        parent = nodes.get(row.parent_id)
        if parent is not None:
            parent["children"].append(node)
        elif root is None:  # a subcontractor's own place: the top of what it sees
            root = node
    return root


def flatten(node: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every node of a tree, top down."""
    if node is None:
        return []
    return [node, *(found for child in node["children"] for found in flatten(child))]


def panel(user: Any, contract: Contract) -> dict[str, Any] | None:
    """The contract page's panel (`contracts.panels`): the chain the user may see."""
    tree = chain_tree(user, contract)
    return None if tree is None else {"tree": tree}

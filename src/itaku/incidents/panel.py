"""The incidents block of the contract page: the user's unread notices and the open incidents they see."""

from __future__ import annotations

from typing import Any

from itaku.contracts.access import roles, visible_parties
from itaku.contracts.models import Contract
from itaku.incidents import services
from itaku.incidents.models import Incident


def context(user: Any, contract: Contract) -> dict[str, Any] | None:
    if not roles(user, contract):
        return None
    found = Incident.objects.filter(contract=contract, closed_at__isnull=True)
    if user.organisation_id != contract.authority_id:
        found = found.filter(party__in=[o.pk for o in visible_parties(user, contract)])
    open_incidents = list(found.order_by("-number")[:10])
    notices = services.unread(user, contract)
    if not open_incidents and not notices:
        return None
    return {"open_incidents": open_incidents, "notices": notices}

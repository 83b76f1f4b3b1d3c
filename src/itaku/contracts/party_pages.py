"""What every page of one party's part (structure, pledges, training, rules, work locations) shares: the
party it shows (`?party=`), the party a write acts for, the way back to that party's page, and the context of
the party switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from itaku.accounts.models import Organisation
from itaku.contracts.access import own_party, viewed_party, visible_parties
from itaku.contracts.models import Contract


def shown(request: HttpRequest, contract: Contract) -> Organisation:
    """The party the page shows: `?party=`, else the user's own (the contractor for the authority)."""
    return viewed_party(request.user, contract, request.GET.get("party"))


def acting(request: HttpRequest, contract: Contract) -> Organisation:
    """The party a write acts for: the user's own; the authority has none (403)."""
    party = own_party(request.user, contract)
    if party is None:
        raise PermissionDenied
    return party


def back(url_name: str, contract: Contract, party_id: int | None) -> str:
    """The page `url_name` of the contract, showing the party acted on."""
    url = reverse(url_name, args=[contract.pk])
    return url if party_id in (None, contract.contractor_id) else f"{url}?{urlencode({'party': party_id})}"


def switch(request: HttpRequest, contract: Contract, party: Organisation) -> dict[str, Any]:
    """The party shown and the query naming it (for links and decision forms), whose part the user may
    switch to, and whether the party shown is the user's own (only then are its write forms offered)."""
    own = own_party(request.user, contract)
    return {"party": party, "party_query": f"?{urlencode({'party': party.pk})}",
            "parties": visible_parties(request.user, contract), "own": own is not None and own.pk == party.pk}

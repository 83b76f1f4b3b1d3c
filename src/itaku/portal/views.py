"""The dashboard: the user's contracts with the state of their controls."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from itaku.contracts import chain
from itaku.contracts.access import Perm, is_subcontractor, perms, visible_contracts
from itaku.contracts.services import evaluate_controls
from itaku.people.services import valid_pledge
from itaku.provisions.controls import worst


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = []
    for contract in visible_contracts(request.user).select_related("authority", "contractor", "provisions"):
        # The whole contract's state is the authority's and the contractor's; a subcontractor sees its part.
        shows_controls = Perm.VIEW_CONTROLS in perms(request.user, contract) and not is_subcontractor(
            request.user, contract)
        results = evaluate_controls(contract) if shows_controls else []
        rows.append({"contract": contract, "state": worst(results) if shows_controls else None,
                     "counts": _counts(results)})
    pledge_needed = next((row["contract"] for row in rows
                          if chain.is_party(row["contract"], request.user.organisation_id)), None)
    if pledge_needed is not None and valid_pledge(request.user) is not None:
        pledge_needed = None
    return render(request, "portal/dashboard.html", {"rows": rows, "pledge_needed": pledge_needed})


def _counts(results: list) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
    return counts

"""The dashboard: the user's contracts with the state of their controls; for the authority, every contract
against every article at a glance, deadlines coming due, open incidents and the findings over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from itaku.contracts import chain
from itaku.contracts.access import Perm, is_subcontractor, perms, visible_contracts
from itaku.contracts.models import Contract, ControlHistory
from itaku.contracts.standing import standings
from itaku.people.services import valid_pledge
from itaku.portal.forms import GridFilterForm
from itaku.provisions.controls import State

ROWS_PER_PAGE = 50
CHART_DAYS = 56
_CHART_STATES = (State.VIOLATION, State.OVERDUE, State.MISSING, State.DUE_SOON)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    contracts = visible_contracts(request.user).select_related("authority", "contractor", "provisions")
    organisation = request.user.organisation
    if organisation is not None and organisation.is_authority:
        return _authority(request, contracts)
    rows = []
    contracts = list(contracts)
    # The whole contract's state is the authority's and the contractor's; a subcontractor sees its part.
    shown = [c for c in contracts if Perm.VIEW_CONTROLS in perms(request.user, c) and not is_subcontractor(
        request.user, c)]
    current = standings(shown)
    for contract in contracts:
        snapshot = current.get(contract.pk)
        rows.append({"contract": contract, "state": State(snapshot.worst) if snapshot else None})
    pledge_needed = next((row["contract"] for row in rows
                          if chain.is_party(row["contract"], request.user.organisation_id)), None)
    if pledge_needed is not None and valid_pledge(request.user) is not None:
        pledge_needed = None
    return render(request, "portal/dashboard.html", {"rows": rows, "pledge_needed": pledge_needed})


def _authority(request: HttpRequest, contracts: Any) -> HttpResponse:
    """All the authority's contracts × all articles as a grid of control states, filterable."""
    contracts = contracts.filter(roles__user=request.user,
                                 roles__role__in=["supervisor", "auditor"]).distinct().order_by("number")
    form = GridFilterForm(request.GET or None, contracts=contracts)
    if form.is_valid():
        if form.cleaned_data["department"]:
            contracts = contracts.filter(department=form.cleaned_data["department"])
        if form.cleaned_data["contractor"]:
            contracts = contracts.filter(contractor_id=form.cleaned_data["contractor"])
    current = standings(list(contracts))
    wanted = form.cleaned_data.get("state") if form.is_valid() else ""
    selected = [c for c in contracts if not wanted or current[c.pk].worst == wanted]
    articles = sorted({int(a) for s in current.values() for a in s.by_article}, key=int)
    page = Paginator(selected, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"contract": c, "state": State(current[c.pk].worst),
             "cells": [_cell(current[c.pk].by_article.get(str(a))) for a in articles]} for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/grid.html", {
        "form": form, "articles": articles, "rows": rows, "page": page, "query": query.urlencode(),
        "due": _deadlines(selected, current), "incidents": _incidents(selected, current),
        "chart": _chart([c.pk for c in selected]),
    })


def _cell(value: str | None) -> State | None:
    return State(value) if value else None


def _deadlines(contracts: list[Contract], current: dict) -> list[dict[str, Any]]:
    """Findings that are due soon or overdue, overdue first."""
    found = [{"contract": c, "title": a["title"], "state": State(a["state"]), "message": a["message"]}
             for c in contracts for a in current[c.pk].attention if a["kind"] == "due"]
    found.sort(key=lambda f: (-f["state"].severity, f["contract"].number))
    return found[:30]


def _incidents(contracts: list[Contract], current: dict) -> list[dict[str, Any]]:
    """The incident controls (article 18) that are not OK: incidents open, reports due."""
    return [{"contract": c, "title": a["title"], "state": State(a["state"])}
            for c in contracts for a in current[c.pk].attention if a["kind"] == "incident"]


def _chart(contract_ids: list[int]) -> dict[str, Any]:
    """Controls not OK per day over the last weeks, as bars drawn server-side (an SVG: no script, no CDN)."""
    since = timezone.localdate() - dt.timedelta(days=CHART_DAYS - 1)
    per_day: dict[dt.date, dict[str, int]] = {}
    for day, counts in ControlHistory.objects.filter(contract_id__in=contract_ids, day__gte=since).values_list(
            "day", "counts").iterator():
        totals = per_day.setdefault(day, {})
        for state, number in counts.items():
            totals[state] = totals.get(state, 0) + number
    highest = max((sum(t.get(s.value, 0) for s in _CHART_STATES) for t in per_day.values()), default=0) or 1
    width, height, bar = 8, 120, 6
    bars = []
    for index in range(CHART_DAYS):
        day = since + dt.timedelta(days=index)
        y = height
        for state in _CHART_STATES:
            number = per_day.get(day, {}).get(state.value, 0)
            if number:
                size = round(number * height / highest)
                y -= size
                bars.append({"x": index * width, "y": y, "width": bar, "height": size, "state": state.value,
                             "label": f"{day:%Y-%m-%d} {state.label_ja} {number}"})
    return {"bars": bars, "width": CHART_DAYS * width, "height": height, "highest": highest,
            "since": since, "states": _CHART_STATES, "empty": not per_day}


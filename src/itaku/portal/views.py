"""The dashboard: the user's contracts with the state of their controls; for the authority, every contract
against every article at a glance, deadlines coming due, open incidents and the findings over time."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from itaku.contracts import chain
from itaku.contracts.access import Perm, is_subcontractor, overseen_contracts, perms, visible_contracts
from itaku.contracts.models import Contract, ControlAttention, ControlHistory
from itaku.contracts.standing import worst_states
from itaku.people.services import valid_pledge
from itaku.portal.forms import GridFilterForm
from itaku.provisions.controls import State, controlled_articles
from itaku.provisions.models import ProvisionsVersion

ROWS_PER_PAGE = 50
LIST_LENGTH = 30
EVALUATION_BUDGET = 2.0  # seconds of evaluating changed contracts per view; the rest shown as last evaluated
# The grid's filters: (form field, value of `worst_states`, the value's column for a query).
_FILTERS = (("department", "department", "department"), ("contractor", "contractor_id", "contractor_id"),
            ("state", "worst", "control_snapshot__worst"))
CHART_DAYS = 56
_CHART_STATES = (State.VIOLATION, State.OVERDUE, State.MISSING, State.DUE_SOON)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    if organisation is not None and organisation.is_authority:
        return _authority(request)
    contracts = visible_contracts(request.user).select_related("authority", "contractor", "provisions")
    rows = []
    contracts = list(contracts)
    # The whole contract's state is the authority's and the contractor's; a subcontractor sees its part.
    shown = [c for c in contracts if Perm.VIEW_CONTROLS in perms(request.user, c) and not is_subcontractor(
        request.user, c)]
    worst = {row["pk"]: row["worst"] for row in worst_states(Contract.objects.filter(pk__in=[c.pk for c in shown]))}
    for contract in contracts:
        rows.append({"contract": contract, "state": State(worst[contract.pk]) if contract.pk in worst else None})
    pledge_needed = next((row["contract"] for row in rows
                          if chain.is_party(row["contract"], request.user.organisation_id)), None)
    if pledge_needed is not None and valid_pledge(request.user) is not None:
        pledge_needed = None
    return render(request, "portal/dashboard.html", {"rows": rows, "pledge_needed": pledge_needed})


def _authority(request: HttpRequest) -> HttpResponse:
    """All the authority's contracts × all articles as a grid of control states, filterable.

    Whatever the number of contracts, a view costs the same few queries and renders one page: every contract's
    worst state in one query (`standing.worst_states`, which evaluates only the out of date), filtered here,
    then the page's rows, the lists and the chart read as limited or summed queries of the stored snapshots."""
    overseen = overseen_contracts(request.user)
    every = worst_states(overseen.order_by("number"), "department", "contractor_id", "contractor__name",
                         "provisions_id", budget=EVALUATION_BUDGET)
    form = GridFilterForm(request.GET or None, contracts=every)
    wanted = [(field, column, value) for key, field, column in _FILTERS
              if form.is_valid() and (value := form.cleaned_data[key])]
    selected = [row for row in every if all(row[field] == value for field, _column, value in wanted)]
    ids = [row["pk"] for row in selected]
    # The lists and the chart ask the database with the same filters as a subquery: a list of a thousand ids
    # as parameters costs more to send than the query itself.
    filtered = overseen.filter(**{column: value for _field, column, value in wanted}).values("pk")
    articles = sorted(set().union(*(
        controlled_articles(version.topics_by_article()) for version in ProvisionsVersion.objects.filter(
            pk__in={row["provisions_id"] for row in selected}).only("article_topics"))))
    page = Paginator(ids, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    english = get_language() == "en"
    cells = _cells(english)
    shown = Contract.objects.filter(pk__in=page.object_list).select_related("contractor", "control_snapshot").defer(
        "control_snapshot__results").order_by("number")
    current = {row["pk"]: row["current"] for row in selected}
    rows = [{"contract": c, "state": _cell(c.control_snapshot.worst, english), "current": current[c.pk],
             "cells": mark_safe("".join(cells[c.control_snapshot.by_article.get(str(a), "")] for a in articles))}  # noqa: S308
            for c in shown]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/grid.html", {
        "form": form, "articles": articles, "rows": rows, "page": page, "query": query.urlencode(),
        "not_current": sum(not row["current"] for row in every), **_lists(filtered, selected, ids)})


def _lists(contracts: QuerySet[Contract], selected: list[dict[str, Any]], ids: list[int]) -> dict[str, Any]:
    """The deadlines, the incidents and the chart of the contracts shown. They derive from the snapshots alone,
    so they are cached under the snapshots' versions: asked again only once one of those contracts changed."""
    versions = ",".join(f"{row['pk']}:{row['version']}" for row in selected)
    key = f"portal.lists:{hashlib.sha256(versions.encode()).hexdigest()}"
    lists = cache.get(key)
    if lists is None:
        lists = {"due": _attention(contracts, ControlAttention.Kind.DUE),
                 "incidents": _attention(contracts, ControlAttention.Kind.INCIDENT),
                 "chart": _chart(contracts, ids)}
        cache.set(key, lists, timeout=24 * 3600)
    return lists


def _cell(value: str, english: bool) -> dict[str, str]:
    """A state and its label in the page's language."""
    state = State(value)
    return {"state": state.value, "label": state.label_en if english else state.label_ja}


def _cells(english: bool) -> dict[str, str]:
    """The markup of a grid cell for each state (and "" for an article without controls), escaped once: a
    page's thousand cells are joined from these instead of rendered by the template one by one."""
    cells = {"": format_html("<td>{}</td>", "—")}
    for state in State:
        cell = _cell(state.value, english)
        cells[state.value] = format_html('<td><span class="cell state-{}">{}</span></td>', cell["state"],
                                         cell["label"])
    return cells


def _attention(contracts: QuerySet[Contract], kind: str) -> list[ControlAttention]:
    """The findings due soon or overdue, or the incident controls not OK: the most severe first."""
    return list(ControlAttention.objects.filter(contract__in=contracts, kind=kind).select_related("contract")
                .order_by("-severity", "contract__number", "pk")[:LIST_LENGTH])


def _daily(history: QuerySet[ControlHistory]) -> dict[dt.date, dict[str, int]]:
    """The history's counts summed per day by the database."""
    sums = history.values("day").annotate(**{s.value: Sum(s.value) for s in _CHART_STATES}).order_by()
    return {row.pop("day"): row for row in sums}


def _chart(contracts: QuerySet[Contract], ids: list[int]) -> dict[str, Any]:
    """Controls not OK per day over the last weeks, as bars drawn server-side (an SVG: no script, no CDN).

    Only today's counts change (an evaluation writes the day it was made), so the sums of the past days are
    kept in the cache for the set of contracts shown (`ids`) and the database sums today's alone each time the
    lists are asked again."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=CHART_DAYS - 1)
    history = ControlHistory.objects.filter(contract__in=contracts)
    key = f"portal.chart:{since}:{hashlib.sha256(','.join(map(str, sorted(ids))).encode()).hexdigest()}"
    past = cache.get(key)
    if past is None:
        past = _daily(history.filter(day__gte=since, day__lt=today))
        cache.set(key, past, timeout=24 * 3600)
    per_day = {**past, **_daily(history.filter(day=today))}
    highest = max((sum(t[s.value] for s in _CHART_STATES) for t in per_day.values()), default=0) or 1
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
                bars.append(f'<rect class="bar-{state.value}" x="{index * width:d}" y="{y:d}" width="{bar:d}" '
                            f'height="{size:d}"><title>{escape(f"{day:%Y-%m-%d} {state.label_ja} {number:d}")}'
                            "</title></rect>")
    # Some two hundred bars of numbers (integers, the states' own values and an escaped title): formatted here
    # at once rather than by a thousand template lookups.
    bars = mark_safe("".join(bars))  # noqa: S308
    return {"bars": bars, "width": CHART_DAYS * width, "height": height, "highest": highest,
            "since": since, "states": _CHART_STATES, "empty": not per_day}

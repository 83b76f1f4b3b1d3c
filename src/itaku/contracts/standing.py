"""Where each contract stands against every article: the controls, evaluated once per change and kept.

Evaluating every control of a thousand contracts on each page view would take seconds; a contract's standing
only changes with a ledger event (the house rule: every state change writes one) or with the day (deadlines).
So a page first asks the database which of its contracts' snapshots are out of date (their chain, the system
events that bear on controls (`SYSTEM_KINDS`) or the day moved since), evaluates only those again, and then
reads what it shows straight from the stored snapshots, their attention rows and the daily history.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import CharField, F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from itaku.contracts.models import Contract, ControlAttention, ControlHistory, ControlSnapshot
from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import SYSTEM_CHAIN, Chain, Event
from itaku.provisions.controls import State

_SEVERITY = {state.value: state.severity for state in State}


def worst_of(states: Iterable[str]) -> str:
    return max(states, key=_SEVERITY.__getitem__, default=State.OK.value)


# The system chain's events that change a control (a new pledge text must be accepted again; a deactivated
# user is no longer eligible); logins, which are most of that chain, do not.
SYSTEM_KINDS = ("people.pledge_text_published", "user.activated", "user.deactivated")

_DUE = (State.OVERDUE.value, State.DUE_SOON.value)


def _system_seq() -> int:
    seq = Event.objects.filter(chain=SYSTEM_CHAIN, kind__in=SYSTEM_KINDS).aggregate(seq=Max("seq"))["seq"]
    return seq or 0


def _attention(contract: Contract, results: list[dict[str, Any]]) -> list[ControlAttention]:
    """Findings due soon or overdue (kind "due"), and incident controls that are not OK (kind "incident")."""
    rows = [ControlAttention(contract=contract, kind=ControlAttention.Kind.DUE, state=f["state"],
                             severity=_SEVERITY[f["state"]], title_ja=r["title"]["ja"], title_en=r["title"]["en"],
                             message_ja=f["message"]["ja"], message_en=f["message"]["en"])
            for r in results for f in r["findings"] if f["state"] in _DUE]
    rows += [ControlAttention(contract=contract, kind=ControlAttention.Kind.INCIDENT, state=r["state"],
                              severity=_SEVERITY[r["state"]], title_ja=r["title"]["ja"], title_en=r["title"]["en"])
             for r in results if r["control"].startswith("incidents.") and r["state"] != State.OK.value]
    return rows


def _evaluate(contract: Contract, head_seq: int, system_seq: int, day: Any) -> str:
    """Evaluate the contract's controls and store them; its worst state. One evaluation at a time per contract
    (its row locked), so that two requests never both write its attention rows."""
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).exists()
        stored = ControlSnapshot.objects.filter(contract=contract, head_seq=head_seq, system_seq=system_seq,
                                                day=day).values_list("worst", flat=True).first()
        if stored is not None:
            return stored  # another request stored the same evaluation meanwhile
        results = [r.as_json() for r in evaluate_controls(contract)]
        by_article: dict[str, str] = {}
        counts = {state.value: 0 for state in State}
        for result in results:
            counts[result["state"]] += 1
            for article in result["articles"]:
                by_article[str(article)] = worst_of([by_article.get(str(article), State.OK.value), result["state"]])
        worst = worst_of(r["state"] for r in results)
        ControlSnapshot.objects.update_or_create(contract=contract, defaults={
            "head_seq": head_seq, "system_seq": system_seq, "day": day, "results": results,
            "by_article": by_article, "worst": worst})
        ControlAttention.objects.filter(contract=contract).delete()
        ControlAttention.objects.bulk_create(_attention(contract, results))
        ControlHistory.objects.update_or_create(contract=contract, day=day, defaults=counts)
    return worst


def worst_states(contracts: QuerySet[Contract], *fields: str, budget: float | None = None) -> list[dict[str, Any]]:
    """Each contract's `fields` (values, "pk" always), its worst control state ("worst"), whether that is
    current ("current") or was evaluated by this call ("evaluated"), and the version of its snapshot ("version":
    what is derived from the snapshot alone can be cached under it), in the queryset's order, in one query: the
    database puts each snapshot next to its chain's head, and only the snapshots that are missing or out of date
    are evaluated again.

    `budget`: seconds of evaluation at most, so that a page opened after a busy hour of data access does not
    wait for every contract that changed; past it, contracts that have a snapshot keep it (`current` False)
    and only those without one are still evaluated (`itaku controls --refresh` on a timer keeps them fresh)."""
    system_seq = _system_seq()
    today = timezone.localdate()
    head = Chain.objects.filter(key=Concat(Value("contract:"), Cast(OuterRef("pk"), CharField()))).values("head_seq")
    rows = list(contracts.annotate(chain_head=Coalesce(Subquery(head[:1]), Value(0))).values(
        "pk", *fields, "chain_head", worst=F("control_snapshot__worst"), snapshot_head=F("control_snapshot__head_seq"),
        snapshot_system=F("control_snapshot__system_seq"), snapshot_day=F("control_snapshot__day")))
    began = time.monotonic()
    for row in rows:
        current = (row.pop("chain_head"), system_seq, today)
        stored = (row.pop("snapshot_head"), row.pop("snapshot_system"), row.pop("snapshot_day"))
        row["evaluated"] = stored != current and (
            row["worst"] is None or budget is None or time.monotonic() - began < budget)
        if row["evaluated"]:
            contract = Contract.objects.select_related("provisions").get(pk=row["pk"])
            row["worst"], stored = _evaluate(contract, *current), current
        row["current"] = stored == current
        row["version"] = ".".join(map(str, stored))  # what the snapshot was evaluated at
    return rows


def refresh_all() -> int:
    """Evaluate again every contract whose snapshot is missing or out of date: for a timer, so that the
    dashboard finds nothing left to evaluate. How many were."""
    return sum(row["evaluated"] for row in worst_states(Contract.objects.all()))

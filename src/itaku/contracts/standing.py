"""Where each contract stands against every article: the controls, evaluated once per change and kept.

Evaluating every control of a thousand contracts on each page view would take seconds; a contract's standing
only changes with a ledger event (the house rule: every state change writes one) or with the day (deadlines).
So `standings` reads a stored snapshot per contract and evaluates again only those whose chain, the system
events that bear on controls (`SYSTEM_KINDS`) or the day moved since.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from itaku.contracts.models import Contract, ControlHistory, ControlSnapshot
from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import SYSTEM_CHAIN, Chain, Event
from itaku.provisions.controls import State

_SEVERITY = {state.value: state.severity for state in State}


def worst_of(states: Iterable[str]) -> str:
    return max(states, key=_SEVERITY.__getitem__, default=State.OK.value)


# The system chain's events that change a control (a new pledge text must be accepted again; a deactivated
# user is no longer eligible); logins, which are most of that chain, do not.
SYSTEM_KINDS = ("people.pledge_text_published", "user.activated", "user.deactivated")


def _heads(contracts: Sequence[Contract]) -> tuple[dict[str, int], int]:
    keys = [c.ledger_chain for c in contracts]
    heads = dict(Chain.objects.filter(key__in=keys).values_list("key", "head_seq"))
    system = Event.objects.filter(chain=SYSTEM_CHAIN, kind__in=SYSTEM_KINDS).aggregate(seq=Max("seq"))["seq"]
    return heads, system or 0


_DUE = (State.OVERDUE.value, State.DUE_SOON.value)


def _attention(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings due soon or overdue (kind "due"), and incident controls that are not OK (kind "incident")."""
    found = [{"kind": "due", "title": r["title"], "state": f["state"], "message": f["message"]}
             for r in results for f in r["findings"] if f["state"] in _DUE]
    found += [{"kind": "incident", "title": r["title"], "state": r["state"], "message": None}
              for r in results if r["control"].startswith("incidents.") and r["state"] != State.OK.value]
    return found


def _evaluate(contract: Contract, head_seq: int, system_seq: int, day: Any) -> ControlSnapshot:
    results = [r.as_json() for r in evaluate_controls(contract)]
    by_article: dict[str, str] = {}
    counts: dict[str, int] = {}
    for result in results:
        counts[result["state"]] = counts.get(result["state"], 0) + 1
        for article in result["articles"]:
            by_article[str(article)] = worst_of([by_article.get(str(article), State.OK.value), result["state"]])
    values = {"head_seq": head_seq, "system_seq": system_seq, "day": day, "results": results,
              "by_article": by_article, "worst": worst_of(r["state"] for r in results),
              "attention": _attention(results)}
    try:
        with transaction.atomic():
            snapshot, _ = ControlSnapshot.objects.update_or_create(contract=contract, defaults=values)
            ControlHistory.objects.update_or_create(contract=contract, day=day, defaults={"counts": counts})
    except IntegrityError:  # another request stored the same evaluation first
        snapshot = ControlSnapshot.objects.get(contract=contract)
    return snapshot


def standings(contracts: Sequence[Contract]) -> dict[int, ControlSnapshot]:
    """A current snapshot per contract (by pk): stored ones that are still valid, the others evaluated again."""
    contracts = list(contracts)
    heads, system_seq = _heads(contracts)
    today = timezone.localdate()
    # Every control's findings stay in the database: a list of many contracts reads the small columns only.
    stored = {s.contract_id: s for s in ControlSnapshot.objects.filter(contract__in=contracts).defer("results")}
    current = {}
    for contract in contracts:
        head = heads.get(contract.ledger_chain, 0)
        snapshot = stored.get(contract.pk)
        if snapshot is None or (snapshot.head_seq, snapshot.system_seq, snapshot.day) != (head, system_seq, today):
            snapshot = _evaluate(contract, head, system_seq, today)
        current[contract.pk] = snapshot
    return current

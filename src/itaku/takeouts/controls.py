"""Controls of article 14: every take-out went only to a destination permitted at its time, and came back
by its expected time. Both judge by the recorded times as they stand, corrected ones included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q
from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.takeouts.models import Destination, TakeOut, TimeCorrection
from itaku.takeouts.services import TOPIC, approval

# The time each recording event records, as its corrections name it.
_CORRECTED = {"takeout.checked_out": TimeCorrection.Time.OUT, "takeout.checked_in": TimeCorrection.Time.BACK}


def _evidence(takeout: TakeOut, kind: str) -> tuple[Evidence, ...]:
    """The take-out, the event that recorded the time and every correction of that time."""
    events = Event.objects.filter(chain=takeout.contract.ledger_chain, facts__takeout=takeout.pk).filter(
        Q(kind=kind) | Q(kind="takeout.corrected", facts__time=_CORRECTED[kind])).order_by("seq")
    return (Evidence.object(takeout, takeout.code), *(Evidence.event(event) for event in events))


@control("takeouts.permitted_destinations", topics=[TOPIC],
         title_ja="許可又は指定された場所への承認済みの持出し",
         title_en="Take-outs only to permitted destinations, once approved")
def permitted_destinations(contract: Contract) -> Iterator[Finding]:
    """Each recorded check-out, against the destinations permitted at its actual time (a check-out entered
    afterwards with a time before the permission or after its retirement) and against its approval (a time
    out before the approval was given)."""
    destinations = {d.pk: d for d in Destination.objects.filter(contract=contract)}
    out = list(TakeOut.objects.filter(contract=contract, checked_out_at__isnull=False).select_related(
        "contract", "destination"))
    bad = 0
    for takeout in out:
        destination = destinations.get(takeout.destination_id)
        when = timezone.localtime(takeout.checked_out_at)
        held = approval(takeout)
        if destination is None or not destination.permitted_at(takeout.checked_out_at):
            bad += 1
            yield Finding(State.VIOLATION,
                          f"持出し {takeout.code} は、持出日時（{when:%Y-%m-%d %H:%M}）に許可されていない持出先"
                          f"「{takeout.destination}」へ持ち出されました。",
                          f"Take-out {takeout.code} left at {when:%Y-%m-%d %H:%M} for “{takeout.destination}”, "
                          "which was not a permitted destination at that time.",
                          _evidence(takeout, "takeout.checked_out"))
        elif held is None or takeout.checked_out_at < held.decided_at:
            bad += 1
            yield Finding(State.VIOLATION,
                          f"持出し {takeout.code} は、責任者の承認の前（{when:%Y-%m-%d %H:%M}）に持ち出されました。",
                          f"Take-out {takeout.code} left at {when:%Y-%m-%d %H:%M}, before the responsible "
                          "person's approval.", _evidence(takeout, "takeout.checked_out"))
    if out and not bad:
        yield Finding(State.OK, f"持出し{len(out)}件は、いずれも持出時点で許可された持出先へのものです。",
                      f"All {len(out)} take-outs went to destinations permitted at their time.")


@control("takeouts.returned", topics=[TOPIC],
         title_ja="持出物の返却", title_en="Items taken out are back by their date")
def returned(contract: Contract) -> Iterator[Finding]:
    """Each take-out still out, against its expected time back (overdue, or due today or tomorrow), and each
    one back, by its recorded time back (back after its expected time)."""
    now = timezone.now()
    today = timezone.localdate()
    recorded = list(TakeOut.objects.filter(contract=contract, checked_out_at__isnull=False).select_related("contract"))
    out = [takeout for takeout in recorded if takeout.checked_in_at is None]
    late = 0
    for takeout in recorded:
        due = timezone.localtime(takeout.back_by)
        if takeout.checked_in_at is not None:
            if takeout.checked_in_at > takeout.back_by:
                late += 1
                back = timezone.localtime(takeout.checked_in_at)
                yield Finding(State.OVERDUE,
                              f"持出し {takeout.code} は、返却予定（{due:%Y-%m-%d %H:%M}）を過ぎて"
                              f"{back:%Y-%m-%d %H:%M}に返却されました。",
                              f"Take-out {takeout.code} came back at {back:%Y-%m-%d %H:%M}, after its expected time "
                              f"({due:%Y-%m-%d %H:%M}).", _evidence(takeout, "takeout.checked_in"))
            continue
        evidence = _evidence(takeout, "takeout.checked_out")
        if takeout.back_by < now:
            late += 1
            yield Finding(State.OVERDUE,
                          f"持出し {takeout.code} が返却予定（{due:%Y-%m-%d %H:%M}）を過ぎても返却されていません。",
                          f"Take-out {takeout.code} is not back by its expected time ({due:%Y-%m-%d %H:%M}).",
                          evidence)
        elif due.date() <= today + dt.timedelta(days=1):
            late += 1
            yield Finding(State.DUE_SOON, f"持出し {takeout.code} の返却予定は{due:%Y-%m-%d %H:%M}です。",
                          f"Take-out {takeout.code} is due back at {due:%Y-%m-%d %H:%M}.", evidence)
    back = len(recorded) - len(out)
    if recorded and not late:
        yield Finding(State.OK, f"持出中{len(out)}件、返却済み{back}件、いずれも返却予定内です。",
                      f"{len(out)} take-outs out, {back} back; none past its expected time.")

"""Controls for article 15 (作業場所の特定): locations reported and acknowledged before data is handled,
and reported again after every change."""

from __future__ import annotations

from collections.abc import Iterator

from itaku.contracts import chain
from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.ledger.services import last_event
from itaku.places import services
from itaku.places.models import ReportStatus, WorkLocation
from itaku.provisions.controls import Evidence, Finding, State, control

ACKNOWLEDGED = f"{services.KIND}.acknowledged"


def _first_acknowledgement(contract: Contract, organisation_id: int) -> Event | None:
    """The first acknowledgement of one of this party's locations."""
    subjects = [f"places.worklocation:{pk}" for pk in
                WorkLocation.objects.filter(contract=contract, organisation_id=organisation_id).values_list("pk",
                                                                                                           flat=True)]
    return Event.objects.filter(chain=contract.ledger_chain, kind=ACKNOWLEDGED,
                                facts__subject__in=subjects).order_by("seq").first()


@control("places.acknowledged", topics=["work_location"],
         title_ja="作業場所の届出と確認", title_en="Work locations reported and acknowledged")
def acknowledged(contract: Contract) -> Iterator[Finding]:
    items = services.reports(contract)
    current = [item for item in items if item.acknowledgement is not None]
    if not current:
        waiting = sum(1 for item in items if item.status == ReportStatus.SUBMITTED)
        yield Finding(
            State.MISSING,
            f"委託者が確認した作業場所がありません（登録 {len(items)} 件、確認待ち {waiting} 件）。",
            f"No work location is acknowledged by the authority ({len(items)} recorded, {waiting} awaiting).",
        )
        return
    event = last_event(contract.ledger_chain, ACKNOWLEDGED)
    yield Finding(
        State.OK, f"作業場所 {len(current)} 件が届け出られ、委託者が確認しています。",
        f"{len(current)} work locations are reported and acknowledged.",
        (Evidence.event(event),) if event else (),
    )


@control("places.before_handling", topics=["work_location"],
         title_ja="作業開始前の作業場所の届出", title_en="Work locations reported before data is handled")
def before_handling(contract: Contract) -> Iterator[Finding]:
    """Per party of the chain: its people handle data only after one of its own locations was acknowledged."""
    firsts = []
    for party in chain.parties(contract):
        first_handling = chain.handled_by(contract, party.pk).order_by("seq").first()
        if first_handling is None:
            continue
        first_ack = _first_acknowledgement(contract, party.pk)
        if first_ack is None or first_handling.seq < first_ack.seq:
            evidence = (Evidence.event(first_handling),) + ((Evidence.event(first_ack),) if first_ack else ())
            who_ja, who_en = ("", "") if party.pk == contract.contractor_id else (f"【{party}】", f"[{party}] ")
            yield Finding(
                State.VIOLATION, f"{who_ja}作業場所が確認される前に個人情報が取り扱われています。",
                f"{who_en}Personal data was handled before any work location was acknowledged.", evidence,
            )
            return
        firsts.append((first_ack, first_handling))
    if firsts:
        first_ack, first_handling = firsts[0]
        yield Finding(
            State.OK, "作業場所の確認後に個人情報の取扱いが始まっています。",
            "Personal data was first handled after a work location was acknowledged.",
            (Evidence.event(first_ack), Evidence.event(first_handling)),
        )


@control("places.changes_reported", topics=["work_location"],
         title_ja="作業場所の変更の再届出", title_en="Changed work locations reported again")
def changes_reported(contract: Contract) -> Iterator[Finding]:
    for item in services.reports(contract):
        if not item.voided:
            continue
        location = item.location
        changed = (
            Event.objects.filter(chain=contract.ledger_chain, kind="places.location_changed",
                                 facts__location=location.pk).order_by("-seq").first()
        )
        evidence = (Evidence.object(location),) + ((Evidence.event(changed),) if changed else ())
        yield Finding(
            State.VIOLATION,
            f"作業場所「{location.name}」が確認後に変更され、再届出の確認がありません。",
            f"Work location “{location.name}” changed after it was acknowledged and has not been acknowledged again.",
            evidence,
        )

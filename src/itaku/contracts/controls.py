"""Controls for article 1 (個人情報の保護): laws recorded, provisions attached and acknowledged, period."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.contracts.services import ACKNOWLEDGEMENT
from itaku.ledger.services import last_event
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions

DUE_SOON_DAYS = 30


def _evidence(contract: Contract, *kinds: str) -> tuple[Evidence, ...]:
    event = last_event(contract.ledger_chain, *kinds)
    return (Evidence.event(event),) if event else ()


@control("contract.laws_recorded", topics=["protection"],
         title_ja="適用法令の記録", title_en="Applicable laws recorded")
def laws_recorded(contract: Contract) -> Iterator[Finding]:
    if not contract.laws:
        yield Finding(State.MISSING, "適用される法令が記録されていません。", "No applicable laws are recorded.")
        return
    yield Finding(
        State.OK, f"適用法令 {len(contract.laws)} 件が記録されています。",
        f"{len(contract.laws)} applicable laws are recorded.",
        _evidence(contract, "contract.provisions_attached", "contract.created"),
    )


@control("contract.provisions_attached", topics=["protection"],
         title_ja="特記事項の添付と確認", title_en="Provisions attached and acknowledged")
def provisions_attached(contract: Contract) -> Iterator[Finding]:
    if not contract.provisions_id:
        state = State.MISSING if contract.is_draft else State.VIOLATION
        yield Finding(state, "特記事項が添付されていません。", "No provisions are attached.")
        return
    if contract.is_draft:
        pending = submissions.latest(contract, ACKNOWLEDGEMENT)
        if pending is None or not pending.is_open:
            yield Finding(State.MISSING, "受託者による特記事項の確認がまだです。",
                          "The contractor has not yet acknowledged the provisions.")
        return
    if submissions.accepted(contract, ACKNOWLEDGEMENT) is None:
        yield Finding(
            State.VIOLATION, "確認後に契約内容が変更され、特記事項の確認が無効になっています。",
            "The contract changed after the provisions were acknowledged; the acknowledgement is void.",
            _evidence(contract, "contract.activated"),
        )
        return
    yield Finding(State.OK, "特記事項が添付され、受託者が確認しています。",
                  "The provisions are attached and acknowledged by the contractor.",
                  _evidence(contract, f"{ACKNOWLEDGEMENT}.approved"))


@control("contract.within_period", topics=["protection"],
         title_ja="契約期間内の履行", title_en="Work within the contract period")
def within_period(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    if contract.status != Contract.Status.ACTIVE:
        return
    if today < contract.start:
        yield Finding(State.VIOLATION, "契約期間の開始前に有効化されています。",
                      "The contract is active before its period starts.", _evidence(contract, "contract.activated"))
    elif today > contract.end:
        yield Finding(State.OVERDUE, f"契約期間（{contract.end:%Y-%m-%d}まで）を過ぎても終了していません。",
                      f"The period ended on {contract.end:%Y-%m-%d} but the contract is still active.")
    elif (contract.end - today).days <= DUE_SOON_DAYS:
        yield Finding(State.DUE_SOON, f"契約期間は{contract.end:%Y-%m-%d}に終了します。",
                      f"The period ends on {contract.end:%Y-%m-%d}.")

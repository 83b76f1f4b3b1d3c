"""Controls of the vault so far: daily limits (article 9) and data left under a closed contract (article 12)."""

from __future__ import annotations

from collections.abc import Iterator

from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.vault.models import Dataset, Record


@control("vault.daily_limits", topics=["use_outside_purpose"],
         title_ja="1日の利用上限", title_en="Daily access limits")
def daily_limits(contract: Contract) -> Iterator[Finding]:
    exceeded = Event.objects.filter(chain=contract.ledger_chain, kind="data.limit_exceeded").order_by("-seq")
    first = exceeded.first()
    if first is not None:
        yield Finding(State.VIOLATION, f"利用上限を超えるアクセスが{exceeded.count()}件あります（事故のおそれ）。",
                      f"{exceeded.count()} accesses beyond the daily limit (suspected incident).",
                      (Evidence.event(first),))


@control("vault.closed_contract_data", topics=["return"],
         title_ja="契約終了後の個人情報の保有", title_en="Personal data held after the contract closed")
def closed_contract_data(contract: Contract) -> Iterator[Finding]:
    if contract.status in (Contract.Status.DRAFT, Contract.Status.ACTIVE):
        return
    for dataset in Dataset.objects.filter(contract=contract, status=Dataset.Status.ACTIVE):
        if Record.objects.filter(dataset=dataset).exists():
            yield Finding(State.VIOLATION,
                          f"終了した契約の個人情報ファイル「{dataset.name}」がデータを保有しています。",
                          f"The dataset “{dataset.name}” of a closed contract still holds data.",
                          (Evidence.object(dataset),))

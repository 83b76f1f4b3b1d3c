"""Data for a subcontractor (article 8): shares of a dataset, and what a party of the chain may touch.

The contractor's people handle every field and record of the contract's datasets. A subcontractor's
people handle only what was shared with their organisation, only while every party above it in the chain
is active and holds the share it passed on: revoking one approval, withdrawing one share or reaching the
end of one period ends access below it at once, because `grant` is asked on every handling.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from itaku.contracts import chain
from itaku.contracts.models import Party
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.vault.models import Dataset, Field, Share


@dataclass(frozen=True)
class Grant:
    """What one organisation may handle of one dataset: None means every field (or every record)."""

    fields: frozenset[str] | None = None
    records: frozenset[int] | None = None

    def allows_field(self, name: str) -> bool:
        return self.fields is None or name in self.fields

    def allows_record(self, pk: int) -> bool:
        return self.records is None or pk in self.records

    def narrowed(self, fields: Iterable[str], records: Iterable[int] | None) -> Grant:
        mine = frozenset(fields) if self.fields is None else self.fields & frozenset(fields)
        if records is None:
            return Grant(mine, self.records)
        theirs = frozenset(records)
        return Grant(mine, theirs if self.records is None else self.records & theirs)


EVERYTHING = Grant()


def active_share(dataset: Dataset, party: Party) -> Share | None:
    return Share.objects.filter(dataset=dataset, party=party, withdrawn_at=None).prefetch_related("fields").first()


def grant(dataset: Dataset, organisation_id: int | None, day: dt.date | None = None) -> Grant | None:
    """What the organisation may handle of the dataset today, or None when it may handle nothing of it."""
    contract = dataset.contract
    if organisation_id == contract.contractor_id:
        return EVERYTHING
    row = chain.party_row(contract, organisation_id)
    if row is None or not row.active_on(day or timezone.localdate()):
        return None
    allowed = EVERYTHING
    for party in reversed(row.lineage()):  # from the top of the chain down to the organisation
        share = active_share(dataset, party)
        if share is None:
            return None
        allowed = allowed.narrowed((f.name for f in share.fields.all()), share.records)
    return allowed


def shared_datasets(contract: Any, organisation_id: int | None) -> list[Dataset]:
    """The contract's datasets the organisation may handle today (all of them for the contractor)."""
    datasets = Dataset.objects.filter(contract=contract).select_related("contract")
    if organisation_id == contract.contractor_id:
        return list(datasets)
    return [d for d in datasets.filter(shares__party__organisation_id=organisation_id, shares__withdrawn_at=None)
            .distinct() if grant(d, organisation_id) is not None]


def _articles(dataset: Dataset) -> list[int]:
    return sorted({*dataset.contract.articles_for("subcontracting"), *dataset.contract.articles_for("custody")})


def share(by: Any, dataset: Dataset, party: Party, fields: Iterable[Field], records: Iterable[int] | None) -> Share:
    """Share the dataset (these fields, these records or all) with a party; replaces its earlier share.

    The caller (the subcontracting service) has checked the approved request; here the share must stay
    within what the party above holds, and the records must be the dataset's own.
    """
    fields = list(fields)
    if not fields:
        raise UserError("共有する項目を選んでください。", "Choose the fields to share.")
    if any(f.dataset_id != dataset.pk for f in fields):
        raise UserError("この個人情報ファイルの項目ではありません。", "A field is not one of the dataset's.")
    if dataset.is_disposed:
        raise UserError("廃棄済みの個人情報ファイルは共有できません。", "A disposed dataset cannot be shared.")
    wanted = sorted(set(records)) if records is not None else None
    if wanted is not None:
        if not wanted:
            raise UserError("共有する記録を指定してください。", "Name the records to share.")
        known = set(dataset.records.filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [pk for pk in wanted if pk not in known]
        if unknown:
            raise UserError(f"この個人情報ファイルにない記録番号です: {unknown[0]}",
                            f"No such record in the dataset: {unknown[0]}")
    above = grant(dataset, party.upstream_id)
    if above is None:
        raise UserError("共有元がこの個人情報ファイルを取り扱えません。",
                        "The sharing party may not handle this dataset itself.")
    outside = [f.name for f in fields if not above.allows_field(f.name)]
    if outside or (wanted is not None and not all(above.allows_record(pk) for pk in wanted)) or (
        wanted is None and above.records is not None
    ):
        raise UserError("共有元に共有された範囲を超えて共有できません。",
                        "A party cannot share more than was shared with it.")
    with transaction.atomic():
        Share.objects.filter(dataset=dataset, party=party, withdrawn_at=None).update(withdrawn_at=timezone.now())
        created = Share.objects.create(dataset=dataset, party=party, records=wanted, shared_by=by)
        created.fields.set(fields)
        record("vault.shared", chain=dataset.contract.ledger_chain, actor=by, articles=_articles(dataset),
               facts={"share": created.pk, "dataset": dataset.pk, "party": party.pk,
                      "organisation": party.organisation_id, "fields": sorted(f.name for f in fields),
                      "records": len(wanted) if wanted is not None else "all"})
        return created


def withdraw(by: Any, share_obj: Share) -> Share:
    """End a share at once; the parties below lose what it carried."""
    with transaction.atomic():
        current = Share.objects.select_for_update().get(pk=share_obj.pk)
        if current.withdrawn_at is not None:
            raise UserError("この共有は既に終了しています。", "This share has already been withdrawn.")
        current.withdrawn_at = timezone.now()
        current.save(update_fields=["withdrawn_at"])
        record("vault.share_withdrawn", chain=current.dataset.contract.ledger_chain, actor=by,
               articles=_articles(current.dataset),
               facts={"share": current.pk, "dataset": current.dataset_id, "party": current.party_id})
        return current

"""Access for a purpose (article 9): every search, view and change asks the eligibility gate, names one of
the dataset's purposes, stays within the person's daily limits, and is a ledger event without values.

A subcontractor's people (article 8) then get only what was shared with their organisation, asked of
`sharing.grant` on every call (so a revoked approval or a withdrawn share ends access at once): searches
and views within the shared fields and records, no change of the data, which stays the contractor's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from itaku.contracts import chain
from itaku.contracts.access import is_subcontractor
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.people import eligibility
from itaku.vault import sharing
from itaku.vault.models import DailyUse, Dataset, Field, IndexEntry, Purpose, PurposeNotice, Record
from itaku.vault.sealing import postings, read_postings
from itaku.vault.services import collected_with, layout, matching, open_keys, read_record
from itaku.vault.values import problem


class AccessRefused(UserError):
    """The gate said no; `reasons` carries every article and message."""

    def __init__(self, message_ja: str, message_en: str, reasons: tuple[eligibility.Reason, ...] = ()) -> None:
        super().__init__(message_ja, message_en)
        self.reasons = reasons


@dataclass(frozen=True)
class Found:
    record: int
    values: dict[str, str]


def _articles(dataset: Dataset, *topics: str) -> list[int]:
    return sorted({n for topic in topics for n in dataset.contract.articles_for(topic)})


def handles_data(person: Any, contract: Any) -> bool:
    """The people of the contract's chain (the contractor and its subcontractors) reach the data pages; what a
    subcontractor's people may do is decided per dataset by its share. The authority's staff see
    declarations, requests and controls, never the content (the return package is its one way to receive it)."""
    return chain.is_party(contract, person.organisation_id)


def datasets_for(person: Any, contract: Any) -> QuerySet[Dataset]:
    """The contract's datasets the person may learn of: every one, except for a subcontractor's people, who
    know only those ever shared with their organisation (a share withdrawn since still names the dataset)."""
    found = Dataset.objects.filter(contract=contract)
    if not is_subcontractor(person, contract):
        return found
    return found.filter(pk__in=Dataset.objects.filter(
        contract=contract, shares__party__contract=contract, shares__party__organisation_id=person.organisation_id,
    ).values("pk"))


def dataset_of(contract: Any, pk: int, *, person: Any) -> Dataset:
    """A dataset of this contract the person may learn of, or 404: another contract's id, or one never shared
    with the person's subcontractor, is simply not found."""
    found = datasets_for(person, contract).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def admit(person: Any, dataset: Dataset, client_address: str, purpose: Purpose | None = None) -> None:
    """The eligibility gate for any handling of the dataset (imports too); a refusal is recorded and raised.

    The dataset's state and keys are read again first: an object loaded before a disposal committed still
    holds the destroyed keys, and must not open a record with them.
    """
    with connection.cursor() as cursor:  # as refresh_from_db(), without the ORM's cost on every search
        cursor.execute("SELECT status, wrapped_data_key, wrapped_index_key FROM vault_dataset WHERE id = %s",
                       [dataset.pk])
        dataset.status, dataset.wrapped_data_key, dataset.wrapped_index_key = cursor.fetchone()
    if dataset.is_disposed:
        raise AccessRefused("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")
    decision = eligibility.check(person, dataset.contract, client_address,
                                 purpose_id=purpose.pk if purpose else None)
    if not decision.allowed:
        first = decision.reasons[0]
        raise AccessRefused(first.message_ja, first.message_en, decision.reasons)


def _admit(person: Any, dataset: Dataset, purpose: Purpose | None, client_address: str) -> None:
    """The gate and the purpose; a refusal is recorded (by the gate or here) and raised."""
    admit(person, dataset, client_address, purpose)
    if purpose is None or purpose.dataset_id != dataset.pk:
        with transaction.atomic():
            record("data.refused", chain=dataset.contract.ledger_chain, actor=person,
                   articles=_articles(dataset, "use_outside_purpose"),
                   facts={"person": person.pk, "dataset": dataset.pk, "reason": "no_purpose"})
        raise AccessRefused("この個人情報ファイルの利用目的を選んでください。", "Choose one of the dataset's purposes.")


@contextlib.contextmanager
def _counted(person: Any, dataset: Dataset, use: str) -> Iterator[None]:
    """A transaction in which one use (a search, or a record viewed or changed) is counted against the
    person's limit for the day, and the work and its ledger event are done. Past the limit the body does
    not run: the refusal (and, the first time that day, a suspected incident) is recorded and raised."""
    with transaction.atomic():
        if _count(person, dataset, use):
            yield
            return
    raise _over_limit(person, dataset, use)


def _limit(dataset: Dataset, use: str) -> int:
    return dataset.daily_view_limit if use == "views" else dataset.daily_search_limit


def _count(person: Any, dataset: Dataset, use: str) -> bool:
    """Count one use if the day's limit allows it. The usual case is one UPDATE (the row of the day exists
    and is under the limit); the first use of the day creates the row."""
    limit = _limit(dataset, use)
    day = timezone.localdate()
    column = {"views": "views", "searches": "searches"}[use]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE vault_dailyuse SET {column} = {column} + 1"  # noqa: S608 (a fixed column name)
                       f" WHERE dataset_id = %s AND person_id = %s AND day = %s AND {column} < %s",
                       [dataset.pk, person.pk, day, limit])
        if cursor.rowcount == 1:
            return True
    today, _ = DailyUse.objects.select_for_update().get_or_create(dataset=dataset, person=person, day=day)
    if getattr(today, use) >= limit:
        return False
    DailyUse.objects.filter(pk=today.pk).update(**{use: F(use) + 1})
    return True


def _over_limit(person: Any, dataset: Dataset, use: str) -> AccessRefused:
    """Record that the day's limit refused a use, and at its first time that day raise the suspected
    incident for the responsible person and the authority (article 18); returns the error to raise."""
    limit = _limit(dataset, use)
    with transaction.atomic():
        today = DailyUse.objects.select_for_update().get(dataset=dataset, person=person, day=timezone.localdate())
        record("data.limit_exceeded", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "use_outside_purpose", "incident"),
               facts={"person": person.pk, "dataset": dataset.pk, "limit": use, "allowed": limit})
        if not today.limit_reported:
            from itaku.incidents import services as incidents  # the incident lands in article 18's register
            from itaku.incidents.models import Incident

            what = ("閲覧", "views") if use == "views" else ("検索", "searches")
            incidents.raise_incident(
                person, dataset.contract, kind=Incident.Kind.SUSPECTED, source=Incident.Source.VAULT,
                summary=f"個人情報ファイル「{dataset.name}」で1日の{what[0]}上限を超えました（利用者 #{person.pk}）。"
                        f" Daily {what[1]} limit exceeded on dataset {dataset.name} (user #{person.pk}).",
                facts={"person": person.pk, "dataset": dataset.pk, "cause": f"daily {use} limit exceeded"})
            DailyUse.objects.filter(pk=today.pk).update(limit_reported=True)
    return AccessRefused(
        "1日の利用上限を超えました。事故のおそれとして責任者と委託者に通知されます。",
        "The daily limit is reached; this is reported to the responsible person and the authority "
        "as a suspected incident.",
    )


def _refuse(person: Any, dataset: Dataset, reason: str, message_ja: str, message_en: str,
            **facts: Any) -> AccessRefused:
    """Record a refusal of the share's limits (article 8) and return the error to raise."""
    with transaction.atomic():
        record("data.refused", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "subcontracting", "use_outside_purpose"),
               facts={"person": person.pk, "dataset": dataset.pk, "reason": reason, **facts})
    return AccessRefused(message_ja, message_en)


def _granted(person: Any, dataset: Dataset) -> sharing.Grant:
    """What the person's organisation may handle of the dataset now (asked on every call); nothing: refused."""
    allowed = sharing.grant(dataset, person.organisation_id)
    if allowed is None:
        raise _refuse(person, dataset, "not_shared", "この個人情報ファイルは貴社に共有されていません（第8）。",
                      "This dataset is not shared with your organisation (article 8).")
    return allowed


def require_contractor(person: Any, dataset: Dataset) -> None:
    """Changes of the data (records added or corrected here; imports are refused by their page) are the
    contractor's: a share lets a subcontractor search and view, never change; the refusal is recorded."""
    if sharing.grant(dataset, person.organisation_id) != sharing.EVERYTHING:
        raise _refuse(person, dataset, "contractor_only",
                      "個人情報ファイルの記録の取込み・追加・訂正は受託者だけが行えます（第8）。",
                      "Only the contractor's people import, add or correct records (article 8).")


def _lookup(dataset: Dataset, field: Field, query: str,
            allowed: sharing.Grant = sharing.EVERYTHING) -> tuple[int, list[Found]]:
    """The search itself, for an admitted person (`services.matching`): only records of the grant are
    candidates and a match holds only the granted fields. Returns the number of candidates and the matches,
    in record order."""
    count, matches = matching(dataset, field, query, among=allowed.records)
    names = [name for _, name in layout(dataset)]
    shown = names if allowed.fields is None else [name for name in names if allowed.allows_field(name)]
    found = []
    for pk, values in matches:
        row = dict(zip(names, values, strict=True))
        found.append(Found(pk, row if allowed.fields is None else {name: row[name] for name in shown}))
    return count, found


def search(person: Any, dataset: Dataset, purpose: Purpose | None, client_address: str, field: Field,
           query: str) -> list[Found]:
    """Exact-match search on a blind-indexed field: candidates by index, decrypted and compared; for a
    subcontractor's people only on a shared field, among the shared records, showing the shared fields."""
    if field.dataset_id != dataset.pk or not field.searchable:
        raise UserError("検索できる項目ではありません。", "That field is not searchable.")
    _admit(person, dataset, purpose, client_address)
    allowed = _granted(person, dataset)
    if not allowed.allows_field(field.name):
        raise _refuse(person, dataset, "field_not_shared", "この項目は貴社に共有されていません（第8）。",
                      "This field is not shared with your organisation (article 8).", field=field.name)
    with _counted(person, dataset, "searches"):
        candidates, found = _lookup(dataset, field, query, allowed)
        record("data.searched", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "use_outside_purpose"),
               facts={"person": person.pk, "purpose": purpose.pk, "dataset": dataset.pk, "field": field.name,
                      "candidates": candidates, "matches": len(found)})
    return found


def view(person: Any, dataset: Dataset, purpose: Purpose | None, client_address: str, record_id: int) -> Found:
    """One record, decrypted for a purpose; a missing or foreign record, or one outside the share of a
    subcontractor's people, is simply not found; they see the shared fields only."""
    _admit(person, dataset, purpose, client_address)
    allowed = _granted(person, dataset)
    with _counted(person, dataset, "views"):  # a record not found is not counted (the transaction rolls back)
        record_obj = (Record.objects.filter(pk=record_id, dataset=dataset).first()
                      if allowed.allows_record(record_id) else None)
        if record_obj is None:
            raise UserError("記録が見つかりません。", "No such record.")
        values = {name: value for name, value in read_record(dataset, record_obj).items()
                  if allowed.allows_field(name)}
        record("data.viewed", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "use_outside_purpose"),
               facts={"person": person.pk, "purpose": purpose.pk, "dataset": dataset.pk, "records": [record_obj.pk],
                      "fields": list(values)})
    return Found(record_obj.pk, values)


def _checked(dataset: Dataset, values: dict[str, str]) -> list[str]:
    """The values in field order, refused when a name is not declared or a value does not fit its field."""
    fields = list(dataset.fields.order_by("position"))
    undeclared = set(values) - {f.name for f in fields}
    if undeclared:
        raise UserError("宣言されていない項目があります（第6）。", "A field that is not declared (article 6).")
    problems = []
    for f in fields:
        reason = problem(f.kind, values.get(f.name, ""), required=f.required, max_length=f.max_length)
        if reason:
            problems.append((f.name, reason))
    if problems:
        ja = "; ".join(f"「{name}」{reason[0]}" for name, reason in problems)
        en = "; ".join(f"“{name}”: {reason[1]}" for name, reason in problems)
        raise UserError(ja, en)
    return [values.get(f.name, "") for f in fields]


def _seal(dataset: Dataset, record_obj: Record, ordered: list[str], before: list[str] | None = None) -> None:
    """Encrypt the record's values into its row and replace its postings in the blind index (`before`: the
    values it held, whose index entries name it)."""
    cipher, index = open_keys(dataset)
    record_obj.ciphertext = cipher.seal_record(ordered, dataset=dataset.pk, record=record_obj.pk,
                                               version=record_obj.sealed_version)
    record_obj.save(update_fields=["ciphertext", "revision"])
    fields = list(dataset.fields.order_by("position"))
    for f, text in zip(fields, before or [], strict=False):
        if f.searchable and (found := index.keyed(text, field=f.pk)) is not None:
            _unpost(dataset, f, found[0], record_obj.pk)
    keyed = [(f, found) for f, text in zip(fields, ordered, strict=True)
             if f.searchable and (found := index.keyed(text, field=f.pk)) is not None]
    tags = index.tags([probe for _, (_, probe) in keyed], [record_obj.pk] * len(keyed))
    IndexEntry.objects.bulk_create([
        IndexEntry(dataset=dataset, field=f, value=value, postings=postings([record_obj.pk], [tag]))
        for (f, (value, _)), tag in zip(keyed, tags, strict=True)
    ])


def _unpost(dataset: Dataset, field: Field, value: int, record_pk: int) -> None:
    """The record taken out of the index entries of one value (the entry deleted once it names no record)."""
    for entry in IndexEntry.objects.filter(dataset=dataset, field=field, value=value):
        pairs = read_postings(bytes(entry.postings))
        kept = [(pk, tag) for pk, tag in pairs if pk != record_pk]
        if len(kept) == len(pairs):
            continue
        if kept:
            IndexEntry.objects.filter(pk=entry.pk).update(postings=postings([pk for pk, _ in kept],
                                                                            [tag for _, tag in kept]))
        else:
            IndexEntry.objects.filter(pk=entry.pk).delete()


def _locked(dataset: Dataset) -> Dataset:
    """The dataset's row locked for the rest of the transaction, refused if disposed of meanwhile.

    A disposal locks the same row before it counts the records and destroys the keys, so a change either
    commits before it (and is counted and erased with the rest) or waits and is refused here: the caller's
    object may predate the disposal and still hold the wrapped keys, which must not be used.
    """
    locked = Dataset.objects.select_for_update(of=("self",)).select_related("contract").get(pk=dataset.pk)
    if locked.is_disposed or locked.wrapped_data_key is None or locked.wrapped_index_key is None:
        raise AccessRefused("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")
    return locked


def add_record(person: Any, dataset: Dataset, purpose: Purpose | None, client_address: str,
               values: dict[str, str], *, notice: PurposeNotice | None = None, channel: str = "") -> int:
    """A new record entered by hand, for a purpose; returns its id. Collected data names the purpose notice
    the person was shown and how the data came (article 7, `services.collected_with`), as an import does."""
    _admit(person, dataset, purpose, client_address)
    require_contractor(person, dataset)
    notice, channel = collected_with(dataset, notice, channel)
    ordered = _checked(dataset, values)
    with _counted(person, dataset, "views"):  # each record touched counts against the day's limit
        dataset = _locked(dataset)
        record_obj = Record.objects.create(dataset=dataset, ciphertext=b"", schema_version=dataset.schema_version,
                                           notice=notice, channel=channel)
        _seal(dataset, record_obj, ordered)
        record("data.added", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "collection", "use_outside_purpose"),
               facts={"person": person.pk, "purpose": purpose.pk, "dataset": dataset.pk, "records": [record_obj.pk],
                      "fields": [name for name, value in values.items() if value],
                      **({"notice": notice.pk, "channel": channel} if notice else {})})
        return record_obj.pk


def correct_record(person: Any, dataset: Dataset, purpose: Purpose | None, client_address: str, record_id: int,
                   values: dict[str, str]) -> list[str]:
    """Correct a record; the old ciphertext no longer decrypts once replaced. Returns the changed field names."""
    _admit(person, dataset, purpose, client_address)
    require_contractor(person, dataset)
    ordered = _checked(dataset, values)
    with _counted(person, dataset, "views"):  # the record is opened, changed or not
        dataset = _locked(dataset)
        record_obj = Record.objects.select_for_update().filter(pk=record_id, dataset=dataset).first()
        if record_obj is None:
            raise UserError("記録が見つかりません。", "No such record.")
        before = read_record(dataset, record_obj)
        names = list(before)
        changed = [name for name, old, new in zip(names, before.values(), ordered, strict=True) if old != new]
        if not changed:
            return []
        record_obj.revision += 1
        _seal(dataset, record_obj, ordered, list(before.values()))
        record("data.corrected", chain=dataset.contract.ledger_chain, actor=person,
               articles=_articles(dataset, "use_outside_purpose", "custody"),
               facts={"person": person.pk, "purpose": purpose.pk, "dataset": dataset.pk, "records": [record_obj.pk],
                      "fields": changed, "revision": record_obj.revision})
        return changed

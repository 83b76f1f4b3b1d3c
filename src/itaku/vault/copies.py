"""Copies (複写・複製, article 10): the one way data leaves the vault as a file before the return.

The responsible person requests a copy (purpose, dataset, fields, all records or those equal to one value of a
searchable field, medium, holder, place of keeping, destroy-by date) and submits it through the submissions
mechanism; the supervisor approves or rejects it. Only an approved request, unchanged since, produces the copy,
once, to its holder, through the eligibility gate and from the place of keeping; the file carries its copy
number and is a `data.copied` ledger event (ids, counts, field names, its SHA-256; never values). The register
lists every copy until its destruction is confirmed with method, date and time, place and person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from itaku.contracts.access import roles
from itaku.contracts.models import CONTRACTOR_ROLES, Contract, Role
from itaku.ledger.models import Event
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.lib.states import Labelled
from itaku.people import eligibility
from itaku.places import services as places
from itaku.places.models import WorkLocation
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error
from itaku.vault import exports
from itaku.vault.access import AccessRefused
from itaku.vault.models import Copy, CopyRequest, Dataset, Field, Purpose
from itaku.vault.services import open_keys

KIND = "vault.copy"
TOPIC = "copy"
DUE_SOON_DAYS = 7
FILTER_RECORD = 0  # no record has id 0: a filter's ciphertext can never pass for a record's
CHANGEABLE = frozenset({"purpose", "fields", "where", "medium", "holder", "place", "destroy_by"})


class CopyError(UserError):
    """A copy step that the rules or the request's state do not allow."""


class Status(Labelled):
    """Where a request stands (computed from its submissions and its copy, never stored)."""

    UNSUBMITTED = "unsubmitted", "未申請", "Not submitted"
    SUBMITTED = "submitted", "申請中・承認待ち", "Submitted, awaiting approval"
    APPROVED = "approved", "承認済み・未作成", "Approved, not yet produced"
    REJECTED = "rejected", "不承認", "Rejected"
    CHANGED = "changed", "承認後に変更あり・再申請が必要", "Changed since approval — submit again"
    HELD = "held", "保有中", "Held"
    DESTROYED = "destroyed", "廃棄済み", "Destroyed"


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _require_role(by: Any, contract: Contract, role: str, ja: str, en: str) -> None:
    """The role on the contract; a contractor-side step is the contractor's own, never a subcontractor's
    (a share lets a subcontractor search and view, nothing leaves through it)."""
    if role not in roles(by, contract) or (role in CONTRACTOR_ROLES and by.organisation_id != contract.contractor_id):
        raise CopyError(ja, en)


def _require_responsible(by: Any, contract: Contract) -> None:
    _require_role(by, contract, Role.RESPONSIBLE, "複写の申請は受託者の責任者が行います。",
                  "Copies are requested by the contractor's responsible person.")


def _fields(dataset: Dataset, fields: Sequence[Field]) -> list[Field]:
    chosen = {f.pk for f in fields}
    found = list(Field.objects.filter(dataset=dataset, pk__in=chosen).order_by("position"))
    if not chosen or len(found) != len(chosen):
        raise CopyError("複写する項目を、この個人情報ファイルの項目から一つ以上選んでください。",
                        "Choose one or more of the dataset's fields to copy.")
    return found


def _seal_filter(request: CopyRequest, where: tuple[Field, str] | None) -> None:
    """Encrypt the filter's value under the dataset's key, bound to this request (dataset, number, field)."""
    if where is None:
        request.filter_field, request.filter_ciphertext = None, None
        return
    field, value = where
    if not value.strip():
        raise CopyError("絞り込む値を入力してください。", "Enter the value to choose records by.")
    cipher, _ = open_keys(request.dataset)
    request.filter_field = field
    request.filter_ciphertext = cipher.encrypt(value, dataset=request.dataset_id, record=FILTER_RECORD,
                                               field=field.pk, version=request.number)


def filter_value(request: CopyRequest) -> str | None:
    """The value records are chosen by, for the request's page and the production; None for all records."""
    if request.filter_field_id is None:
        return None
    cipher, _ = open_keys(request.dataset)
    return cipher.decrypt(bytes(request.filter_ciphertext), dataset=request.dataset_id, record=FILTER_RECORD,
                          field=request.filter_field_id, version=request.number)


def _validated(request: CopyRequest) -> None:
    """The model's invariants, and what depends on the day and on other records."""
    if not request.medium.strip():
        raise CopyError("媒体を入力してください（例: USB暗号化メモリ、紙）。",
                        "Enter the medium (e.g. encrypted USB memory, paper).")
    if request.destroy_by <= timezone.localdate():
        raise CopyError("廃棄期限は明日以降の日付にしてください。", "The destroy-by date must be after today.")
    if request.destroy_by > request.contract.end:
        end = request.contract.end
        raise CopyError(f"廃棄期限は契約期間の終わり（{end:%Y-%m-%d}）までにしてください。",
                        f"The destroy-by date must be within the contract period (until {end:%Y-%m-%d}).")
    try:
        request.full_clean(exclude=["fields"])
    except ValidationError as exc:
        error = user_error(exc, "複写の申請に誤りがあります", "The copy request is not valid", CopyRequest)
        raise CopyError(error.message_ja, error.message_en) from None
    contract = request.contract
    if not set(roles(request.holder, contract)) & CONTRACTOR_ROLES:
        raise CopyError("保有者は、この契約の責任者または業務従事者にしてください。",
                        "The holder must be the responsible person or a worker of this contract.")
    if request.place not in places.acknowledged_locations(contract, contract.contractor):
        raise CopyError("保管場所は、委託者が確認した作業場所にしてください。",
                        "The place of keeping must be a work location acknowledged by the authority.")


def request_copy(
    by: Any, dataset: Dataset, *, purpose: Purpose, fields: Sequence[Field], medium: str, holder: Any,
    place: WorkLocation, destroy_by: dt.date, where: tuple[Field, str] | None = None,
) -> CopyRequest:
    """Record a copy request and submit it to the authority (kind "vault.copy"), in one transaction.

    `where` = (searchable field, value) chooses the records equal to the value by the blind-index rule; None
    copies every record.
    """
    contract = dataset.contract
    _require_responsible(by, contract)
    if contract.status != Contract.Status.ACTIVE:
        raise CopyError("有効な契約でだけ複写を申請できます。",
                        "Copies can be requested only under an active contract.")
    if dataset.is_disposed:
        raise CopyError("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")
    chosen = _fields(dataset, fields)
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=contract.pk)  # numbers are taken one at a time
        number = (CopyRequest.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
        request = CopyRequest(contract=contract, number=number, dataset=dataset, purpose=purpose,
                              medium=medium.strip(), holder=holder, place=place, destroy_by=destroy_by,
                              requested_by=by)
        _seal_filter(request, where)
        _validated(request)
        request.save()
        request.fields.set(chosen)
        record("vault.copy_requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"request": request.pk, "number": request.code, "dataset": dataset.pk,
                      "purpose": purpose.pk, "fields": [f.name for f in chosen],
                      "filter_field": where[0].name if where else None, "holder": holder.pk, "place": place.pk,
                      "destroy_by": destroy_by.isoformat()})
        submissions.submit(request, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))
    return request


def change_request(by: Any, request: CopyRequest, **changes: Any) -> CopyRequest:
    """Change a request not yet produced (keys: purpose, fields, where, medium, holder, place, destroy_by).

    Refused while it awaits the authority's decision; after an approval the change voids it until the request
    is submitted and approved again (`submissions.accepted` no longer returns the approval).
    """
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not items of a copy request: {sorted(unknown)}")
    with transaction.atomic():
        request = CopyRequest.objects.select_for_update().select_related("contract", "dataset").get(pk=request.pk)
        contract = request.contract
        _require_responsible(by, contract)
        if Copy.objects.filter(request=request).exists():
            raise CopyError("作成済みの複写の申請は変更できません。",
                            "A request whose copy was produced cannot change.")
        pending = submissions.latest(request, KIND)
        if pending is not None and pending.is_open:
            raise CopyError("申請が承認待ちのため変更できません。監督職員の判断を待ってください。",
                            "The request awaits the authority's decision; wait for it before changing it.")
        before = request.snapshot()
        chosen = _fields(request.dataset, changes["fields"]) if "fields" in changes else None
        for name in ("purpose", "holder", "place", "destroy_by"):
            if name in changes:
                setattr(request, name, changes[name])
        if "medium" in changes:
            request.medium = changes["medium"].strip()
        if "where" in changes and changes["where"] != _current_where(request):
            _seal_filter(request, changes["where"])
        _validated(request)
        request.save()
        if chosen is not None:
            request.fields.set(chosen)
        after = request.snapshot()
        changed = sorted(key for key in after if after[key] != before[key])
        if changed:
            record("vault.copy_changed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
                   facts={"request": request.pk, "number": request.code, "changed": changed})
        return request


def _current_where(request: CopyRequest) -> tuple[Field, str] | None:
    value = filter_value(request)
    return None if value is None else (request.filter_field, value)


def submit_request(by: Any, request: CopyRequest) -> Submission:
    """Submit a request again, after a rejection or a change."""
    with transaction.atomic():
        request = CopyRequest.objects.select_for_update().select_related("contract").get(pk=request.pk)
        contract = request.contract
        _require_responsible(by, contract)
        if Copy.objects.filter(request=request).exists():
            raise CopyError("この申請の複写は作成済みです。", "This request's copy has been produced.")
        if submissions.accepted(request, KIND) is not None:
            raise CopyError("この申請は承認済みで、その後変更されていません。",
                            "This request is approved and has not changed since.")
        _validated(request)
        return submissions.submit(request, kind=KIND, by=by, chain=contract.ledger_chain,
                                  articles=_articles(contract))


def decide_request(by: Any, request: CopyRequest, *, approve: bool, comment: str = "") -> Submission:
    """The supervisor approves the request, or rejects it with the reason."""
    contract = request.contract
    _require_role(by, contract, Role.SUPERVISOR, "複写の承認・不承認は監督職員が行います。",
                  "Only a supervisor of the authority approves or rejects copies.")
    pending = submissions.latest(request, KIND)
    if pending is None or not pending.is_open:
        raise CopyError("判断待ちの申請がありません。", "There is no request awaiting a decision.")
    decision = Submission.Status.APPROVED if approve else Submission.Status.REJECTED
    return submissions.decide(pending, request, by=by, status=decision, comment=comment)


def status(request: CopyRequest) -> Status:
    """The request's state for lists and pages."""
    copy = Copy.objects.filter(request=request).first()
    if copy is not None:
        return Status.DESTROYED if copy.is_destroyed else Status.HELD
    latest = submissions.latest(request, KIND)
    if latest is None:
        return Status.UNSUBMITTED
    if latest.is_open:
        return Status.SUBMITTED
    if latest.is_accepted:
        return Status.APPROVED if latest.matches(request) else Status.CHANGED
    return Status.REJECTED


def _producible(by: Any, request: CopyRequest) -> None:
    if by.pk != request.holder_id:
        raise CopyError("複写物を受け取れるのは、申請で定めた保有者だけです。",
                        "Only the holder named in the request can receive the copy.")
    if Copy.objects.filter(request=request).exists():
        raise CopyError("この申請の複写は作成済みです。複写は一度だけ作成できます。",
                        "This request's copy has already been produced; a copy is produced once.")
    if submissions.accepted(request, KIND) is None:
        current = status(request)
        if current is Status.CHANGED:
            raise CopyError("承認後に申請が変更されたため、承認は無効です。再申請して承認を受けてください。",
                            "The request changed after its approval, which is void; submit it again for approval.")
        raise CopyError(f"承認された申請からだけ複写を作成できます（現在: {current.label_ja}）。",
                        f"A copy is produced only from an approved request (now: {current.label_en}).")
    if request.destroy_by <= timezone.localdate():
        raise CopyError("廃棄期限を過ぎた申請からは複写を作成できません。",
                        "The request's destroy-by date has come; no copy can be produced from it.")
    if request.dataset.is_disposed:
        raise CopyError("廃棄済みの個人情報ファイルです。", "The dataset has been disposed of.")


def produce_copy(by: Any, request: CopyRequest, *, fmt: exports.Format | str, client_address: str,
                 ) -> exports.ExportFile:
    """The copy itself, once, to the holder, in memory: CSV (UTF-8 with BOM or CP932) or XLSX, stamped with
    its copy number. Asks the eligibility gate (a refusal is recorded there) and requires the client address to
    belong to the request's place of keeping; the file, the `Copy` row and the `data.copied` event are made in
    one transaction, so a refusal midway (a character CP932 lacks) leaves nothing."""
    try:
        fmt = exports.Format(fmt)
    except ValueError:
        raise CopyError("ファイル形式を選んでください。", "Choose a file format.") from None
    request = CopyRequest.objects.select_related("contract", "dataset", "place").get(pk=request.pk)
    contract = request.contract
    _producible(by, request)
    decision = eligibility.check(by, contract, client_address, purpose_id=request.purpose_id)
    if not decision.allowed:
        first = decision.reasons[0]
        raise AccessRefused(first.message_ja, first.message_en, decision.reasons)
    location = places.location_for(contract, client_address, contract.contractor)
    if location is None or location.pk != request.place_id:
        raise CopyError(f"複写は、申請した保管場所（{request.place}）の端末からだけ作成できます。",
                        f"The copy can be produced only from the place of keeping in the request ({request.place}).")
    with transaction.atomic():
        request = CopyRequest.objects.select_for_update().select_related("contract", "dataset").get(pk=request.pk)
        _producible(by, request)
        fields = list(request.fields.order_by("position"))
        where = _current_where(request)
        made = exports.export(fmt, request.code, [f.name for f in fields],
                              exports.dataset_rows(request.dataset, fields, where=where),
                              stamp=f"複写番号: {request.code}")
        if made.records == 0:
            raise CopyError("条件に合う記録がありません。複写は作成されていません。",
                            "No records match; no copy was produced.")
        copy = Copy.objects.create(request=request, produced_by=by, produced_at=timezone.now(), format=fmt.value,
                                   records=made.records, sha256=made.sha256, size=len(made.data))
        record("data.copied", chain=contract.ledger_chain, actor=by,
               articles=sorted({*_articles(contract), *contract.articles_for("use_outside_purpose")}),
               facts={"person": by.pk, "purpose": request.purpose_id, "dataset": request.dataset_id,
                      "copy": copy.pk, "request": request.pk, "number": request.code, "records": made.records,
                      "fields": [f.name for f in fields], "filter_field": where[0].name if where else None,
                      "format": fmt.value, "sha256": made.sha256})
    return made


def confirm_destruction(by: Any, copy: Copy, *, method: str, destroyed_at: dt.datetime, place: WorkLocation,
                        person: Any) -> Copy:
    """Record that a copy was destroyed: method, date and time, place and the person in charge; by the holder
    or the responsible person, also after the contract's end."""
    with transaction.atomic():
        copy = Copy.objects.select_for_update().select_related("request__contract").get(pk=copy.pk)
        request = copy.request
        contract = request.contract
        if by.pk != request.holder_id and Role.RESPONSIBLE not in roles(by, contract):
            raise CopyError("廃棄を記録できるのは保有者か責任者です。",
                            "Only the holder or the responsible person can record the destruction.")
        if copy.is_destroyed:
            raise CopyError("この複写物は廃棄済みとして記録されています。",
                            "This copy is already recorded as destroyed.")
        if method not in Copy.Method.values:
            raise CopyError("廃棄の方法を選んでください。", "Choose the method of destruction.")
        if timezone.is_naive(destroyed_at) or destroyed_at > timezone.now():
            raise CopyError("廃棄した日時を、現在までの日時で入力してください。",
                            "Enter the date and time of the destruction, not later than now.")
        if place.contract_id != contract.pk or place.organisation_id != contract.contractor_id:
            raise CopyError("廃棄した場所は、この契約の受託者の作業場所から選んでください。",
                            "Choose the place of destruction among the contractor's work locations of this contract.")
        if person.organisation_id != contract.contractor_id:
            raise CopyError("廃棄の担当者は受託者の者にしてください。",
                            "The person in charge of the destruction must belong to the contractor.")
        copy.destroyed_at, copy.destruction_method, copy.destroyed_place = destroyed_at, method, place
        copy.destroyed_by, copy.destruction_recorded_by = person, by
        try:
            copy.full_clean()
        except ValidationError as exc:
            error = user_error(exc, "廃棄の記録に誤りがあります", "The record of destruction is not valid", Copy)
            raise CopyError(error.message_ja, error.message_en) from None
        copy.save()
        record("vault.copy_destroyed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"copy": copy.pk, "request": request.pk, "number": request.code, "method": method,
                      "destroyed_at": destroyed_at.isoformat(), "place": place.pk, "person": person.pk,
                      "late": timezone.localtime(destroyed_at).date() > request.destroy_by})
        return copy


@dataclass(frozen=True)
class Entry:
    """One line of the register of copies (複写物管理簿), as plain data for pages and documents."""

    request: int
    number: str
    dataset: str
    fields: list[str]
    filter_field: str | None
    purpose: str
    medium: str
    holder: str
    place: str
    destroy_by: dt.date
    status: Status
    records: int | None = None
    format: exports.Format | None = None
    produced_at: dt.datetime | None = None
    destroyed_at: dt.datetime | None = None
    destruction_method: str = ""
    destroyed_place: str = ""
    destroyed_by: str = ""
    state: State | None = None  # for copies held or destroyed: ok, due soon or violation


def _state(copy: Copy, today: dt.date) -> State:
    due = copy.request.destroy_by
    if copy.is_destroyed:
        return State.VIOLATION if timezone.localtime(copy.destroyed_at).date() > due else State.OK
    if due < today:
        return State.VIOLATION
    return State.DUE_SOON if (due - today).days <= DUE_SOON_DAYS else State.OK


def register(contract: Contract) -> list[Entry]:
    """Every copy request of the contract with its copy: who holds what, since when, where, until when."""
    today = timezone.localdate()
    entries = []
    requests = (CopyRequest.objects.filter(contract=contract)
                .select_related("dataset", "purpose", "holder", "place", "filter_field")
                .prefetch_related("fields").order_by("number"))
    for request in requests:
        copy = (Copy.objects.filter(request=request).select_related("destroyed_place", "destroyed_by").first())
        produced: dict[str, Any] = {}
        if copy is not None:
            produced = {
                "records": copy.records, "format": exports.Format(copy.format),
                "produced_at": copy.produced_at, "destroyed_at": copy.destroyed_at,
                "destruction_method": copy.get_destruction_method_display() if copy.is_destroyed else "",
                "destroyed_place": str(copy.destroyed_place or ""), "destroyed_by": str(copy.destroyed_by or ""),
                "state": _state(copy, today),
            }
        entries.append(Entry(
            request=request.pk, number=request.code, dataset=request.dataset.name,
            fields=[f.name for f in sorted(request.fields.all(), key=lambda f: f.position)],
            filter_field=request.filter_field.name if request.filter_field else None, purpose=request.purpose.title,
            medium=request.medium, holder=str(request.holder), place=str(request.place),
            destroy_by=request.destroy_by, status=status(request), **produced,
        ))
    return entries


def _copied_event(copy: Copy) -> Event | None:
    return Event.objects.filter(chain=copy.request.contract.ledger_chain, kind="data.copied",
                                facts__copy=copy.pk).first()


@control("vault.copies_destroyed", topics=[TOPIC],
         title_ja="複写物の期限内の廃棄", title_en="Copies destroyed by their destroy-by date")
def copies_destroyed(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    copies = list(Copy.objects.filter(request__contract=contract).select_related("request__contract"))
    for copy in copies:
        state, code, due = _state(copy, today), copy.request.code, copy.request.destroy_by
        event = _copied_event(copy)
        evidence = (Evidence.object(copy, code), *((Evidence.event(event),) if event else ()))
        if state is State.VIOLATION and copy.is_destroyed:
            yield Finding(state, f"複写物 {code} は廃棄期限（{due:%Y-%m-%d}）を過ぎてから廃棄されました。",
                          f"Copy {code} was destroyed after its destroy-by date ({due:%Y-%m-%d}).", evidence)
        elif state is State.VIOLATION:
            yield Finding(state, f"複写物 {code} が廃棄期限（{due:%Y-%m-%d}）を過ぎても廃棄されていません。",
                          f"Copy {code} is past its destroy-by date ({due:%Y-%m-%d}) and not destroyed.", evidence)
        elif state is State.DUE_SOON:
            yield Finding(state, f"複写物 {code} の廃棄期限は{due:%Y-%m-%d}です。",
                          f"Copy {code} must be destroyed by {due:%Y-%m-%d}.", evidence)
    if copies and all(_state(c, today) is State.OK for c in copies):
        held = sum(1 for c in copies if not c.is_destroyed)
        yield Finding(State.OK, f"複写物{len(copies)}件のうち保有中{held}件、いずれも廃棄期限内です。",
                      f"{len(copies)} copies, {held} held; all within their destroy-by dates.")

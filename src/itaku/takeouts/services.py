"""Take-outs (article 14): destinations, requests, approval, check-out, check-in and the register.

The authority's supervisor permits or designates destinations and retires them; nothing else may be a
destination. A party of the chain (the contractor, or an approved subcontractor for its own part) requests
a take-out from one of its acknowledged work locations; the party's responsible person approves it through
the submissions mechanism, only while the destination is permitted. The carrier checks it out, and on its
return the party checks it in. A mistyped time out or time back is corrected by the party's responsible person
with a reason; the register keeps the time first recorded. Each step is one transaction with its ledger event
(ids, times and counts only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.access import roles
from itaku.contracts.models import CONTRACTOR_ROLES, Contract, Role
from itaku.ledger.services import record
from itaku.lib.era import era_date
from itaku.lib.errors import UserError
from itaku.lib.states import Labelled
from itaku.places import services as places
from itaku.places.models import WorkLocation
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.takeouts.models import Destination, TakeOut, TimeCorrection
from itaku.validation import user_error
from itaku.vault.models import Copy, Dataset

KIND = "takeouts.takeout"
TOPIC = "take_out"


class TakeOutError(UserError):
    """A take-out step that the rules or the take-out's state do not allow."""


class Status(Labelled):
    """Where a take-out stands (computed from its submissions and times, never stored)."""

    SUBMITTED = "submitted", "申請中・承認待ち", "Submitted, awaiting approval"
    APPROVED = "approved", "承認済み・未持出", "Approved, not yet taken out"
    RETURNED = "returned", "差戻し", "Returned"
    REJECTED = "rejected", "不承認", "Rejected"
    CHANGED = "changed", "承認後に変更あり", "Changed since approval"
    OUT = "out", "持出中", "Out"
    BACK = "back", "返却確認済み", "Back, checked in"


# The register is kept in Japanese whatever the reader's language.
MEDIUM_JA = {
    TakeOut.Medium.PAPER: "紙", TakeOut.Medium.USB: "USBメモリ", TakeOut.Medium.LAPTOP: "ノートパソコン",
    TakeOut.Medium.DISC: "光ディスク", TakeOut.Medium.OTHER: "その他の媒体",
}


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _now(moment: dt.datetime | None) -> dt.datetime:
    return timezone.now() if moment is None else moment


# Destinations -----------------------------------------------------------------------------------------------


def _require_supervisor(by: Any, contract: Contract) -> None:
    if Role.SUPERVISOR not in roles(by, contract):
        raise TakeOutError("持出先の許可・指定は委託者の監督職員が行います。",
                           "Only a supervisor of the authority permits or designates destinations.")


def add_destination(by: Any, contract: Contract, *, name: str, kind: str, address: str = "",
                    conditions: str = "") -> Destination:
    """Permit or designate a destination from now on."""
    _require_supervisor(by, contract)
    if contract.status in (Contract.Status.ENDED, Contract.Status.TERMINATED):
        raise TakeOutError("終了・解除された契約には持出先を追加できません。",
                           "No destination can be added to an ended or terminated contract.")
    with transaction.atomic():
        destination = Destination(contract=contract, name=name.strip(), kind=kind, address=address.strip(),
                                  conditions=conditions.strip(), permitted_from=timezone.now(), added_by=by)
        try:
            destination.full_clean()
        except ValidationError as exc:
            error = user_error(exc, "持出先の内容に誤りがあります", "The destination is not valid", Destination)
            raise TakeOutError(error.message_ja, error.message_en) from None
        destination.save()
        record("takeout.destination_added", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"destination": destination.pk, "kind": kind})
        return destination


def retire_destination(by: Any, destination: Destination) -> Destination:
    """No more take-outs to this destination from now on; past ones stay as they were."""
    with transaction.atomic():
        destination = Destination.objects.select_for_update().select_related("contract").get(pk=destination.pk)
        contract = destination.contract
        _require_supervisor(by, contract)
        if destination.retired_at is not None:
            raise TakeOutError("この持出先は既に取り消されています。", "This destination is already retired.")
        destination.retired_at, destination.retired_by = timezone.now(), by
        destination.save(update_fields=["retired_at", "retired_by"])
        out = TakeOut.objects.filter(destination=destination, checked_out_at__isnull=False,
                                     checked_in_at__isnull=True).count()
        record("takeout.destination_retired", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"destination": destination.pk, "takeouts_out": out})
        return destination


def permitted_destinations(contract: Contract, at: dt.datetime | None = None) -> QuerySet[Destination]:
    """The destinations permitted at `at` (now by default)."""
    moment = _now(at)
    return Destination.objects.filter(contract=contract, permitted_from__lte=moment).filter(
        Q(retired_at__isnull=True) | Q(retired_at__gt=moment))


def _require_permitted(destination: Destination, contract: Contract, at: dt.datetime | None = None) -> None:
    """Asked of the database, not of the caller's possibly stale object."""
    if not permitted_destinations(contract, at).filter(pk=destination.pk).exists():
        raise TakeOutError(
            f"持出先「{destination}」は、委託者が許可又は指定した持出先ではありません。",
            f"The destination “{destination}” is not one the authority permits or designates.")


# Requests ---------------------------------------------------------------------------------------------------


def party_roles(by: Any, contract: Contract, party: Organisation) -> set[str]:
    """The person's contractor-side roles, only within their own party."""
    if by.organisation_id != party.pk:
        return set()
    return set(roles(by, contract)) & CONTRACTOR_ROLES


def may_request(by: Any, contract: Contract) -> bool:
    party = getattr(by, "organisation", None)
    return party is not None and chain.is_party(contract, party.pk) and bool(party_roles(by, contract, party))


def _validated(takeout: TakeOut) -> None:
    contract = takeout.contract
    try:
        takeout.full_clean()
    except ValidationError as exc:
        error = user_error(exc, "持出しの申請に誤りがあります", "The take-out request is not valid", TakeOut)
        raise TakeOutError(error.message_ja, error.message_en) from None
    _require_permitted(takeout.destination, contract)
    if takeout.origin not in places.acknowledged_locations(contract, takeout.party):
        raise TakeOutError("持出元は、自社の作業場所のうち委託者が確認したものを選んでください。",
                           "The origin must be one of the party's work locations acknowledged by the authority.")
    carrier = takeout.carrier
    if carrier.organisation_id != takeout.party_id or not set(roles(carrier, contract)) & CONTRACTOR_ROLES:
        raise TakeOutError("持出者（運搬者）は、自社の責任者又は業務従事者にしてください。",
                           "The carrier must be the party's responsible person or one of its workers.")
    if takeout.dataset is not None and (takeout.dataset.contract_id != contract.pk or takeout.dataset.is_disposed):
        raise TakeOutError("この契約の、廃棄されていない個人情報ファイルを選んでください。",
                           "Choose a dataset of this contract that has not been disposed of.")
    if takeout.copy is not None:
        copy = takeout.copy
        if (copy.request.contract_id != contract.pk or takeout.party_id != contract.contractor_id
                or copy.is_destroyed):
            raise TakeOutError("この契約の受託者が保有中の複写物を選んでください。",
                               "Choose a copy of this contract that the contractor still holds.")
    if takeout.back_by.date() > contract.end:
        end = contract.end
        raise TakeOutError(f"返却予定は契約期間の終わり（{end:%Y-%m-%d}）までにしてください。",
                           f"The expected time back must be within the contract period (until {end:%Y-%m-%d}).")


def request_takeout(
    by: Any, contract: Contract, *, source: str, items: str, medium: str, count: int, origin: WorkLocation,
    destination: Destination, purpose: str, transport: str, out_at: dt.datetime, back_by: dt.datetime,
    carrier: Any, dataset: Dataset | None = None, copy: Copy | None = None,
) -> TakeOut:
    """Record a take-out request of the person's party and submit it for approval, in one transaction."""
    party = getattr(by, "organisation", None)
    if party is None or not chain.is_party(contract, party.pk) or not party_roles(by, contract, party):
        raise TakeOutError("持出しを申請できるのは、受託者又は再委託先の責任者・業務従事者です。",
                           "Take-outs are requested by the responsible person or a worker of a party.")
    if contract.status != Contract.Status.ACTIVE or not chain.is_active(contract, party.pk):
        raise TakeOutError("有効な契約・承認された再委託の下でだけ持出しを申請できます。",
                           "Take-outs can be requested only under an active contract and approval.")
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=contract.pk)  # numbers are taken one at a time
        number = (TakeOut.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
        takeout = TakeOut(
            contract=contract, number=number, party=party, source=source, dataset=dataset, copy=copy,
            items=items.strip(), medium=medium, count=count, origin=origin, destination=destination,
            purpose=purpose.strip(), transport=transport.strip(), out_at=out_at, back_by=back_by, carrier=carrier,
            requested_by=by,
        )
        _validated(takeout)
        takeout.save()
        record("takeout.requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"takeout": takeout.pk, "number": takeout.code, "party": party.pk, "source": source,
                      "dataset": takeout.dataset_id, "copy": takeout.copy_id, "medium": medium, "count": count,
                      "origin": origin.pk, "destination": destination.pk, "carrier": carrier.pk,
                      "out_at": out_at.isoformat(), "back_by": back_by.isoformat()})
        submissions.submit(takeout, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))
    return takeout


def resubmit(by: Any, takeout: TakeOut) -> Submission:
    """Submit a returned request again (it is still checked against the permitted destinations)."""
    with transaction.atomic():
        takeout = TakeOut.objects.select_for_update().select_related("contract", "party").get(pk=takeout.pk)
        if not party_roles(by, takeout.contract, takeout.party):
            raise TakeOutError("再申請できるのは、その持出しの当事者の者です。",
                               "Only the party's own people can submit the take-out again.")
        if takeout.checked_out_at is not None or submissions.accepted(takeout, KIND) is not None:
            raise TakeOutError("この持出しは承認済みです。", "This take-out is already approved.")
        _validated(takeout)
        contract = takeout.contract
        return submissions.submit(takeout, kind=KIND, by=by, chain=contract.ledger_chain,
                                  articles=_articles(contract))


def decide(by: Any, takeout: TakeOut, *, approve: bool, comment: str = "") -> Submission:
    """The party's responsible person approves the take-out (only to a destination permitted now) or returns
    it with the reason; never their own request."""
    contract = takeout.contract
    if Role.RESPONSIBLE not in party_roles(by, contract, takeout.party):
        raise TakeOutError("持出しの承認は、その当事者の責任者が行います。",
                           "Take-outs are approved by the responsible person of the party.")
    pending = submissions.latest(takeout, KIND)
    if pending is None or not pending.is_open:
        raise TakeOutError("判断待ちの申請がありません。", "There is no request awaiting a decision.")
    if pending.submitted_by_id == by.pk:
        raise TakeOutError("自分が申請した持出しは承認できません。別の責任者が判断します。",
                           "Nobody decides a take-out they submitted; another responsible person decides it.")
    if approve:
        _require_permitted(takeout.destination, contract)
    status = Submission.Status.APPROVED if approve else Submission.Status.RETURNED
    return submissions.decide(pending, takeout, by=by, status=status, comment=comment, within_organisation=True)


def status(takeout: TakeOut) -> Status:
    if takeout.checked_in_at is not None:
        return Status.BACK
    if takeout.checked_out_at is not None:
        return Status.OUT
    latest = submissions.latest(takeout, KIND)
    if latest is None or latest.is_open:
        return Status.SUBMITTED
    if latest.is_accepted:
        return Status.APPROVED if latest.matches(takeout) else Status.CHANGED
    return Status.REJECTED if latest.status == Submission.Status.REJECTED else Status.RETURNED


def approval(takeout: TakeOut) -> Submission | None:
    """The approval that holds for the take-out as it stands."""
    return submissions.accepted(takeout, KIND)


def _require_party_person(by: Any, takeout: TakeOut, ja: str, en: str) -> None:
    if not party_roles(by, takeout.contract, takeout.party):
        raise TakeOutError(ja, en)


def _moment(at: dt.datetime | None, ja: str, en: str) -> dt.datetime:
    moment = _now(at)
    if timezone.is_naive(moment) or moment > timezone.now():
        raise TakeOutError(ja, en)
    return moment


def check_out(by: Any, takeout: TakeOut, *, at: dt.datetime | None = None) -> TakeOut:
    """The items leave: only an approved take-out, unchanged since, to a destination permitted now, by the
    carrier or the party's responsible person; `at` is the actual time out (now by default)."""
    moment = _moment(at, "持出日時を、現在までの日時で入力してください。",
                     "Enter the time out, not later than now.")
    with transaction.atomic():
        takeout = TakeOut.objects.select_for_update().select_related("contract", "party", "destination").get(
            pk=takeout.pk)
        contract = takeout.contract
        if by.pk != takeout.carrier_id and Role.RESPONSIBLE not in party_roles(by, contract, takeout.party):
            raise TakeOutError("持出しを記録できるのは、持出者か当事者の責任者です。",
                               "Only the carrier or the party's responsible person records the check-out.")
        if takeout.checked_out_at is not None:
            raise TakeOutError("この持出しは既に持ち出されています。", "This take-out has already been checked out.")
        if approval(takeout) is None:
            current = status(takeout)
            raise TakeOutError(f"承認された持出しだけを持ち出せます（現在: {current.label_ja}）。",
                               f"Only an approved take-out can be checked out (now: {current.label_en}).")
        _require_permitted(takeout.destination, contract)
        takeout.checked_out_at, takeout.checked_out_by = moment, by
        takeout.save(update_fields=["checked_out_at", "checked_out_by"])
        record("takeout.checked_out", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"takeout": takeout.pk, "number": takeout.code, "destination": takeout.destination_id,
                      "at": moment.isoformat(), "count": takeout.count})
        return takeout


def check_in(by: Any, takeout: TakeOut, *, at: dt.datetime | None = None) -> TakeOut:
    """The items are back and checked by a person of the party (who is named in the register)."""
    moment = _moment(at, "返却日時を、現在までの日時で入力してください。",
                     "Enter the time back, not later than now.")
    with transaction.atomic():
        takeout = TakeOut.objects.select_for_update().select_related("contract", "party").get(pk=takeout.pk)
        contract = takeout.contract
        _require_party_person(by, takeout, "返却を確認できるのは、その当事者の責任者・業務従事者です。",
                              "The return is checked by the responsible person or a worker of the party.")
        if takeout.checked_out_at is None:
            raise TakeOutError("持ち出されていない持出しは返却できません。", "The take-out has not been checked out.")
        if takeout.checked_in_at is not None:
            raise TakeOutError("この持出しは既に返却確認済みです。", "This take-out has already been checked in.")
        if moment < takeout.checked_out_at:
            raise TakeOutError("返却日時は持出日時より後にしてください。", "The time back must be after the time out.")
        takeout.checked_in_at, takeout.checked_in_by = moment, by
        takeout.save(update_fields=["checked_in_at", "checked_in_by"])
        record("takeout.checked_in", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"takeout": takeout.pk, "number": takeout.code, "at": moment.isoformat(),
                      "late": moment > takeout.back_by})
        return takeout


def correct_time(by: Any, takeout: TakeOut, *, time: str, at: dt.datetime, reason: str) -> TimeCorrection:
    """The party's responsible person (who approves its take-outs) corrects a mistyped time out or time back,
    giving the reason. The corrected times keep the invariants of the check-out and check-in (not in the
    future, the time out after the approval, the time back after the time out); the time first recorded stays
    in the correction, which the register shows, and the controls judge by the corrected time."""
    reason = reason.strip()
    if not reason:
        raise TakeOutError("訂正の理由を記入してください。", "State the reason for the correction.")
    if len(reason) > TimeCorrection._meta.get_field("reason").max_length:
        raise TakeOutError("訂正の理由は300字以内にしてください。", "Keep the reason within 300 characters.")
    if time not in TimeCorrection.Time.values:
        raise TakeOutError("訂正する日時（持出日時又は返却日時）を選んでください。",
                           "Choose the time to correct (time out or time back).")
    moment = _moment(at, "訂正後の日時を、現在までの日時で入力してください。",
                     "Enter the corrected time, not later than now.")
    with transaction.atomic():
        takeout = TakeOut.objects.select_for_update().select_related("contract", "party").get(pk=takeout.pk)
        contract = takeout.contract
        if Role.RESPONSIBLE not in party_roles(by, contract, takeout.party):
            raise TakeOutError("持出日時・返却日時を訂正できるのは、その当事者の責任者です。",
                               "Only the responsible person of the party corrects the recorded times.")
        out_at, back_at = takeout.checked_out_at, takeout.checked_in_at
        old = out_at if time == TimeCorrection.Time.OUT else back_at
        if old is None:
            raise TakeOutError("記録されていない日時は訂正できません。", "Only a recorded time can be corrected.")
        if moment == old:
            raise TakeOutError("訂正後の日時が記録されている日時と同じです。",
                               "The corrected time is the time already recorded.")
        if time == TimeCorrection.Time.OUT:
            held = approval(takeout)
            if held is None or moment < held.decided_at:
                raise TakeOutError("持出日時は、責任者の承認より後にしてください。",
                                   "The time out must be after the responsible person's approval.")
            if back_at is not None and back_at < moment:
                raise TakeOutError("持出日時は返却日時より前にしてください。",
                                   "The time out must be before the time back.")
            takeout.checked_out_at = moment
        else:
            if moment < out_at:
                raise TakeOutError("返却日時は持出日時より後にしてください。",
                                   "The time back must be after the time out.")
            takeout.checked_in_at = moment
        takeout.save(update_fields=["checked_out_at", "checked_in_at"])
        correction = TimeCorrection.objects.create(takeout=takeout, time=time, old=old, new=moment, reason=reason,
                                                   corrected_by=by, corrected_at=timezone.now())
        # The reason is free text: the ledger binds it by its digest, the register shows it.
        record("takeout.corrected", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"takeout": takeout.pk, "number": takeout.code, "correction": correction.pk, "time": time,
                      "old": old.isoformat(), "new": moment.isoformat(),
                      "reason_sha256": hashlib.sha256(reason.encode()).hexdigest()})
        return correction


# The register (持出管理簿) ----------------------------------------------------------------------------------


# Which time a correction changed, as the register names it.
TIME_JA = {TimeCorrection.Time.OUT: "持出日時", TimeCorrection.Time.BACK: "返却日時"}


@dataclass(frozen=True)
class Correction:
    """A corrected time of a register line: the time first recorded, the corrected one, why and by whom."""

    time: str
    time_ja: str
    old: dt.datetime
    new: dt.datetime
    reason: str
    corrected_by: str
    corrected_at: dt.datetime


@dataclass(frozen=True)
class Entry:
    """One line of the take-out register, as plain data for pages and the XLSX."""

    takeout: int
    number: str
    party: str
    out_at: dt.datetime
    checked_out_at: dt.datetime | None
    carrier: str
    approver: str
    items: str
    medium: str
    medium_ja: str
    count: int
    purpose: str
    origin: str
    destination: str
    transport: str
    back_by: dt.datetime
    checked_in_at: dt.datetime | None
    checked_in_by: str
    status: Status
    corrections: tuple[Correction, ...]

    @property
    def out_corrected(self) -> bool:
        return any(c.time == TimeCorrection.Time.OUT for c in self.corrections)

    @property
    def back_corrected(self) -> bool:
        return any(c.time == TimeCorrection.Time.BACK for c in self.corrections)


def takeouts(contract: Contract, parties: list[Organisation] | None = None) -> QuerySet[TakeOut]:
    found = TakeOut.objects.filter(contract=contract).select_related(
        "contract", "party", "carrier", "origin", "destination", "checked_in_by").prefetch_related(
        "corrections__corrected_by")
    if parties is not None:
        found = found.filter(party__in=parties)
    return found.order_by("number")


def register(contract: Contract, parties: list[Organisation] | None = None) -> list[Entry]:
    """Every take-out of the contract (of `parties` only, if given)."""
    entries = []
    for takeout in takeouts(contract, parties):
        held = approval(takeout)
        entries.append(Entry(
            takeout=takeout.pk, number=takeout.code, party=takeout.party.name, out_at=takeout.out_at,
            checked_out_at=takeout.checked_out_at, carrier=str(takeout.carrier),
            approver=str(held.decided_by) if held else "", items=takeout.items,
            medium=takeout.get_medium_display(), medium_ja=MEDIUM_JA[takeout.medium], count=takeout.count,
            purpose=takeout.purpose,
            origin=str(takeout.origin), destination=str(takeout.destination), transport=takeout.transport,
            back_by=takeout.back_by, checked_in_at=takeout.checked_in_at,
            checked_in_by=str(takeout.checked_in_by or ""), status=status(takeout),
            corrections=tuple(Correction(time=c.time, time_ja=TIME_JA[c.time], old=c.old, new=c.new, reason=c.reason,
                                         corrected_by=str(c.corrected_by), corrected_at=c.corrected_at)
                              for c in takeout.corrections.all()),
        ))
    return entries


HEADERS = ("番号", "当事者", "持出予定日時", "持出日時", "持出者", "承認者", "持出物（品目）", "媒体", "数量", "目的",
           "持出元", "持出先", "運搬方法", "返却予定日時", "返却日時", "確認者", "状態", "日時の訂正")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel holds no time zone: the local time, as the register is kept."""
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


def _correction_text(c: Correction) -> str:
    """持出日時 2026/12/01 10:00→2026/12/01 09:00（理由: …　訂正: 誰 2026/12/02 10:15）, in local time."""
    def at(moment: dt.datetime) -> str:
        return f"{timezone.localtime(moment):%Y/%m/%d %H:%M}"

    return f"{c.time_ja} {at(c.old)}→{at(c.new)}（理由: {c.reason}　訂正: {c.corrected_by} {at(c.corrected_at)}）"


def register_xlsx(contract: Contract, entries: list[Entry]) -> bytes:
    """持出管理簿 as an XLSX workbook with Japanese headers; times in local time."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "持出管理簿"
    sheet.append([f"持出管理簿　{contract.number}　{contract.title}"])
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for e in entries:
        sheet.append([e.number, e.party, _local(e.out_at), _local(e.checked_out_at), e.carrier, e.approver or None,
                      e.items, e.medium_ja, e.count, e.purpose, e.origin, e.destination, e.transport, _local(e.back_by),
                      _local(e.checked_in_at), e.checked_in_by or None, e.status.label_ja,
                      "\n".join(_correction_text(c) for c in e.corrections) or None])
    for row in sheet.iter_rows(min_row=3):
        for index in (2, 3, 13, 14):
            row[index].number_format = "yyyy/mm/dd hh:mm"
    widths = (10, 20, 17, 17, 14, 14, 28, 12, 6, 24, 20, 20, 14, 17, 17, 14, 16, 48)
    for letter, width in zip("ABCDEFGHIJKLMNOPQR", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _when(moment: dt.datetime | None) -> str:
    """令和8年12月2日 15:30 (2026-12-02), or "" for none."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{era_date(local.date())} {local:%H:%M} ({local.date().isoformat()})"


def register_data(contract: Contract, entries: list[Entry], party: Organisation | None = None) -> dict[str, Any]:
    """The plain data of the register's PDF (`takeouts.register`); `party` names the part it covers."""
    destinations = Destination.objects.filter(contract=contract).order_by("permitted_from", "pk")
    return {
        "articles": _articles(contract), "party": party.name if party is not None else "",
        "destinations": [{"name": d.name, "kind": d.get_kind_display(), "permitted_from": _when(d.permitted_from),
                          "retired_at": _when(d.retired_at)} for d in destinations],
        "entries": [{"number": e.number, "party": e.party, "out": _when(e.checked_out_at),
                     "out_corrected": e.out_corrected, "back_corrected": e.back_corrected, "carrier": e.carrier,
                     "approver": e.approver, "items": e.items, "medium": e.medium_ja, "count": e.count,
                     "purpose": e.purpose, "origin": e.origin, "destination": e.destination,
                     "transport": e.transport, "back_by": _when(e.back_by), "back": _when(e.checked_in_at),
                     "checked_by": e.checked_in_by, "status": e.status.label_ja} for e in entries],
        "corrections": [{"number": e.number, "time": c.time_ja, "old": _when(c.old), "new": _when(c.new),
                         "reason": c.reason, "corrected_by": c.corrected_by, "corrected_at": _when(c.corrected_at)}
                        for e in entries for c in e.corrections],
    }

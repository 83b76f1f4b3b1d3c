"""Subcontracting (article 8): every step one function, one transaction, its ledger event.

A request runs through the one submissions mechanism: a request by the contractor goes to the authority
(kind REQUEST); a request for a further level goes first to the requester's own contractor (kind CONSENT,
paragraph 5), whose consent submits it to the authority in the same transaction. The authority's approval
puts the subcontractor into the chain (`contracts.Party`); its revocation, or the end of the period, takes
it and every party below it out of the data path at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from itaku.accounts import services as accounts
from itaku.accounts.models import Organisation, User
from itaku.contracts import chain
from itaku.contracts import services as contracts
from itaku.contracts.models import Contract, Party, Role
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.lib.states import Labelled
from itaku.subcontracting.models import ExtraItem, ReportRequest, Request, RequestedData, Supervision
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error
from itaku.vault import sharing
from itaku.vault.models import Dataset, Field, Share

REQUEST = "subcontracting.request"
CONSENT = "subcontracting.consent"
REPORT = "subcontracting.report"


class SubcontractingError(UserError):
    """A subcontracting step that the rules do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for("subcontracting")


def _require_active(contract: Contract) -> None:
    if contract.status != Contract.Status.ACTIVE:
        raise SubcontractingError("有効な契約でだけ再委託を扱えます。", "Subcontracting needs an active contract.")


def _responsible_of(by: User, contract: Contract, organisation_id: int) -> None:
    """The step belongs to the responsible person of `organisation_id` on this contract."""
    holds = contract.roles.filter(user=by, role=Role.RESPONSIBLE).exists()
    if by.organisation_id != organisation_id or not holds:
        raise SubcontractingError("この操作は当該事業者の責任者だけが行えます。",
                                  "Only the responsible person of that party can do this.")


def _supervisor_of(by: User, contract: Contract) -> None:
    holds = contract.roles.filter(user=by, role=Role.SUPERVISOR).exists()
    if by.organisation_id != contract.authority_id or not holds:
        raise SubcontractingError("この操作は委託者の監督職員だけが行えます。",
                                  "Only the authority's supervisor can do this.")


# ---------------------------------------------------------------- キ: the authority's own items

def add_item(by: User, contract: Contract, label: str) -> ExtraItem:
    """The authority adds an item every request under the contract must answer (キ)."""
    _supervisor_of(by, contract)
    label = label.strip()
    if not label:
        raise SubcontractingError("項目名を入力してください。", "Enter the item.")
    with transaction.atomic():
        if ExtraItem.objects.filter(contract=contract, label=label).exists():
            raise SubcontractingError("同じ項目が既にあります。", "That item exists already.")
        position = ExtraItem.objects.filter(contract=contract).count() + 1
        item = ExtraItem.objects.create(contract=contract, label=label, position=position, created_by=by)
        record("subcontracting.item_added", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"item": item.pk})
        return item


# ---------------------------------------------------------------- status

class Status(Labelled):
    DRAFT = "draft", "作成中", "Draft"
    AWAITING_CONSENT = "awaiting_consent", "受託者の同意待ち", "Awaiting the consent of the party above"
    CONSENT_REFUSED = "consent_refused", "受託者が不同意", "Refused by the party above"
    SUBMITTED = "submitted", "委託者の承認待ち", "Awaiting the authority's approval"
    REJECTED = "rejected", "不承認", "Rejected"
    APPROVED = "approved", "承認", "Approved"
    SUPERSEDED = "superseded", "変更申請により終了", "Replaced by a changed request"
    REVOKED = "revoked", "承認取消し", "Approval revoked"
    ENDED = "ended", "期間終了", "Period ended"

    @property
    def editable(self) -> bool:
        return self in (Status.DRAFT, Status.CONSENT_REFUSED, Status.REJECTED)


def _rounds(request: Request) -> list[Submission]:
    """The request's consent and decision rounds, newest first."""
    return [*submissions.rounds(request, CONSENT), *submissions.rounds(request, REQUEST)]


def status(request: Request, day: dt.date | None = None) -> Status:
    """Where the request stands, computed from its newest round and the chain (never stored)."""
    if request.revoked_at is not None:
        return Status.REVOKED
    if request.superseded_at is not None:
        return Status.SUPERSEDED
    newest = max(_rounds(request), key=lambda r: r.pk, default=None)
    if newest is None:
        return Status.DRAFT
    if newest.kind == CONSENT and newest.is_open:
        return Status.AWAITING_CONSENT
    if newest.kind == CONSENT and newest.status in Submission.REFUSING:
        return Status.CONSENT_REFUSED
    if newest.is_open or newest.kind == CONSENT:
        return Status.SUBMITTED
    if newest.status in Submission.REFUSING:
        return Status.REJECTED
    return Status.ENDED if (day or timezone.localdate()) > request.end else Status.APPROVED


def in_force(request: Request, day: dt.date | None = None) -> bool:
    """Approved, not revoked or replaced, within its period, with every approval above it in force."""
    day = day or timezone.localdate()
    return status(request, day) == Status.APPROVED and request.in_period(day) and (
        request.party is not None and request.party.active_on(day)
    ) and submissions.accepted(request, REQUEST) is not None


def current_request(party: Party) -> Request | None:
    """The approved request that put the party where it is (the newest that was not superseded)."""
    return party.requests.filter(superseded_at=None).order_by("-pk").first()


# ---------------------------------------------------------------- the request

@dataclass(frozen=True)
class Items:
    """Items ア–カ of article 8-1 as a form hands them over; キ is `extra`."""

    work: str
    subcontractor_name: str
    subcontractor_address: str
    subcontractor_representative: str
    subsidiary: bool
    start: dt.date
    end: dt.date
    necessity: str
    safeguards: str
    supervision_method: str
    supervision_months: int
    extra: Mapping[str, str] = field(default_factory=dict)


def _requester(by: User, contract: Contract) -> tuple[Organisation, Party | None]:
    """The party passing work on is the user's own: the contractor, or an active subcontractor."""
    organisation = by.organisation
    if organisation is None or not chain.is_party(contract, organisation.pk):
        raise SubcontractingError("受託者又は再委託先の者だけが再委託を申請できます。",
                                  "Only the contractor or a subcontractor can request subcontracting.")
    _responsible_of(by, contract, organisation.pk)
    row = chain.party_row(contract, organisation.pk)
    if row is not None and not row.active_on(timezone.localdate()):
        raise SubcontractingError("承認が有効でない再委託先はさらに委託できません。",
                                  "A subcontractor whose approval does not hold cannot pass work on.")
    return organisation, row


def _check_data(contract: Contract, requester: Organisation, data: Sequence[tuple[Dataset, Sequence[Field]]]) -> None:
    for dataset, fields in data:
        if dataset.contract_id != contract.pk:
            raise SubcontractingError("この契約の個人情報ファイルではありません。", "A dataset is not this contract's.")
        if not fields:
            raise SubcontractingError(f"「{dataset.name}」の必要な項目を選んでください。",
                                      f"Choose the fields needed of “{dataset.name}”.")
        if any(f.dataset_id != dataset.pk for f in fields):
            raise SubcontractingError("個人情報ファイルにない項目です。", "A field is not one of the dataset's.")
        held = sharing.grant(dataset, requester.pk)
        if held is None or not all(held.allows_field(f.name) for f in fields):
            raise SubcontractingError(f"「{dataset.name}」について、自らが取り扱える範囲を超えて再委託できません。",
                                      f"A party cannot pass on more of “{dataset.name}” than it may handle itself.")


def _extra(contract: Contract, extra: Mapping[str, str]) -> list[dict[str, Any]]:
    """The answers to the authority's items (キ), with each item's wording as it stood when answered."""
    answers = []
    for item in ExtraItem.objects.filter(contract=contract):
        answer = (extra.get(str(item.pk)) or "").strip()
        if not answer:
            raise SubcontractingError(f"委託者が求める事項（キ）に回答してください: {item.label}",
                                      f"Answer the authority's item (キ): {item.label}")
        answers.append({"item": item.pk, "label": item.label, "answer": answer})
    return answers


def save_request(
    by: User, contract: Contract, items: Items, data: Sequence[tuple[Dataset, Sequence[Field]]],
    *, request: Request | None = None, draft_subcontract: UploadedFile | None = None,
) -> Request:
    """Create a request, or change one that is still a draft or was sent back; an approved request is
    never changed (a change of any item is a new request, `change_request`)."""
    _require_active(contract)
    requester, parent = _requester(by, contract)
    if request is not None and (request.contract_id != contract.pk or request.requester_id != requester.pk):
        raise SubcontractingError("自らの申請だけを変更できます。", "Only the party's own request can be changed.")
    if request is not None and not status(request).editable:
        raise SubcontractingError("提出中又は承認済みの申請は変更できません。変更は新たな申請で行います。",
                                  "A submitted or approved request cannot be changed; a change is a new request.")
    _check_data(contract, requester, data)
    answers = _extra(contract, items.extra)
    with transaction.atomic():
        target = request or Request(contract=contract, requester=requester, parent=parent, created_by=by)
        for name in ("work", "subcontractor_name", "subcontractor_address", "subcontractor_representative",
                     "necessity", "safeguards", "supervision_method"):
            setattr(target, name, getattr(items, name).strip())
        target.subsidiary, target.start, target.end = items.subsidiary, items.start, items.end
        target.supervision_months, target.extra = items.supervision_months, answers
        try:
            target.full_clean(exclude=["draft_subcontract", "party", "replaces", "revoked_by", "created_by"])
        except ValidationError as exc:
            error = user_error(exc, "再委託承認申請の内容に誤りがあります", "The subcontracting request is not valid",
                               Request)
            raise SubcontractingError(error.message_ja, error.message_en) from None
        if target.subcontractor_name in (contract.authority.name, contract.contractor.name, requester.name):
            raise SubcontractingError("委託者・受託者・申請者自身を再委託先にはできません。",
                                      "The authority, the contractor or the requester cannot be the subcontractor.")
        target.save()
        if draft_subcontract is not None:
            target.draft_subcontract = submissions.attach(target, draft_subcontract, by=by, chain=contract.ledger_chain,
                                                          articles=_articles(contract))
            target.save(update_fields=["draft_subcontract"])
        target.data.all().delete()
        for dataset, fields in data:
            RequestedData.objects.create(request=target, dataset=dataset).fields.set(fields)
        record("subcontracting.request_saved", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"request": target.pk, "requester": requester.pk, "level": target.level,
                      "subsidiary": target.subsidiary, "datasets": [d.pk for d, _ in data],
                      "has_draft_subcontract": target.draft_subcontract_id is not None})
        return target


def change_request(by: User, request: Request) -> Request:
    """A new draft carrying the items of an approved request, to be changed and submitted as a new request;
    its approval supersedes the old one."""
    _requester(by, request.contract)
    _responsible_of(by, request.contract, request.requester_id)
    if status(request) != Status.APPROVED:
        raise SubcontractingError("承認された申請だけを変更申請できます。", "Only an approved request can be changed.")
    if Request.objects.filter(replaces=request).exists():
        raise SubcontractingError("この申請の変更申請は既にあります。", "A change of this request exists already.")
    with transaction.atomic():
        copy = Request.objects.get(pk=request.pk)
        copy.pk = None
        copy.party, copy.draft_subcontract, copy.replaces, copy.created_by = None, None, request, by
        copy.save()
        for wanted in request.data.all():
            RequestedData.objects.create(request=copy, dataset=wanted.dataset).fields.set(wanted.fields.all())
        record("subcontracting.request_saved", chain=request.contract.ledger_chain, actor=by,
               articles=_articles(request.contract),
               facts={"request": copy.pk, "requester": copy.requester_id, "level": copy.level, "replaces": request.pk})
        return copy


def submit_request(by: User, request: Request) -> Submission:
    """The requester hands the request in: to the authority, or first to its own contractor (paragraph 5)."""
    contract = request.contract
    _require_active(contract)
    _responsible_of(by, contract, request.requester_id)
    if not status(request).editable:
        raise SubcontractingError("この申請は提出できる状態ではありません。", "This request cannot be submitted now.")
    if request.parent_id is not None and not request.parent.active_on(timezone.localdate()):
        raise SubcontractingError("申請者の承認が有効ではありません。", "The requester's own approval does not hold.")
    kind = CONSENT if request.needs_consent else REQUEST
    return submissions.submit(request, kind=kind, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def _decide_round(by: User, request: Request, kind: str, approve: bool, comment: str, missing_ja: str,
                  missing_en: str) -> Submission:
    """Approve or reject the open round of `kind` (the caller holds the transaction)."""
    pending = submissions.latest(request, kind)
    if pending is None or not pending.is_open:
        raise SubcontractingError(missing_ja, missing_en)
    status_ = Submission.Status.APPROVED if approve else Submission.Status.REJECTED
    return submissions.decide(pending, request, by=by, status=status_, comment=comment)


def consent(by: User, request: Request, *, approve: bool, comment: str = "") -> Submission:
    """The requester's own contractor consents to a further level (and so submits it to the authority),
    or refuses it with a reason."""
    contract = request.contract
    _responsible_of(by, contract, request.upstream_id)
    with transaction.atomic():
        decided = _decide_round(by, request, CONSENT, approve, comment,
                                "同意待ちの申請がありません。", "This request is not awaiting consent.")
        if approve:
            submissions.submit(request, kind=REQUEST, by=by, chain=contract.ledger_chain, articles=_articles(contract))
        return decided


def _enter_chain(by: User, request: Request) -> Party:
    """The approved subcontractor's organisation (registered on first approval) takes its place in the chain."""
    contract = request.contract
    organisation = Organisation.objects.filter(name=request.subcontractor_name).first()
    if organisation is None:
        organisation = accounts.add_organisation(
            by, name=request.subcontractor_name, kind=Organisation.Kind.SUBCONTRACTOR,
            address=request.subcontractor_address, representative=request.subcontractor_representative,
        )
    elif organisation.kind == Organisation.Kind.AUTHORITY:
        raise SubcontractingError("公共団体を再委託先にはできません。", "An authority cannot be a subcontractor.")
    party = Party.objects.select_for_update().filter(contract=contract, organisation=organisation).first()
    if party is not None and party.parent_id != request.parent_id:
        raise SubcontractingError("この事業者は既に再委託の連鎖の別の位置にあります。",
                                  "This organisation already holds another place in the chain.")
    if party is not None and request.replaces_id is None and party.revoked_at is None and \
            current_request(party) is not None and status(current_request(party)) == Status.APPROVED:
        raise SubcontractingError("この事業者には承認中の再委託があります。変更申請で行ってください。",
                                  "This subcontractor holds an approval already; change that request instead.")
    if party is None:
        party = Party(contract=contract, organisation=organisation, parent=request.parent)
    party.start, party.end, party.revoked_at = request.start, request.end, None
    try:
        party.full_clean(exclude=["contract", "organisation", "parent"])
    except ValidationError as exc:
        error = user_error(exc, "再委託先を登録できません", "Cannot register the subcontractor", Party)
        raise SubcontractingError(error.message_ja, error.message_en) from None
    party.save()
    record("subcontracting.party_entered", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
           facts={"request": request.pk, "party": party.pk, "organisation": organisation.pk, "level": party.level,
                  "start": request.start.isoformat(), "end": request.end.isoformat()})
    return party


def approved_fields(request: Request) -> dict[int, set[str]]:
    """{dataset id: names of the fields} the request asks for (and, once approved, allows)."""
    return {d.dataset_id: set(d.fields.values_list("name", flat=True)) for d in request.data.all()}


def decide(by: User, request: Request, *, approve: bool, comment: str = "") -> Submission:
    """The authority approves the request as submitted, or rejects it with its reasons."""
    contract = request.contract
    _supervisor_of(by, contract)
    with transaction.atomic():
        decided = _decide_round(by, request, REQUEST, approve, comment,
                                "承認待ちの申請がありません。", "This request is not awaiting a decision.")
        if approve:
            if request.parent_id is not None and not request.parent.active_on(timezone.localdate()):
                raise SubcontractingError("申請者の承認が有効ではありません。",
                                          "The requester's own approval does not hold.")
            party = _enter_chain(by, request)
            request.party = party
            request.save(update_fields=["party"])
            if request.replaces_id is not None:
                Request.objects.filter(pk=request.replaces_id).update(superseded_at=timezone.now())
                _withdraw_outside(by, party, approved_fields(request))
        return decided


def _withdraw_outside(by: User, party: Party, allowed: dict[int, set[str]]) -> None:
    """Shares the new approval no longer covers end with it."""
    for share in Share.objects.filter(party=party, withdrawn_at=None).prefetch_related("fields"):
        names = {f.name for f in share.fields.all()}
        if share.dataset_id not in allowed or not names <= allowed[share.dataset_id]:
            sharing.withdraw(by, share)


def revoke(by: User, request: Request, reason: str) -> Request:
    """The authority revokes an approval: the subcontractor and every party below it lose access at once."""
    contract = request.contract
    _supervisor_of(by, contract)
    if not reason.strip():
        raise SubcontractingError("取消しの理由が必要です。", "A revocation needs a reason.")
    with transaction.atomic():
        current = Request.objects.select_for_update().get(pk=request.pk)
        if status(current) not in (Status.APPROVED, Status.ENDED) or current.party is None:
            raise SubcontractingError("承認中の申請だけを取り消せます。", "Only an approval in force can be revoked.")
        now = timezone.now()
        current.revoked_at, current.revoked_by, current.revocation_reason = now, by, reason.strip()
        current.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        Party.objects.filter(pk=current.party_id).update(revoked_at=now)
        below = [org.pk for org in chain.below(contract, current.party.organisation_id)]
        record("subcontracting.revoked", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"request": current.pk, "party": current.party_id, "organisation": below[0] if below else None,
                      "below": below[1:], "has_reason": True})
        return current


# ---------------------------------------------------------------- people and data of an approved party

def _approved_party(contract: Contract, party: Party) -> Request:
    if party.contract_id != contract.pk:
        raise SubcontractingError("この契約の再委託先ではありません。", "Not a subcontractor of this contract.")
    request = current_request(party)
    if request is None or not in_force(request):
        raise SubcontractingError("承認が有効な再委託先ではありません。", "The subcontractor's approval does not hold.")
    return request


def add_person(by: User, contract: Contract, party: Party, *, username: str, display_name: str,
               password: str | None, role: str) -> User:
    """A login for a person of an approved subcontractor, with their role on the contract: made by the
    party above it (its first responsible person) or by the subcontractor's own responsible person."""
    _approved_party(contract, party)
    if role not in (Role.RESPONSIBLE, Role.WORKER):
        raise SubcontractingError("責任者又は業務従事者を選んでください。", "Choose responsible person or worker.")
    if by.organisation_id == party.organisation_id:
        _responsible_of(by, contract, party.organisation_id)
    else:
        _responsible_of(by, contract, party.upstream_id)
    with transaction.atomic():
        person = accounts.add_user(by, organisation=party.organisation, username=username.strip(),
                                   display_name=display_name.strip(), password=password)
        contracts.assign_role(by, contract, person, role)
        return person


def share(by: User, contract: Contract, party: Party, dataset: Dataset, fields: Iterable[Field],
          records: Iterable[int] | None) -> Share:
    """The party above shares a dataset with an approved subcontractor, within the approved fields."""
    request = _approved_party(contract, party)
    _responsible_of(by, contract, party.upstream_id)
    fields = list(fields)
    approved = approved_fields(request).get(dataset.pk)
    if approved is None:
        raise SubcontractingError("承認された申請にない個人情報ファイルです。",
                                  "The approved request does not include this dataset.")
    outside = [f.name for f in fields if f.name not in approved]
    if outside:
        raise SubcontractingError(f"承認されていない項目は共有できません: {outside[0]}",
                                  f"A field that was not approved cannot be shared: {outside[0]}")
    return sharing.share(by, dataset, party, fields, records)


def withdraw_share(by: User, contract: Contract, share_obj: Share) -> Share:
    if share_obj.party.contract_id != contract.pk:
        raise SubcontractingError("この契約の共有ではありません。", "Not a share of this contract.")
    if by.organisation_id != contract.authority_id:
        _responsible_of(by, contract, share_obj.party.upstream_id)
    else:
        _supervisor_of(by, contract)
    return sharing.withdraw(by, share_obj)


# ---------------------------------------------------------------- supervision and reports (paragraphs 2–4)

def record_supervision(by: User, contract: Contract, party: Party, *, held_on: dt.date, method: str, findings: str,
                       issue_found: bool = False, follow_up: str = "") -> Supervision:
    """The party above records how it supervised the subcontractor, at the frequency it declared in カ."""
    if party.contract_id != contract.pk:
        raise SubcontractingError("この契約の再委託先ではありません。", "Not a subcontractor of this contract.")
    _responsible_of(by, contract, party.upstream_id)
    if method not in Supervision.Method.values:
        raise SubcontractingError("監督の方法を選んでください。", "Choose the method of supervision.")
    if held_on > timezone.localdate():
        raise SubcontractingError("監督の日付が未来です。", "The date of the supervision is in the future.")
    if not findings.strip():
        raise SubcontractingError("監督の結果（所見）を記載してください。", "State the findings.")
    with transaction.atomic():
        done = Supervision.objects.create(party=party, held_on=held_on, method=method, findings=findings.strip(),
                                          issue_found=issue_found, follow_up=follow_up.strip(), recorded_by=by)
        record("subcontracting.supervised", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"supervision": done.pk, "party": party.pk, "organisation": party.organisation_id,
                      "held_on": held_on.isoformat(), "method": method, "issue_found": issue_found})
        return done


def resolve_supervision(by: User, contract: Contract, supervision: Supervision, *, resolved_on: dt.date,
                        follow_up: str) -> Supervision:
    """The follow-up of a supervision's findings is done."""
    party = supervision.party
    if party.contract_id != contract.pk:
        raise SubcontractingError("この契約の再委託先ではありません。", "Not a subcontractor of this contract.")
    _responsible_of(by, contract, party.upstream_id)
    if not supervision.is_open:
        raise SubcontractingError("対応待ちの指摘がありません。", "There is no open finding to close.")
    if not follow_up.strip():
        raise SubcontractingError("対応の内容を記載してください。", "State the follow-up.")
    if resolved_on < supervision.held_on or resolved_on > timezone.localdate():
        raise SubcontractingError("対応完了日が監督日より前か未来です。",
                                  "The day of the follow-up is before the supervision or in the future.")
    with transaction.atomic():
        supervision.resolved_on, supervision.follow_up = resolved_on, follow_up.strip()
        supervision.save(update_fields=["resolved_on", "follow_up"])
        record("subcontracting.supervision_resolved", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract), facts={"supervision": supervision.pk, "party": party.pk,
                                                    "resolved_on": resolved_on.isoformat()})
        return supervision


def next_supervision_due(party: Party) -> dt.date | None:
    """The last day by which the party above must supervise again: the declared frequency counted from the
    last supervision, or from the start of the approval before the first; None when no approval is known."""
    request = current_request(party)
    if request is None:
        return None
    last = party.supervisions.order_by("-held_on").values_list("held_on", flat=True).first()
    since = max(last, request.start) if last else request.start
    return _add_months(since, request.supervision_months)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def ask_report(by: User, contract: Contract, party: Party, *, question: str, due_on: dt.date) -> ReportRequest:
    """The authority asks the contractor for a report on a subcontractor, due by a date (paragraph 4)."""
    _supervisor_of(by, contract)
    if party.contract_id != contract.pk:
        raise SubcontractingError("この契約の再委託先ではありません。", "Not a subcontractor of this contract.")
    if not question.strip():
        raise SubcontractingError("報告を求める事項を記載してください。", "State what the report must cover.")
    if due_on < timezone.localdate():
        raise SubcontractingError("期限が過去の日付です。", "The due date is in the past.")
    with transaction.atomic():
        asked = ReportRequest.objects.create(party=party, question=question.strip(), due_on=due_on, requested_by=by)
        record("subcontracting.report_requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"report": asked.pk, "party": party.pk, "due_on": due_on.isoformat()})
        return asked


def deliver_report(by: User, contract: Contract, report: ReportRequest, *, answer: str,
                   attachment: UploadedFile | None = None) -> Submission:
    """The contractor answers the authority's request and submits the report."""
    if report.party.contract_id != contract.pk:
        raise SubcontractingError("この契約の報告要求ではありません。", "Not a report request of this contract.")
    _responsible_of(by, contract, contract.contractor_id)
    if not answer.strip():
        raise SubcontractingError("報告の内容を記載してください。", "Write the report.")
    latest = submissions.latest(report, REPORT)
    if latest is not None and (latest.is_open or latest.is_accepted):
        raise SubcontractingError("この報告は提出済みです。", "This report has been delivered already.")
    with transaction.atomic():
        report.answer = answer.strip()
        if attachment is not None:
            report.attachment = submissions.attach(report, attachment, by=by, chain=contract.ledger_chain,
                                                   articles=_articles(contract))
        report.save(update_fields=["answer", "attachment"])
        return submissions.submit(report, kind=REPORT, by=by, chain=contract.ledger_chain,
                                  articles=_articles(contract))


def acknowledge_report(by: User, contract: Contract, report: ReportRequest, *, accept: bool,
                       comment: str = "") -> Submission:
    _supervisor_of(by, contract)
    pending = submissions.latest(report, REPORT)
    if pending is None or not pending.is_open:
        raise SubcontractingError("受理待ちの報告がありません。", "No report awaits acknowledgement.")
    status_ = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    return submissions.decide(pending, report, by=by, status=status_, comment=comment)


def delivered_on(report: ReportRequest) -> dt.date | None:
    """The day the report was handed in, if a round of it was submitted and not returned."""
    latest = submissions.latest(report, REPORT)
    if latest is None or latest.status in Submission.REFUSING:
        return None
    return timezone.localdate(latest.submitted_at)

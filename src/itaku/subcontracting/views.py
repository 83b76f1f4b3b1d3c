"""Subcontracting pages (article 8): the chain, the requests with items ア–キ and their rounds, and each
approved subcontractor's people, shares, supervision and reports.

Views parse, authorise and call `services`, which check the roles again and write the ledger. Every object
is fetched within the contract in the URL (another contract's id is not found), and within the part of the
chain the user may see (`contracts.access.visible_parties`): a subcontractor's people see their own
organisation and the parties below it, never the contractor's other parties or the requests about them.
An action for the other side (the authority submitting, a contractor consenting for a party it does not
stand above …) is 403; what the rules refuse beyond that comes back as the service's message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts import chain
from itaku.contracts.access import Perm, get_contract, own_party, perms, visible_parties
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract, Party
from itaku.lib.errors import UserError
from itaku.subcontracting import document_data, services, tree
from itaku.subcontracting.controls import SUPERVISION_DUE_SOON_DAYS
from itaku.subcontracting.documents import ApprovalNotice, RejectionNotice, SubcontractingApplication
from itaku.subcontracting.forms import (
    AskReportForm,
    DeliverReportForm,
    ExtraItemForm,
    PersonForm,
    ReasonForm,
    RequestForm,
    ResolveForm,
    ShareForm,
    SupervisionForm,
)
from itaku.subcontracting.models import ExtraItem, ReportRequest, Request, Supervision
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm
from itaku.submissions.models import Attachment, Submission
from itaku.vault import sharing
from itaku.vault.models import Dataset, Field, Share

Status = services.Status


# Fetching within the contract and the part of the chain the user sees --------------------------------------


def _perms(request: HttpRequest, contract: Contract) -> set[str]:
    return {p.value for p in perms(request.user, contract)}


def _visible(request: HttpRequest, contract: Contract) -> set[int]:
    return {org.pk for org in visible_parties(request.user, contract)}


def _requests(request: HttpRequest, contract: Contract) -> QuerySet[Request]:
    """The requests the user may see: every one for the authority and the contractor; for a subcontractor
    those its own organisation or a party below it made, and those that made it or them a party."""
    found = Request.objects.filter(contract=contract).select_related(
        "contract", "requester", "parent__organisation", "party__organisation", "draft_subcontract")
    if request.user.organisation_id in (contract.authority_id, contract.contractor_id):
        return found
    visible = _visible(request, contract)
    return found.filter(Q(requester_id__in=visible) | Q(party__organisation_id__in=visible))


def _request(request: HttpRequest, contract: Contract, pk: int) -> Request:
    return get_object_or_404(_requests(request, contract), pk=pk)


def _party(request: HttpRequest, contract: Contract, pk: int) -> Party:
    """A subcontractor of this contract within the part of the chain the user sees, or 404."""
    found = Party.objects.filter(contract=contract, pk=pk).select_related("organisation", "parent", "contract").first()
    if found is None or found.organisation_id not in _visible(request, contract):
        raise Http404
    return found


def _namer(request: HttpRequest, contract: Contract) -> Any:
    """Names a person only where the user may see their organisation (for a subcontractor: not the people
    of the parties above it, who approved, shared or supervised); otherwise ""."""
    named = _visible(request, contract) | {contract.authority_id}
    return lambda person: str(person) if person is not None and person.organisation_id in named else ""


def _side(allowed: bool) -> None:
    """The action belongs to another party of the chain, or to the authority: 403."""
    if not allowed:
        raise PermissionDenied


def _message(error: UserError) -> str:
    return f"{error.message_ja} / {error.message_en}"


def _request_url(contract: Contract, found: Request) -> str:
    return reverse("subcontracting:request", args=[contract.pk, found.pk])


def _party_url(contract: Contract, party: Party) -> str:
    return reverse("subcontracting:party", args=[contract.pk, party.pk])


def _index_url(contract: Contract) -> str:
    return reverse("subcontracting:index", args=[contract.pk])


# The chain and what awaits the user --------------------------------------------------------------------------


def _awaiting(request: HttpRequest, contract: Contract, rows: list[dict[str, Any]], granted: set[str]) -> list[dict]:
    """What waits for this user's side: decisions for the supervisor, consents, submissions, reports and
    supervision for a responsible person of the chain."""
    user = request.user
    found: list[dict[str, Any]] = []
    for row in rows:
        found_request, status = row["request"], row["status"]
        if Perm.DECIDE in granted and status == Status.SUBMITTED:
            found.append({"kind": "decide", "request": found_request})
        if Perm.SUBMIT in granted and status == Status.AWAITING_CONSENT and \
                found_request.upstream_id == user.organisation_id:
            found.append({"kind": "consent", "request": found_request})
        if Perm.SUBMIT in granted and status.editable and found_request.requester_id == user.organisation_id:
            found.append({"kind": "submit", "request": found_request})
    visible = _visible(request, contract)
    today = timezone.localdate()
    for party in chain.party_rows(contract):
        if party.organisation_id not in visible:
            continue
        if Perm.SUBMIT in granted and party.upstream_id == user.organisation_id and party.active_on(today):
            due = services.next_supervision_due(party)
            if due is not None and (due - today).days <= SUPERVISION_DUE_SOON_DAYS:
                found.append({"kind": "supervise", "party": party, "due": due})
            if any(s.is_open for s in party.supervisions.all()):
                found.append({"kind": "resolve", "party": party})
        for report in party.report_requests.all():
            latest = submissions.latest(report, services.REPORT)
            if Perm.DECIDE in granted and latest is not None and latest.is_open:
                found.append({"kind": "acknowledge", "party": party, "report": report})
            if Perm.SUBMIT in granted and user.organisation_id == contract.contractor_id and (
                    latest is None or latest.status in Submission.REFUSING):
                found.append({"kind": "deliver", "party": party, "report": report})
    return found


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    granted = _perms(request, contract)
    rows = [{"request": r, "status": services.status(r)} for r in _requests(request, contract)]
    own = own_party(request.user, contract)
    may_request = Perm.SUBMIT in granted and own is not None and chain.is_active(contract, own.pk)
    return render(request, "subcontracting/index.html", {
        "contract": contract, "perms": granted, "tree": tree.chain_tree(request.user, contract), "rows": rows,
        "items": ExtraItem.objects.filter(contract=contract), "item_form": ExtraItemForm(),
        "awaiting": _awaiting(request, contract, rows, granted), "may_request": may_request,
    })


@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    """キ: the supervisor adds an item every request under the contract must answer."""
    contract = get_contract(request.user, pk, Perm.DECIDE)

    def add(c: Contract) -> None:
        data = valid(ExtraItemForm(request.POST), "項目を入力してください。", "Enter the item.")
        services.add_item(request.user, c, data["label"])

    return act(request, contract, add, back=_index_url(contract), done=_("The item was added."))


# Requests ------------------------------------------------------------------------------------------------------


def _handled(contract: Contract, organisation_id: int) -> list[tuple[Dataset, list[Field]]]:
    """The datasets the requester may itself handle today, each with the fields it holds: nothing else can be
    passed on (a subcontractor never learns of a dataset not shared with it)."""
    found = []
    for dataset in sharing.shared_datasets(contract, organisation_id):
        held = sharing.grant(dataset, organisation_id)
        if dataset.is_disposed or held is None:
            continue
        fields = [f for f in dataset.fields.order_by("position") if held.allows_field(f.name)]
        if fields:
            found.append((dataset, fields))
    return found


def _request_form(request: HttpRequest, contract: Contract, requester_id: int, found: Request | None) -> RequestForm:
    return RequestForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None,
        initial=RequestForm.initial_of(found) if found else {},
        extra_items=ExtraItem.objects.filter(contract=contract), datasets=_handled(contract, requester_id),
    )


def _save(request: HttpRequest, contract: Contract, found: Request | None) -> HttpResponse:
    """The one form of a new request and of a change to one still editable."""
    own = own_party(request.user, contract)
    _side(own is not None and (found is None or found.requester_id == own.pk))
    form = _request_form(request, contract, own.pk, found)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_request(request.user, contract, form.items(), form.needed_data(), request=found,
                                          draft_subcontract=form.cleaned_data.get("draft_subcontract"))
        except UserError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("The request was saved. Submit it when it is complete."))
            return redirect(_request_url(contract, saved))
    row = chain.party_row(contract, own.pk)
    return render(request, "subcontracting/request_form.html", {
        "contract": contract, "form": form, "found": found, "requester": own,
        "level": found.level if found else 1 + (row.level if row else 0),
    })


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    return _save(request, contract, None)


@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _request(request, contract, request_id)
    _side(found.requester_id == request.user.organisation_id)
    if not services.status(found).editable:
        messages.error(request, "提出中又は承認済みの申請は変更できません。変更は新たな申請で行います。 / "
                                "A submitted or approved request cannot be changed; a change is a new request.")
        return redirect(_request_url(contract, found))
    return _save(request, contract, found)


_ROUND_KINDS = {services.CONSENT: "consent", services.REQUEST: "decision"}


@require_GET
def request_detail(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _request(request, contract, request_id)
    granted = _perms(request, contract)
    status = services.status(found)
    org = request.user.organisation_id
    own = found.requester_id == org and Perm.SUBMIT in granted
    rounds = sorted([*submissions.rounds(found, services.CONSENT).select_related("submitted_by", "decided_by"),
                     *submissions.rounds(found, services.REQUEST).select_related("submitted_by", "decided_by")],
                    key=lambda r: (r.submitted_at, r.pk))
    who = _namer(request, contract)
    replaced_by = _requests(request, contract).filter(replaces=found).first()
    return render(request, "subcontracting/request.html", {
        "contract": contract, "perms": granted, "found": found, "status": status,
        "rounds": [{"round": r, "kind": _ROUND_KINDS[r.kind], "submitted_by": who(r.submitted_by),
                    "decided_by": who(r.decided_by)} for r in rounds],
        "data": found.data.select_related("dataset").prefetch_related("fields").order_by("dataset__name"),
        "replaces": _requests(request, contract).filter(pk=found.replaces_id).first(), "replaced_by": replaced_by,
        "may_edit": own and status.editable, "may_change": own and status == Status.APPROVED and replaced_by is None,
        "may_consent": Perm.SUBMIT in granted and status == Status.AWAITING_CONSENT and found.upstream_id == org,
        "may_decide": Perm.DECIDE in granted and status == Status.SUBMITTED,
        "may_revoke": Perm.DECIDE in granted and status in (Status.APPROVED, Status.ENDED),
        "sees_documents": Perm.VIEW_CONTROLS in granted,
        "party_visible": found.party_id is not None and found.party.organisation_id in _visible(request, contract),
        "reason_form": ReasonForm(),
    })


@require_POST
def request_submit(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _request(request, contract, request_id)
    _side(found.requester_id == request.user.organisation_id)
    done = _("The request was sent to the party above for its consent.") if found.needs_consent \
        else _("The request was submitted to the authority.")
    return act(request, contract, lambda c: services.submit_request(request.user, found),
               back=_request_url(contract, found), done=done)


@require_POST
def request_consent(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    """The requester's own contractor consents to a further level (paragraph 5), or refuses with a reason."""
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _request(request, contract, request_id)
    _side(found.needs_consent and found.upstream_id == request.user.organisation_id)
    accept, reason = ReasonForm(request.POST).parsed()
    return act(request, contract, lambda c: services.consent(request.user, found, approve=accept, comment=reason),
               back=_request_url(contract, found), done=_("The answer was recorded."))


@require_POST
def request_decide(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _request(request, contract, request_id)
    accept, reason = ReasonForm(request.POST).parsed()
    return act(request, contract, lambda c: services.decide(request.user, found, approve=accept, comment=reason),
               back=_request_url(contract, found), done=_("The decision was recorded."))


@require_POST
def request_revoke(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _request(request, contract, request_id)
    _accept, reason = ReasonForm(request.POST).parsed()
    return act(request, contract, lambda c: services.revoke(request.user, found, reason),
               back=_request_url(contract, found), done=_("The approval was revoked."))


@require_POST
def request_change(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    """A change of an approved request is a new request, starting from its items."""
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _request(request, contract, request_id)
    _side(found.requester_id == request.user.organisation_id)
    try:
        change = services.change_request(request.user, found)
    except UserError as error:
        messages.error(request, _message(error))
        return redirect(_request_url(contract, found))
    messages.success(request, _("A change request was made from the approved items. Change what differs and "
                                "submit it; the approval stays in force until the change is approved."))
    return redirect(reverse("subcontracting:request_edit", args=[contract.pk, change.pk]))


@require_GET
def application_pdf(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    """再委託承認申請書, written by the requesting party."""
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _request(request, contract, request_id)
    data = document_data.application_data(found)
    return pdf_response(contract, SubcontractingApplication.kind, data, f"subcontracting-request-{found.pk}.pdf",
                        on=data["submitted_on"])


@require_GET
def notice_pdf(request: HttpRequest, pk: int, request_id: int, number: int) -> HttpResponse:
    """承認通知 / 不承認通知 of one decided round, written by the authority."""
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _request(request, contract, request_id)
    decision = document_data.decided_round(found, number)
    if decision is None:
        raise Http404
    data = document_data.notice_data(found, decision)
    kind = ApprovalNotice.kind if data["approved"] else RejectionNotice.kind
    return pdf_response(contract, kind, data, f"subcontracting-notice-{found.pk}-{decision.round}.pdf",
                        on=data["decided_on"])


@require_GET
def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """A request's draft subcontract or a report's attachment, to whoever may see the request or the party."""
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = Attachment.objects.filter(pk=attachment, chain=contract.ledger_chain).select_related("subject_type").first()
    if found is None:
        raise Http404
    model = found.subject_type.model_class()
    if model is Request:
        allowed = _requests(request, contract).filter(pk=found.subject_id, draft_subcontract=found).exists()
    elif model is ReportRequest:
        allowed = ReportRequest.objects.filter(pk=found.subject_id, attachment=found, party__contract=contract,
                                               party__organisation_id__in=_visible(request, contract)).exists()
    else:
        allowed = False
    if not allowed:
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type="application/octet-stream")


# One approved subcontractor --------------------------------------------------------------------------------------


def _approved_data(party: Party) -> list[tuple[Dataset, list[Field]]]:
    """The datasets and fields of the party's approval in force: what may be shared with it."""
    current = services.current_request(party)
    if current is None or not services.in_force(current):
        return []
    return [(wanted.dataset, list(wanted.fields.order_by("position")))
            for wanted in current.data.select_related("dataset").order_by("dataset__name")]


@require_GET
def party_detail(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _party(request, contract, party)
    granted = _perms(request, contract)
    org = request.user.organisation_id
    visible = _visible(request, contract)
    node = next((n for n in tree.flatten(tree.chain_tree(request.user, contract)) if n["party"] == found.pk), None)
    current = services.current_request(found)
    above = Perm.SUBMIT in granted and org == found.upstream_id
    approved = _approved_data(found) if above else []
    who = _namer(request, contract)
    share_form = ShareForm(approved=approved) if above else None
    reports = []
    for report in found.report_requests.select_related("attachment", "requested_by"):
        latest = submissions.latest(report, services.REPORT)
        reports.append({"report": report, "latest": latest, "delivered_on": services.delivered_on(report),
                        "form": DeliverReportForm(auto_id=f"id_report{report.pk}_%s"),
                        "may_deliver": Perm.SUBMIT in granted and org == contract.contractor_id and (
                            latest is None or latest.status in Submission.REFUSING),
                        "may_acknowledge": Perm.DECIDE in granted and latest is not None and latest.is_open})
    return render(request, "subcontracting/party.html", {
        "contract": contract, "perms": granted, "party": found, "node": node,
        "upstream": found.parent.organisation if found.parent_id and found.parent.organisation_id in visible
        else (contract.contractor if found.parent_id is None and contract.contractor_id in visible else None),
        "current": current if current is None or _requests(request, contract).filter(pk=current.pk).exists()
        else None,
        "in_force": current is not None and services.in_force(current),
        "shares": [{"share": shared, "by": who(shared.shared_by)} for shared in Share.objects.filter(party=found)
                   .select_related("dataset", "shared_by").prefetch_related("fields").order_by("-created", "-pk")],
        "supervisions": [{"supervision": s, "by": who(s.recorded_by),
                          "form": ResolveForm(auto_id=f"id_resolve{s.pk}_%s",
                                              initial={"resolved_on": timezone.localdate()})}
                         for s in found.supervisions.select_related("recorded_by")],
        "next_due": services.next_supervision_due(found),
        "reports": reports,
        "may_add_person": Perm.SUBMIT in granted and org in (found.organisation_id, found.upstream_id),
        "above": above, "may_withdraw": above or Perm.DECIDE in granted,
        "person_form": PersonForm(), "share_form": share_form, "shareable": bool(approved),
        "supervision_form": SupervisionForm(initial={"held_on": timezone.localdate()}),
        "ask_form": AskReportForm(),
    })


@sensitive_post_parameters("password")
@require_POST
def person_add(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    """A login for a person of the subcontractor: by the party above it or by its own responsible person."""
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _party(request, contract, party)
    _side(request.user.organisation_id in (found.organisation_id, found.upstream_id))

    def add(c: Contract) -> None:
        data = valid(PersonForm(request.POST), "ユーザー名、氏名、初期パスワード及び役割を入力してください。",
                     "Enter the user name, the name, an initial password and the role.")
        services.add_person(request.user, c, found, username=data["username"], display_name=data["display_name"],
                            password=data["password"], role=data["role"])

    return act(request, contract, add, back=_party_url(contract, found), done=_("The login was made."))


@require_POST
def share_add(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _party(request, contract, party)
    _side(request.user.organisation_id == found.upstream_id)

    def share(c: Contract) -> None:
        form = ShareForm(request.POST, approved=_approved_data(found))
        valid(form, "共有する個人情報ファイル、項目及び記録を指定してください。",
              "Choose the dataset, the fields and the records to share.")
        dataset, fields, records = form.chosen()
        services.share(request.user, c, found, dataset, fields, records)

    return act(request, contract, share, back=_party_url(contract, found), done=_("The dataset was shared."))


@require_POST
def share_withdraw(request: HttpRequest, pk: int, party: int, share: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _party(request, contract, party)
    granted = perms(request.user, contract)
    _side(Perm.DECIDE in granted or (Perm.SUBMIT in granted and request.user.organisation_id == found.upstream_id))
    shared = get_object_or_404(Share.objects.select_related("party", "dataset__contract"), pk=share, party=found)
    return act(request, contract, lambda c: services.withdraw_share(request.user, c, shared),
               back=_party_url(contract, found), done=_("The share was withdrawn."))


@require_POST
def supervision_add(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _party(request, contract, party)
    _side(request.user.organisation_id == found.upstream_id)

    def supervise(c: Contract) -> None:
        data = valid(SupervisionForm(request.POST), "監督の日付、方法及び所見を入力してください。",
                     "Enter the date, the method and the findings.")
        services.record_supervision(request.user, c, found, **data)

    return act(request, contract, supervise, back=_party_url(contract, found), done=_("The supervision was recorded."))


@require_POST
def supervision_resolve(request: HttpRequest, pk: int, party: int, supervision: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _party(request, contract, party)
    _side(request.user.organisation_id == found.upstream_id)
    done = get_object_or_404(Supervision, pk=supervision, party=found)

    def resolve(c: Contract) -> None:
        data = valid(ResolveForm(request.POST), "対応完了日と対応の内容を入力してください。",
                     "Enter the day of the follow-up and what was done.")
        services.resolve_supervision(request.user, c, done, **data)

    return act(request, contract, resolve, back=_party_url(contract, found), done=_("The follow-up was recorded."))


@require_POST
def report_ask(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _party(request, contract, party)

    def ask(c: Contract) -> None:
        data = valid(AskReportForm(request.POST), "報告を求める事項と期限を入力してください。",
                     "Enter what the report must cover and its due date.")
        services.ask_report(request.user, c, found, **data)

    return act(request, contract, ask, back=_party_url(contract, found), done=_("The report was requested."))


def _report(party: Party, pk: int) -> ReportRequest:
    return get_object_or_404(ReportRequest.objects.select_related("party__contract"), pk=pk, party=party)


@require_POST
def report_deliver(request: HttpRequest, pk: int, party: int, report: int) -> HttpResponse:
    """The contractor answers the authority's request for a report on its subcontractor."""
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _party(request, contract, party)
    _side(request.user.organisation_id == contract.contractor_id)
    asked = _report(found, report)

    def deliver(c: Contract) -> None:
        data = valid(DeliverReportForm(request.POST, request.FILES), "報告の内容を入力してください。",
                     "Write the report.")
        services.deliver_report(request.user, c, asked, answer=data["answer"], attachment=data.get("attachment"))

    return act(request, contract, deliver, back=_party_url(contract, found), done=_("The report was delivered."))


@require_POST
def report_acknowledge(request: HttpRequest, pk: int, party: int, report: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _party(request, contract, party)
    asked = _report(found, report)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.acknowledge_report(request.user, c, asked, accept=accept,
                                                                        comment=comment),
               back=_party_url(contract, found), done=_("The decision was recorded."))

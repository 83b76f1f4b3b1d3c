"""Structure, pledges, departures and eligibility pages of one contract."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from itaku.accounts.models import User
from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.people import eligibility
from itaku.people import services as people
from itaku.people.forms import (
    AcceptPledgeForm,
    DepartureForm,
    MemberFormSet,
    PledgeTextForm,
    StructureForm,
)
from itaku.people.models import Pledge, StructureVersion
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm


def _back(contract: Contract, name: str = "people:index") -> str:
    return reverse(name, args=[contract.pk])


def _version(contract: Contract, number: int) -> StructureVersion:
    version = StructureVersion.objects.filter(structure__contract=contract, number=number,
                                              structure__organisation=contract.contractor).first()
    if version is None:
        raise Http404
    return version


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    versions = StructureVersion.objects.filter(structure__contract=contract).select_related("responsible")
    rows = [{"version": v, "submission": submissions.latest(v, people.STRUCTURE),
             "accepted": submissions.accepted(v, people.STRUCTURE) is not None} for v in versions]
    granted = perms(request.user, contract)
    return render(request, "people/index.html", {
        "contract": contract, "perms": {p.value for p in granted}, "rows": rows,
        "newest": people.newest_version(contract), "acknowledged": people.acknowledged_version(contract),
        "former": people.former_workers(contract),
        "departure_form": DepartureForm(organisation_id=contract.contractor_id),
    })


def structure_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    org = contract.contractor_id
    newest = people.newest_version(contract)
    initial = {"responsible": newest.responsible_id, "responsible_scope": newest.responsible_scope,
               "description": newest.description} if newest else {}
    members = [{"person": m.person_id, "duties": m.duties} for m in newest.members.all()] if newest else []
    form = StructureForm(request.POST or None, organisation_id=org, initial=initial)
    formset = MemberFormSet(request.POST or None, form_kwargs={"organisation_id": org}, initial=members,
                            prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        chosen = [(f.cleaned_data["person"], f.cleaned_data["duties"]) for f in formset
                  if f.cleaned_data.get("person")]
        try:
            people.save_version(request.user, contract, members=chosen, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            return redirect(_back(contract))
    return render(request, "people/structure_form.html", {"contract": contract, "form": form, "formset": formset})


@require_POST
def structure_submit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    version = _version(contract, number)
    return act(request, contract, lambda c: people.submit_version(request.user, version), back=_back(contract))


@require_POST
def structure_decide(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    version = _version(contract, number)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: people.decide_version(
        request.user, version, acknowledge=accept, comment=comment,
    ), back=_back(contract))


@require_GET
def structure_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    version = _version(contract, number)
    return pdf_response(contract, "people.structure_notice", people.structure_data(version),
                        f"structure-{contract.pk}-v{version.number}.pdf")


def _contractor_side(request: HttpRequest, contract: Contract) -> bool:
    return request.user.organisation_id == contract.contractor_id


@require_GET
def pledges(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    granted = perms(request.user, contract)
    text = people.current_pledge_text(contract.contractor)
    mine = people.valid_pledge(request.user) if _contractor_side(request, contract) else None
    listed = []
    if Perm.VIEW_CONTROLS in granted:
        for person in people.structure_people(contract):
            listed.append({"person": person, "pledge": people.valid_pledge(person)})
    return render(request, "people/pledges.html", {
        "contract": contract, "perms": {p.value for p in granted}, "text": text,
        "preview": text.body if text else people.default_pledge_body(contract), "mine": mine,
        "may_accept": _contractor_side(request, contract) and mine is None,
        "listed": listed, "accept_form": AcceptPledgeForm(),
        "text_form": PledgeTextForm(initial={"body": text.body if text else people.default_pledge_body(contract)}),
        "history": Pledge.objects.filter(person=request.user).select_related("text"),
    })


@require_POST
def pledge_accept(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    if not _contractor_side(request, contract):
        raise PermissionDenied

    def accept(c: Contract) -> None:
        valid(AcceptPledgeForm(request.POST), "内容を確認のうえ同意欄にチェックしてください。",
              "Read the pledge and tick the box to accept it.")
        people.accept_pledge(request.user, c)

    return act(request, contract, accept, back=_back(contract, "people:pledges"))


@require_POST
def pledge_text(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)

    def publish(c: Contract) -> None:
        data = valid(PledgeTextForm(request.POST), "誓約書の本文を入力してください。", "Enter the pledge text.")
        people.publish_pledge_text(request.user, c.contractor, data["body"])

    return act(request, contract, publish, back=_back(contract, "people:pledges"))


@require_GET
def pledge_pdf(request: HttpRequest, pk: int, pledge: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = Pledge.objects.filter(pk=pledge, person__organisation=contract.contractor).select_related(
        "person__organisation", "text").first()
    if found is None:
        raise Http404
    if found.person_id != request.user.pk and Perm.VIEW_CONTROLS not in perms(request.user, contract):
        raise PermissionDenied
    return pdf_response(contract, "people.pledge", people.pledge_data(found), f"pledge-{found.pk}.pdf")


@require_POST
def departure(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)

    def leave(c: Contract) -> None:
        data = valid(DepartureForm(request.POST, organisation_id=c.contractor_id),
                     "退職者と退職日を指定してください。", "Choose the person and the day they left.")
        people.mark_departure(request.user, c, data["person"], data["left_on"])

    return act(request, contract, leave, back=_back(contract))


@require_GET
def eligibility_page(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    named = {p.pk for p in people.structure_people(contract)}
    role_holders = set(contract.roles.filter(user__organisation=contract.contractor).values_list("user_id", flat=True))
    rows = [{"person": person, "decision": eligibility.evaluate(person, contract, None)}
            for person in User.objects.filter(pk__in=named | role_holders).order_by("username")]
    return render(request, "people/eligibility.html", {"contract": contract, "rows": rows})

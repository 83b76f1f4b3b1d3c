"""Structure, pledges, departures and eligibility pages of one contract, for every party of its chain.

Read pages show the party `?party=` names (`contracts.access.viewed_party`); writes act on the user's own
party; the authority's decisions act on the version of the party `?party=` names.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from itaku.accounts.models import Organisation, User
from itaku.contracts import party_pages
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


def _version(contract: Contract, party: Organisation, number: int) -> StructureVersion:
    version = people.version_of(contract, party, number)
    if version is None:
        raise Http404
    return version


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = party_pages.shown(request, contract)
    rows = [{"version": v, "submission": submissions.latest(v, people.STRUCTURE),
             "accepted": submissions.accepted(v, people.STRUCTURE) is not None}
            for v in people.versions_of(contract, party)]
    granted = perms(request.user, contract)
    return render(request, "people/index.html", {
        "contract": contract, "perms": {p.value for p in granted}, "rows": rows,
        **party_pages.switch(request, contract, party),
        "newest": people.newest_version(contract, party), "acknowledged": people.acknowledged_version(contract, party),
        "former": people.former_workers(contract, party),
        "departure_form": DepartureForm(organisation_id=party.pk),
    })


def structure_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)
    newest = people.newest_version(contract, party)
    initial = {"responsible": newest.responsible_id, "responsible_scope": newest.responsible_scope,
               "description": newest.description} if newest else {}
    members = [{"person": m.person_id, "duties": m.duties} for m in newest.members.all()] if newest else []
    form = StructureForm(request.POST or None, organisation_id=party.pk, initial=initial)
    formset = MemberFormSet(request.POST or None, form_kwargs={"organisation_id": party.pk}, initial=members,
                            prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        chosen = [(f.cleaned_data["person"], f.cleaned_data["duties"]) for f in formset
                  if f.cleaned_data.get("person")]
        try:
            people.save_version(request.user, contract, members=chosen, organisation=party, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            return redirect(party_pages.back("people:index", contract, party.pk))
    return render(request, "people/structure_form.html", {"contract": contract, "form": form, "formset": formset,
                                                          "party": party})


@require_POST
def structure_submit(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)
    version = _version(contract, party, number)
    return act(request, contract, lambda c: people.submit_version(request.user, version),
               back=party_pages.back("people:index", contract, party.pk))


@require_POST
def structure_decide(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    party = party_pages.shown(request, contract)
    version = _version(contract, party, number)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: people.decide_version(
        request.user, version, acknowledge=accept, comment=comment,
    ), back=party_pages.back("people:index", contract, party.pk))


@require_GET
def structure_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    party = party_pages.shown(request, contract)
    version = _version(contract, party, number)
    suffix = "" if party.pk == contract.contractor_id else f"-party{party.pk}"
    return pdf_response(contract, "people.structure_notice", people.structure_data(version),
                        f"structure-{contract.pk}{suffix}-v{version.number}.pdf")


@require_GET
def pledges(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = party_pages.shown(request, contract)
    switch = party_pages.switch(request, contract, party)
    granted = perms(request.user, contract)
    text = people.current_pledge_text(party)
    body = text.body if text else people.default_pledge_body(contract, party)
    mine = people.valid_pledge(request.user) if switch["own"] else None
    listed = []
    if Perm.VIEW_CONTROLS in granted:
        for person in people.structure_people(contract, party):
            listed.append({"person": person, "pledge": people.valid_pledge(person)})
    return render(request, "people/pledges.html", {
        "contract": contract, "perms": {p.value for p in granted}, "text": text, **switch,
        "preview": body, "mine": mine, "may_accept": switch["own"] and mine is None,
        "listed": listed, "accept_form": AcceptPledgeForm(), "text_form": PledgeTextForm(initial={"body": body}),
    })


@require_POST
def pledge_accept(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = party_pages.acting(request, contract)

    def accept(c: Contract) -> None:
        valid(AcceptPledgeForm(request.POST), "内容を確認のうえ同意欄にチェックしてください。",
              "Read the pledge and tick the box to accept it.")
        people.accept_pledge(request.user, c)

    return act(request, contract, accept, back=party_pages.back("people:pledges", contract, party.pk))


@require_POST
def pledge_text(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)

    def publish(c: Contract) -> None:
        data = valid(PledgeTextForm(request.POST), "誓約書の本文を入力してください。", "Enter the pledge text.")
        people.publish_pledge_text(request.user, party, data["body"])

    return act(request, contract, publish, back=party_pages.back("people:pledges", contract, party.pk))


@require_GET
def pledge_pdf(request: HttpRequest, pk: int, pledge: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = party_pages.shown(request, contract)
    found = Pledge.objects.filter(pk=pledge, person__organisation=party).select_related(
        "person__organisation", "text").first()
    if found is None:
        raise Http404
    if found.person_id != request.user.pk and Perm.VIEW_CONTROLS not in perms(request.user, contract):
        raise PermissionDenied
    return pdf_response(contract, "people.pledge", people.pledge_data(found), f"pledge-{found.pk}.pdf")


@require_POST
def departure(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)

    def leave(c: Contract) -> None:
        data = valid(DepartureForm(request.POST, organisation_id=party.pk),
                     "退職者と退職日を指定してください。", "Choose the person and the day they left.")
        people.mark_departure(request.user, c, data["person"], data["left_on"])

    return act(request, contract, leave, back=party_pages.back("people:index", contract, party.pk))


@require_GET
def eligibility_page(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    party = party_pages.shown(request, contract)
    named = {p.pk for p in people.structure_people(contract, party)}
    role_holders = set(contract.roles.filter(user__organisation=party).values_list("user_id", flat=True))
    rows = [{"person": person, "decision": eligibility.evaluate(person, contract, None)}
            for person in User.objects.filter(pk__in=named | role_holders).order_by("username")]
    return render(request, "people/eligibility.html", {"contract": contract, "rows": rows,
                                                       **party_pages.switch(request, contract, party)})

"""Contract pages: parse, authorise through `access`, call a service, render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from itaku.contracts import panels, sections, services
from itaku.contracts.access import Perm, get_contract, is_subcontractor, perms, visible_parties
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.forms import (
    AttachProvisionsForm,
    ContractForm,
    LedgerFilterForm,
    RoleForm,
    TerminateForm,
)
from itaku.contracts.models import Contract, Role
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.provisions.controls import worst
from itaku.provisions.services import printout_data
from itaku.provisions.topics import topic
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm


def _back(contract: Contract) -> str:
    return reverse("contracts:detail", args=[contract.pk])


def _assignable_roles(granted: frozenset[Perm]) -> list[str]:
    """Supervisors name anyone to any role; the responsible person names workers of its own side."""
    if Perm.MANAGE in granted:
        return [r.value for r in Role]
    return [Role.WORKER.value] if Perm.ASSIGN_WORKERS in granted else []


def _role_organisations(user: Any, contract: Contract, granted: frozenset[Perm]) -> list[int]:
    """Whose people the role form offers: the supervisor names anyone of the authority and the chain, a
    responsible person only people of its own organisation (a subcontractor never sees the others')."""
    if Perm.MANAGE in granted:
        return [contract.authority_id, *(org.pk for org in visible_parties(user, contract))]
    return [user.organisation_id]


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    granted = perms(request.user, contract)
    # A subcontractor sees its own part of the chain only: the contract-wide controls name every party.
    subcontractor = is_subcontractor(request.user, contract)
    shown_controls = Perm.VIEW_CONTROLS in granted and not subcontractor
    people = contract.roles.select_related("user", "user__organisation").order_by("role", "user__username")
    if subcontractor:
        people = people.filter(user__organisation_id__in=[
            contract.authority_id, *(org.pk for org in visible_parties(request.user, contract))])
    articles = []
    if contract.provisions_id:
        results = services.evaluate_controls(contract) if shown_controls else []
        topics = contract.provisions.topics_by_article()
        for article in contract.provisions.parsed().articles:
            mine = [r for r in results if article.number in r.articles]
            articles.append({
                "article": article,
                "topics": [topic(code) for code in topics.get(article.number, ())],
                "results": mine,
                "state": worst(mine) if mine else None,
            })
    return render(request, "contracts/detail.html", {
        "contract": contract,
        "perms": {p.value for p in granted},
        "shown_controls": shown_controls,
        "sections": sections.links(request.user, contract),
        "panels": panels.rendered(request, contract),
        "articles": articles,
        "acknowledgement": submissions.latest(contract, services.ACKNOWLEDGEMENT),
        "people": people,
        "attach_form": AttachProvisionsForm(authority=contract.authority),
        "terminate_form": TerminateForm(),
        "role_form": RoleForm(
            organisations=_role_organisations(request.user, contract, granted), roles=_assignable_roles(granted),
        ),
    })


@require_GET
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_LEDGER)
    form = LedgerFilterForm(request.GET)
    events = Event.objects.filter(chain=contract.ledger_chain).select_related("actor_org").order_by("-seq")
    if form.is_valid():
        if form.cleaned_data["article"]:
            events = events.filter(Event.concerning(form.cleaned_data["article"]))
        if form.cleaned_data["kind"]:
            events = events.filter(kind__startswith=form.cleaned_data["kind"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "contracts/ledger.html", {
        "contract": contract, "form": form, "page": page, "query": query.urlencode(),
        "kinds": Event.objects.filter(chain=contract.ledger_chain).values_list("kind", flat=True)
        .distinct().order_by("kind"),
    })


@require_GET
def provisions_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    if not contract.provisions_id:
        raise PermissionDenied
    return pdf_response(contract, "provisions.printout", printout_data(contract.provisions),
                        f"provisions-{contract.pk}.pdf")


def create(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    if organisation is None or not organisation.is_authority:
        raise PermissionDenied
    form = ContractForm(request.POST or None, authority=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.create_contract(request.user, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/create.html", {"form": form})


@require_POST
def attach_provisions(request: HttpRequest, pk: int) -> HttpResponse:
    def attach(contract: Contract) -> None:
        data = valid(AttachProvisionsForm(request.POST, authority=contract.authority),
                      "特記事項の版を選んでください。", "Choose a provisions version.")
        services.attach_provisions(request.user, contract, data["provisions"])

    contract = get_contract(request.user, pk, Perm.MANAGE)
    return act(request, contract, attach, back=_back(contract))


@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    return act(request, contract, lambda c: services.acknowledge_provisions(request.user, c), back=_back(contract))


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    accept, comment = DecisionForm.parse(request.POST)
    contract = get_contract(request.user, pk, Perm.DECIDE)
    return act(request, contract, lambda c: services.decide_acknowledgement(
        request.user, c, approve=accept, comment=comment,
    ), back=_back(contract))


@require_POST
def end(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.MANAGE)
    return act(request, contract, lambda c: services.end_contract(request.user, c), back=_back(contract))


@require_POST
def terminate(request: HttpRequest, pk: int) -> HttpResponse:
    form = TerminateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    contract = get_contract(request.user, pk, Perm.MANAGE)
    return act(request, contract, lambda c: services.terminate_contract(request.user, c, reason), back=_back(contract))


@require_POST
def assign_role(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    granted = perms(request.user, contract)
    allowed = _assignable_roles(granted)
    if not allowed:
        raise PermissionDenied

    def assign(contract: Contract) -> None:
        form = RoleForm(request.POST, organisations=_role_organisations(request.user, contract, granted),
                        roles=allowed)
        data = valid(form, "担当者と役割を選んでください。", "Choose a person and a role.")
        if Perm.MANAGE not in granted and data["user"].organisation_id != request.user.organisation_id:
            raise PermissionDenied
        services.assign_role(request.user, contract, data["user"], data["role"])

    return act(request, contract, assign, back=_back(contract))

"""Take-out pages (article 14): destinations, the register with states, requests and their steps.

Views parse, authorise and call `services`, which check the roles again and write the ledger. A take-out is
found only within the contract in the URL and within the part of the chain the user may see; a step for
another side (the authority requesting, another party approving) is 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts.access import Perm, get_contract, is_subcontractor, own_party, perms, visible_parties
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract, Role
from itaku.lib.errors import UserError
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm
from itaku.takeouts import services
from itaku.takeouts.forms import CorrectionForm, DestinationForm, MomentForm, TakeOutForm
from itaku.takeouts.models import Destination, TakeOut

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _index_url(contract: Contract) -> str:
    return reverse("takeouts:index", args=[contract.pk])


def _detail_url(contract: Contract, takeout: TakeOut) -> str:
    return reverse("takeouts:detail", args=[contract.pk, takeout.pk])


def _takeout(request: HttpRequest, contract: Contract, pk: int) -> TakeOut:
    return get_object_or_404(services.takeouts(contract, visible_parties(request.user, contract)), pk=pk)


def _own(request: HttpRequest, takeout: TakeOut) -> None:
    """A step of the take-out's own party: anyone else gets 403."""
    if request.user.organisation_id != takeout.party_id:
        raise PermissionDenied


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    granted = {p.value for p in perms(request.user, contract)}
    return render(request, "takeouts/index.html", {
        "contract": contract, "perms": granted,
        "destinations": Destination.objects.filter(contract=contract).order_by("retired_at", "name"),
        "entries": services.register(contract, visible_parties(request.user, contract)),
        "may_request": services.may_request(request.user, contract),
        "destination_form": DestinationForm() if Perm.MANAGE in granted else None,
    })


@require_GET
def register_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    data = services.register_xlsx(contract, services.register(contract, visible_parties(request.user, contract)))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="takeouts-{contract.pk}.xlsx"'
    return response


@require_GET
def register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    parties = visible_parties(request.user, contract)
    own = own_party(request.user, contract) if is_subcontractor(request.user, contract) else None
    data = services.register_data(contract, services.register(contract, parties), own)
    return pdf_response(contract, "takeouts.register", data, f"takeouts-{contract.pk}.pdf")


@require_POST
def destination_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.MANAGE)

    def add(c: Contract) -> object:
        data = valid(DestinationForm(request.POST), "持出先の入力に誤りがあります", "The destination is not valid")
        return services.add_destination(request.user, c, **data)

    return act(request, contract, add, back=_index_url(contract), done=_("The destination was added."))


@require_POST
def destination_retire(request: HttpRequest, pk: int, destination: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.MANAGE)
    found = get_object_or_404(Destination, contract=contract, pk=destination)
    return act(request, contract, lambda c: services.retire_destination(request.user, found),
               back=_index_url(contract), done=_("The destination was retired."))


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    if not services.may_request(request.user, contract):
        raise PermissionDenied
    party = request.user.organisation
    form = TakeOutForm(request.POST or None, contract=contract, party=party)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            found = services.request_takeout(request.user, contract, **form.cleaned_data)
        except UserError as refused:
            error = f"{refused.message_ja} / {refused.message_en}"
        else:
            return redirect(_detail_url(contract, found))
    return render(request, "takeouts/request_form.html", {"contract": contract, "form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


@require_GET
def detail(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _takeout(request, contract, takeout)
    own = request.user.organisation_id == found.party_id
    mine = services.party_roles(request.user, contract, found.party) if own else set()
    status = services.status(found)
    pending = submissions.latest(found, services.KIND)
    corrections = list(found.corrections.select_related("corrected_by"))
    return render(request, "takeouts/detail.html", {
        "contract": contract, "t": found, "status": status,
        "rounds": submissions.rounds(found, services.KIND).select_related("submitted_by", "decided_by")
        .order_by("round"),
        "may_decide": Role.RESPONSIBLE in mine and pending is not None and pending.is_open,
        "may_resubmit": bool(mine) and status in (services.Status.RETURNED, services.Status.CHANGED),
        "may_check_out": status is services.Status.APPROVED and (
            request.user.pk == found.carrier_id or Role.RESPONSIBLE in mine),
        "may_check_in": bool(mine) and status is services.Status.OUT,
        "moment_form": MomentForm(),
        "corrections": corrections, "corrected": {c.time for c in corrections},
        "correction_form": CorrectionForm(takeout=found) if (
            Role.RESPONSIBLE in mine and found.checked_out_at is not None) else None,
    })


@require_POST
def decide(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _takeout(request, contract, takeout)
    _own(request, found)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.decide(request.user, found, approve=accept, comment=comment),
               back=_detail_url(contract, found), done=_("The decision was recorded."))


@require_POST
def resubmit(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _takeout(request, contract, takeout)
    _own(request, found)
    return act(request, contract, lambda c: services.resubmit(request.user, found),
               back=_detail_url(contract, found), done=_("The take-out was submitted again."))


def _moment(request: HttpRequest) -> object:
    data = valid(MomentForm(request.POST), "日時の入力に誤りがあります", "The date and time are not valid")
    return data.get("at")


@require_POST
def check_out(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _takeout(request, contract, takeout)
    _own(request, found)
    return act(request, contract, lambda c: services.check_out(request.user, found, at=_moment(request)),
               back=_detail_url(contract, found), done=_("The check-out was recorded."))


@require_POST
def check_in(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _takeout(request, contract, takeout)
    _own(request, found)
    return act(request, contract, lambda c: services.check_in(request.user, found, at=_moment(request)),
               back=_detail_url(contract, found), done=_("The return was checked in."))


@require_POST
def correct(request: HttpRequest, pk: int, takeout: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _takeout(request, contract, takeout)
    _own(request, found)

    def correct_time(c: Contract) -> object:
        data = valid(CorrectionForm(request.POST, takeout=found), "訂正の入力に誤りがあります",
                     "The correction is not valid")
        return services.correct_time(request.user, found, **data)

    return act(request, contract, correct_time, back=_detail_url(contract, found),
               done=_("The time was corrected."))

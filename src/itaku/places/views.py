"""Work location pages: parse, authorise through `contracts.access`, call a service, render."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.actions import act
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.places import services
from itaku.places.documents import WorkLocationReport
from itaku.places.forms import LocationForm
from itaku.places.models import WorkLocation
from itaku.submissions.forms import DecisionForm

DOCUMENT = WorkLocationReport.kind


def _location(contract: Contract, pk: int) -> WorkLocation:
    """Only a location of the contract in the URL: another contract's id is simply not found."""
    return get_object_or_404(WorkLocation.objects.select_related("organisation"), pk=pk, contract=contract)


def _back(contract: Contract) -> str:
    return reverse("places:index", args=[contract.pk])


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    return render(request, "places/index.html", {
        "contract": contract,
        "perms": {p.value for p in perms(request.user, contract)},
        "reports": services.reports(contract),
    })


def _edit_page(request: HttpRequest, contract: Contract, form: LocationForm, location: WorkLocation | None,
               save: Callable[[dict], object]) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            return redirect("places:index", pk=contract.pk)
    return render(request, "places/form.html", {"contract": contract, "form": form, "location": location})


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    form = LocationForm(request.POST if request.method == "POST" else None)
    return _edit_page(request, contract, form, None,
                      lambda data: services.add_location(request.user, contract, **data))


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _location(contract, location)
    form = LocationForm(request.POST) if request.method == "POST" else LocationForm.of(found)
    return _edit_page(request, contract, form, found,
                      lambda data: services.change_location(request.user, found, **data))


@require_POST
def report(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _location(contract, location)
    return act(request, contract, lambda c: services.report_location(request.user, found), back=_back(contract))


@require_POST
def decide(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _location(contract, location)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.decide_location(
        request.user, found, acknowledge=accept, comment=comment,
    ), back=_back(contract))


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    return pdf_response(contract, DOCUMENT, services.report_data(contract), f"work-locations-{contract.pk}.pdf")

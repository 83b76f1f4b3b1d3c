"""Work location pages: parse, authorise through `contracts.access`, call a service, render.

Pages show one party of the chain (`?party=`, by default the user's own, the contractor for the authority);
a subcontractor sees its own locations and those of the parties below it, never the contractor's. A party
records, changes and reports its own locations; the authority decides on any party's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts import party_pages
from itaku.contracts.access import Perm, get_contract, own_party, perms, viewed_party, visible_parties
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


def _location(request: HttpRequest, contract: Contract, pk: int) -> WorkLocation:
    """Only a location of the contract in the URL, of a party the user may see: another contract's or
    another part of the chain's is simply not found."""
    found = get_object_or_404(WorkLocation.objects.select_related("organisation"), pk=pk, contract=contract)
    if found.organisation_id not in {org.pk for org in visible_parties(request.user, contract)}:
        raise Http404
    return found


def _own_location(request: HttpRequest, contract: Contract, pk: int) -> WorkLocation:
    """A location the user's own party uses: only it records, changes and reports it (403 otherwise)."""
    found = _location(request, contract, pk)
    own = own_party(request.user, contract)
    if own is None or own.pk != found.organisation_id:
        raise PermissionDenied
    return found




@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = viewed_party(request.user, contract, request.GET.get("party"))
    own = own_party(request.user, contract)
    return render(request, "places/index.html", {
        "contract": contract,
        "perms": {p.value for p in perms(request.user, contract)},
        "party": party,
        "parties": visible_parties(request.user, contract),
        "own_part": own is not None and own.pk == party.pk,
        "reports": services.reports(contract, party),
    })


def _edit_page(request: HttpRequest, contract: Contract, form: LocationForm, location: WorkLocation | None,
               save: Callable[[dict], object]) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            return redirect(party_pages.back("places:index", contract, request.user.organisation_id))
    return render(request, "places/form.html", {"contract": contract, "form": form, "location": location})


@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new location of the user's own party."""
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    own = party_pages.acting(request, contract)
    form = LocationForm(request.POST if request.method == "POST" else None)
    return _edit_page(request, contract, form, None,
                      lambda data: services.add_location(request.user, contract, organisation=own, **data))


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _own_location(request, contract, location)
    form = LocationForm(request.POST) if request.method == "POST" else LocationForm.of(found)
    return _edit_page(request, contract, form, found,
                      lambda data: services.change_location(request.user, found, **data))


@require_POST
def report(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _own_location(request, contract, location)
    return act(request, contract, lambda c: services.report_location(request.user, found),
               back=party_pages.back("places:index", contract, found.organisation_id))


@require_POST
def decide(request: HttpRequest, pk: int, location: int) -> HttpResponse:
    """The authority acknowledges or returns the report of any party's location."""
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _location(request, contract, location)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.decide_location(
        request.user, found, acknowledge=accept, comment=comment,
    ), back=party_pages.back("places:index", contract, found.organisation_id))


@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 作業場所届 of the party shown (`?party=`, as on the page)."""
    contract = get_contract(request.user, pk)
    party = viewed_party(request.user, contract, request.GET.get("party"))
    return pdf_response(contract, DOCUMENT, services.report_data(contract, party), f"work-locations-{contract.pk}.pdf")

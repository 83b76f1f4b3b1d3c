"""The vault's pages: datasets, a purpose per session, search and view, imports. Every access to data goes
through `access` (the eligibility gate, the purpose, the limits, the ledger); pages are never cached."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.places.network import client_address
from itaku.vault import access
from itaku.vault.forms import ImportForm, PurposeForm, SearchForm
from itaku.vault.models import Dataset, Purpose, Record
from itaku.vault.services import import_file
from itaku.vault.uploads import SealedUploadHandler

SESSION_KEY = "vault_purposes"


def _dataset(contract: Contract, pk: int) -> Dataset:
    dataset = Dataset.objects.filter(pk=pk, contract=contract).first()
    if dataset is None:
        raise Http404
    return dataset


def _purpose(request: HttpRequest, dataset: Dataset) -> Purpose | None:
    chosen = request.session.get(SESSION_KEY, {}).get(str(dataset.pk))
    return dataset.purposes.filter(pk=chosen).first() if chosen else None


def _handles_data(request: HttpRequest, contract: Contract) -> bool:
    """Only the contractor's people touch data; the authority's staff see the datasets, never their content."""
    return request.user.organisation_id == contract.contractor_id


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    datasets = [{"dataset": d, "records": Record.objects.filter(dataset=d).count()}
                for d in contract.datasets.prefetch_related("fields", "purposes")]
    return render(request, "vault/index.html", {"contract": contract, "datasets": datasets})


@never_cache
@require_http_methods(["GET", "POST"])
def dataset(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _dataset(contract, dataset)
    purpose = _purpose(request, found)
    results: list[access.Found] | None = None
    search_form = SearchForm(request.POST or None, dataset=found)
    if request.method == "POST":
        if not _handles_data(request, contract):
            raise Http404
        if search_form.is_valid():
            try:
                results = access.search(request.user, found, purpose, client_address(request),
                                        search_form.cleaned_data["field"], search_form.cleaned_data["query"])
            except UserError as error:
                messages.error(request, f"{error.message_ja} / {error.message_en}")
    return render(request, "vault/dataset.html", {
        "contract": contract, "dataset": found, "purpose": purpose, "handles_data": _handles_data(request, contract),
        "purpose_form": PurposeForm(dataset=found, initial={"purpose": purpose}), "search_form": search_form,
        "results": results, "fields": list(found.fields.all()),
        "may_import": Perm.SUBMIT in perms(request.user, contract),
    })


@require_POST
def choose_purpose(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _dataset(contract, dataset)
    if not _handles_data(request, contract):
        raise Http404
    form = PurposeForm(request.POST, dataset=found)
    if form.is_valid():
        chosen = request.session.get(SESSION_KEY, {})
        chosen[str(found.pk)] = form.cleaned_data["purpose"].pk
        request.session[SESSION_KEY] = chosen
    return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)


@never_cache
@require_GET
def record(request: HttpRequest, pk: int, dataset: int, record: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = _dataset(contract, dataset)
    if not _handles_data(request, contract):
        raise Http404
    try:
        shown = access.view(request.user, found, _purpose(request, found), client_address(request), record)
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)
    return render(request, "vault/record.html", {"contract": contract, "dataset": found, "record": shown})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """The upload handlers are replaced before the body is read, so the CSRF check runs explicitly after."""
    request.upload_handlers = [SealedUploadHandler(request)]
    return _import_csv(request, pk, dataset)


@csrf_protect
def _import_csv(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _dataset(contract, dataset)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            access.admit(request.user, found, client_address(request))
            report = import_file(request.user, found, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
    return render(request, "vault/import.html", {"contract": contract, "dataset": found, "form": form,
                                                 "report": report})

"""The pages of the three ways data leaves the vault: copies (article 10), the return (article 12) and disposal
(article 13). Views parse, authorise through `contracts.access`, call the services and render; the services
check the roles again and write the ledger. A copy's file and the return package are sent by POST, never
cached; a copy request's filter value travels only in POST bodies and on never-cached pages of the contractor.
All three are the contractor's and the authority's: a subcontractor's people (article 8) get 403 on every page
and action here (data reaches them only by a share, and leaves the vault only through the contractor).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts.access import Perm, get_contract, is_subcontractor, perms
from itaku.contracts.actions import act
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.places.network import client_address
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm
from itaku.vault import access, copies, returns
from itaku.vault import disposal as disposal_service
from itaku.vault.exports import ExportFile
from itaku.vault.models import Copy, CopyRequest, Dataset, Disposal, DisposalInstruction, ReturnPackage
from itaku.vault.outflow_forms import (
    CopyRequestForm,
    CorrectionForm,
    DestructionForm,
    DisposeForm,
    InstructionForm,
    MediaDisposalForm,
    ProduceForm,
)


def _contract(request: HttpRequest, pk: int, perm: Perm = Perm.VIEW) -> Contract:
    """The contract of a page here (`get_contract`: invisible 404, without `perm` 403); a subcontractor's
    people: 403 whatever their role (copies, the return and disposal stay with the contractor)."""
    contract = get_contract(request.user, pk, perm)
    if is_subcontractor(request.user, contract):
        raise PermissionDenied
    return contract


def _message(error: UserError) -> str:
    return f"{error.message_ja} / {error.message_en}"


def _perms(request: HttpRequest, contract: Contract) -> set[str]:
    return {p.value for p in perms(request.user, contract)}


def _download(made: ExportFile) -> HttpResponse:
    """A produced file as an attachment; the name carries ids only (C-…, R-…), never personal values."""
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = content_disposition_header(True, made.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Copies (article 10) ---------------------------------------------------------------------------------------


def _copy_request(contract: Contract, pk: int) -> CopyRequest:
    """Only a request of the contract in the URL: another contract's id is simply not found."""
    return get_object_or_404(CopyRequest.objects.select_related("contract", "dataset", "purpose", "holder", "place",
                                                                "filter_field"), pk=pk, contract=contract)


def _copy_back(contract: Contract, found: CopyRequest) -> str:
    return reverse("vault:copy", args=[contract.pk, found.pk])


@never_cache
@require_GET
def copies_index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    granted = _perms(request, contract)
    return render(request, "vault/copies.html", {
        "contract": contract, "perms": granted, "entries": copies.register(contract),
        "articles": contract.articles_for(copies.TOPIC),
        "datasets": contract.datasets.filter(status=Dataset.Status.ACTIVE).order_by("pk")
        if Perm.SUBMIT in granted else [],
    })


@never_cache
@sensitive_post_parameters()  # the filter value is personal data: kept out of error reports
@require_http_methods(["GET", "POST"])
def copy_new(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    found = access.dataset_of(contract, dataset, person=request.user)
    form = CopyRequestForm(request.POST if request.method == "POST" else None, dataset=found)
    if request.method == "POST" and form.is_valid():
        try:
            made = copies.request_copy(request.user, found, **form.items())
        except UserError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("Copy request %(number)s was submitted to the authority.")
                             % {"number": made.code})
            return redirect("vault:copy", pk=contract.pk, copy_request=made.pk)
    return render(request, "vault/copy_request.html", {"contract": contract, "dataset": found, "form": form,
                                                       "copy_request": None})


@never_cache
@sensitive_post_parameters()  # the filter value is personal data: kept out of error reports
@require_http_methods(["GET", "POST"])
def copy_edit(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _copy_request(contract, copy_request)
    if request.method == "POST":
        form = CopyRequestForm(request.POST, dataset=found.dataset)
        if form.is_valid():
            try:
                copies.change_request(request.user, found, **form.items())
            except UserError as error:
                form.add_error(None, _message(error))
            else:
                messages.success(request, _("The request was changed. Submit it to the authority again."))
                return redirect(_copy_back(contract, found))
    else:
        if found.dataset.is_disposed:
            messages.error(request, _("The dataset has been disposed of; the request cannot change."))
            return redirect(_copy_back(contract, found))
        form = CopyRequestForm.of(found)
    return render(request, "vault/copy_request.html", {"contract": contract, "dataset": found.dataset,
                                                       "form": form, "copy_request": found})


@never_cache
@require_GET
def copy_detail(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    contract = _contract(request, pk)
    found = _copy_request(contract, copy_request)
    handles_data = access.handles_data(request.user, contract)
    value = None
    if handles_data and found.filter_field_id is not None and not found.dataset.is_disposed:
        value = copies.filter_value(found)
    return render(request, "vault/copy.html", {
        "contract": contract, "perms": _perms(request, contract), "copy_request": found,
        "status": copies.status(found), "handles_data": handles_data, "filter_value": value,
        "fields": found.fields.order_by("position"), "copy": Copy.objects.filter(request=found).first(),
        "rounds": submissions.rounds(found, copies.KIND).order_by("round"),
        "is_holder": request.user.pk == found.holder_id, "produce_form": ProduceForm(),
    })


@require_POST
def copy_submit(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _copy_request(contract, copy_request)
    return act(request, contract, lambda c: copies.submit_request(request.user, found),
               back=_copy_back(contract, found), done=_("The request was submitted to the authority."))


@require_POST
def copy_decide(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    found = _copy_request(contract, copy_request)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: copies.decide_request(request.user, found, approve=accept,
                                                                  comment=comment),
               back=_copy_back(contract, found), done=_("The decision was recorded."))


@never_cache
@require_POST
def copy_produce(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    """The copy itself, once, to its holder, from the place of keeping (the service checks all of it)."""
    contract = _contract(request, pk)
    if not access.handles_data(request.user, contract):
        raise Http404
    found = _copy_request(contract, copy_request)
    form = ProduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "ファイル形式を選んでください。 / Choose a file format.")
        return redirect(_copy_back(contract, found))
    try:
        made = copies.produce_copy(request.user, found, fmt=form.cleaned_data["fmt"],
                                   client_address=client_address(request))
    except UserError as error:
        messages.error(request, _message(error))
        return redirect(_copy_back(contract, found))
    return _download(made)


@never_cache
@require_http_methods(["GET", "POST"])
def copy_destroy(request: HttpRequest, pk: int, copy_request: int) -> HttpResponse:
    contract = _contract(request, pk)
    if not access.handles_data(request.user, contract):
        raise Http404
    found = _copy_request(contract, copy_request)
    copy = Copy.objects.filter(request=found).first()
    if copy is None:
        raise Http404
    form = DestructionForm(request.POST if request.method == "POST" else None, contract=contract,
                           initial={"place": found.place_id, "person": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            copies.confirm_destruction(request.user, copy, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("The destruction of copy %(number)s was recorded.") % {"number": found.code})
            return redirect("vault:copies", pk=contract.pk)
    return render(request, "vault/copy_destroy.html", {"contract": contract, "copy_request": found, "copy": copy,
                                                       "form": form})


# The return (article 12) -----------------------------------------------------------------------------------


def _package(contract: Contract, pk: int) -> ReturnPackage:
    return get_object_or_404(ReturnPackage.objects.select_related("contract", "built_by"), pk=pk, contract=contract)


def _returns_back(contract: Contract) -> str:
    return reverse("vault:returns", args=[contract.pk])


@require_GET
def returns_index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    packages = []
    for package in ReturnPackage.objects.filter(contract=contract).select_related("built_by").order_by("-number"):
        latest = submissions.latest(package, returns.KIND)
        names = dict(Dataset.objects.filter(pk__in=[e["dataset"] for e in package.datasets]).values_list("pk", "name"))
        packages.append({"package": package, "latest": latest, "downloaded": returns.downloaded(package),
                         "datasets": [{"name": names.get(e["dataset"], ""), "records": e["records"]}
                                      for e in package.datasets]})
    return render(request, "vault/returns.html", {
        "contract": contract, "perms": _perms(request, contract), "ended_on": returns.ended_on(contract),
        "open_request": returns.open_request(contract), "packages": packages,
        "received": returns.received(contract), "articles": contract.articles_for(returns.TOPIC),
        "authority_side": request.user.organisation_id == contract.authority_id,
        "requests": contract.return_requests.select_related("requested_by").order_by("-created", "-pk"),
    })


@require_POST
def return_request(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    return act(request, contract, lambda c: returns.request_return(request.user, c), back=_returns_back(contract),
               done=_("The return was asked for. The contractor builds the return package."))


@require_POST
def return_build(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    return act(request, contract, lambda c: returns.build_return(request.user, c), back=_returns_back(contract),
               done=_("The return package was built and submitted to the authority."))


@never_cache
@require_POST
def return_download(request: HttpRequest, pk: int, package: int) -> HttpResponse:
    """The package, for the authority's own user only (the one way its staff receive the data)."""
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    if request.user.organisation_id != contract.authority_id:
        raise PermissionDenied
    found = _package(contract, package)
    try:
        made = returns.download_return(request.user, found)
    except UserError as error:
        messages.error(request, _message(error))
        return redirect(_returns_back(contract))
    return _download(made)


@require_POST
def return_receipt(request: HttpRequest, pk: int, package: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    found = _package(contract, package)
    accept, comment = DecisionForm.parse(request.POST)

    def decide(c: Contract) -> object:
        if accept:
            return returns.confirm_receipt(request.user, found)
        return returns.send_back(request.user, found, comment)

    return act(request, contract, decide, back=_returns_back(contract), done=_("The decision was recorded."))


# Disposal (article 13) ---------------------------------------------------------------------------------------


def _instruction(contract: Contract, pk: int) -> DisposalInstruction:
    return get_object_or_404(DisposalInstruction.objects.select_related("dataset", "instructed_by"), pk=pk,
                             contract=contract)


def _disposal(contract: Contract, pk: int) -> Disposal:
    return get_object_or_404(Disposal.objects.select_related("contract", "dataset", "instruction", "reported_by"),
                             pk=pk, contract=contract)


def _record_back(contract: Contract, found: Disposal) -> str:
    return reverse("vault:disposal_record", args=[contract.pk, found.pk])


@require_GET
def disposal_index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    return render(request, "vault/disposal.html", {
        "contract": contract, "perms": _perms(request, contract),
        "articles": contract.articles_for(disposal_service.TOPIC),
        "instructions": disposal_service.instructions(contract).order_by("-instructed_at", "-pk"),
        "disposals": [{"disposal": d, "state": disposal_service.report_state(d)}
                      for d in disposal_service.disposals(contract)],
    })


@require_http_methods(["GET", "POST"])
def disposal_instruct(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    form = InstructionForm(request.POST if request.method == "POST" else None, contract=contract)
    if request.method == "POST" and form.is_valid():
        target, note = form.cleaned_data["dataset"], form.cleaned_data["note"]
        try:
            if target is None:
                disposal_service.instruct_media_disposal(request.user, contract, instruction_note=note)
            else:
                disposal_service.instruct_disposal(request.user, target, instruction_note=note)
        except UserError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("The disposal was instructed."))
            return redirect("vault:disposal", pk=contract.pk)
    return render(request, "vault/disposal_instruct.html", {"contract": contract, "form": form})


@require_http_methods(["GET", "POST"])
def disposal_carry_out(request: HttpRequest, pk: int, instruction: int) -> HttpResponse:
    """The contractor carries out an instruction: a dataset by crypto erase after a confirmation step (it cannot
    be undone), paper or media by recording what was done by hand."""
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _instruction(contract, instruction)
    done = Disposal.objects.filter(instruction=found).first()
    if done is not None:
        return redirect(_record_back(contract, done))
    data = request.POST if request.method == "POST" else None
    if found.dataset_id is None:
        return _media_disposal(request, contract, found, MediaDisposalForm(data))
    form = DisposeForm(data)
    review = False
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirmed"]:
            review = True  # first the review of what is about to be destroyed, then the confirmation
            if request.POST.get("stage") == "confirm":
                form.add_error("confirmed", _("Tick the box to confirm the disposal."))
        else:
            values = {k: form.cleaned_data[k] for k in ("place", "person_in_charge", "medium")}
            try:
                made = disposal_service.dispose(request.user, found.dataset, **values)
            except UserError as error:
                form.add_error(None, _message(error))
            else:
                messages.success(request, _("The dataset was disposed of by cryptographic erasure. "
                                            "Submit the disposal report to the authority."))
                return redirect(_record_back(contract, made))
    dataset = found.dataset
    return render(request, "vault/dispose.html", {
        "contract": contract, "instruction": found, "dataset": dataset, "form": form, "review": review,
        "records": dataset.records.count(), "fields": dataset.fields.order_by("position"),
        "method": disposal_service.CRYPTO_ERASE,
    })


def _media_disposal(request: HttpRequest, contract: Contract, found: DisposalInstruction,
                    form: MediaDisposalForm) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            made = disposal_service.record_media_disposal(request.user, found, **form.cleaned_data)
        except UserError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("The disposal was recorded. Submit the disposal report to the authority."))
            return redirect(_record_back(contract, made))
    return render(request, "vault/dispose.html", {"contract": contract, "instruction": found, "dataset": None,
                                                  "form": form, "review": False})


@require_GET
def disposal_record(request: HttpRequest, pk: int, disposal: int) -> HttpResponse:
    contract = _contract(request, pk)
    found = _disposal(contract, disposal)
    return render(request, "vault/disposal_record.html", {
        "contract": contract, "perms": _perms(request, contract), "disposal": found, "instruction": found.instruction,
        "state": disposal_service.report_state(found),
        "rounds": submissions.rounds(found, disposal_service.KIND).order_by("round"),
    })


@require_GET
def disposal_pdf(request: HttpRequest, pk: int, disposal: int) -> HttpResponse:
    """廃棄報告書 (article 13-2), through the PDF response every document of a contract uses."""
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    found = _disposal(contract, disposal)
    return pdf_response(contract, disposal_service.DOCUMENT, disposal_service.report_data(found),
                        f"disposal-report-{contract.pk}-{found.pk}.pdf", on=disposal_service.report_date(found))


@require_http_methods(["GET", "POST"])
def disposal_correct(request: HttpRequest, pk: int, disposal: int) -> HttpResponse:
    """Correct what was typed (medium, place, person in charge) after the authority returned the report."""
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _disposal(contract, disposal)
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                disposal_service.correct_disposal(request.user, found, **form.cleaned_data)
            except UserError as error:
                form.add_error(None, _message(error))
            else:
                messages.success(request, _("The disposal record was corrected. Submit the report again."))
                return redirect(_record_back(contract, found))
    else:
        form = CorrectionForm(initial={"medium": found.medium, "place": found.place,
                                       "person_in_charge": found.person_in_charge})
    return render(request, "vault/disposal_correct.html", {"contract": contract, "disposal": found, "form": form})


@require_POST
def disposal_submit(request: HttpRequest, pk: int, disposal: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _disposal(contract, disposal)
    return act(request, contract, lambda c: disposal_service.submit_report(request.user, found),
               back=_record_back(contract, found), done=_("The disposal report was submitted to the authority."))


@require_POST
def disposal_decide(request: HttpRequest, pk: int, disposal: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    found = _disposal(contract, disposal)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: disposal_service.decide_report(request.user, found, acknowledge=accept,
                                                                           comment=comment),
               back=_record_back(contract, found), done=_("The decision was recorded."))

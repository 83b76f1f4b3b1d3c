"""The violations register's page, the authority's decisions and the evidence package (article 20)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.lib.errors import UserError
from itaku.violations import services
from itaku.violations.forms import DecisionForm, PackageForm
from itaku.violations.models import Violation


def _back(pk: int) -> str:
    return reverse("violations:index", args=[pk])


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.OVERSEE)
    recorded = list(Violation.objects.filter(contract=contract).prefetch_related("decisions"))
    known = {v.key for v in recorded}
    today = timezone.localdate()
    return render(request, "violations/index.html", {
        "contract": contract, "perms": {p.value for p in perms(request.user, contract)},
        "recorded": recorded,
        "unrecorded": [f for f in services.current_violations(contract) if f.key not in known],
        "decision_form": DecisionForm(),
        "package_form": PackageForm(initial={"start": contract.start, "end": min(today, contract.end)}),
    })


@require_POST
def refresh(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.OVERSEE)
    return act(request, contract, lambda c: services.refresh(request.user, c), back=_back(pk))


@require_POST
def decide(request: HttpRequest, pk: int, violation: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = get_object_or_404(Violation, pk=violation, contract=contract)

    def record_it(c: object) -> None:
        data = valid(DecisionForm(request.POST), "判断の種類と理由を入力してください。",
                     "Choose the decision and state its reasons.")
        services.decide(request.user, found, kind=data["kind"], reason=data["reason"])

    return act(request, contract, record_it, back=_back(pk))


@require_GET
def register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.OVERSEE)
    return pdf_response(contract, "violations.register", services.register_document(contract),
                        f"violations-{contract.pk}.pdf")


@require_POST
def package(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.OVERSEE)
    form = PackageForm(request.POST)
    try:
        data = valid(form, "期間を入力してください。", "Enter the period.")
        archive, _digest = services.evidence_package(request.user, contract, data["start"], data["end"])
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect(_back(pk))
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="evidence-{contract.pk}-{data["start"]:%Y%m%d}-' \
                                      f'{data["end"]:%Y%m%d}.zip"'
    return response

"""Report pages (article 17): the schedule and each period's report, reports on request, and the emergency
report procedure (17-2).

Views parse, authorise and call `services`, which check the roles again and write the ledger. The periodic
report covers the whole contract, so a subcontractor's people do not see these pages (403); they see the
emergency procedure, which they need when something happens. Every object is fetched within the contract
in the URL (another contract's id is not found).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from itaku.contracts.access import Perm, get_contract, is_subcontractor, perms
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.reporting import document_data, services
from itaku.reporting.documents import PeriodicReportDocument
from itaku.reporting.forms import AnswerForm, AskForm, ChannelsForm, CompileForm, ContactForm, RemarksForm, ScheduleForm
from itaku.reporting.models import EmergencyContact, PeriodicReport, RequestedReport, Side
from itaku.reporting.periods import parse
from itaku.submissions.forms import DecisionForm
from itaku.submissions.models import Attachment


def _contract(request: HttpRequest, pk: int, perm: Perm) -> Contract:
    """The contract for a page of the contractor's whole report: not for a subcontractor's people."""
    contract = get_contract(request.user, pk, perm)
    if is_subcontractor(request.user, contract):
        raise PermissionDenied
    return contract


def _perms(request: HttpRequest, contract: Contract) -> set[str]:
    return {p.value for p in perms(request.user, contract)}


def _index_url(contract: Contract) -> str:
    return reverse("reporting:index", args=[contract.pk])


def _report(contract: Contract, pk: int) -> PeriodicReport:
    return get_object_or_404(PeriodicReport.objects.select_related("contract"), pk=pk, contract=contract)


def _asked(contract: Contract, pk: int) -> RequestedReport:
    return get_object_or_404(RequestedReport.objects.select_related("contract"), pk=pk, contract=contract)


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    schedule = services.schedule_of(contract)
    reports = {r.period: r for r in PeriodicReport.objects.filter(contract=contract)}
    rows = []
    for period in services.scheduled_periods(contract):
        report = reports.pop(period.label, None)
        rows.append({"period": period, "report": report, "latest": services.report_status(report),
                     "due_on": services.period_due_on(contract, period, schedule),
                     "ended": period.end < timezone.localdate()})
    extra = [{"period": parse(r.period), "report": r, "latest": services.report_status(r), "due_on": r.due_on,
              "ended": r.end < timezone.localdate()} for r in reports.values()]
    asked = [{"asked": a, "latest": services.answer_status(a), "answered": services.is_answered(a)}
             for a in contract.requested_reports.prefetch_related("attachments")]
    initial = {"frequency": schedule.frequency, "due_working_days": schedule.due_working_days} if schedule else None
    return render(request, "reporting/index.html", {
        "contract": contract, "perms": _perms(request, contract), "schedule": schedule,
        "schedule_form": ScheduleForm(initial=initial), "compile_form": CompileForm(),
        "rows": rows + extra, "asked": asked, "ask_form": AskForm(), "answer_form": AnswerForm(),
    })


@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)

    def save(c: Contract) -> None:
        data = valid(ScheduleForm(request.POST), "報告の頻度と期限を入力してください。",
                     "Enter the frequency and the due days.")
        services.set_schedule(request.user, c, **data)

    return act(request, contract, save, back=_index_url(contract), done=_("The schedule was saved."))


@require_POST
def compile_period(request: HttpRequest, pk: int) -> HttpResponse:
    """Compile a period's figures and open the report to review them."""
    contract = _contract(request, pk, Perm.SUBMIT)
    try:
        data = valid(CompileForm(request.POST), "期間を入力してください。", "Enter the period.")
        report = services.compile_report(request.user, contract, services.parse_period(contract, data["period"]))
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect(_index_url(contract))
    return redirect("reporting:report", contract.pk, report.pk)


@require_GET
def report_detail(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    found = _report(contract, report)
    latest = services.report_status(found)
    granted = _perms(request, contract)
    return render(request, "reporting/report.html", {
        "contract": contract, "perms": granted, "report": found, "figures": found.figures, "latest": latest,
        "delivered": services.is_delivered(found), "remarks_form": RemarksForm(initial={"remarks": found.remarks}),
        "ended": found.end < timezone.localdate(),
        "may_decide": "decide" in granted and latest is not None and latest.is_open,
    })


def _report_action(request: HttpRequest, pk: int, report: int, perm: Perm,
                   action: Callable[[PeriodicReport], object], done: str) -> HttpResponse:
    contract = _contract(request, pk, perm)
    found = _report(contract, report)
    return act(request, contract, lambda c: action(found), back=reverse("reporting:report", args=[pk, found.pk]),
               done=done)


@require_POST
def remarks(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    text = RemarksForm(request.POST)
    text.is_valid()
    return _report_action(request, pk, report, Perm.SUBMIT,
                          lambda r: services.save_remarks(request.user, r, text.cleaned_data.get("remarks", "")),
                          _("The remarks were saved."))


@require_POST
def submit(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    return _report_action(request, pk, report, Perm.SUBMIT, lambda r: services.submit_report(request.user, r),
                          _("The report was submitted."))


@require_POST
def decide(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    accept, comment = DecisionForm.parse(request.POST)
    return _report_action(request, pk, report, Perm.DECIDE,
                          lambda r: services.decide_report(request.user, r, accept=accept, comment=comment),
                          _("The decision was recorded."))


@require_GET
def report_pdf(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    found = _report(contract, report)
    data = document_data.periodic_data(contract, parse(found.period))
    return pdf_response(contract, PeriodicReportDocument.kind, data, f"report-{found.pk}.pdf", on=data["submitted_on"])


# Reports on request ----------------------------------------------------------------------------------------------


@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)

    def save(c: Contract) -> None:
        data = valid(AskForm(request.POST), "報告を求める事項と期限を入力してください。",
                     "Enter what the report must cover and its due date.")
        services.ask(request.user, c, **data)

    return act(request, contract, save, back=_index_url(contract), done=_("The report was requested."))


@require_POST
def answer(request: HttpRequest, pk: int, asked: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.SUBMIT)
    found = _asked(contract, asked)

    def save(c: Contract) -> None:
        data = valid(AnswerForm(request.POST, request.FILES), "報告の内容を入力してください。", "Write the report.")
        services.answer(request.user, found, text=data["text"], files=data.get("files") or [])

    return act(request, contract, save, back=_index_url(contract), done=_("The report was submitted."))


@require_POST
def answer_decide(request: HttpRequest, pk: int, asked: int) -> HttpResponse:
    contract = _contract(request, pk, Perm.DECIDE)
    found = _asked(contract, asked)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract,
               lambda c: services.decide_answer(request.user, found, accept=accept, comment=comment),
               back=_index_url(contract), done=_("The decision was recorded."))


@require_GET
def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """An attachment of an answer to a report on request."""
    contract = _contract(request, pk, Perm.VIEW_CONTROLS)
    found = Attachment.objects.filter(pk=attachment, chain=contract.ledger_chain).first()
    if found is None or not RequestedReport.objects.filter(contract=contract, attachments=found).exists():
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type=found.content_type)


# The emergency procedure (17-2) ---------------------------------------------------------------------------------


def _keeper(request: HttpRequest, pk: int) -> Contract:
    """The supervisor or the contractor's responsible person; anyone else 403."""
    contract = _contract(request, pk, Perm.VIEW)
    if not {Perm.DECIDE, Perm.SUBMIT} & perms(request.user, contract):
        raise PermissionDenied
    return contract


def _emergency_url(contract: Contract) -> str:
    return reverse("reporting:emergency", args=[contract.pk])


@require_GET
def emergency(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone on the contract, subcontractors included, sees whom to call."""
    contract = get_contract(request.user, pk, Perm.VIEW)
    procedure = services.procedure_of(contract)
    granted = perms(request.user, contract)
    keeper = bool({Perm.DECIDE, Perm.SUBMIT} & granted) and not is_subcontractor(request.user, contract)
    own_side = Side.AUTHORITY if request.user.organisation_id == contract.authority_id else Side.CONTRACTOR
    return render(request, "reporting/emergency.html", {
        "contract": contract, "procedure": procedure,
        "contacts": procedure.contacts.all() if procedure else [], "keeper": keeper, "own_side": own_side,
        "channels_form": ChannelsForm(initial={"channels": procedure.channels if procedure else ""}),
        "contact_form": ContactForm(),
    })


@require_POST
def channels(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _keeper(request, pk)
    form = ChannelsForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("channels", "")
    return act(request, contract, lambda c: services.save_channels(request.user, c, text),
               back=_emergency_url(contract), done=_("The channels were saved."))


@require_POST
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _keeper(request, pk)

    def save(c: Contract) -> None:
        data = valid(ContactForm(request.POST), "連絡先を確認してください。", "Check the contact.")
        services.add_contact(request.user, c, **data)

    return act(request, contract, save, back=_emergency_url(contract), done=_("The contact was added."))


@require_POST
def contact_remove(request: HttpRequest, pk: int, contact: int) -> HttpResponse:
    contract = _keeper(request, pk)
    found = get_object_or_404(EmergencyContact.objects.select_related("procedure__contract"), pk=contact,
                              procedure__contract=contract)
    return act(request, contract, lambda c: services.remove_contact(request.user, found),
               back=_emergency_url(contract), done=_("The contact was removed."))

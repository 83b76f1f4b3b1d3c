"""Inspection pages (article 16): the inspections of the parties the user may see, one inspection's checklist
(for a tablet on site), its reports and instructions, and its report as a PDF.

The authority sees every inspection, the contractor those of every party of its chain, a subcontractor
only those of itself. The checklist's prefill (what the controls say of the whole contract) is the
inspectors' tool and is shown to the authority only. Views parse, authorise and call `services`, which
check the roles again and write the ledger.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from itaku.contracts import chain
from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract, Role
from itaku.inspections import document_data, services
from itaku.inspections.documents import InspectionReport
from itaku.inspections.forms import AnswerForm, CloseForm, InstructionForm, ItemForm, ReportForm, ScheduleForm
from itaku.inspections.models import ChecklistItem, Inspection, Instruction, ReportRequest
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm
from itaku.submissions.models import Attachment, Submission


def _inspections(request: HttpRequest, contract: Contract) -> QuerySet[Inspection]:
    found = Inspection.objects.filter(contract=contract).select_related("contract", "party")
    if request.user.organisation_id in (contract.authority_id, contract.contractor_id):
        return found
    return found.filter(party_id=request.user.organisation_id)


def _inspection(request: HttpRequest, contract: Contract, pk: int) -> Inspection:
    return get_object_or_404(_inspections(request, contract), pk=pk)


def _side(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _url(contract: Contract, inspection: Inspection) -> str:
    return reverse("inspections:detail", args=[contract.pk, inspection.pk])


def _inspectors(contract: Contract) -> list:
    return [r.user for r in contract.roles.filter(role__in=[Role.SUPERVISOR, Role.AUDITOR],
                                                 user__organisation_id=contract.authority_id)
            .select_related("user").order_by("user_id").distinct()]


def _schedule_form(contract: Contract, data: object = None) -> ScheduleForm:
    seen: dict[int, object] = {}
    for user in _inspectors(contract):
        seen.setdefault(user.pk, user)
    return ScheduleForm(data, parties=chain.parties(contract), inspectors=list(seen.values()))


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    granted = perms(request.user, contract)
    return render(request, "inspections/index.html", {
        "contract": contract, "inspections": _inspections(request, contract).prefetch_related("inspectors"),
        "form": _schedule_form(contract) if Perm.DECIDE in granted else None,
    })


@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)

    def do(c: Contract) -> None:
        form = _schedule_form(c, request.POST)
        valid(form, "相手方、種別、実施日、範囲及び検査員を入力してください。",
              "Enter the party, the kind, the date, the scope and the inspectors.")
        services.schedule(request.user, c, **form.chosen())

    return act(request, contract, do, back=reverse("inspections:index", args=[contract.pk]),
               done=_("The inspection was scheduled."))


def _answers(subjects: QuerySet, kind: str, inspected: bool, decides: bool) -> list[dict]:
    rows = []
    for subject in subjects:
        latest = submissions.latest(subject, kind)
        rows.append({"subject": subject, "latest": latest, "key": f"{kind.rsplit('.', 1)[-1]}{subject.pk}",
                     "answered_on": services.answered_on(subject),
                     "form": AnswerForm(auto_id=f"id_{kind}{subject.pk}_%s"),
                     "may_answer": inspected and (latest is None or latest.status in Submission.REFUSING),
                     "may_decide": decides and latest is not None and latest.is_open})
    return rows


@require_GET
def detail(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _inspection(request, contract, inspection)
    granted = perms(request.user, contract)
    authority = request.user.organisation_id == contract.authority_id
    inspector = found.is_open and services.is_inspector(request.user, found)
    inspected = services.is_inspected(request.user, found)
    decides = Perm.DECIDE in granted
    items = list(found.items.select_related("recorded_by"))
    findings = [i for i in items if i.result == ChecklistItem.Result.FINDING]
    return render(request, "inspections/detail.html", {
        "contract": contract, "inspection": found, "authority": authority, "inspector": inspector,
        "decides": decides, "ledger": Perm.VIEW_LEDGER in granted,
        "items": [{"item": i, "form": ItemForm(initial={"result": i.result, "notes": i.notes},
                                               auto_id=f"id_item{i.pk}_%s") if inspector else None}
                  for i in items],
        "open_findings": {i.pk for i in services.open_findings(found)},
        "reports": _answers(found.reportrequests.select_related("attachment"), services.REPORT, inspected, decides),
        "instructions": _answers(found.instructions.select_related("item", "attachment"), services.INSTRUCTION,
                                 inspected, decides),
        "report_form": ReportForm() if decides else None,
        "instruction_form": InstructionForm(findings=findings) if decides else None,
        "close_form": CloseForm() if decides and found.is_open else None,
    })


@require_POST
def record_item(request: HttpRequest, pk: int, inspection: int, item: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _inspection(request, contract, inspection)
    _side(services.is_inspector(request.user, found))
    row = get_object_or_404(ChecklistItem, pk=item, inspection=found)

    def do(c: Contract) -> None:
        data = valid(ItemForm(request.POST), f"{row.reference}: 結果を選んでください。",
                     f"{row.reference}: choose a result.")
        services.record_item(request.user, c, row, **data)

    return act(request, contract, do, back=f"{_url(contract, found)}#item-{row.pk}", done=_("The result was recorded."))


@require_POST
def refresh(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _inspection(request, contract, inspection)
    _side(services.is_inspector(request.user, found))
    return act(request, contract, lambda c: services.refresh(request.user, c, found), back=_url(contract, found),
               done=_("The checklist shows what the controls say now."))


@require_POST
def close(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _inspection(request, contract, inspection)

    def do(c: Contract) -> None:
        data = valid(CloseForm(request.POST), "総評を確認してください。", "Check the overall remarks.")
        services.close(request.user, c, found, **data)

    return act(request, contract, do, back=_url(contract, found), done=_("The inspection was closed."))


@require_POST
def report_request(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _inspection(request, contract, inspection)

    def do(c: Contract) -> None:
        data = valid(ReportForm(request.POST), "報告を求める事項と期限を入力してください。",
                     "Enter what the report must cover and its due date.")
        services.request_report(request.user, c, found, **data)

    return act(request, contract, do, back=_url(contract, found), done=_("The report was requested."))


@require_POST
def instruction_issue(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _inspection(request, contract, inspection)
    findings = found.items.filter(result=ChecklistItem.Result.FINDING)

    def do(c: Contract) -> None:
        form = InstructionForm(request.POST, findings=findings)
        valid(form, "指示の内容と期限を入力してください。", "Enter the instruction and its due date.")
        services.issue_instruction(request.user, c, found, **form.chosen())

    return act(request, contract, do, back=_url(contract, found), done=_("The instruction was issued."))


def _answer(request: HttpRequest, pk: int, inspection: int, model: type, subject_pk: int, answer: object,
            done: str) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    found = _inspection(request, contract, inspection)
    _side(services.is_inspected(request.user, found))
    subject = get_object_or_404(model, pk=subject_pk, inspection=found)

    def do(c: Contract) -> None:
        data = valid(AnswerForm(request.POST, request.FILES), "回答の内容を入力してください。", "Write the answer.")
        answer(request.user, c, subject, answer=data["answer"], attachment=data.get("attachment"))

    return act(request, contract, do, back=_url(contract, found), done=done)


def _decide(request: HttpRequest, pk: int, inspection: int, model: type, subject_pk: int, decide: object,
            done: str) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    found = _inspection(request, contract, inspection)
    subject = get_object_or_404(model, pk=subject_pk, inspection=found)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: decide(request.user, c, subject, accept=accept, comment=comment),
               back=_url(contract, found), done=done)


@require_POST
def report_deliver(request: HttpRequest, pk: int, inspection: int, report: int) -> HttpResponse:
    return _answer(request, pk, inspection, ReportRequest, report, services.deliver_report,
                   _("The report was delivered."))


@require_POST
def report_acknowledge(request: HttpRequest, pk: int, inspection: int, report: int) -> HttpResponse:
    return _decide(request, pk, inspection, ReportRequest, report, services.acknowledge_report,
                   _("The decision was recorded."))


@require_POST
def instruction_answer(request: HttpRequest, pk: int, inspection: int, instruction: int) -> HttpResponse:
    return _answer(request, pk, inspection, Instruction, instruction, services.answer_instruction,
                   _("The answer was submitted."))


@require_POST
def instruction_close(request: HttpRequest, pk: int, inspection: int, instruction: int) -> HttpResponse:
    return _decide(request, pk, inspection, Instruction, instruction, services.close_instruction,
                   _("The decision was recorded."))


@require_GET
def report_pdf(request: HttpRequest, pk: int, inspection: int) -> HttpResponse:
    """立入検査・調査結果報告書, written by the authority."""
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = _inspection(request, contract, inspection)
    data = document_data.report_data(found)
    return pdf_response(contract, InspectionReport.kind, data, f"inspection-{found.pk}.pdf",
                        on=data["closed_on"] or data["held_on"])


@require_GET
def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """The file of a report or of an answer, to whoever may see the inspection."""
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    found = Attachment.objects.filter(pk=attachment, chain=contract.ledger_chain).select_related("subject_type").first()
    model = found.subject_type.model_class() if found else None
    if model not in (ReportRequest, Instruction) or not model.objects.filter(
            pk=found.subject_id, attachment=found, inspection__in=_inspections(request, contract)).exists():
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type="application/octet-stream")

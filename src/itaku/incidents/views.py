"""Incident pages (article 18) and the public page and feed of published summaries (article 19).

Views parse, authorise and call `services`, which check the roles again and write the ledger. An incident is
fetched within the contract in the URL and within the part of the chain the user sees: a subcontractor's
people see their own organisation's incidents and those of the parties below it, never the others'.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from itaku.contracts.access import Perm, get_contract, visible_parties
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.incidents import services
from itaku.incidents.documents import IncidentReport, PublicationNotice
from itaku.incidents.forms import (
    AnswerForm,
    CategoryForm,
    CloseForm,
    DatesForm,
    InstructionForm,
    PublishForm,
    RaiseForm,
    ReportForm,
    StatutoryForm,
)
from itaku.incidents.models import Incident, Instruction, OrdinanceCategory, Publication
from itaku.lib.errors import UserError
from itaku.reporting.services import emergency_channels, emergency_contacts
from itaku.submissions import services as submissions
from itaku.submissions.forms import DecisionForm


def _visible(request: HttpRequest, contract: Contract) -> QuerySet[Incident]:
    found = Incident.objects.filter(contract=contract).select_related("party")
    if request.user.organisation_id == contract.authority_id:
        return found
    return found.filter(party__in=[o.pk for o in visible_parties(request.user, contract)])


def _incident(request: HttpRequest, contract: Contract, incident_id: int) -> Incident:
    found = _visible(request, contract).filter(pk=incident_id).first()
    if found is None:
        raise Http404
    return found


def _url(contract: Contract, incident: Incident) -> str:
    return reverse("incidents:detail", args=[contract.pk, incident.pk])


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    supervisor = services.is_supervisor(request.user, contract)
    rows = [{"incident": i, "countdowns": services.countdowns(i)} for i in _visible(request, contract)]
    return render(request, "incidents/index.html", {
        "contract": contract, "rows": rows, "notices": services.unread(request.user, contract),
        "may_raise": services.may_raise(request.user, contract), "raise_form": RaiseForm(),
        "supervisor": supervisor, "category_form": CategoryForm(),
        "categories": OrdinanceCategory.objects.filter(authority_id=contract.authority_id),
    })


@require_POST
def raise_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice itself: saved, the supervisors are told at once; then the page of the incident."""
    contract = get_contract(request.user, pk)
    if not services.may_raise(request.user, contract):
        raise PermissionDenied
    back = reverse("incidents:index", args=[contract.pk])
    try:
        data = valid(RaiseForm(request.POST), "通知の内容に誤りがあります", "The notice is not valid")
        incident = services.raise_incident(request.user, contract, kind=data["kind"], summary=data["summary"])
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect(back)
    messages.success(request, _("The authority has been notified. Write the report next."))
    return redirect(_url(contract, incident))


@require_POST
def category_add(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)

    def add(c: Contract) -> None:
        data = valid(CategoryForm(request.POST), "区分に誤りがあります", "The category is not valid")
        services.add_category(request.user, c, label=data["label"])

    return act(request, contract, add, back=reverse("incidents:index", args=[contract.pk]),
               done=_("The category was added."))


def _round(subject: Any, kind: str) -> Any:
    return submissions.latest(subject, kind)


@require_GET
def detail(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    incident = _incident(request, contract, incident_id)
    services.mark_read(request.user, incident)
    report = _round(incident, services.REPORT_KIND)
    may_report = services.may_report(request.user, incident) and not incident.is_closed
    supervisor = services.is_supervisor(request.user, contract)
    instructions = [{"instruction": i, "round": _round(i, services.ANSWER_KIND), "answered": services.answered(i)}
                    for i in incident.instructions.all()]
    return render(request, "incidents/detail.html", {
        "contract": contract, "incident": incident, "countdowns": services.countdowns(incident),
        "contacts": emergency_contacts(contract), "channels": emergency_channels(contract),
        "assessment": services.assess(incident), "report": report,
        "rounds": submissions.rounds(incident, services.REPORT_KIND).order_by("round"),
        "may_report": may_report, "may_edit": may_report and not (report and report.is_open),
        "report_form": ReportForm(instance=incident, authority_id=contract.authority_id),
        "supervisor": supervisor, "decision_form": DecisionForm(),
        "instructions": instructions, "instruction_form": InstructionForm(), "answer_form": AnswerForm(),
        "statutory_form": StatutoryForm(instance=incident), "close_form": CloseForm(),
        "dates_form": DatesForm(initial={"known_on": incident.known_on}),
        "corrections": services.date_corrections(incident),
        "publish_form": PublishForm(), "publication": Publication.objects.filter(incident=incident).first(),
        "categories": incident.ordinance_categories.all(),
    })


def _reporter(request: HttpRequest, pk: int, incident_id: int) -> tuple[Contract, Incident]:
    contract = get_contract(request.user, pk)
    incident = _incident(request, contract, incident_id)
    if not services.may_report(request.user, incident):
        raise PermissionDenied
    return contract, incident


def _supervisor(request: HttpRequest, pk: int, incident_id: int) -> tuple[Contract, Incident]:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    return contract, _incident(request, contract, incident_id)


@require_POST
def report_save(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _reporter(request, pk, incident_id)

    def save(c: Contract) -> None:
        form = ReportForm(request.POST, instance=Incident.objects.get(pk=incident.pk), authority_id=c.authority_id)
        data = valid(form, "報告書の入力に誤りがあります", "The report is not valid")
        services.save_report(request.user, incident, categories=list(data["ordinance_categories"]), **form.items())

    return act(request, contract, save, back=_url(contract, incident), done=_("The report was saved."))


@require_POST
def report_submit(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _reporter(request, pk, incident_id)
    return act(request, contract, lambda c: services.submit_report(request.user, incident),
               back=_url(contract, incident), done=_("The report was submitted to the authority."))


@require_POST
def report_decide(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.decide_report(request.user, incident, accept=accept,
                                                                   comment=comment),
               back=_url(contract, incident), done=_("The decision was recorded."))


@require_POST
def instruct(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)

    def issue(c: Contract) -> None:
        data = valid(InstructionForm(request.POST), "指示の入力に誤りがあります", "The instruction is not valid")
        services.issue_instruction(request.user, incident, text=data["text"], due_on=data["due_on"])

    return act(request, contract, issue, back=_url(contract, incident), done=_("The instruction was issued."))


def _instruction(incident: Incident, number: int) -> Instruction:
    found = incident.instructions.filter(number=number).first()
    if found is None:
        raise Http404
    return found


@require_POST
def answer(request: HttpRequest, pk: int, incident_id: int, number: int) -> HttpResponse:
    contract, incident = _reporter(request, pk, incident_id)
    instruction = _instruction(incident, number)

    def submit(c: Contract) -> None:
        data = valid(AnswerForm(request.POST), "回答の入力に誤りがあります", "The answer is not valid")
        services.answer_instruction(request.user, instruction, answer=data["answer"])

    return act(request, contract, submit, back=_url(contract, incident), done=_("The answer was submitted."))


@require_POST
def answer_decide(request: HttpRequest, pk: int, incident_id: int, number: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)
    instruction = _instruction(incident, number)
    accept, comment = DecisionForm.parse(request.POST)
    return act(request, contract, lambda c: services.decide_answer(request.user, instruction, accept=accept,
                                                                   comment=comment),
               back=_url(contract, incident), done=_("The decision was recorded."))


@require_POST
def statutory(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)

    def save(c: Contract) -> None:
        form = StatutoryForm(request.POST, instance=Incident.objects.get(pk=incident.pk))
        data = valid(form, "入力に誤りがあります", "The entry is not valid")
        services.record_statutory(request.user, incident, **data)

    return act(request, contract, save, back=_url(contract, incident), done=_("Recorded."))


@require_POST
def correct_dates(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)

    def correct(c: Contract) -> None:
        data = valid(DatesForm(request.POST), "日付の訂正に誤りがあります", "The correction is not valid")
        services.correct_dates(request.user, incident, known_on=data["known_on"], report_due=data["report_due"],
                               reason=data["reason"])

    return act(request, contract, correct, back=_url(contract, incident), done=_("The dates were corrected."))


@require_POST
def close(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)
    note = CloseForm(request.POST)
    return act(request, contract, lambda c: services.close(
        request.user, incident, note=valid(note, "入力に誤りがあります", "The entry is not valid")["note"]),
        back=_url(contract, incident), done=_("The incident was closed."))


@require_POST
def publish(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract, incident = _supervisor(request, pk, incident_id)

    def publish_it(c: Contract) -> None:
        data = valid(PublishForm(request.POST), "公表内容に誤りがあります", "The summary is not valid")
        services.publish(request.user, incident, title=data["title"], summary=data["summary"])

    return act(request, contract, publish_it, back=_url(contract, incident), done=_("The summary was published."))


@require_GET
def report_pdf(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    incident = _incident(request, contract, incident_id)
    return pdf_response(contract, IncidentReport.kind, services.report_data(incident),
                        f"incident-report-{incident.pk}.pdf")


@require_GET
def publication_pdf(request: HttpRequest, pk: int, incident_id: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    incident = _incident(request, contract, incident_id)
    publication = Publication.objects.filter(incident=incident).first()
    if publication is None:
        raise Http404
    return pdf_response(contract, PublicationNotice.kind, services.publication_data(publication),
                        f"publication-{incident.pk}.pdf")


# Public (article 19): no login ------------------------------------------------------------------------


def _published() -> QuerySet[Publication]:
    return Publication.objects.select_related("incident__contract__authority").order_by("-published_at")


@login_not_required
@require_GET
def published(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/published.html", {"publications": _published()[:100]})


class PublishedFeed(Feed):
    """The published summaries as an Atom feed, newest first."""

    feed_type = Atom1Feed
    title = gettext_lazy("Published incidents")
    subtitle = gettext_lazy("Summaries of personal information incidents published by the authorities (article 19).")

    def link(self) -> str:
        return reverse("published:index")

    def items(self) -> QuerySet[Publication]:
        return _published()[:50]

    def item_title(self, item: Publication) -> str:
        return f"{item.incident.contract.authority.name}: {item.title}"

    def item_description(self, item: Publication) -> str:
        """The summary as HTML (the feed says type="html"): escaped, its line breaks kept."""
        return linebreaksbr(escape(item.summary))

    def item_link(self, item: Publication) -> str:
        return f"{reverse('published:index')}#publication-{item.pk}"

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_author_name(self, item: Publication) -> str:
        return item.incident.contract.authority.name


feed = login_not_required(PublishedFeed())

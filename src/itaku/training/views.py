"""Training pages: parse, authorise through `contracts.access`, call a service, render.

Pages show one party of the chain (`?party=`, by default the user's own, the contractor for the authority):
a subcontractor sees its own part and those below it, never the contractor's people. Records are written
for the user's own party only.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts import party_pages
from itaku.contracts.access import Perm, get_contract, own_party, perms, viewed_party, visible_parties
from itaku.contracts.actions import act, valid
from itaku.contracts.documents import pdf_response
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.submissions.models import Attachment
from itaku.training import services
from itaku.training.csv_import import TEMPLATE_HEADER
from itaku.training.documents import TrainingCompletions
from itaku.training.forms import CompletionForm, CourseForm, ImportForm, SettingsForm
from itaku.training.models import Completion, Course, course_owners

# Who sees everyone's records (the authority's staff and the responsible person); workers see their own.
SEE_ALL = Perm.VIEW_CONTROLS


def _contract(request: HttpRequest, pk: int, *any_of: Perm) -> tuple[Contract, frozenset[Perm]]:
    """The contract (404 for strangers) and the user's permissions; 403 unless they hold one of `any_of`."""
    contract = get_contract(request.user, pk)
    granted = perms(request.user, contract)
    if any_of and not granted & set(any_of):
        raise PermissionDenied
    return contract, granted


def _back(contract: Contract) -> str:
    return reverse("training:index", args=[contract.pk])


def _sees_course(request: HttpRequest, contract: Contract, course: Course) -> bool:
    """The contract's courses (the authority's and the contractor's), and those of the parties the user
    may see or works below; a sibling subcontractor's own courses stay with it."""
    if course.organisation_id in (contract.authority_id, contract.contractor_id):
        return True
    visible = {org.pk for org in visible_parties(request.user, contract)}
    return course.organisation_id in visible | course_owners(contract, request.user.organisation_id)


def _files(objects: Iterable[object], model: type) -> dict[int, list[Attachment]]:
    """Attachments of the given objects, by object id."""
    ids = [obj.pk for obj in objects]
    found: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), subject_id__in=ids,
    ).order_by("uploaded_at"):
        found.setdefault(attachment.subject_id, []).append(attachment)
    return found


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    """One party's training: its people's status and records (a worker's own only), and its courses."""
    contract, granted = _contract(request, pk)
    sees_all = SEE_ALL in granted
    party = viewed_party(request.user, contract, request.GET.get("party"))
    own = own_party(request.user, contract)
    settings = services.settings_for(contract)
    courses = list(services.courses_for(contract, party).select_related("organisation"))
    completions = Completion.objects.filter(course__contract=contract, person__organisation=party).select_related(
        "person", "course", "corrected_by")
    if not sees_all:
        completions = completions.filter(person=request.user)
    completions = list(completions)
    rows = services.completion_rows(completions, settings.validity_months)
    evidence = _files(completions, Completion)
    for row in rows:
        row["files"] = evidence.get(row["id"], [])
    if sees_all:
        people = services.people_to_train(contract, party)
    else:
        people = [request.user] if own is not None and own.pk == party.pk else []
    materials = _files(courses, Course)
    writes_here = Perm.SUBMIT in granted and own is not None and own.pk == party.pk
    return render(request, "training/index.html", {
        "contract": contract,
        "perms": {p.value for p in granted},
        "sees_all": sees_all,
        "party": party,
        "parties": visible_parties(request.user, contract) if sees_all else [],
        "settings": settings,
        "courses": [{"course": c, "files": materials.get(c.pk, [])} for c in courses],
        "completions": rows,
        "statuses": services.status(contract, people),
        "due": services.due_soon(contract, people) if sees_all else [],
        "due_days": services.DUE_SOON_DAYS,
        "course_form": CourseForm() if granted & {Perm.SUBMIT, Perm.MANAGE} else None,
        "completion_form": CompletionForm(contract=contract, party=own) if writes_here else None,
        "settings_form": SettingsForm(initial={
            "validity_months": settings.validity_months, "required_topics": settings.required_topics,
        }) if Perm.MANAGE in granted else None,
    })


@require_POST
def add_course(request: HttpRequest, pk: int) -> HttpResponse:
    contract, _ = _contract(request, pk, Perm.SUBMIT, Perm.MANAGE)

    def add(contract: Contract) -> None:
        data = valid(CourseForm(request.POST, request.FILES),
                     "講座の入力に誤りがあります。", "The course is not valid.")
        services.add_course(request.user, contract, title=data["title"], summary=data["summary"],
                            topics=data["topics"], material=data["material"])

    return act(request, contract, add, back=_back(contract))


@require_POST
def record_completion(request: HttpRequest, pk: int) -> HttpResponse:
    contract, _ = _contract(request, pk, Perm.SUBMIT)
    own = party_pages.acting(request, contract)

    def add(contract: Contract) -> None:
        data = valid(CompletionForm(request.POST, request.FILES, contract=contract, party=own),
                     "受講記録の入力に誤りがあります。", "The completion is not valid.")
        services.record_completion(
            request.user, contract, person=data["person"], course=data["course"],
            completed_on=data["completed_on"], passed=data["result"] == "passed",
            evidence=data["evidence"], corrects=data["corrects"],
        )

    return act(request, contract, add, back=_back(contract))


@require_POST
def change_settings(request: HttpRequest, pk: int) -> HttpResponse:
    contract, _ = _contract(request, pk, Perm.MANAGE)

    def change(contract: Contract) -> None:
        data = valid(SettingsForm(request.POST), "設定の入力に誤りがあります。", "The settings are not valid.")
        services.change_settings(request.user, contract, validity_months=data["validity_months"],
                                 required_topics=data["required_topics"])

    return act(request, contract, change, back=_back(contract))


@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the form; POST checks the file and imports it only when every row is valid. Only the
    completions of the user's own party's people are imported."""
    contract, _ = _contract(request, pk, Perm.SUBMIT)
    own = party_pages.acting(request, contract)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.import_completions(request.user, contract, form.cleaned_data["file"].read(),
                                                 dry_run=form.cleaned_data["dry_run"], organisation=own)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            if report.ok and not form.cleaned_data["dry_run"]:
                messages.success(request,
                                 f"{report.imported}件の受講記録を取り込みました（登録済{report.skipped}件は省略）。 / "
                                 f"{report.imported} completions imported ({report.skipped} already recorded).")
                return redirect(_back(contract))
    return render(request, "training/import.html", {
        "contract": contract, "form": form, "report": report, "columns": TEMPLATE_HEADER, "party": own,
    })


@require_GET
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """An empty CSV with the headers, as Excel's "CSV UTF-8" (with BOM) so that Excel opens it correctly."""
    _contract(request, pk, Perm.SUBMIT)
    body = codecs.BOM_UTF8 + (",".join(TEMPLATE_HEADER) + "\r\n").encode()
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-completions.csv"'
    return response


@require_GET
def completions_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """研修受講記録一覧 of the party shown (`?party=`, as on the page)."""
    contract, _ = _contract(request, pk, SEE_ALL)
    party = viewed_party(request.user, contract, request.GET.get("party"))
    return pdf_response(contract, TrainingCompletions.kind,
                        services.completions_document(contract, organisation=party), f"training-{contract.pk}.pdf")


@require_GET
def attachment(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    """A course's material (anyone who may see the course) or a completion's evidence (its person, and the
    overseers who may see the person's party)."""
    contract, granted = _contract(request, pk)
    found = Attachment.objects.filter(pk=attachment, chain=contract.ledger_chain).select_related("subject_type").first()
    if found is None:
        raise Http404
    model = found.subject_type.model_class()
    if model is Course:
        course = Course.objects.filter(pk=found.subject_id, contract=contract).first()
        allowed = course is not None and _sees_course(request, contract, course)
    elif model is Completion:
        completion = (Completion.objects.filter(pk=found.subject_id, course__contract=contract)
                      .select_related("person").first())
        allowed = completion is not None and (completion.person_id == request.user.pk or (
            SEE_ALL in granted
            and completion.person.organisation_id in {org.pk for org in visible_parties(request.user, contract)}))
    else:
        allowed = False
    if not allowed:
        raise Http404
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type="application/octet-stream")

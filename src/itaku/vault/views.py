"""The vault's pages: datasets declared and listed, a purpose per session, search and view, records added
and corrected by hand, imports with their progress, purpose notices and handovers. Every access to data goes
through `access` (the eligibility gate, the purpose, the limits, the share, the ledger); pages are never cached.

A subcontractor's people (article 8) know only the datasets ever shared with their organisation (any other is
not found), search and view within what is shared now, and get 403 on everything that changes or moves data:
declaring, importing, adding and correcting records, purpose notices and handovers stay the contractor's."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.contracts.access import Perm, get_contract, is_subcontractor, perms
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.places.network import client_address
from itaku.provisions.controls import Finding
from itaku.vault import access, collection, sharing
from itaku.vault.forms import (
    FIELD_ROWS,
    DatasetForm,
    FieldRowFormSet,
    HandoverForm,
    ImportForm,
    NoticeForm,
    PurposeForm,
    RecordForm,
    SearchForm,
)
from itaku.vault.models import Dataset, Field, Handover, Purpose, Record
from itaku.vault.services import create_dataset, import_file
from itaku.vault.uploads import CountingReader, Progress, SealedUploadHandler, read_progress

SESSION_KEY = "vault_purposes"


def _purpose(request: HttpRequest, dataset: Dataset) -> Purpose | None:
    chosen = request.session.get(SESSION_KEY, {}).get(str(dataset.pk))
    return dataset.purposes.filter(pk=chosen).first() if chosen else None


def _contractor_side(request: HttpRequest, contract: Contract) -> None:
    """What changes the data or its declaration is the contractor's (and the authority's): a subcontractor's
    people get 403 (a share lets them search and view, nothing more)."""
    if is_subcontractor(request.user, contract):
        raise PermissionDenied


def _require_importer(request: HttpRequest, contract: Contract) -> None:
    """The contractor's people import (issue 4: the worker imports); whether this person may, now and from
    here, is the eligibility gate's to say (`access.admit`, on every file). The authority's staff never
    touch data, nor do a subcontractor's people change it: 403 (a foreign organisation never gets this far:
    404)."""
    if not access.handles_data(request.user, contract):
        raise PermissionDenied
    _contractor_side(request, contract)


def _may_declare(request: HttpRequest, contract: Contract) -> bool:
    """The supervisor and the contractor's responsible person declare datasets (a party to the contract, as
    create_dataset requires; auditors, workers and subcontractors do not)."""
    return bool({Perm.MANAGE, Perm.SUBMIT} & perms(request.user, contract)) and not is_subcontractor(
        request.user, contract)


@dataclass(frozen=True)
class Shared:
    """What a subcontractor's organisation holds of a dataset now (共有された範囲), for its pages."""

    active: bool
    fields: list[Field] = field(default_factory=list)
    records: list[int] = field(default_factory=list)  # the record numbers, unless every record is shared
    all_records: bool = False
    count: int = 0


def _shared(dataset: Dataset, allowed: sharing.Grant | None) -> Shared:
    """The shared fields in the dataset's order and the shared records; nothing when it holds no share."""
    if allowed is None:
        return Shared(active=False)
    fields = [f for f in dataset.fields.order_by("position") if allowed.allows_field(f.name)]
    if allowed.records is None:
        return Shared(True, fields, all_records=True, count=dataset.records.count())
    return Shared(True, fields, sorted(allowed.records), count=len(allowed.records))


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    """The datasets of the contract; a subcontractor's people see only those ever shared with their
    organisation, with what is shared now."""
    contract = get_contract(request.user, pk)
    subcontracted = is_subcontractor(request.user, contract)
    datasets = []
    for d in access.datasets_for(request.user, contract).prefetch_related("fields", "purposes"):
        if subcontracted:
            shared = _shared(d, sharing.grant(d, request.user.organisation_id))
            datasets.append({"dataset": d, "records": shared.count, "fields": shared.fields,
                             "shared": shared.active})
        else:
            datasets.append({"dataset": d, "records": Record.objects.filter(dataset=d).count(),
                             "fields": list(d.fields.all())})
    return render(request, "vault/index.html", {"contract": contract, "datasets": datasets,
                                                "may_declare": _may_declare(request, contract),
                                                "subcontracted": subcontracted})


@require_http_methods(["GET", "POST"])
def dataset_new(request: HttpRequest, pk: int) -> HttpResponse:
    """個人情報ファイルの定義: name, purposes, source, expected size and the declared fields (rows of a
    formset; "add rows" sends the form back with more blank rows, no script needed)."""
    contract = get_contract(request.user, pk)
    if not _may_declare(request, contract):
        raise PermissionDenied
    data = request.POST.copy() if request.method == "POST" else None
    more = data is not None and "more" in data
    if more:
        prefix = FieldRowFormSet().prefix
        total = FieldRowFormSet(data).total_form_count()  # 0 when the management form was tampered with
        grown = min(total + FIELD_ROWS, FieldRowFormSet.max_num)
        for row in range(total, grown):
            data[f"{prefix}-{row}-required"] = "on"
            data[f"{prefix}-{row}-max_length"] = "200"
        data[f"{prefix}-TOTAL_FORMS"] = str(grown)
    form = DatasetForm(data, contract=contract)
    rows = FieldRowFormSet(data)
    if data is not None and not more and all([form.is_valid(), rows.is_valid()]):  # both, for every error
        try:
            created = create_dataset(request.user, contract, name=form.cleaned_data["name"],
                                     source=form.cleaned_data["source"], fields=rows.specs(),
                                     purposes=form.cleaned_data["purposes"],
                                     expected_rows=form.cleaned_data["expected_rows"])
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            messages.success(request, f"「{created.name}」を定義しました。 / The dataset is declared.")
            return redirect("vault:dataset", pk=contract.pk, dataset=created.pk)
    return render(request, "vault/dataset_new.html", {
        "contract": contract, "form": form, "rows": rows, "show_errors": data is not None and not more,
    })


@never_cache
@sensitive_post_parameters()  # the query and the results are personal data: kept out of error reports
@sensitive_variables()
@require_http_methods(["GET", "POST"])
def dataset(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    purpose = _purpose(request, found)
    results: list[access.Found] | None = None
    subcontracted = is_subcontractor(request.user, contract)
    # For a subcontractor's people the page offers what is shared now; `access.search` asks again.
    shared = _shared(found, sharing.grant(found, request.user.organisation_id)) if subcontracted else None
    fields = shared.fields if shared else list(found.fields.all())
    search_form = SearchForm(request.POST or None, dataset=found,
                             only=[f.name for f in fields] if shared else None)
    if request.method == "POST":
        if not access.handles_data(request.user, contract):
            raise Http404
        if search_form.is_valid():
            try:
                results = access.search(request.user, found, purpose, client_address(request),
                                        search_form.cleaned_data["field"], search_form.cleaned_data["query"])
            except UserError as error:
                messages.error(request, f"{error.message_ja} / {error.message_en}")
    granted = perms(request.user, contract)
    return render(request, "vault/dataset.html", {
        "contract": contract, "dataset": found, "purpose": purpose,
        "handles_data": access.handles_data(request.user, contract), "shared": shared,
        "purpose_form": PurposeForm(dataset=found, initial={"purpose": purpose}), "search_form": search_form,
        "results": results, "fields": fields,
        "may_import": access.handles_data(request.user, contract) and not subcontracted and not found.is_disposed,
        "accounted": _accounted(contract, found) if Perm.VIEW_CONTROLS in granted and not subcontracted else None,
    })


def _accounted(contract: Contract, dataset: Dataset) -> list[Finding]:
    """The findings of the `vault.records_accounted` control about this dataset (empty: all accounted for)."""
    ref = f"{Dataset._meta.label_lower}:{dataset.pk}"
    return [f for f in collection.records_accounted(contract) if any(e.ref == ref for e in f.evidence)]


@require_POST
def choose_purpose(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    if not access.handles_data(request.user, contract):
        raise Http404
    form = PurposeForm(request.POST, dataset=found)
    if form.is_valid():
        chosen = request.session.get(SESSION_KEY, {})
        chosen[str(found.pk)] = form.cleaned_data["purpose"].pk
        request.session[SESSION_KEY] = chosen
    return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)


def _data_page(request: HttpRequest, pk: int, dataset: int, *, changes: bool = False) -> tuple[Contract, Dataset]:
    """The contract and dataset of a page that shows or changes records: the people of the contract's chain
    only (the authority's staff see the datasets, never their content: 404; a foreign organisation: 404 too);
    a page that changes records is the contractor's (a subcontractor's people: 403)."""
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    if not access.handles_data(request.user, contract):
        raise Http404
    if changes:
        _contractor_side(request, contract)
    return contract, found


@never_cache
@require_GET
def record(request: HttpRequest, pk: int, dataset: int, record: int) -> HttpResponse:
    contract, found = _data_page(request, pk, dataset)
    try:
        shown = access.view(request.user, found, _purpose(request, found), client_address(request), record)
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)
    # How a collected record came (article 7): the notice's version and the channel, never a value.
    came = (Record.objects.filter(pk=shown.record).select_related("notice").first()
            if found.source == Dataset.Source.COLLECTED else None)
    return render(request, "vault/record.html", {"contract": contract, "dataset": found, "record": shown,
                                                 "came": came,
                                                 "subcontracted": is_subcontractor(request.user, contract)})


def _record_page(request: HttpRequest, contract: Contract, found: Dataset, form: RecordForm,
                 **context: object) -> HttpResponse:
    return render(request, "vault/record_form.html", {
        "contract": contract, "dataset": found, "form": form, "purpose": _purpose(request, found),
        "notices_missing": found.source == Dataset.Source.COLLECTED and not found.notices.exists(), **context,
    })


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@sensitive_variables()
def record_new(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """Add a record by hand (article 9: for the session's purpose, through the gate); collected data with the
    purpose notice shown and the channel (article 7). A refused value is named with its field, and the form
    comes back with what was typed; nothing of it goes into a URL or a log, and error reports (the debug page,
    mail to the admins) hide what was posted and this view's variables (as for the correction)."""
    contract, found = _data_page(request, pk, dataset, changes=True)
    if found.is_disposed:
        messages.error(request, "廃棄済みの個人情報ファイルです。 / The dataset has been disposed of.")
        return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)
    form = RecordForm(request.POST if request.method == "POST" else None, dataset=found, with_collection=True)
    if request.method == "POST" and form.is_valid():
        try:
            added = access.add_record(request.user, found, _purpose(request, found), client_address(request),
                                      form.values(), notice=form.cleaned_data.get("notice"),
                                      channel=form.cleaned_data.get("channel", ""))
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            messages.success(request, f"記録 #{added} を追加しました。 / Record #{added} is added.")
            return redirect("vault:record", pk=contract.pk, dataset=found.pk, record=added)
    return _record_page(request, contract, found, form)


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@sensitive_variables()
def record_correct(request: HttpRequest, pk: int, dataset: int, record: int) -> HttpResponse:
    """訂正: the record's current values in a form, opened through `access.view` (so opening it is a recorded
    view, for the purpose, through the gate and the daily limit), sent to `access.correct_record`, which
    records the names of the changed fields; the record page then says which."""
    contract, found = _data_page(request, pk, dataset, changes=True)
    if request.method == "GET":
        try:
            shown = access.view(request.user, found, _purpose(request, found), client_address(request), record)
        except UserError as error:
            messages.error(request, f"{error.message_ja} / {error.message_en}")
            return redirect("vault:dataset", pk=contract.pk, dataset=found.pk)
        return _record_page(request, contract, found, RecordForm(dataset=found, current=shown.values),
                            record_id=shown.record)
    form = RecordForm(request.POST, dataset=found)
    if form.is_valid():
        try:
            changed = access.correct_record(request.user, found, _purpose(request, found), client_address(request),
                                            record, form.values())
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        else:
            if changed:
                messages.success(request, f"訂正しました（{'、'.join(changed)}）。 / "
                                          f"Corrected: {', '.join(changed)}.")
            else:
                messages.info(request, "変更された項目はありません。 / Nothing was changed.")
            return redirect("vault:record", pk=contract.pk, dataset=found.pk, record=record)
    return _record_page(request, contract, found, form, record_id=record)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def import_csv(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """The upload handlers are replaced before the body is read, so the CSRF check runs explicitly after."""
    request.upload_handlers = [SealedUploadHandler(request)]
    return _import_csv(request, pk, dataset)


@csrf_protect
def _import_csv(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """With a progress token from the page's script, the file is read through a CountingReader that the
    page's polling of `import_progress` follows; without one (no script), the same import, no progress."""
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    _require_importer(request, contract)
    form = ImportForm(request.POST or None, request.FILES or None, dataset=found)
    report = None
    if request.method == "POST" and form.is_valid():
        upload, token = form.cleaned_data["file"], form.cleaned_data["progress_token"]
        progress = Progress(request.user.pk, token, dataset=found.pk, total=upload.size) if token else None
        try:
            access.admit(request.user, found, client_address(request))
            report = import_file(request.user, found, CountingReader(upload, progress) if progress else upload,
                                 dry_run=form.cleaned_data["dry_run"], notice=form.cleaned_data.get("notice"),
                                 channel=form.cleaned_data.get("channel", ""), size=upload.size)
        except UserError as error:
            form.add_error(None, f"{error.message_ja} / {error.message_en}")
        finally:
            if progress is not None:
                progress.remove()
    return render(request, "vault/import.html", {
        "contract": contract, "dataset": found, "form": form, "report": report,
        "notices_missing": found.source == Dataset.Source.COLLECTED and not found.notices.exists(),
    })


@never_cache
@require_GET
def import_progress(request: HttpRequest, pk: int, dataset: int) -> JsonResponse:
    """How far the user's own import (named by the page's token) has read its file: bytes done and total.
    Anyone else's token, an unknown one or a finished import is simply not found."""
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    _require_importer(request, contract)
    facts = read_progress(request.user.pk, request.GET.get("token", ""))
    if facts is None or facts.get("dataset") != found.pk:
        raise Http404
    return JsonResponse({"done": facts["done"], "total": facts["total"]})


def _applies(dataset: Dataset, source: str) -> None:
    """Notices are for collected data, handovers for entrusted data: the other page does not exist."""
    if dataset.source != source:
        raise Http404


@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """利用目的の明示 (article 7): the versions of the notice shown when collecting; the contractor's
    responsible person publishes a new one (a subcontractor's people: 403)."""
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    _contractor_side(request, contract)
    _applies(found, Dataset.Source.COLLECTED)
    may_publish = Perm.SUBMIT in perms(request.user, contract) and not found.is_disposed
    form = NoticeForm(request.POST or None)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        if form.is_valid():
            try:
                notice = collection.publish_notice(request.user, found, form.cleaned_data["text"])
            except UserError as error:
                form.add_error(None, f"{error.message_ja} / {error.message_en}")
            else:
                messages.success(request, f"第{notice.version}版を公表しました。 / "
                                          f"Version {notice.version} is published.")
                return redirect("vault:notices", pk=contract.pk, dataset=found.pk)
    return render(request, "vault/notices.html", {
        "contract": contract, "dataset": found, "form": form, "may_publish": may_publish,
        "notices": found.notices.order_by("-version"),
    })


@require_http_methods(["GET", "POST"])
def handovers(request: HttpRequest, pk: int, dataset: int) -> HttpResponse:
    """授受 (article 11): entrusted data received from the authority, recorded by the contractor's responsible
    person; the list beside the records the dataset holds (a subcontractor's people: 403)."""
    contract = get_contract(request.user, pk)
    found = access.dataset_of(contract, dataset, person=request.user)
    _contractor_side(request, contract)
    _applies(found, Dataset.Source.ENTRUSTED)
    may_record = (Perm.SUBMIT in perms(request.user, contract) and access.handles_data(request.user, contract)
                  and not found.is_disposed)
    form = HandoverForm(request.POST or None)
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                collection.record_handover(request.user, found, **form.cleaned_data)
            except UserError as error:
                form.add_error(None, f"{error.message_ja} / {error.message_en}")
            else:
                messages.success(request, "授受を記録しました。 / The handover is recorded.")
                return redirect("vault:handovers", pk=contract.pk, dataset=found.pk)
    listed = Handover.objects.filter(dataset=found).select_related("recorded_by").order_by("-received_on", "-pk")
    return render(request, "vault/handovers.html", {
        "contract": contract, "dataset": found, "form": form, "may_record": may_record, "handovers": listed,
        "handed": sum(h.count for h in listed), "records": Record.objects.filter(dataset=found).count(),
    })

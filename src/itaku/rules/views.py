"""Rules pages: parse, authorise through `contracts.access`, call a service, render.

Read pages show the rules of the party `?party=` names (`contracts.access.viewed_party`); uploads and
submissions act on the user's own party; the authority's decisions act on a version of the party `?party=`
names.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from itaku.accounts.models import Organisation
from itaku.contracts import party_pages
from itaku.contracts.access import Perm, get_contract, perms
from itaku.contracts.actions import act
from itaku.contracts.models import Contract
from itaku.lib.errors import UserError
from itaku.rules import services
from itaku.rules.errors import RulesError
from itaku.rules.forms import UploadForm
from itaku.rules.models import RulesVersion
from itaku.submissions.forms import DecisionForm


def _version(contract: Contract, party: Organisation, pk: int) -> RulesVersion:
    version = services.version_of(contract, party.pk, pk)
    if version is None:
        raise Http404
    return version


@require_GET
def index(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk)
    party = party_pages.shown(request, contract)
    return render(request, "rules/index.html", {
        "contract": contract,
        "perms": {p.value for p in perms(request.user, contract)},
        "articles": contract.articles_for(services.TOPIC),
        "state": services.current_state(contract, party.pk),
        **party_pages.switch(request, contract, party),
    })


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.upload_version(
                request.user, contract, title=form.cleaned_data["title"],
                document_date=form.cleaned_data["document_date"], upload=form.cleaned_data["file"],
                organisation=party,
            )
        except UserError as error:
            form.add_error(getattr(error, "field", None), f"{error.message_ja} / {error.message_en}")
        else:
            messages.success(request, _("Version %(number)s was stored. Submit it to the authority.")
                             % {"number": version.number})
            return redirect(party_pages.back("rules:index", contract, party.pk))
    return render(request, "rules/upload.html", {
        "contract": contract, "form": form, "submit_within_days": services.SUBMIT_WITHIN_DAYS, "party": party,
    })


@require_POST
def submit(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.SUBMIT)
    party = party_pages.acting(request, contract)
    rules = _version(contract, party, version)
    return act(request, contract, lambda c: services.submit_version(request.user, rules),
               back=party_pages.back("rules:index", contract, party.pk),
               done=_("The rules were submitted to the authority."))


@require_POST
def decide(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.DECIDE)
    party = party_pages.shown(request, contract)
    rules = _version(contract, party, version)
    accept, comment = DecisionForm.parse(request.POST)

    def decide_it(c: Contract) -> object:
        return services.decide_version(request.user, rules, acknowledge=accept, comment=comment)

    return act(request, contract, decide_it, back=party_pages.back("rules:index", contract, party.pk),
               done=_("The decision was recorded."))


@require_GET
def download(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    contract = get_contract(request.user, pk, Perm.VIEW_CONTROLS)
    party = party_pages.shown(request, contract)
    rules = _version(contract, party, version)
    try:
        data = services.read_verified(request.user, rules)
    except RulesError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
        return redirect(party_pages.back("rules:index", contract, party.pk))
    response = HttpResponse(data, content_type=rules.attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, rules.attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

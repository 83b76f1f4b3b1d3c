"""An authority's provisions versions: list, upload, read article by article. Only its own staff see them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from itaku.provisions import services
from itaku.provisions.controls import registered
from itaku.provisions.models import ProvisionsVersion
from itaku.provisions.parser import ProvisionsError
from itaku.provisions.topics import topic

MAX_UPLOAD = 5 * 1024 * 1024


class UploadForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100)
    file = forms.FileField(label=_("Provisions file (.txt, .docx, .pdf)"))


def _authority(request: HttpRequest):
    organisation = request.user.organisation
    if organisation is None or not organisation.is_authority:
        raise PermissionDenied
    return organisation


def _version(request: HttpRequest, pk: int) -> ProvisionsVersion:
    version = ProvisionsVersion.objects.filter(pk=pk, authority=_authority(request)).first()
    if version is None:
        raise Http404
    return version


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    versions = ProvisionsVersion.objects.filter(authority=_authority(request))
    return render(request, "provisions/list.html", {"versions": versions})


def upload(request: HttpRequest) -> HttpResponse:
    authority = _authority(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > MAX_UPLOAD:
            form.add_error("file", "ファイルが大きすぎます（上限5MB） / The file is too large (limit 5 MB).")
        else:
            try:
                version = services.import_version(
                    authority, upload_file.read(), upload_file.name, label=form.cleaned_data["label"], by=request.user,
                )
            except ProvisionsError as error:
                form.add_error("file", str(error))
            else:
                return redirect("provisions:detail", pk=version.pk)
    return render(request, "provisions/upload.html", {"form": form})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    topics = version.topics_by_article()
    controls = registered()
    articles = [
        {
            "article": article,
            "topics": [topic(code) for code in topics.get(article.number, ())],
            "controls": [c for c in controls if set(c.topics) & set(topics.get(article.number, ()))],
        }
        for article in version.parsed().articles
    ]
    return render(request, "provisions/detail.html", {"version": version, "articles": articles})

"""Forms for the rules pages: parsing only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itaku.rules.uploads import MAX_UPLOAD_BYTES


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title of the rules"), max_length=200)
    document_date = forms.DateField(
        label=_("Date stated in the rules (effective or revision date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    file = forms.FileField(widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.txt"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = gettext("Rules file (.pdf, .docx or .txt, up to %(mb)s MB)") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        }

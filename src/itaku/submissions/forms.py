"""The other side's answer to any submission, as every decide view parses it."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    """Accept (approve or acknowledge) with the `accept` button, or return with a comment."""

    accept = forms.BooleanField(required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def parse(cls, data: QueryDict) -> tuple[bool, str]:
        """(accept, comment); the service refuses a return without a comment."""
        form = cls(data)
        form.is_valid()
        return bool(form.cleaned_data.get("accept")), form.cleaned_data.get("comment", "")

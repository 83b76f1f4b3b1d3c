"""Forms of the violations register: parsing only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.violations.models import Decision

_DATE = {"type": "date"}


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=Decision.Kind.choices)
    reason = forms.CharField(label=_("Reasons and content of the decision"), widget=forms.Textarea(attrs={"rows": 2}))


class PackageForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=_DATE))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs=_DATE))

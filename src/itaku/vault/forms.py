"""Forms of the vault's pages: parsing only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.vault.models import Dataset, Field, Purpose

MAX_IMPORT_BYTES = 2 * 1024**3


class PurposeForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose of this session"), queryset=Purpose.objects.none())

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = dataset.purposes.all()


class SearchForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.none())
    query = forms.CharField(label=_("Exact value"), max_length=200)

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = dataset.fields.filter(searchable=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8 or CP932)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

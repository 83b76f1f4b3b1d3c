"""The authority's grid filters: parsing only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from itaku.provisions.controls import State


class GridFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)
    contractor = forms.TypedChoiceField(label=_("Contractor"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", "—"), *((s.value, f"{s.label_ja} {s.label_en}") for s in State)])

    def __init__(self, *args: Any, contracts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = sorted({d for d in contracts.values_list("department", flat=True) if d})
        self.fields["department"].choices = [("", "—"), *((d, d) for d in departments)]
        contractors = sorted(set(contracts.values_list("contractor_id", "contractor__name")), key=lambda c: c[1])
        self.fields["contractor"].choices = [("", "—"), *contractors]

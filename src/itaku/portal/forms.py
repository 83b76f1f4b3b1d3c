"""The authority's grid filters: parsing only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from itaku.provisions.controls import State


class OnePassSelect(forms.Select):
    """A select rendered in one pass: Django's widget templates render each option through a template include
    of its own, which for the hundred contractors of a city was a sixth of the dashboard's time."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = "" if value is None else str(value)
        selected = mark_safe(" selected")
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (key, selected if str(key) == chosen else "", label) for key, label in self.choices))
        return format_html("<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}),
                                                                                          "name": name})), options)


class GridFilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False, widget=OnePassSelect)
    contractor = forms.TypedChoiceField(label=_("Contractor"), required=False, coerce=int, empty_value=None,
                                        widget=OnePassSelect)
    state = forms.ChoiceField(label=_("State"), required=False, widget=OnePassSelect,
                              choices=[("", "—"), *((s.value, f"{s.label_ja} {s.label_en}") for s in State)])

    def __init__(self, *args: Any, contracts: list[dict[str, Any]], **kwargs: Any) -> None:
        """`contracts`: the values of the contracts shown (department, contractor_id, contractor__name)."""
        super().__init__(*args, **kwargs)
        departments = sorted({c["department"] for c in contracts if c["department"]})
        self.fields["department"].choices = [("", "—"), *((d, d) for d in departments)]
        contractors = sorted({(c["contractor_id"], c["contractor__name"]) for c in contracts}, key=lambda c: c[1])
        self.fields["contractor"].choices = [("", "—"), *contractors]

"""The forms of the incident pages; the services check again what the forms accept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.incidents.models import REPORT_FIELDS, Incident, OrdinanceCategory


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RaiseForm(forms.Form):
    """The one short form of the notice: what kind, what happened in a sentence or two."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices, widget=forms.RadioSelect,
                             initial=Incident.Kind.SUSPECTED)
    summary = forms.CharField(label=_("What happened, in short"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("No names, numbers or addresses of the people affected."))


class ReportForm(forms.ModelForm):
    """The written report's items, with the authority's own special-care categories to tick."""

    class Meta:
        model = Incident
        fields = [*REPORT_FIELDS, "ordinance_categories"]
        widgets = {
            "occurred_on": _date(), "found_on": _date(),
            "what_happened": forms.Textarea(attrs={"rows": 4}), "cause": forms.Textarea(attrs={"rows": 3}),
            "data_items": forms.Textarea(attrs={"rows": 2}), "secondary_harm": forms.Textarea(attrs={"rows": 2}),
            "containment": forms.Textarea(attrs={"rows": 2}), "recurrence_done": forms.Textarea(attrs={"rows": 2}),
            "recurrence_planned": forms.Textarea(attrs={"rows": 2}), "other": forms.Textarea(attrs={"rows": 2}),
            "ordinance_categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, authority_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ordinance_categories"].queryset = OrdinanceCategory.objects.filter(authority_id=authority_id)

    def items(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_FIELDS}


class InstructionForm(forms.Form):
    text = forms.CharField(label=_("Instruction"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Answer due"), widget=_date())


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class StatutoryForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["ppc_preliminary_on", "ppc_final_on", "people_informed_on", "people_informed_how"]
        widgets = {"ppc_preliminary_on": _date(), "ppc_final_on": _date(), "people_informed_on": _date()}


class DatesForm(forms.Form):
    """The supervisor's correction of the day it became known; the due date is counted from it unless given."""

    known_on = forms.DateField(label=_("Known on"), widget=_date(),
                               help_text=_("The day the authority or the contractor's side first learned of it "
                                           "(day one of the deadlines)."))
    report_due = forms.DateField(label=_("Written report due"), widget=_date(), required=False,
                                 help_text=_("Leave empty to count it from the day it became known."))
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("No names, numbers or addresses of the people affected."))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Public summary"), widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("No personal data: names, numbers, addresses, phone numbers, e-mail "
                                          "addresses or birth dates are refused."))


class CategoryForm(forms.Form):
    label = forms.CharField(label=_("Category"), max_length=200)

"""Forms of the inspection pages: parsing only; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation, User
from itaku.inspections.models import ChecklistItem, Inspection, Instruction, ReportRequest


def _label(model: type, name: str) -> Any:
    return capfirst(model._meta.get_field(name).verbose_name)


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.Form):
    party = forms.TypedChoiceField(label=_label(Inspection, "party"), coerce=int)
    kind = forms.ChoiceField(label=_label(Inspection, "kind"), choices=Inspection.Kind.choices)
    held_on = forms.DateField(label=_label(Inspection, "held_on"), widget=_date())
    scope = forms.CharField(label=_label(Inspection, "scope"), widget=forms.Textarea(attrs={"rows": 3}))
    inspectors = forms.TypedMultipleChoiceField(label=_label(Inspection, "inspectors"), coerce=int,
                                                widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, parties: Sequence[Organisation], inspectors: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parties, self.people = list(parties), list(inspectors)
        self.fields["party"].choices = [(org.pk, org.name) for org in self.parties]
        self.fields["inspectors"].choices = [(user.pk, str(user)) for user in self.people]

    def chosen(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"party": next(org for org in self.parties if org.pk == data["party"]), "kind": data["kind"],
                "held_on": data["held_on"], "scope": data["scope"],
                "inspectors": [user for user in self.people if user.pk in data["inspectors"]]}


class ItemForm(forms.Form):
    result = forms.ChoiceField(label=_label(ChecklistItem, "result"), choices=ChecklistItem.Result.choices,
                               widget=forms.RadioSelect)
    notes = forms.CharField(label=_label(ChecklistItem, "notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    summary = forms.CharField(label=_label(Inspection, "summary"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    question = forms.CharField(label=_label(ReportRequest, "question"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_label(ReportRequest, "due_on"), widget=_date())


class InstructionForm(forms.Form):
    item = forms.TypedChoiceField(label=_label(Instruction, "item"), coerce=int, required=False, empty_value=None)
    text = forms.CharField(label=_label(Instruction, "text"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_label(Instruction, "due_on"), widget=_date())

    def __init__(self, *args: Any, findings: Sequence[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings = list(findings)
        self.fields["item"].choices = [("", "—"), *((i.pk, f"{i.reference} {i.heading}") for i in self.findings)]

    def chosen(self) -> dict[str, Any]:
        data = self.cleaned_data
        item = next((i for i in self.findings if i.pk == data["item"]), None)
        return {"item": item, "text": data["text"], "due_on": data["due_on"]}


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_label(ReportRequest, "attachment"), required=False)

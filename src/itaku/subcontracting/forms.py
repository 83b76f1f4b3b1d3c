"""Forms of the subcontracting pages: parsing only; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from itaku.contracts.models import Role
from itaku.subcontracting import services
from itaku.subcontracting.models import ExtraItem, ReportRequest, Request, Supervision
from itaku.vault.models import Dataset, Field

_DATE = {"type": "date"}
# Items ア–カ, in the order of article 8-1.
ITEM_FIELDS = ("work", "subcontractor_name", "subcontractor_address", "subcontractor_representative", "subsidiary",
               "start", "end", "necessity", "safeguards", "supervision_method", "supervision_months")
_TEXTAREAS = ("work", "necessity", "safeguards", "supervision_method")


def _label(model: type, name: str) -> Any:
    """A model field's own wording as a form label."""
    return capfirst(model._meta.get_field(name).verbose_name)


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs=_DATE, format="%Y-%m-%d")


class ExtraItemForm(forms.Form):
    label = forms.CharField(label=_label(ExtraItem, "label"), max_length=200)


class RequestForm(forms.Form):
    """Items ア–キ, the data the subcontractor would need and the draft subcontract, in one form.

    キ is one field per item the authority added (`extra_<item id>`); the data one checkbox list per dataset
    the requester may itself handle (`data_<dataset id>`), offering only the fields it holds.
    """

    def __init__(self, *args: Any, extra_items: Sequence[ExtraItem], datasets: Sequence[tuple[Dataset, list[Field]]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in _TEXTAREAS}
        widgets |= {"start": _date_widget(), "end": _date_widget()}
        self.fields.update(forms.fields_for_model(Request, fields=ITEM_FIELDS, widgets=widgets))
        self.extra_items = list(extra_items)
        for item in self.extra_items:
            self.fields[f"extra_{item.pk}"] = forms.CharField(
                label=item.label, widget=forms.Textarea(attrs={"rows": 2}), required=True)
        self.datasets = list(datasets)
        for dataset, fields in self.datasets:
            self.fields[f"data_{dataset.pk}"] = forms.MultipleChoiceField(
                label=dataset.name, required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(str(f.pk), f.name) for f in fields])
        self.fields["draft_subcontract"] = forms.FileField(
            label=_label(Request, "draft_subcontract"), required=False)

    @classmethod
    def initial_of(cls, request: Request) -> dict[str, Any]:
        """The form's initial values for an existing request."""
        initial: dict[str, Any] = {name: getattr(request, name) for name in ITEM_FIELDS}
        initial |= {f"extra_{e['item']}": e["answer"] for e in request.extra}
        for wanted in request.data.all():
            initial[f"data_{wanted.dataset_id}"] = [str(pk) for pk in wanted.fields.values_list("pk", flat=True)]
        return initial

    def extra_fields(self) -> list[forms.BoundField]:
        return [self[f"extra_{item.pk}"] for item in self.extra_items]

    def data_fields(self) -> list[forms.BoundField]:
        return [self[f"data_{dataset.pk}"] for dataset, _fields in self.datasets]

    def items(self) -> services.Items:
        data = self.cleaned_data
        return services.Items(
            **{name: data[name] for name in ITEM_FIELDS},
            extra={str(item.pk): data.get(f"extra_{item.pk}", "") for item in self.extra_items},
        )

    def needed_data(self) -> list[tuple[Dataset, list[Field]]]:
        """(dataset, chosen fields) for every dataset with at least one field ticked."""
        chosen = []
        for dataset, fields in self.datasets:
            ticked = set(self.cleaned_data.get(f"data_{dataset.pk}") or [])
            picked = [f for f in fields if str(f.pk) in ticked]
            if picked:
                chosen.append((dataset, picked))
        return chosen


class ReasonForm(forms.Form):
    """Consent or refuse, approve or reject (a refusal or rejection gives its reasons), revoke (always with one)."""

    accept = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def parsed(self) -> tuple[bool, str]:
        self.is_valid()
        return bool(self.cleaned_data.get("accept")), self.cleaned_data.get("reason", "")


class PersonForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=200)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)
    role = forms.ChoiceField(label=_("Role"), choices=[(r, label) for r, label in Role.choices
                                                      if r in (Role.RESPONSIBLE, Role.WORKER)])


class ShareForm(forms.Form):
    """A dataset of the approved request, fields within the approved ones, and all records or a list of ids."""

    dataset = forms.TypedChoiceField(label=_("Dataset"), coerce=int)
    shared_fields = forms.TypedMultipleChoiceField(label=_("Fields"), coerce=int,
                                                   widget=forms.CheckboxSelectMultiple)
    scope = forms.ChoiceField(label=_("Records"), widget=forms.RadioSelect, initial="all", choices=[
        ("all", _("Every record of the dataset")), ("listed", _("Only the records listed below"))])
    records = forms.CharField(label=_("Record numbers (separated by commas, spaces or lines)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, approved: Sequence[tuple[Dataset, list[Field]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.approved = list(approved)
        self.fields["dataset"].choices = [(d.pk, d.name) for d, _fields in self.approved]
        self.fields["shared_fields"].choices = [(f.pk, f"{d.name}: {f.name}")
                                                for d, fields in self.approved for f in fields]

    def clean_records(self) -> list[int] | None:
        text = self.cleaned_data.get("records", "")
        if self.data.get("scope") != "listed":
            return None
        tokens = text.replace(",", " ").replace("、", " ").split()
        if not tokens or not all(t.isdigit() for t in tokens):
            raise forms.ValidationError(_("List the record numbers as whole numbers."))
        return [int(t) for t in tokens]

    def chosen(self) -> tuple[Dataset, list[Field], list[int] | None]:
        """(dataset, fields, record ids or None for every record)."""
        data = self.cleaned_data
        dataset = next(d for d, _fields in self.approved if d.pk == data["dataset"])
        picked = list(Field.objects.filter(pk__in=data["shared_fields"]).order_by("dataset", "position"))
        return dataset, picked, data["records"]


class SupervisionForm(forms.Form):
    held_on = forms.DateField(label=_label(Supervision, "held_on"), widget=_date_widget())
    method = forms.ChoiceField(label=_label(Supervision, "method"),
                               choices=Supervision.Method.choices)
    findings = forms.CharField(label=_label(Supervision, "findings"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    issue_found = forms.BooleanField(label=_label(Supervision, "issue_found"), required=False)
    follow_up = forms.CharField(label=_label(Supervision, "follow_up"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label=_label(Supervision, "resolved_on"),
                                  widget=_date_widget())
    follow_up = forms.CharField(label=_label(Supervision, "follow_up"),
                                widget=forms.Textarea(attrs={"rows": 2}))


class AskReportForm(forms.Form):
    question = forms.CharField(label=_label(ReportRequest, "question"),
                               widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_label(ReportRequest, "due_on"), widget=_date_widget())


class DeliverReportForm(forms.Form):
    answer = forms.CharField(label=_label(ReportRequest, "answer"),
                             widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_label(ReportRequest, "attachment"), required=False)

"""Forms of the pages by which data leaves the vault (copies, return, disposal): parsing only; the services in
`copies`, `returns` and `disposal` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import User
from itaku.contracts.models import CONTRACTOR_ROLES, Contract
from itaku.places import services as places
from itaku.places.models import WorkLocation
from itaku.vault import copies, disposal
from itaku.vault.exports import Format
from itaku.vault.models import Copy, CopyRequest, Dataset, DisposalInstruction, Field, Purpose

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
ALL_RECORDS, FILTERED = "all", "filter"


def _workers(contract: Contract) -> Any:
    """The contractor's people with a role on the contract: who may hold a copy."""
    return (User.objects.filter(contract_roles__contract=contract, contract_roles__role__in=CONTRACTOR_ROLES,
                                organisation=contract.contractor_id).distinct().order_by("username"))


def _acknowledged(contract: Contract) -> Any:
    ids = [location.pk for location in places.acknowledged_locations(contract, contract.contractor)]
    return WorkLocation.objects.filter(pk__in=ids).order_by("pk")


def _format_choices() -> list[tuple[str, str]]:
    return [(f.value, f"{f.label_ja} / {f.label_en}") for f in Format]


class CopyRequestForm(forms.Form):
    """A copy request's items (article 10); the filter value goes only in this POST body, never in a URL."""

    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=Purpose.objects.none())
    fields = forms.ModelMultipleChoiceField(label=_("Fields to copy"), queryset=Field.objects.none(),
                                            widget=forms.CheckboxSelectMultiple)
    scope = forms.ChoiceField(label=_("Which records"), widget=forms.RadioSelect, initial=ALL_RECORDS,
                              choices=[(ALL_RECORDS, _("All records")),
                                       (FILTERED, _("Only the records whose searchable field equals a value"))])
    filter_field = forms.ModelChoiceField(label=_("Searchable field"), queryset=Field.objects.none(),
                                          required=False)
    filter_value = forms.CharField(label=_("Value"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    medium = forms.CharField(label=_("Medium"), max_length=100,
                             help_text=_("e.g. encrypted USB memory, paper"))
    holder = forms.ModelChoiceField(label=_("Holder"), queryset=User.objects.none())
    place = forms.ModelChoiceField(label=_("Place of keeping"), queryset=WorkLocation.objects.none())
    destroy_by = forms.DateField(label=_("Destroy by"), widget=DATE)

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = dataset.purposes.all()
        self.fields["fields"].queryset = dataset.fields.order_by("position")
        self.fields["filter_field"].queryset = dataset.fields.filter(searchable=True).order_by("position")
        self.fields["holder"].queryset = _workers(dataset.contract)
        self.fields["place"].queryset = _acknowledged(dataset.contract)

    @classmethod
    def of(cls, request: CopyRequest) -> CopyRequestForm:
        """The form filled with a request's items, for a change (the page showing it is never cached)."""
        value = copies.filter_value(request)
        return cls(dataset=request.dataset, initial={
            "purpose": request.purpose_id, "fields": list(request.fields.values_list("pk", flat=True)),
            "scope": ALL_RECORDS if value is None else FILTERED, "filter_field": request.filter_field_id,
            "filter_value": value or "", "medium": request.medium, "holder": request.holder_id,
            "place": request.place_id, "destroy_by": request.destroy_by,
        })

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope") == FILTERED and not data.get("filter_field"):
            self.add_error("filter_field", _("Choose the searchable field records are chosen by."))
        return data

    def items(self) -> dict[str, Any]:
        """The keyword arguments of `copies.request_copy` / `copies.change_request`."""
        data = self.cleaned_data
        where = (data["filter_field"], data["filter_value"]) if data["scope"] == FILTERED else None
        return {"purpose": data["purpose"], "fields": list(data["fields"]), "where": where,
                "medium": data["medium"], "holder": data["holder"], "place": data["place"],
                "destroy_by": data["destroy_by"]}


class ProduceForm(forms.Form):
    fmt = forms.ChoiceField(label=_("File format"), choices=_format_choices, widget=forms.RadioSelect,
                            initial=Format.CSV_UTF8.value)


class DestructionForm(forms.Form):
    """The confirmation that a copy was destroyed: method, date and time, place, person in charge."""

    method = forms.ChoiceField(label=_("Method of destruction"), choices=Copy.Method.choices)
    destroyed_at = forms.DateTimeField(label=_("Destroyed at"), widget=DATETIME)
    place = forms.ModelChoiceField(label=_("Place of destruction"), queryset=WorkLocation.objects.none())
    person = forms.ModelChoiceField(label=_("Person in charge of destruction"), queryset=User.objects.none())

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = WorkLocation.objects.filter(
            contract=contract, organisation=contract.contractor_id).order_by("pk")
        self.fields["person"].queryset = User.objects.filter(
            organisation=contract.contractor_id, is_active=True).order_by("username")


class InstructionForm(forms.Form):
    """The authority's instruction: a dataset of the vault, or (no dataset) paper or media the note names."""

    dataset = forms.ModelChoiceField(label=_("What is to be disposed of"), queryset=Dataset.objects.none(),
                                     required=False, empty_label=_("Paper or other media kept outside the vault"))
    note = forms.CharField(label=_("Instruction"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Required for paper or media: say which are to be disposed of."))

    def __init__(self, *args: Any, contract: Contract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pending = DisposalInstruction.objects.filter(contract=contract, dataset__isnull=False,
                                                     disposal__isnull=True).values("dataset")
        self.fields["dataset"].queryset = (contract.datasets.filter(status=Dataset.Status.ACTIVE)
                                           .exclude(pk__in=pending).order_by("pk"))


class DisposeForm(forms.Form):
    """A dataset's disposal by crypto erase: what the system cannot know (article 13-2: place, person, medium).
    Shown twice: filled in, then reviewed and confirmed with `confirmed`, because it cannot be undone."""

    place = forms.CharField(label=_("Place of disposal"), max_length=200)
    person_in_charge = forms.CharField(label=_("Person in charge of the disposal"), max_length=150)
    medium = forms.CharField(label=_("Medium"), max_length=200, initial=disposal.VAULT_MEDIUM)
    confirmed = forms.BooleanField(required=False, label=_(
        "I understand that the keys are destroyed at once and the data can never be read again."))


class MediaDisposalForm(forms.Form):
    """Paper or media disposed of by hand, on the authority's instruction: every item of article 13-2."""

    items = forms.CharField(label=_("Information items (one per line)"), widget=forms.Textarea(attrs={"rows": 3}))
    medium = forms.CharField(label=_("Medium"), max_length=200)
    records = forms.IntegerField(label=_("Number of records"), min_value=0, initial=0)
    files = forms.IntegerField(label=_("Number of files or media"), min_value=0, initial=0)
    disposed_at = forms.DateTimeField(label=_("Date and time of disposal"), widget=DATETIME)
    method = forms.CharField(label=_("Method of disposal"), max_length=200)
    place = forms.CharField(label=_("Place of disposal"), max_length=200)
    person_in_charge = forms.CharField(label=_("Person in charge of the disposal"), max_length=150)

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class CorrectionForm(forms.Form):
    """What a returned report of a dataset's disposal may correct (`disposal.CORRECTABLE`)."""

    medium = forms.CharField(label=_("Medium"), max_length=200)
    place = forms.CharField(label=_("Place of disposal"), max_length=200)
    person_in_charge = forms.CharField(label=_("Person in charge of the disposal"), max_length=150)

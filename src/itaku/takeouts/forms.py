"""Forms of the take-out pages: their choices are the contract's own (permitted destinations, the party's
acknowledged work locations, people and data), so a destination that is not permitted cannot be chosen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation, User
from itaku.contracts.models import CONTRACTOR_ROLES, Contract
from itaku.places import services as places
from itaku.places.models import WorkLocation
from itaku.takeouts import services
from itaku.takeouts.models import Destination, TakeOut, TimeCorrection
from itaku.vault.models import Copy, Dataset

_MOMENT = {"type": "datetime-local"}


class DestinationForm(forms.ModelForm):
    class Meta:
        model = Destination
        fields = ["name", "kind", "address", "conditions"]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 2})}


class TakeOutForm(forms.Form):
    source = forms.ChoiceField(label=_("What is taken out"), choices=TakeOut.Source.choices)
    dataset = forms.ModelChoiceField(label=_("Dataset"), queryset=Dataset.objects.none(), required=False)
    copy = forms.ModelChoiceField(label=_("Copy"), queryset=Copy.objects.none(), required=False)
    items = forms.CharField(label=_("Items"), max_length=300,
                            help_text=_("What is taken out, without personal values (e.g. application forms, 2025)."))
    medium = forms.ChoiceField(label=_("Medium"), choices=TakeOut.Medium.choices)
    count = forms.IntegerField(label=_("Number of items"), min_value=1)
    origin = forms.ModelChoiceField(label=_("From the work location"), queryset=WorkLocation.objects.none())
    destination = forms.ModelChoiceField(label=_("Destination"), queryset=Destination.objects.none())
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    transport = forms.CharField(label=_("Means of transport"), max_length=200)
    out_at = forms.DateTimeField(label=_("Planned time out"), widget=forms.DateTimeInput(attrs=_MOMENT))
    back_by = forms.DateTimeField(label=_("Expected time back"), widget=forms.DateTimeInput(attrs=_MOMENT))
    carrier = forms.ModelChoiceField(label=_("Carried by"), queryset=User.objects.none())

    def __init__(self, *args: Any, contract: Contract, party: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = services.permitted_destinations(contract)
        self.fields["origin"].queryset = WorkLocation.objects.filter(
            pk__in=[loc.pk for loc in places.acknowledged_locations(contract, party)])
        self.fields["carrier"].queryset = User.objects.filter(
            organisation=party, contract_roles__contract=contract, contract_roles__role__in=CONTRACTOR_ROLES,
        ).distinct().order_by("display_name")
        self.fields["dataset"].queryset = Dataset.objects.filter(contract=contract, status=Dataset.Status.ACTIVE)
        copies = Copy.objects.filter(request__contract=contract, destroyed_at__isnull=True)
        self.fields["copy"].queryset = copies if party.pk == contract.contractor_id else copies.none()


class MomentForm(forms.Form):
    """The actual time of a check-out or check-in; empty for now."""

    at = forms.DateTimeField(label=_("Actual time"), required=False, widget=forms.DateTimeInput(attrs=_MOMENT))


class CorrectionForm(forms.Form):
    """A recorded time corrected, with the reason; only the times the take-out has recorded can be chosen."""

    time = forms.ChoiceField(label=_("Time to correct"), choices=TimeCorrection.Time.choices)
    at = forms.DateTimeField(label=_("Corrected time"), widget=forms.DateTimeInput(attrs=_MOMENT))
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300,
                             help_text=_("Why the recorded time was wrong (e.g. mistyped date)."))

    def __init__(self, *args: Any, takeout: TakeOut, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recorded = {TimeCorrection.Time.OUT: takeout.checked_out_at, TimeCorrection.Time.BACK: takeout.checked_in_at}
        self.fields["time"].choices = [(value, label) for value, label in TimeCorrection.Time.choices
                                       if recorded[value] is not None]

"""Forms for the structure, pledges and departures: parsing only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import User


def _people(organisation_id: int) -> Any:
    return User.objects.filter(organisation_id=organisation_id, is_active=True).order_by("username")


class StructureForm(forms.Form):
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none())
    responsible_scope = forms.CharField(label=_("Scope of responsibility"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label=_("Management and implementation structure"),
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = _people(organisation_id)


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Worker"), queryset=User.objects.none(), required=False)
    duties = forms.CharField(label=_("Duties"), required=False, max_length=500)

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(organisation_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("person") and not (data.get("duties") or "").strip():
            self.add_error("duties", _("State the duties of this worker."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=3, max_num=200)


class PledgeTextForm(forms.Form):
    body = forms.CharField(label=_("Pledge text"), widget=forms.Textarea(attrs={"rows": 14}))


class AcceptPledgeForm(forms.Form):
    read = forms.BooleanField(label=_("I have read the pledge and accept it."))


class DepartureForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    left_on = forms.DateField(label=_("Left on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = User.objects.filter(organisation_id=organisation_id, left_on=None)

"""Forms for contract pages: parsing only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation, User
from itaku.contracts.models import Role
from itaku.provisions.models import ProvisionsVersion


class ContractForm(forms.Form):
    number = forms.CharField(label=_("Contract number"), max_length=60)
    title = forms.CharField(label=_("Title of the work"), max_length=200)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    contractor = forms.ModelChoiceField(
        label=_("Contractor"), queryset=Organisation.objects.filter(kind=Organisation.Kind.CONTRACTOR),
    )
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    provisions = forms.ModelChoiceField(label=_("Provisions version"), queryset=ProvisionsVersion.objects.none(),
                                        required=False)

    def __init__(self, *args: Any, authority: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provisions"].queryset = ProvisionsVersion.objects.filter(authority=authority)


class AttachProvisionsForm(forms.Form):
    provisions = forms.ModelChoiceField(label=_("Provisions version"), queryset=ProvisionsVersion.objects.none())

    def __init__(self, *args: Any, authority: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provisions"].queryset = ProvisionsVersion.objects.filter(authority=authority)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, organisations: list[int], roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(organisation_id__in=organisations, is_active=True)
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in roles]


class LedgerFilterForm(forms.Form):
    article = forms.IntegerField(label=_("Article"), required=False, min_value=1)
    kind = forms.CharField(label=_("Kind"), required=False, max_length=80)

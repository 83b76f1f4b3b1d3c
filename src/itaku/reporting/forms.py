"""Forms of the report pages: they parse; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itaku.reporting.models import DEFAULT_DUE_WORKING_DAYS, Frequency


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    due_working_days = forms.IntegerField(label=_("Due (working days after the period)"), min_value=1, max_value=60,
                                          initial=DEFAULT_DUE_WORKING_DAYS)


class CompileForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=10,
                             help_text=_("YYYY-MM, YYYY-Qn (fiscal quarter, Q1 = April–June) or YYYY (fiscal year)"))


class RemarksForm(forms.Form):
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class AskForm(forms.Form):
    question = forms.CharField(label=_("What the report must cover"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Attachments"), required=False)


class ChannelsForm(forms.Form):
    channels = forms.CharField(label=_("Channels and procedure"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}))


class ContactForm(forms.Form):
    order = forms.IntegerField(label=_("Order to call"), min_value=1, max_value=99, required=False)
    name = forms.CharField(label=_("Name"), max_length=100)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

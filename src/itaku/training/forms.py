"""Forms for the training pages: parsing only; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation, User
from itaku.contracts.models import Contract
from itaku.training.models import MAX_VALIDITY_MONTHS, TOPICS, Completion, Course, course_owners

MAX_FILE = 10 * 1024 * 1024  # course material and evidence
MAX_CSV = 2 * 1024 * 1024


def topic_choices() -> list[tuple[str, str]]:
    """The topics labelled in the page's language."""
    english = (get_language() or "ja").startswith("en")
    return [(code, en if english else ja) for code, ja, en in TOPICS]


def _limited(upload: UploadedFile | None, limit: int, label_ja: str, label_en: str) -> UploadedFile | None:
    if upload is not None and upload.size > limit:
        mb = limit // (1024 * 1024)
        raise forms.ValidationError(
            f"{label_ja}が大きすぎます（上限{mb}MB） / The {label_en} is too large (limit {mb} MB).")
    return upload


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})" if obj.display_name else obj.username


class CompletionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Completion) -> str:
        return f"#{obj.pk} {obj.person} – {obj.course} – {obj.completed_on:%Y-%m-%d}"


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Course title"), max_length=200)
    summary = forms.CharField(label=_("Content summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    topics = forms.MultipleChoiceField(label=_("Topics"), widget=forms.CheckboxSelectMultiple)
    material = forms.FileField(label=_("Material (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = topic_choices()

    def clean_material(self) -> UploadedFile | None:
        return _limited(self.cleaned_data.get("material"), MAX_FILE, "教材ファイル", "material file")


class CompletionForm(forms.Form):
    """A completion of one of the party's own people (the contractor's by default), in a course they may take."""

    person = PersonChoiceField(label=_("Person"), queryset=User.objects.none())
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    completed_on = forms.DateField(label=_("Date completed"), widget=forms.DateInput(attrs={"type": "date"}))
    result = forms.ChoiceField(label=_("Result"), choices=[("passed", _("Passed")), ("failed", _("Not passed"))])
    evidence = forms.FileField(label=_("Evidence (optional)"), required=False)
    corrects = CompletionChoiceField(label=_("Corrects the record (optional)"), queryset=Completion.objects.none(),
                                     required=False)

    def __init__(self, *args: Any, contract: Contract, party: Organisation | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party = party or contract.contractor
        self.fields["person"].queryset = User.objects.filter(organisation=party, is_active=True).order_by("username")
        self.fields["course"].queryset = Course.objects.filter(
            contract=contract, organisation_id__in=course_owners(contract, party.pk))
        self.fields["corrects"].queryset = Completion.objects.filter(
            course__contract=contract, person__organisation=party, corrected_by__isnull=True,
        ).select_related("person", "course")

    def clean_evidence(self) -> UploadedFile | None:
        return _limited(self.cleaned_data.get("evidence"), MAX_FILE, "証跡ファイル", "evidence file")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8 or CP932)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)

    def clean_file(self) -> UploadedFile:
        return _limited(self.cleaned_data["file"], MAX_CSV, "CSVファイル", "CSV file")


class SettingsForm(forms.Form):
    validity_months = forms.IntegerField(label=_("Validity (months)"), min_value=1, max_value=MAX_VALIDITY_MONTHS)
    required_topics = forms.MultipleChoiceField(label=_("Required topics"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["required_topics"].choices = topic_choices()

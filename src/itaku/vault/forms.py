"""Forms of the vault's pages: parsing only."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itaku.vault.models import Dataset, Field, Purpose, PurposeNotice, Record
from itaku.vault.services import FieldSpec


class PurposeForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose of this session"), queryset=Purpose.objects.none())

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = dataset.purposes.all()


class SearchForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.none())
    query = forms.CharField(label=_("Exact value"), max_length=200)

    def __init__(self, *args: Any, dataset: Dataset, only: Collection[str] | None = None, **kwargs: Any) -> None:
        """`only`: the names of the fields a subcontractor's people were shared (None: every field)."""
        super().__init__(*args, **kwargs)
        searchable = dataset.fields.filter(searchable=True)
        self.fields["field"].queryset = searchable if only is None else searchable.filter(name__in=list(only))


def _bilingual(ja: str, en: str) -> str:
    return f"{ja} / {en}"


# The usual ways a contractor collects data (the page offers them; any other may be typed).
CHANNELS = ("紙の申込書", "Webフォーム", "電話", "窓口", "郵送", "電子メール")
CHANNEL_LIST = "vault-channels"  # the id of the page's <datalist> of CHANNELS


class _NoticeChoice(forms.ModelChoiceField):
    """A notice's version with the day it was published (第2版 (2026-04-01))."""

    def label_from_instance(self, obj: PurposeNotice) -> str:
        version = gettext("Version %(version)s") % {"version": obj.version}
        return f"{version} ({timezone.localtime(obj.created):%Y-%m-%d})"


def add_collection_fields(form: forms.Form, dataset: Dataset) -> None:
    """Collected data comes with the purpose notice the people were shown and its channel (article 7): a
    choice of the dataset's versions, the latest first and chosen, and the channel with the usual ones
    offered. Entrusted data gets neither (its handover accounts for it)."""
    if dataset.source != Dataset.Source.COLLECTED:
        return
    notices = dataset.notices.order_by("-version")
    form.fields["notice"] = _NoticeChoice(
        label=_("Purpose notice the people were shown"), queryset=notices, empty_label=None,
        initial=notices.first(),
        error_messages={
            "required": _bilingual("本人に示した利用目的の明示の版を選んでください（第7）。",
                                   "Choose the version of the purpose notice the people were shown (article 7)."),
            "invalid_choice": _bilingual("この個人情報ファイルの利用目的の明示の版を選んでください。",
                                         "Choose a version of this dataset's purpose notice."),
        })
    limit = Record._meta.get_field("channel").max_length
    form.fields["channel"] = forms.CharField(
        label=_("Collection channel"), max_length=limit, help_text=_("How the data came: paper application "
                                                                     "form, web form, phone …"),
        widget=forms.TextInput(attrs={"list": CHANNEL_LIST, "autocomplete": "off"}),
        error_messages={
            "required": _bilingual("収集の経路（紙の申込書、Webフォーム、電話など）を入力してください。",
                                   "Enter how the data was collected (paper form, web form, phone …)."),
            "max_length": _bilingual(f"収集の経路は{limit}文字以内で入力してください。",
                                     f"The collection channel has at most {limit} characters."),
        })


class _CollectionForm(forms.Form):
    """A form that may carry `add_collection_fields`, with the channels its page offers."""

    channels, channel_list = CHANNELS, CHANNEL_LIST

    @property
    def collection(self) -> list[forms.BoundField]:
        """The notice and channel inputs, when the dataset's data is collected (else none)."""
        return [self[name] for name in ("notice", "channel") if name in self.fields]


class ImportForm(_CollectionForm):
    file = forms.FileField(label=_("CSV file (UTF-8 or CP932)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)
    # A random token the page sends, so that the page can poll the processing progress (uploads.Progress).
    progress_token = forms.RegexField(regex=r"\A[0-9a-f]{32}\Z", required=False, widget=forms.HiddenInput,
                                      error_messages={"invalid": "進捗の識別子が正しくありません。 / "
                                                                 "The progress token is not valid."})

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_collection_fields(self, dataset)


class _TelInput(forms.TextInput):
    input_type = "tel"


# A hint per kind of field (text and free text need none).
_HINTS = {
    Field.Kind.DATE: _("A date, e.g. 1980-04-01 or 昭和55年4月1日"),
    Field.Kind.NUMBER: _("A number, e.g. 1024"),
    Field.Kind.POSTAL_CODE: _("A postal code, e.g. 140-8715"),
    Field.Kind.PHONE: _("A phone number, e.g. 03-3777-1111"),
    Field.Kind.MY_NUMBER: _("My Number: 12 digits with a correct check digit"),
}
_INPUT_MODES = {Field.Kind.NUMBER: "decimal", Field.Kind.POSTAL_CODE: "numeric", Field.Kind.MY_NUMBER: "numeric"}


class RecordForm(_CollectionForm):
    """A record's values, one input per declared field (named by the field's id, labelled by its name).

    Parsing only: whether a value fits its field is the service's to say (`access._checked`, in both
    languages, naming the field, never the value), so the inputs carry the declaration (required, maximum
    length) for the browser but the form itself refuses nothing. Values are taken as typed, not stripped, so
    that a correction sees no change where nothing was changed; only the line breaks a browser sends (CRLF)
    become the LF a stored value has. Inputs never autocomplete or spell-check: a browser must not keep or
    send away personal data.
    """

    def __init__(self, *args: Any, dataset: Dataset, with_collection: bool = False,
                 current: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.declared: list[tuple[str, Field]] = []
        for f in dataset.fields.order_by("position"):
            key = f"f{f.pk}"
            value = (current or {}).get(f.name, "")
            attrs: dict[str, Any] = {"maxlength": f.max_length, "autocomplete": "off", "spellcheck": "false"}
            if f.required:
                attrs["required"] = True
            if f.kind in _INPUT_MODES:
                attrs["inputmode"] = _INPUT_MODES[f.kind]
            if f.kind == Field.Kind.FREE_TEXT or "\n" in value or "\n" in (self.data.get(key) or ""):
                widget: forms.Widget = forms.Textarea(attrs={**attrs, "rows": 3})
            elif f.kind == Field.Kind.PHONE:
                widget = _TelInput(attrs=attrs)
            else:
                widget = forms.TextInput(attrs=attrs)
            self.fields[key] = forms.CharField(label=f.name, required=False, strip=False, widget=widget,
                                               help_text=_HINTS.get(f.kind, ""), initial=value or None)
            self.declared.append((key, f))
        if with_collection:
            add_collection_fields(self, dataset)

    @property
    def rows(self) -> list[tuple[forms.BoundField, Field]]:
        """Each declared field's input with its declaration, in the dataset's order (for the template)."""
        return [(self[key], f) for key, f in self.declared]

    def values(self) -> dict[str, str]:
        """{field name: value} of a valid form, as the record services take them."""
        return {f.name: (self.cleaned_data.get(key) or "").replace("\r\n", "\n") for key, f in self.declared}


class DatasetForm(forms.Form):
    """個人情報ファイルの定義: what the dataset is, why it is held and how it came (articles 6, 11)."""

    name = forms.CharField(label=_("Name of the dataset"), max_length=200)
    purposes = forms.CharField(label=_("Purposes (one per line)"), widget=forms.Textarea(attrs={"rows": 3}),
                               required=False)  # an empty one is refused in clean_purposes, in both languages
    source = forms.ChoiceField(label=_("How the data came"), choices=Dataset.Source.choices,
                               widget=forms.RadioSelect)
    expected_rows = forms.IntegerField(label=_("Expected number of records"), min_value=1, max_value=100_000_000,
                                       initial=10_000)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Dataset.objects.filter(contract=self.contract, name=name).exists():
            raise ValidationError(_bilingual("この契約には同じ名前の個人情報ファイルがあります。",
                                             "The contract already has a dataset of this name."))
        return name

    def clean_purposes(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["purposes"].splitlines() if line.strip()]
        for number, line in enumerate(lines, start=1):
            if len(line) > 200:
                raise ValidationError(_bilingual(f"{number}行目の利用目的が200文字を超えています。",
                                                 f"Purpose {number} is longer than 200 characters."))
            if line in lines[:number - 1]:
                raise ValidationError(_bilingual(f"{number}行目の利用目的が重複しています。",
                                                 f"Purpose {number} repeats an earlier one."))
        if not lines:
            raise ValidationError(_bilingual("利用目的を一つ以上入力してください。", "Enter at least one purpose."))
        return lines


# The columns of a field row, as the errors name them.
_COLUMNS = {"name": ("項目名", "field name"), "kind": ("型", "type"), "searchable": ("検索可", "searchable"),
            "max_length": ("最大文字数", "maximum length")}
_MY_NUMBER_LENGTH = 12


def _cell_error(row: int, column: str, ja: str, en: str) -> str:
    """Which row and which column, in both languages (the row as the page numbers it)."""
    column_ja, column_en = _COLUMNS[column]
    return _bilingual(f"項目{row}行目「{column_ja}」: {ja}", f"Field row {row}, column “{column_en}”: {en}")


class FieldRowForm(forms.Form):
    """One declared field (項目); a row left blank is no field."""

    name = forms.CharField(label=_("Field name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *Field.Kind.choices], required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    searchable = forms.BooleanField(label=_("Searchable"), required=False)
    special_care = forms.BooleanField(label=_("Special care (要配慮)"), required=False)
    max_length = forms.IntegerField(label=_("Maximum length"), min_value=1, max_value=10_000, initial=200,
                                    required=False)

    def has_changed(self) -> bool:
        """Blank unless something but the defaults was entered (a new row's 必須 box is ticked already)."""
        data = {name: self[name].data for name in self.fields}
        return bool((data["name"] or "").strip() or data["kind"] or data["searchable"] or data["special_care"]
                    or (data["max_length"] or "200").strip() != "200")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        row = self.row
        # Django's own messages (one language, no row) replaced by ones that say where.
        if "name" in self.errors:
            self.errors["name"] = self.error_class([_cell_error(row, "name", "100文字以内で入力してください。",
                                                                "up to 100 characters.")])
        if "max_length" in self.errors:
            self.errors["max_length"] = self.error_class([_cell_error(
                row, "max_length", "1から10000までの整数を入力してください。", "a whole number from 1 to 10000.")])
        name = unicodedata.normalize("NFKC", data.get("name") or "").strip()
        kind = data.get("kind")
        if not name and "name" not in self.errors:
            self.add_error("name", _cell_error(row, "name", "項目名を入力してください。", "enter the field's name."))
        if not kind:
            self.add_error("kind", _cell_error(row, "kind", "型を選んでください。", "choose a type."))
        if kind == Field.Kind.FREE_TEXT and data.get("searchable"):
            self.add_error("searchable", _cell_error(row, "searchable", "自由記述は完全一致で検索できません。",
                                                     "free text cannot be searched by exact match."))
        if kind == Field.Kind.MY_NUMBER and (data.get("max_length") or _MY_NUMBER_LENGTH) < _MY_NUMBER_LENGTH:
            self.add_error("max_length", _cell_error(row, "max_length", "個人番号は12桁です。",
                                                     "a My Number has 12 digits."))
        data["name"] = name
        return data

    @property
    def row(self) -> int:
        """The row's number as the page shows it (the form's index in the formset, from 1)."""
        return int(self.prefix.rsplit("-", 1)[1]) + 1

    def spec(self) -> FieldSpec:
        data = self.cleaned_data
        return FieldSpec(data["name"], data["kind"], required=data["required"], searchable=data["searchable"],
                         special_care=data["special_care"], max_length=data["max_length"] or 200)


class BaseFieldRowFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.has_changed()]
        if not filled:
            raise ValidationError(_bilingual("項目を一つ以上定めてください。", "Declare at least one field."))
        seen: dict[str, int] = {}
        for form in filled:
            name = form.cleaned_data["name"]
            if name in seen:
                form.add_error("name", _cell_error(form.row, "name", f"{seen[name]}行目と同じ項目名です。",
                                                   f"the same name as row {seen[name]}."))
            seen.setdefault(name, form.row)
        if any(self.errors):
            raise ValidationError(_bilingual("項目名が重複しています。", "A field name is repeated."))

    def specs(self) -> list[FieldSpec]:
        return [form.spec() for form in self.forms if form.has_changed()]


FIELD_ROWS = 8  # blank rows on a new page; "add rows" brings this many more
FieldRowFormSet = forms.formset_factory(FieldRowForm, formset=BaseFieldRowFormSet, extra=FIELD_ROWS, max_num=200,
                                        validate_max=True)


class NoticeForm(forms.Form):
    text = forms.CharField(label=_("Text of the purpose notice shown when collecting"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 6}))


class HandoverForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}))
    received_from = forms.CharField(label=_("Received from"), max_length=200)
    medium = forms.CharField(label=_("Medium"), max_length=100)
    count = forms.IntegerField(label=_("Number of records"), min_value=1)

    def clean_received_on(self) -> dt.date:
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise ValidationError(_bilingual("受領日が未来の日付です。", "The day of receipt is in the future."))
        return day

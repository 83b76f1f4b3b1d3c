"""Forms of the vault's pages: parsing only."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itaku.vault.models import Dataset, Field, Purpose
from itaku.vault.services import FieldSpec

MAX_IMPORT_BYTES = 2 * 1024**3


class PurposeForm(forms.Form):
    purpose = forms.ModelChoiceField(label=_("Purpose of this session"), queryset=Purpose.objects.none())

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].queryset = dataset.purposes.all()


class SearchForm(forms.Form):
    field = forms.ModelChoiceField(label=_("Field"), queryset=Field.objects.none())
    query = forms.CharField(label=_("Exact value"), max_length=200)

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = dataset.fields.filter(searchable=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (UTF-8 or CP932)"))
    dry_run = forms.BooleanField(label=_("Check only, import nothing"), required=False)
    # A random token the page sends, so that the page can poll the processing progress (uploads.Progress).
    progress_token = forms.RegexField(regex=r"\A[0-9a-f]{32}\Z", required=False, widget=forms.HiddenInput,
                                      error_messages={"invalid": "進捗の識別子が正しくありません。 / "
                                                                 "The progress token is not valid."})


def _bilingual(ja: str, en: str) -> str:
    return f"{ja} / {en}"


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

"""Declaring a dataset in the UI: a party's supervisor or responsible person, a formset of field rows whose
errors name the row and the column in both languages, and the 特定個人情報 mark wherever the dataset is shown."""

from __future__ import annotations

from itaku.ledger.models import Event
from itaku.vault.models import Dataset
from tests.base import ContractTestCase

PREFIX = "form"


def rows(*specs: dict[str, str], blank: int = 2) -> dict[str, str]:
    """The formset's POST data: the given rows, then `blank` rows as the page sends them untouched."""
    data = {f"{PREFIX}-TOTAL_FORMS": str(len(specs) + blank), f"{PREFIX}-INITIAL_FORMS": "0",
            f"{PREFIX}-MIN_NUM_FORMS": "0", f"{PREFIX}-MAX_NUM_FORMS": "200"}
    for index, spec in enumerate([*specs, *[{} for _ in range(blank)]]):
        row = {"required": "on", "max_length": "200", **spec}
        data.update({f"{PREFIX}-{index}-{key}": value for key, value in row.items() if value is not None})
    return data


def dataset(**overrides: str) -> dict[str, str]:
    return {"name": "住民基本台帳抜粋", "purposes": "住民税課税資料の入力\n課税資料の照合", "source": "entrusted",
            "expected_rows": "5000", **overrides}


JUKI = (
    {"name": "氏名", "kind": "text", "searchable": "on"},
    {"name": "生年月日", "kind": "date"},
    {"name": "個人番号", "kind": "my_number", "max_length": "12"},
    {"name": "備考", "kind": "free_text", "required": None},
)


class DatasetDefinitionTests(ContractTestCase):
    def _url(self) -> str:
        return f"/contracts/{self.contract.pk}/vault/new/"

    def _post(self, data: dict[str, str], user=None):
        return self.client_for(user or self.world.responsible).post(self._url(), data)

    def test_matrix(self) -> None:
        self.assert_matrix("get", "vault/", {"new/": (200, 403, 200, 403, 404, 404)})
        self.assert_matrix("post", "vault/", {"new/": (200, 403, 200, 403, 404, 404)})  # empty: the form again

    def test_declares_fields_and_purposes(self) -> None:
        response = self._post({**dataset(), **rows(*JUKI)})
        created = Dataset.objects.get(contract=self.contract)
        self.assertRedirects(response, f"/contracts/{self.contract.pk}/vault/{created.pk}/")
        self.assertEqual(created.source, Dataset.Source.ENTRUSTED)
        self.assertEqual(created.expected_rows, 5000)
        fields = list(created.fields.order_by("position"))
        self.assertEqual([(f.name, f.kind, f.required, f.searchable) for f in fields], [
            ("氏名", "text", True, True), ("生年月日", "date", True, False), ("個人番号", "my_number", True, False),
            ("備考", "free_text", False, False)])
        self.assertEqual(fields[2].max_length, 12)
        self.assertEqual(list(created.purposes.values_list("title", flat=True)),
                         ["住民税課税資料の入力", "課税資料の照合"])
        self.assertTrue(created.is_specific)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="vault.dataset_created")
        self.assertEqual(event.facts["dataset"], created.pk)
        self.assertTrue(event.facts["specific"])

    def test_the_authority_supervisor_declares_too(self) -> None:
        self._post({**dataset(source="collected"), **rows(*JUKI[:2])}, user=self.world.supervisor)
        self.assertEqual(Dataset.objects.get(contract=self.contract).created_by, self.world.supervisor)

    def test_specific_is_shown_on_every_page_of_the_dataset(self) -> None:
        self._post({**dataset(), **rows(*JUKI)})
        self._post({**dataset(name="問合せ記録"), **rows(*JUKI[:2])})
        specific = Dataset.objects.get(name="住民基本台帳抜粋")
        plain = Dataset.objects.get(name="問合せ記録")
        self.assertFalse(plain.is_specific)
        client = self.client_for(self.world.responsible)
        base = f"/contracts/{self.contract.pk}/vault/"
        index = client.get(base).content.decode()
        self.assertEqual(index.count('class="tag warn"'), 1)
        for suffix in ("", "import/", "handovers/"):
            self.assertContains(client.get(f"{base}{specific.pk}/{suffix}"), 'class="tag warn"', count=1)
            self.assertNotContains(client.get(f"{base}{plain.pk}/{suffix}"), 'class="tag warn"')

    def test_a_row_without_a_name_is_refused_naming_the_row_and_column(self) -> None:
        response = self._post({**dataset(), **rows(JUKI[0], {"name": "", "kind": "date"})})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "項目2行目「項目名」: 項目名を入力してください。")
        self.assertContains(response, "Field row 2, column “field name”: enter the field&#x27;s name.")
        self.assertFalse(Dataset.objects.exists())

    def test_row_errors_name_each_row(self) -> None:
        response = self._post({**dataset(), **rows(
            {"name": "氏名", "kind": "text"},
            {"name": "備考", "kind": "free_text", "searchable": "on"},
            {"name": "個人番号", "kind": "my_number", "max_length": "8"},
            {"name": "性別", "kind": ""},
            {"name": "住所", "kind": "text", "max_length": "0"},
        )})
        self.assertContains(response, "項目2行目「検索可」: 自由記述は完全一致で検索できません。")
        self.assertContains(response, "Field row 2, column “searchable”")
        self.assertContains(response, "項目3行目「最大文字数」: 個人番号は12桁です。")
        self.assertContains(response, "項目4行目「型」: 型を選んでください。")
        self.assertContains(response, "項目5行目「最大文字数」: 1から10000までの整数を入力してください。")
        self.assertFalse(Dataset.objects.exists())

    def test_a_repeated_name_names_both_rows(self) -> None:
        response = self._post({**dataset(), **rows(JUKI[0], JUKI[1], {"name": "氏名 ", "kind": "text"})})
        self.assertContains(response, "項目3行目「項目名」: 1行目と同じ項目名です。")
        self.assertContains(response, "Field row 3, column “field name”: the same name as row 1.")
        self.assertFalse(Dataset.objects.exists())

    def test_no_field_no_purpose_or_a_taken_name_are_refused(self) -> None:
        response = self._post({**dataset(), **rows()})
        self.assertContains(response, "項目を一つ以上定めてください。 / Declare at least one field.")
        response = self._post({**dataset(purposes="  \n"), **rows(JUKI[0])})
        self.assertContains(response, "利用目的を一つ以上入力してください。")
        response = self._post({**dataset(purposes="課税\n課税"), **rows(JUKI[0])})
        self.assertContains(response, "2行目の利用目的が重複しています。")
        self.assertFalse(Dataset.objects.exists())
        self._post({**dataset(), **rows(JUKI[0])})
        response = self._post({**dataset(), **rows(JUKI[0])})
        self.assertContains(response, "この契約には同じ名前の個人情報ファイルがあります。")
        self.assertEqual(Dataset.objects.count(), 1)

    def test_add_more_rows_keeps_what_was_entered(self) -> None:
        page = self.client_for(self.world.responsible).get(self._url())
        self.assertContains(page, 'name="form-TOTAL_FORMS" value="8"')
        response = self._post({**dataset(), **rows(JUKI[0], {"name": "", "kind": "date"}, blank=6), "more": "1"})
        self.assertContains(response, 'name="form-TOTAL_FORMS" value="16"')
        self.assertContains(response, 'value="氏名"')
        self.assertContains(response, 'name="form-15-name"')
        self.assertNotContains(response, "項目2行目")  # not checked yet: the user is still typing
        self.assertFalse(Dataset.objects.exists())

    def test_a_tampered_row_count_is_no_crash(self) -> None:
        for more in ({"more": "1"}, {}):
            response = self._post({**dataset(), **rows(JUKI[0]), "form-TOTAL_FORMS": "many", **more})
            self.assertEqual(response.status_code, 200)
        self.assertFalse(Dataset.objects.exists())

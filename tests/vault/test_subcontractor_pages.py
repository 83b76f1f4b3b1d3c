"""The vault's pages for a subcontractor's people (article 8): only the datasets shared with their organisation
are listed or found, what is shared is shown, search and view stay within it, and every page that changes or
moves data is refused with 403 (its links are not shown)."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.contracts.models import Party
from itaku.vault import sharing
from itaku.vault.models import Dataset, Record
from itaku.vault.services import create_dataset
from tests.test_access import walk
from tests.vault.outflow_objects import outflow_params
from tests.vault.test_import import FIELDS
from tests.vault.test_subcontractor_access import SUB_INSIDE, SubcontractorTestCase

# What a subcontractor's people may reach in the vault: the list, a shared dataset's page, its purpose and a
# record of the share. Every other vault page is the contractor's or the authority's.
FOR_SUBCONTRACTORS = {"vault:index", "vault:dataset", "vault:purpose", "vault:record"}


class SubcontractorPagesTestCase(SubcontractorTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.other = create_dataset(self.world.supervisor, self.contract, name="口座振替依頼書",
                                    source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["口座振替"],
                                    expected_rows=10)

    def _url(self, suffix: str = "", dataset: Dataset | None = None) -> str:
        return f"/contracts/{self.contract.pk}/vault/{(dataset or self.dataset).pk}/{suffix}"

    def _sub_worker(self) -> Client:
        client = self.client_for(self.sub.worker)
        client.post(self._url("purpose/"), {"purpose": self.purpose.pk}, REMOTE_ADDR=SUB_INSIDE)
        return client


class ListAndDatasetPageTests(SubcontractorPagesTestCase):
    def _content(self, client: Client, url: str) -> str:
        """The page below the contract's navigation (whose links are the contract's sections')."""
        body = client.get(url).content.decode()
        return body[body.index('<div class="heading-row">'):]

    def test_the_list_names_only_the_datasets_shared(self) -> None:
        body = self._content(self.client_for(self.sub.worker), f"/contracts/{self.contract.pk}/vault/")
        self.assertIn(self.dataset.name, body)
        self.assertNotIn(self.other.name, body)
        self.assertNotIn(self._url(dataset=self.other), body)
        for hidden in ("copies/", "returns/", "disposal/", "new/"):
            self.assertNotIn(f"/contracts/{self.contract.pk}/vault/{hidden}", body)
        self.assertNotIn("郵便番号", body)  # a field not shared is not listed either
        # The contractor's list is as before: every dataset, the outflow pages linked.
        mine = self._content(self.client_for(self.world.responsible), f"/contracts/{self.contract.pk}/vault/")
        self.assertIn(self.other.name, mine)
        self.assertIn(f"/contracts/{self.contract.pk}/vault/copies/", mine)

    def test_a_withdrawn_share_still_lists_the_dataset_as_not_shared_now(self) -> None:
        sharing.withdraw(self.world.responsible, self.share)
        client = self.client_for(self.sub.worker)
        body = client.get(f"/contracts/{self.contract.pk}/vault/").content.decode()
        self.assertIn(self.dataset.name, body)
        page = client.get(self._url()).content.decode()
        self.assertIn('id="h-shared"', page)
        self.assertNotIn('id="h-search"', page)

    def test_a_dataset_never_shared_or_of_another_contract_is_not_found(self) -> None:
        second = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="別の業務", contractor=self.world.contractor,
            start=self.contract.start, end=self.contract.end, department="税務課", provisions=self.world.provisions)
        foreign = create_dataset(self.world.supervisor, second, name="別契約の台帳", source=Dataset.Source.ENTRUSTED,
                                 fields=FIELDS, purposes=["別の目的"], expected_rows=10)
        client = self.client_for(self.sub.worker)
        for dataset in (self.other, foreign):
            self.assertEqual(client.get(self._url(dataset=dataset)).status_code, 404)
            self.assertEqual(client.post(self._url("purpose/", dataset), {"purpose": 1}).status_code, 404)
            self.assertEqual(client.get(self._url("import/", dataset)).status_code, 404)
        record = Record.objects.filter(dataset=self.dataset).first()
        self.assertEqual(client.get(self._url(f"records/{record.pk}/", self.other)).status_code, 404)
        # The contractor finds the dataset of its own contract as before.
        self.assertEqual(self.client_for(self.world.worker).get(self._url(dataset=self.other)).status_code, 200)

    def test_the_page_shows_what_is_shared_and_no_action_of_the_contractor(self) -> None:
        body = self.client_for(self.sub.worker).get(self._url()).content.decode()
        shared = re.search(r'id="h-shared".*?</section>', body, re.S).group(0)
        for name in ("氏名", "氏名カナ"):
            self.assertIn(f"<td>{name}", shared)
        self.assertIn(", ".join(str(pk) for pk in self.shared_records), shared)
        self.assertNotIn("郵便番号", body)
        for action in ("import/", "records/new/", "notices/", "handovers/"):
            self.assertNotIn(self._url(action), body)
        options = re.search(r'<select name="field".*?</select>', body, re.S).group(0)
        self.assertIn(f'value="{self.kana.pk}"', options)
        self.assertNotIn(f'value="{self.dataset.fields.get(name="宛名番号").pk}"', options)
        contractor = self.client_for(self.world.worker).get(self._url()).content.decode()
        self.assertNotIn('id="h-shared"', contractor)
        self.assertIn(self._url("import/"), contractor)
        self.assertIn("郵便番号", contractor)


class SearchAndViewPageTests(SubcontractorPagesTestCase):
    def test_search_and_view_within_the_share(self) -> None:
        client = self._sub_worker()
        response = client.post(self._url(), {"field": self.kana.pk, "query": "ｻﾄｳ ﾀﾛｳ"}, REMOTE_ADDR=SUB_INSIDE)
        self.assertContains(response, "佐藤　太郎")
        self.assertIn("no-store", response["Cache-Control"])
        page = client.get(self._url(f"records/{self.sato}/"), REMOTE_ADDR=SUB_INSIDE)
        self.assertContains(page, "佐藤　太郎")
        self.assertNotContains(page, "140-8715")  # 郵便番号 is not shared
        self.assertNotContains(page, "123456789018")
        self.assertNotContains(page, self._url(f"records/{self.sato}/correct/"))

    def test_a_field_outside_the_share_finds_nothing(self) -> None:
        client = self._sub_worker()
        number = self.dataset.fields.get(name="宛名番号")
        response = client.post(self._url(), {"field": number.pk, "query": "10099"}, REMOTE_ADDR=SUB_INSIDE)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "佐藤　太郎")
        self.assertNotContains(response, 'class="list results"')

    def test_a_record_outside_the_share_is_no_such_record(self) -> None:
        client = self._sub_worker()
        response = client.get(self._url(f"records/{self.outside_record}/"), REMOTE_ADDR=SUB_INSIDE, follow=True)
        self.assertContains(response, "No such record.")
        self.assertNotContains(response, "髙橋")

    def test_revoking_the_party_stops_the_next_page(self) -> None:
        client = self._sub_worker()
        self.assertContains(client.get(self._url(f"records/{self.sato}/"), REMOTE_ADDR=SUB_INSIDE), "佐藤　太郎")
        Party.objects.filter(pk=self.sub.party.pk).update(revoked_at=timezone.now())
        response = client.get(self._url(f"records/{self.sato}/"), REMOTE_ADDR=SUB_INSIDE, follow=True)
        self.assertNotContains(response, "佐藤　太郎")
        response = client.post(self._url(), {"field": self.kana.pk, "query": "ｻﾄｳ ﾀﾛｳ"}, REMOTE_ADDR=SUB_INSIDE)
        self.assertNotContains(response, "佐藤　太郎")


class ContractorOnlyPagesTests(SubcontractorPagesTestCase):
    """Every vault page but the list, a shared dataset's page, its purpose and a record: 403 for a
    subcontractor's people, whatever their role (walked from the URL patterns, so a new page is covered)."""

    def test_every_other_vault_page_is_refused(self) -> None:
        params = {"pk": self.contract.pk, "dataset": self.dataset.pk, "record": self.sato,
                  **outflow_params(self.world, self.dataset)}
        checked = 0
        for user in (self.sub.responsible, self.sub.worker):
            client = self.client_for(user)
            for route, name in walk():
                if not name.startswith("vault:") or name in FOR_SUBCONTRACTORS:
                    continue
                url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), route)
                for method in ("get", "post"):
                    status = getattr(client, method)(url, REMOTE_ADDR=SUB_INSIDE).status_code
                    if status != 405:
                        self.assertEqual(status, 403, f"{method} {url} as {user}")
                        checked += 1
        self.assertGreater(checked, 40)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)

    def test_the_contractor_still_reaches_them(self) -> None:
        client = self.client_for(self.world.responsible)
        outflow_params(self.world, self.dataset)
        for suffix in ("vault/copies/", "vault/returns/", "vault/disposal/", f"vault/{self.dataset.pk}/import/",
                       f"vault/{self.dataset.pk}/handovers/", "vault/new/"):
            self.assertEqual(client.get(f"/contracts/{self.contract.pk}/{suffix}").status_code, 200, suffix)

"""A subcontracting request through its pages: the one form of items ア–キ, the rounds of consent and
approval, a rejection with its reasons, a revocation, and a change as a new request."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.accounts.models import User
from itaku.contracts.models import Party
from itaku.ledger.models import Event
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.models import ExtraItem, Request
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.subcontracting.objects import SIBLING, UNSHARED_DATASET, build_chain
from tests.subcontracting.support import approved, items, party_of
from tests.vault.test_import import FIELDS

Status = subcontracting.Status
REASON = "監督方法が具体的でなく、立入確認の頻度が示されていない。"


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


class RequestPagesTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                      source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"],
                                      expected_rows=100)
        self.base = f"/contracts/{self.contract.pk}/subcontracting/"
        self.supervisor = english(self.client_for(self.world.supervisor))
        self.responsible = english(self.client_for(self.world.responsible))
        self.supervisor.post(f"{self.base}items/", {"label": "再委託先の情報セキュリティ認証の取得状況"})
        self.item = ExtraItem.objects.get(contract=self.contract)

    def form(self, **changes) -> dict:
        name = self.dataset.fields.get(name="氏名")
        values = {
            "work": "課税資料のデータ入力の一部", "subcontractor_name": "株式会社子会社データ",
            "subcontractor_address": "東京都品川区大崎1-2-3", "subcontractor_representative": "代表取締役 子会社 花子",
            "subsidiary": "on", "start": self.contract.start.isoformat(),
            "end": (self.contract.end - dt.timedelta(days=30)).isoformat(),
            "necessity": "繁忙期の入力量が自社の体制を超えるため。", "safeguards": "施錠室での作業と研修を義務付ける。",
            "supervision_method": "月次の作業報告を確認する。", "supervision_months": "3",
            f"extra_{self.item.pk}": "ISMS 認証取得済み（2024年）", f"data_{self.dataset.pk}": [str(name.pk)],
        }
        values.update(changes)
        return values

    def test_from_the_form_to_a_rejection_with_reasons_and_an_approval(self) -> None:
        page = self.responsible.get(f"{self.base}requests/new/").content.decode()
        self.assertIn("再委託先の情報セキュリティ認証の取得状況", page)  # キ asks the authority's item
        self.assertIn(f'name="data_{self.dataset.pk}"', page)
        self.assertIn(f'name="extra_{self.item.pk}"', page)
        draft = SimpleUploadedFile("再委託契約書案.pdf", b"%PDF-1.4 the draft", "application/pdf")
        response = self.responsible.post(f"{self.base}requests/new/", {**self.form(), "draft_subcontract": draft})
        request = Request.objects.get(contract=self.contract)
        self.assertRedirects(response, f"{self.base}requests/{request.pk}/")
        self.assertTrue(request.subsidiary)
        self.assertEqual(request.extra[0]["answer"], "ISMS 認証取得済み（2024年）")
        self.assertEqual(subcontracting.approved_fields(request), {self.dataset.pk: {"氏名"}})
        self.assertEqual(request.draft_subcontract.filename, "再委託契約書案.pdf")

        page = self.responsible.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn("A subsidiary of the requesting party", page)
        self.assertIn("Submit to the authority", page)
        self.assertIn(request.draft_subcontract.sha256, page)
        self.responsible.post(f"{self.base}requests/{request.pk}/submit/")
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)

        index = self.supervisor.get(self.base).content.decode()
        self.assertIn(f"Approve or reject request {request.pk} (株式会社子会社データ)", index)
        self.assertIn('<span class="tag">Subsidiary</span>', index)
        response = self.supervisor.post(f"{self.base}requests/{request.pk}/decide/", {"reason": " "}, follow=True)
        self.assertContains(response, "不承認には理由が必要です")  # nothing decided without reasons
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)
        self.supervisor.post(f"{self.base}requests/{request.pk}/decide/", {"reason": REASON})
        self.assertEqual(subcontracting.status(request), Status.REJECTED)

        page = self.responsible.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn(REASON, page)
        self.assertIn("Rejected", page)
        self.assertIn(f"{self.base}requests/{request.pk}/notice/1.pdf", page)
        edit = self.responsible.get(f"{self.base}requests/{request.pk}/edit/").content.decode()
        self.assertIn("ISMS 認証取得済み（2024年）", edit)  # the form starts from the items as they were
        self.assertIn("checked", edit)
        self.responsible.post(f"{self.base}requests/{request.pk}/edit/",
                              self.form(supervision_method="毎月の立入確認と作業記録の確認。", supervision_months="1"))
        self.responsible.post(f"{self.base}requests/{request.pk}/submit/")
        self.supervisor.post(f"{self.base}requests/{request.pk}/decide/", {"accept": "on"})
        request.refresh_from_db()
        self.assertEqual(subcontracting.status(request), Status.APPROVED)
        self.assertEqual(request.draft_subcontract.filename, "再委託契約書案.pdf")  # kept through the change

        page = self.responsible.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn(f"{self.base}parties/{request.party_id}/", page)
        self.assertIn(REASON, page)  # the first round's reasons stay on record
        self.assertIn(f"{self.base}requests/{request.pk}/notice/2.pdf", page)
        self.assertIn("Request a change", page)
        self.assertNotIn("Submit to the authority", page)

    def test_an_unanswered_item_of_the_authority_is_refused_with_the_form_kept(self) -> None:
        response = self.responsible.post(f"{self.base}requests/new/", self.form(**{f"extra_{self.item.pk}": ""}))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "課税資料のデータ入力の一部")
        self.assertContains(response, 'class="error"')
        self.assertFalse(Request.objects.exists())

    def test_a_period_outside_the_contract_shows_the_services_message(self) -> None:
        end = (self.contract.end + dt.timedelta(days=1)).isoformat()
        response = self.responsible.post(f"{self.base}requests/new/", self.form(end=end))
        self.assertContains(response, "再委託承認申請の内容に誤りがあります")
        self.assertFalse(Request.objects.exists())

    def test_revocation_needs_a_reason_and_ends_the_party(self) -> None:
        request = self._approved()
        page = self.supervisor.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn("Revoke the approval", page)
        self.supervisor.post(f"{self.base}requests/{request.pk}/revoke/", {"reason": ""})
        self.assertEqual(subcontracting.status(request), Status.APPROVED)
        self.supervisor.post(f"{self.base}requests/{request.pk}/revoke/", {"reason": "再委託先で事故が発生したため。"})
        request.refresh_from_db()
        self.assertEqual(subcontracting.status(request), Status.REVOKED)
        self.assertIsNotNone(Party.objects.get(pk=request.party_id).revoked_at)
        page = self.responsible.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn("再委託先で事故が発生したため。", page)
        self.assertIn("Approval revoked", self.responsible.get(self.base).content.decode())

    def test_a_change_of_an_approved_request_is_a_new_request(self) -> None:
        request = self._approved()
        response = self.responsible.post(f"{self.base}requests/{request.pk}/change/")
        change = Request.objects.get(replaces=request)
        self.assertRedirects(response, f"{self.base}requests/{change.pk}/edit/")
        self.responsible.post(f"{self.base}requests/{change.pk}/edit/", self.form(work="課税資料の入力と照合"))
        change.refresh_from_db()
        self.assertEqual(change.work, "課税資料の入力と照合")
        page = self.responsible.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn(f"{self.base}requests/{change.pk}/", page)
        self.assertNotIn("Request a change", page)  # one change at a time
        self.responsible.post(f"{self.base}requests/{change.pk}/submit/")
        self.supervisor.post(f"{self.base}requests/{change.pk}/decide/", {"accept": "on"})
        request.refresh_from_db()
        self.assertEqual(subcontracting.status(request), Status.SUPERSEDED)
        # The approved request itself cannot be edited: its edit page sends back with the reason.
        response = self.responsible.get(f"{self.base}requests/{request.pk}/edit/", follow=True)
        self.assertContains(response, "変更は新たな申請で行います")

    def _approved(self) -> Request:
        self.responsible.post(f"{self.base}requests/new/", self.form())
        request = Request.objects.get(contract=self.contract, replaces=None)
        subcontracting.submit_request(self.world.responsible, request)
        subcontracting.decide(self.world.supervisor, request, approve=True)
        request.refresh_from_db()
        return request


class FurtherLevelPagesTests(ContractTestCase):
    """Paragraph 5 through the pages: the subcontractor asks, the contractor consents, the authority approves."""

    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        self.base = f"/contracts/{self.contract.pk}/subcontracting/"
        self.sub = english(self.client_for(self.chain.sub_responsible))
        self.contractor = english(self.client_for(self.world.responsible))

    def test_consent_refused_with_a_reason_then_given_then_approved(self) -> None:
        page = self.sub.get(f"{self.base}requests/new/").content.decode()
        self.assertIn("subcontractor of level 2", page)
        offered = {f.name for f in self.chain.names}
        for field in self.chain.dataset.fields.all():
            self.assertEqual(f">{field.name}</label>" in page or f" {field.name}</label>" in page,
                             field.name in offered, field.name)
        self.assertNotIn(UNSHARED_DATASET, page)
        surname = self.chain.names[0]
        response = self.sub.post(f"{self.base}requests/new/", {
            "work": "照合作業の一部", "subcontractor_name": "株式会社孫請", "subcontractor_address": "川崎市1-1",
            "subcontractor_representative": "代表 孫", "start": self.contract.start.isoformat(),
            "end": self.chain.first.end.isoformat(), "necessity": "専門設備が必要なため。",
            "safeguards": "同等の措置。", "supervision_method": "月次報告。", "supervision_months": "1",
            f"data_{self.chain.dataset.pk}": [str(surname.pk)],
        })
        request = Request.objects.get(subcontractor_name="株式会社孫請")
        self.assertRedirects(response, f"{self.base}requests/{request.pk}/")
        self.assertIn("Send to the party above for its consent", self.sub.get(response.url).content.decode())
        self.sub.post(f"{self.base}requests/{request.pk}/submit/")
        self.assertEqual(subcontracting.status(request), Status.AWAITING_CONSENT)

        self.assertIn(f"Consent to or refuse request {request.pk}", self.contractor.get(self.base).content.decode())
        supervisor = english(self.client_for(self.world.supervisor))
        self.assertNotIn("Approve as submitted",
                         supervisor.get(f"{self.base}requests/{request.pk}/").content.decode())
        self.assertEqual(supervisor.post(f"{self.base}requests/{request.pk}/consent/", {"accept": "on"}).status_code,
                         403)
        self.contractor.post(f"{self.base}requests/{request.pk}/consent/", {"reason": "自社で対応できるため。"})
        self.assertEqual(subcontracting.status(request), Status.CONSENT_REFUSED)
        page = self.sub.get(f"{self.base}requests/{request.pk}/").content.decode()
        self.assertIn("自社で対応できるため。", page)
        self.assertIn("Refused", page)

        self.sub.post(f"{self.base}requests/{request.pk}/submit/")
        self.contractor.post(f"{self.base}requests/{request.pk}/consent/", {"accept": "on"})
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)
        self.assertIn("Approve as submitted", supervisor.get(f"{self.base}requests/{request.pk}/").content.decode())
        supervisor.post(f"{self.base}requests/{request.pk}/decide/", {"accept": "on"})
        request.refresh_from_db()
        self.assertEqual(party_of(request).level, 2)
        self.assertTrue(Event.objects.filter(chain=self.contract.ledger_chain, kind="subcontracting.party_entered",
                                             facts__request=request.pk).exists())

    def test_the_sibling_cannot_consent_nor_see_the_request(self) -> None:
        request = subcontracting.save_request(self.chain.sub_responsible, self.contract,
                                              items(self.world, "株式会社孫請"), [])
        subcontracting.submit_request(self.chain.sub_responsible, request)
        sibling = self.client_for(self.chain.sibling_responsible)
        self.assertEqual(sibling.post(f"{self.base}requests/{request.pk}/consent/", {"accept": "on"}).status_code, 404)
        self.assertNotIn("株式会社孫請", sibling.get(self.base).content.decode())
        # The first subcontractor is not the party above its own request either.
        self.assertEqual(self.sub.post(f"{self.base}requests/{request.pk}/consent/", {"accept": "on"}).status_code,
                         403)
        self.assertEqual(subcontracting.status(request), Status.AWAITING_CONSENT)
        self.assertNotIn(SIBLING, self.sub.get(f"{self.base}requests/{request.pk}/").content.decode())

    def test_a_sub_subcontractors_login_is_made_on_its_page(self) -> None:
        second = approved(self.world, self.chain.sub_responsible, name="株式会社孫請",
                          consenting=self.world.responsible)
        party = party_of(second)
        response = self.sub.post(f"{self.base}parties/{party.pk}/people/", {
            "username": "mago_resp", "display_name": "孫請 責任者", "password": "孫請の初期パスワード2025",
            "role": "responsible"})
        self.assertRedirects(response, f"{self.base}parties/{party.pk}/")
        made = User.objects.get(username="mago_resp")
        self.assertEqual(made.organisation_id, party.organisation_id)
        self.assertTrue(made.check_password("孫請の初期パスワード2025"))

"""One approved subcontractor's page: its people, the data shared with it, its supervision by the party above
and the authority's requests for reports on it (article 8-2 to 8-4)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.accounts.models import User
from itaku.contracts.models import Role
from itaku.subcontracting import services as subcontracting
from itaku.vault.models import Record, Share
from itaku.vault.services import import_file
from tests.base import ContractTestCase
from tests.subcontracting.objects import DATASET, build_chain
from tests.subcontracting.test_pages_requests import english
from tests.vault.test_import import csv_bytes


class PartyPageTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        self.party = self.chain.party
        self.url = f"/contracts/{self.contract.pk}/subcontracting/parties/{self.party.pk}/"
        self.contractor = english(self.client_for(self.world.responsible))
        self.supervisor = english(self.client_for(self.world.supervisor))

    def test_people_and_shares_as_the_party_above_sees_them(self) -> None:
        page = self.contractor.get(self.url).content.decode()
        withdraw = f"{self.url}shares/{self.chain.share.pk}/withdraw/"
        for expected in ("sub_resp", "sub_worker", DATASET, "氏名、氏名カナ", "Make the login", withdraw,
                         "Record the supervision", f"{self.url}shares/"):
            self.assertIn(expected, page)
        address = self.chain.dataset.fields.get(name="住所")
        self.assertNotIn(f'value="{address.pk}"', page)  # only the approved fields are offered
        mine = english(self.client_for(self.chain.sub_responsible)).get(self.url).content.decode()
        self.assertIn(DATASET, mine)
        self.assertIn("Make the login", mine)  # its own responsible person makes its logins
        self.assertNotIn(f"{self.url}shares/", mine)  # but never shares with itself
        self.assertNotIn("Record the supervision", mine)
        self.assertNotIn(withdraw, mine)

    def test_share_within_the_approval_all_or_listed_records(self) -> None:
        import_file(self.world.responsible, self.chain.dataset, io.BytesIO(csv_bytes(3)))
        records = list(Record.objects.filter(dataset=self.chain.dataset).order_by("pk").values_list("pk", flat=True))
        surname, kana = self.chain.names
        address = self.chain.dataset.fields.get(name="住所")
        self.contractor.post(f"{self.url}shares/", {"dataset": self.chain.dataset.pk,
                                                   "shared_fields": [surname.pk, address.pk], "scope": "all"})
        self.assertEqual(Share.objects.filter(party=self.party, withdrawn_at=None).get(), self.chain.share)
        response = self.contractor.post(f"{self.url}shares/", {
            "dataset": self.chain.dataset.pk, "shared_fields": [surname.pk], "scope": "listed",
            "records": f"{records[0]}, {records[2]}"}, follow=True)
        self.assertContains(response, "The dataset was shared.")
        current = Share.objects.get(party=self.party, withdrawn_at=None)
        self.assertEqual((current.records, [f.name for f in current.fields.all()]),
                         ([records[0], records[2]], ["氏名"]))
        self.assertContains(response, "<td>2</td>")  # two records
        response = self.contractor.post(f"{self.url}shares/", {
            "dataset": self.chain.dataset.pk, "shared_fields": [kana.pk], "scope": "listed",
            "records": "999999"}, follow=True)
        self.assertContains(response, "この個人情報ファイルにない記録番号です")
        self.assertEqual(Share.objects.get(party=self.party, withdrawn_at=None), current)
        response = self.contractor.post(f"{self.url}shares/{current.pk}/withdraw/", follow=True)
        self.assertContains(response, "The share was withdrawn.")
        current.refresh_from_db()
        self.assertIsNotNone(current.withdrawn_at)

    def test_the_authority_may_withdraw_a_share_too(self) -> None:
        self.supervisor.post(f"{self.url}shares/{self.chain.share.pk}/withdraw/")
        self.chain.share.refresh_from_db()
        self.assertIsNotNone(self.chain.share.withdrawn_at)

    def test_logins_by_the_party_above_and_by_its_own_responsible_person(self) -> None:
        self.contractor.post(f"{self.url}people/", {"username": "sub_second", "display_name": "下請 二郎",
                                                   "password": "下請の初期パスワード2025", "role": "worker"})
        made = User.objects.get(username="sub_second")
        self.assertEqual(made.organisation_id, self.party.organisation_id)
        self.assertTrue(self.contract.roles.filter(user=made, role=Role.WORKER).exists())
        response = self.client_for(self.chain.sub_responsible).post(f"{self.url}people/", {
            "username": "sub_third", "display_name": "下請 三郎", "password": "short", "role": "worker"}, follow=True)
        self.assertContains(response, "パスワードが要件を満たしません")
        self.assertFalse(User.objects.filter(username="sub_third").exists())
        self.assertEqual(self.client_for(self.chain.sub_worker).post(f"{self.url}people/", {
            "username": "sub_fourth", "display_name": "x", "password": "下請の初期パスワード2025",
            "role": "worker"}).status_code, 403)

    def test_supervision_recorded_and_followed_up(self) -> None:
        due = subcontracting.next_supervision_due(self.party)
        self.assertIn(due.isoformat(), self.contractor.get(self.url).content.decode())
        future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        response = self.contractor.post(f"{self.url}supervisions/", {
            "held_on": future, "method": "on_site", "findings": "x"}, follow=True)
        self.assertContains(response, "監督の日付が未来です")
        today = timezone.localdate()
        self.contractor.post(f"{self.url}supervisions/", {
            "held_on": today.isoformat(), "method": "on_site", "findings": "作業記録に記入漏れがあった。",
            "issue_found": "on", "follow_up": "記入手順を周知する。"})
        done = self.party.supervisions.get()
        self.assertTrue(done.is_open)
        self.assertEqual(subcontracting.next_supervision_due(self.party), subcontracting._add_months(today, 3))
        index = self.contractor.get(f"/contracts/{self.contract.pk}/subcontracting/").content.decode()
        self.assertIn(f"Follow up the findings of the supervision of {self.party.organisation.name}", index)
        page = self.contractor.get(self.url).content.decode()
        self.assertIn("作業記録に記入漏れがあった。", page)
        self.assertIn(f"{self.url}supervisions/{done.pk}/resolve/", page)
        self.assertIn(subcontracting._add_months(today, 3).isoformat(), page)
        self.contractor.post(f"{self.url}supervisions/{done.pk}/resolve/", {
            "resolved_on": today.isoformat(), "follow_up": "全従事者に手順を再周知し、記入を確認した。"})
        done.refresh_from_db()
        self.assertEqual((done.is_open, done.resolved_on), (False, today))
        self.assertNotIn(f"{self.url}supervisions/{done.pk}/resolve/", self.contractor.get(self.url).content.decode())

    def test_a_report_asked_delivered_returned_and_acknowledged(self) -> None:
        due = timezone.localdate() + dt.timedelta(days=7)
        self.supervisor.post(f"{self.url}reports/", {"question": "再委託先の作業状況を報告すること。",
                                                    "due_on": due.isoformat()})
        report = self.party.report_requests.get()
        index = self.contractor.get(f"/contracts/{self.contract.pk}/subcontracting/").content.decode()
        self.assertIn(f"Report on {self.party.organisation.name} by {due.isoformat()}", index)
        evidence = SimpleUploadedFile("作業報告.pdf", b"%PDF-1.4 report", "application/pdf")
        self.contractor.post(f"{self.url}reports/{report.pk}/deliver/", {"answer": "計画どおり進んでいる。",
                                                                        "attachment": evidence})
        report.refresh_from_db()
        self.assertEqual(subcontracting.delivered_on(report), timezone.localdate())
        page = self.supervisor.get(self.url).content.decode()
        self.assertIn("計画どおり進んでいる。", page)
        self.assertIn(f"{self.url}reports/{report.pk}/acknowledge/", page)
        download = self.supervisor.get(f"/contracts/{self.contract.pk}/subcontracting/files/{report.attachment_id}/")
        self.assertEqual(b"".join(download.streaming_content), b"%PDF-1.4 report")
        sibling = self.client_for(self.chain.sibling_responsible)
        self.assertEqual(sibling.get(f"/contracts/{self.contract.pk}/subcontracting/files/{report.attachment_id}/")
                         .status_code, 404)
        self.supervisor.post(f"{self.url}reports/{report.pk}/acknowledge/",
                             {"comment": "再委託先の体制を追記すること。"})
        self.assertIsNone(subcontracting.delivered_on(report))
        self.assertIn("再委託先の体制を追記すること。", self.contractor.get(self.url).content.decode())
        self.contractor.post(f"{self.url}reports/{report.pk}/deliver/", {"answer": "体制を追記した。"})
        self.supervisor.post(f"{self.url}reports/{report.pk}/acknowledge/", {"accept": "on"})
        page = self.supervisor.get(self.url).content.decode()
        self.assertIn("Acknowledged", page)
        self.assertNotIn(f"{self.url}reports/{report.pk}/acknowledge/", page)

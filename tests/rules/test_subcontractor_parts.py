"""Article 5 for a subcontractor (article 8): it hands in its own internal rules like the contractor; it sees
only its own rules and those of the parties below it, the contractor and the authority see every party's."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

from itaku.ledger.models import Event
from itaku.people import services as people
from itaku.people.models import Pledge
from itaku.rules import services
from itaku.rules.errors import RulesError
from itaku.rules.models import RulesVersion
from itaku.submissions import services as submissions
from tests.rules.files import pdf_bytes, upload
from tests.rules.helpers import RulesTestCase
from tests.subcontracting.chain import add_subcontractor

CONTRACTOR_TITLE = "本社個人情報保護規程"
SUB_TITLE = "下請個人情報取扱規程"


def switch_options(body: str) -> set[int]:
    """The organisations the party switch offers (none when it is not shown)."""
    found = re.search(r'<select id="party-switch" name="party">(.*?)</select>', body, re.S)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', found.group(1))} if found else set()


class ChainRulesTestCase(RulesTestCase):
    """The contractor's rules acknowledged, and one subcontractor below it."""

    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)
        self.base = f"/contracts/{self.contract.pk}/rules/"
        self.contractor_version = self.new_version("contractor rules", title=CONTRACTOR_TITLE)
        self.submit(self.contractor_version)
        self.acknowledge(self.contractor_version)

    def party(self, organisation) -> str:
        return f"?party={organisation.pk}"

    def sub_version(self, text: str = "sub rules") -> RulesVersion:
        return services.upload_version(
            self.sub.responsible, self.contract, title=SUB_TITLE, document_date=dt.date(2025, 6, 1),
            upload=upload("sub-rules.pdf", pdf_bytes(text)), organisation=self.sub.organisation,
        )


class SubcontractorRulesTests(ChainRulesTestCase):
    def test_upload_submit_and_acknowledge_over_http(self) -> None:
        mine = self.party(self.sub.organisation)
        client = self.client_for(self.sub.responsible)
        self.assertContains(client.get(f"{self.base}upload/"), "株式会社下請データ")
        data = pdf_bytes("sub")
        response = client.post(f"{self.base}upload/", {
            "title": SUB_TITLE, "document_date": "2025-06-01", "file": upload("sub-rules.pdf", data),
        })
        self.assertRedirects(response, f"{self.base}{mine}")
        version = RulesVersion.objects.get(organisation=self.sub.organisation)
        # Numbers count per party: the subcontractor's first version is 1, beside the contractor's 1.
        self.assertEqual((version.number, version.contract), (1, self.contract))
        uploaded = Event.objects.get(chain=self.contract.ledger_chain, kind="rules.version_uploaded",
                                     facts__version=version.pk)
        self.assertEqual(uploaded.facts["organisation"], self.sub.organisation.pk)

        page = client.get(self.base).content.decode()
        self.assertIn(SUB_TITLE, page)
        self.assertIn(f'action="{self.base}{version.pk}/submit/"', page)
        self.assertRedirects(client.post(f"{self.base}{version.pk}/submit/"), f"{self.base}{mine}")
        self.assertEqual(services.current_state(self.contract, self.sub.organisation.pk)["pending"], version)

        supervisor = self.client_for(self.world.supervisor)
        page = supervisor.get(f"{self.base}{mine}").content.decode()
        self.assertIn(f'action="{self.base}{version.pk}/decide/{mine}"', page)
        self.assertIn(f"{self.base}{version.pk}/download/{mine}", page)
        response = supervisor.post(f"{self.base}{version.pk}/decide/{mine}", {"accept": "on"})
        self.assertRedirects(response, f"{self.base}{mine}")
        state = services.current_state(self.contract, self.sub.organisation.pk)
        self.assertEqual(state["acknowledged"], version)
        self.assertEqual(services.current_state(self.contract)["acknowledged"], self.contractor_version)
        self.assertTrue(Event.objects.filter(chain=self.contract.ledger_chain, kind="rules.version.acknowledged",
                                             facts__subject=f"rules.rulesversion:{version.pk}").exists())
        self.assertEqual(supervisor.get(f"{self.base}{version.pk}/download/{mine}").content, data)

    def test_a_decision_names_the_party(self) -> None:
        version = self.sub_version()
        services.submit_version(self.sub.responsible, version)
        supervisor = self.client_for(self.world.supervisor)
        self.assertEqual(supervisor.post(f"{self.base}{version.pk}/decide/", {"accept": "on"}).status_code, 404)
        self.assertEqual(supervisor.post(f"{self.base}{version.pk}/decide/{self.party(self.world.contractor)}",
                                         {"accept": "on"}).status_code, 404)
        self.assertTrue(submissions.latest(version, services.KIND).is_open)
        supervisor.post(f"{self.base}{version.pk}/decide/{self.party(self.sub.organisation)}",
                        {"comment": "第3条の記載が不足しています。"})
        self.assertEqual(services.current_state(self.contract, self.sub.organisation.pk)["returned"], version)

    def test_its_worker_sees_its_rules_and_accepts_the_pledge(self) -> None:
        version = self.sub_version()
        client = self.client_for(self.sub.worker)
        page = client.get(self.base).content.decode()
        self.assertIn(SUB_TITLE, page)
        self.assertIn(version.attachment.sha256, page)
        self.assertNotIn("/download/", page)
        self.assertNotIn("/upload/", page)
        self.assertEqual(client.get(f"{self.base}{version.pk}/download/").status_code, 403)
        # The pledge promises to keep the internal rules; the worker accepts its own organisation's.
        client.post(f"/contracts/{self.contract.pk}/people/pledges/accept/", {"read": "on"})
        self.assertEqual(Pledge.objects.get(person=self.sub.worker).text.organisation, self.sub.organisation)
        self.assertIsNotNone(people.valid_pledge(self.sub.worker))

    def test_the_rules_must_be_a_partys(self) -> None:
        version = self.sub_version()
        version.full_clean()
        version.organisation = self.world.foreign_contractor
        with self.assertRaises(ValidationError) as raised:
            version.full_clean()
        self.assertIn("organisation", raised.exception.message_dict)


class WhoSeesWhichRulesTests(ChainRulesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sub_rules = self.sub_version()

    def test_a_subcontractor_never_sees_the_contractors_rules(self) -> None:
        contractor = self.party(self.world.contractor)
        for user in (self.sub.responsible, self.sub.worker):
            client = self.client_for(user)
            self.assertEqual(client.get(f"{self.base}{contractor}").status_code, 404, user)
            body = client.get(self.base).content.decode()
            self.assertIn(SUB_TITLE, body)
            self.assertNotIn(CONTRACTOR_TITLE, body)
            self.assertNotIn(self.contractor_version.attachment.sha256, body)
            self.assertEqual(switch_options(body), set())
        client = self.client_for(self.sub.responsible)
        for query in ("", contractor, self.party(self.sub.organisation)):
            self.assertEqual(client.get(f"{self.base}{self.contractor_version.pk}/download/{query}").status_code,
                             404, query)

    def test_a_party_below_sees_neither_the_contractor_nor_the_party_above(self) -> None:
        below = add_subcontractor(self.world, name="株式会社孫請", parent=self.sub.party)
        client = self.client_for(below.responsible)
        for org in (self.world.contractor, self.sub.organisation):
            self.assertEqual(client.get(f"{self.base}{self.party(org)}").status_code, 404)
        self.assertNotIn(SUB_TITLE, client.get(self.base).content.decode())
        above = self.client_for(self.sub.responsible)
        self.assertEqual(switch_options(above.get(self.base).content.decode()),
                         {self.sub.organisation.pk, below.organisation.pk})
        self.assertEqual(above.get(f"{self.base}{self.party(below.organisation)}").status_code, 200)

    def test_the_contractor_and_the_authority_see_the_subcontractors_rules(self) -> None:
        mine = self.party(self.sub.organisation)
        for user in (self.world.responsible, self.world.supervisor, self.world.auditor):
            client = self.client_for(user)
            default = client.get(self.base).content.decode()
            self.assertIn(CONTRACTOR_TITLE, default)
            self.assertNotIn(SUB_TITLE, default)
            self.assertEqual(switch_options(default), {self.world.contractor.pk, self.sub.organisation.pk})
            theirs = client.get(f"{self.base}{mine}").content.decode()
            self.assertIn(SUB_TITLE, theirs)
            self.assertNotIn(CONTRACTOR_TITLE, theirs)
            self.assertEqual(client.get(f"{self.base}{self.sub_rules.pk}/download/{mine}").status_code, 200)
            self.assertEqual(client.get(f"{self.base}{self.sub_rules.pk}/download/").status_code, 404)

    def test_the_contractor_gets_no_upload_or_submit_on_the_subcontractors_part(self) -> None:
        body = self.client_for(self.world.responsible).get(f"{self.base}{self.party(self.sub.organisation)}")
        self.assertNotContains(body, "/upload/")
        self.assertNotContains(body, "/submit/")


class SubcontractorCannotActOnTheContractorsRulesTests(ChainRulesTestCase):
    def test_over_http(self) -> None:
        newer = self.new_version("contractor rules, revised", title=CONTRACTOR_TITLE)
        client = self.client_for(self.sub.responsible)
        for query in ("", self.party(self.world.contractor)):
            self.assertEqual(client.post(f"{self.base}{newer.pk}/submit/{query}").status_code, 404, query)
        self.assertEqual(client.post(f"{self.base}{newer.pk}/decide/{self.party(self.world.contractor)}",
                                     {"accept": "on"}).status_code, 403)
        self.assertIsNone(submissions.latest(newer, services.KIND))
        self.assertEqual(self.client_for(self.world.supervisor).get(f"{self.base}upload/").status_code, 403)

    def test_through_the_services(self) -> None:
        newer = self.new_version("contractor rules, revised", title=CONTRACTOR_TITLE)
        steps = {
            "upload for the contractor": lambda: services.upload_version(
                self.sub.responsible, self.contract, title="規程", document_date=dt.date(2025, 4, 1),
                upload=upload("r.pdf", pdf_bytes("x")), organisation=self.world.contractor),
            "upload without naming the party": lambda: services.upload_version(
                self.sub.responsible, self.contract, title="規程", document_date=dt.date(2025, 4, 1),
                upload=upload("r.pdf", pdf_bytes("x"))),
            "submit the contractor's": lambda: services.submit_version(self.sub.responsible, newer),
            "the contractor uploads for its subcontractor": lambda: services.upload_version(
                self.world.responsible, self.contract, title="規程", document_date=dt.date(2025, 4, 1),
                upload=upload("r.pdf", pdf_bytes("x")), organisation=self.sub.organisation),
            "not a party": lambda: services.upload_version(
                self.world.foreign_responsible, self.contract, title="規程", document_date=dt.date(2025, 4, 1),
                upload=upload("r.pdf", pdf_bytes("x")), organisation=self.world.foreign_contractor),
        }
        for name, step in steps.items():
            with self.subTest(name), self.assertRaises(RulesError):
                step()
        self.assertEqual(RulesVersion.objects.count(), 2)
        self.assertIsNone(submissions.latest(newer, services.KIND))

    def test_only_the_authority_decides(self) -> None:
        version = self.sub_version()
        services.submit_version(self.sub.responsible, version)
        for user in (self.world.responsible, self.sub.worker):
            with self.assertRaises(RulesError):
                services.decide_version(user, version, acknowledge=True)
        self.assertTrue(submissions.latest(version, services.KIND).is_open)


class SubcontractorRulesMatrixTests(ChainRulesTestCase):
    ROLES = ("sub_responsible", "sub_worker")

    def setUp(self) -> None:
        super().setUp()
        self.world.sub_responsible, self.world.sub_worker = self.sub.responsible, self.sub.worker
        self.sub_rules = self.sub_version()

    def test_own_part(self) -> None:
        self.assert_matrix("get", "rules/", {
            "": (200, 200),
            "upload/": (200, 403),
            "{v}/download/": (200, 403),
        }, v=self.sub_rules.pk)
        self.assert_matrix("post", "rules/", {
            "upload/": (200, 403),
            "{v}/decide/": (403, 403),
            "{v}/submit/": (302, 403),
        }, v=self.sub_rules.pk)
        self.assertEqual(services.current_state(self.contract, self.sub.organisation.pk)["pending"], self.sub_rules)

    def test_the_contractors_part(self) -> None:
        self.assert_matrix("get", "rules/", {
            "?party={c}": (404, 404),
            "{v}/download/?party={c}": (404, 403),
            "{v}/download/": (404, 403),
        }, c=self.world.contractor.pk, v=self.contractor_version.pk)

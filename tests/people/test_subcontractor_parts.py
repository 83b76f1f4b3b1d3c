"""Articles 2 and 4 for a subcontractor (article 8): its own structure and pledges, as a party of the chain
like the contractor; it sees only its own part and the parts below it, the contractor and the authority
see every party's."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from pypdf import PdfReader

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.people import services as people
from itaku.people.models import Pledge, StructureVersion
from itaku.submissions import services as submissions
from tests.base import ContractTestCase
from tests.subcontracting.chain import add_subcontractor

# What the contractor's part says: none of it may reach a subcontractor's pages.
CONTRACTOR_DESCRIPTION = "本社の責任者が従事者を監督する体制"
CONTRACTOR_DUTIES = "本社での課税資料入力"
CONTRACTOR_PLEDGE = "本社専用の誓約書本文"
SUB_DESCRIPTION = "下請の責任者が従事者を監督する体制"
SUB_DUTIES = "下請での突合作業"


def switch_options(body: str) -> set[int]:
    """The organisations the party switch offers (none when it is not shown)."""
    found = re.search(r'<select id="party-switch" name="party">(.*?)</select>', body, re.S)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', found.group(1))} if found else set()


def pdf_text(content: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


class ChainTestCase(ContractTestCase):
    """A world whose contractor has its structure acknowledged and its pledges accepted, with one subcontractor
    below it."""

    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)
        self.base = f"/contracts/{self.contract.pk}/people/"
        self.contractor_version = people.save_version(
            self.world.responsible, self.contract, responsible=self.world.responsible,
            description=CONTRACTOR_DESCRIPTION, members=[(self.world.worker, CONTRACTOR_DUTIES)],
        )
        people.submit_version(self.world.responsible, self.contractor_version)
        people.decide_version(self.world.supervisor, self.contractor_version, acknowledge=True)
        people.publish_pledge_text(self.world.responsible, self.world.contractor, CONTRACTOR_PLEDGE)
        self.contractor_pledge = people.accept_pledge(self.world.worker, self.contract)

    def declare_sub_structure(self) -> StructureVersion:
        return people.save_version(
            self.sub.responsible, self.contract, organisation=self.sub.organisation,
            responsible=self.sub.responsible, description=SUB_DESCRIPTION, members=[(self.sub.worker, SUB_DUTIES)],
        )

    def party(self, organisation) -> str:
        return f"?party={organisation.pk}"


class SubcontractorStructureTests(ChainTestCase):
    def test_declare_submit_and_acknowledge_over_http(self) -> None:
        client = self.client_for(self.sub.responsible)
        response = client.post(f"{self.base}structure/new/", {
            "responsible": self.sub.responsible.pk, "responsible_scope": "下請の業務全般",
            "description": SUB_DESCRIPTION,
            "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-0-person": self.sub.worker.pk, "members-0-duties": SUB_DUTIES,
        })
        mine = self.party(self.sub.organisation)
        self.assertRedirects(response, f"{self.base}{mine}")
        version = people.newest_version(self.contract, self.sub.organisation)
        # Numbers count per party: the subcontractor's first version is 1, beside the contractor's 1.
        self.assertEqual((version.number, version.structure.organisation), (1, self.sub.organisation))
        self.assertEqual(version.people_ids(), {self.sub.responsible.pk, self.sub.worker.pk})
        saved = Event.objects.get(chain=self.contract.ledger_chain, kind="people.structure_saved",
                                  facts__version=version.pk)
        self.assertEqual(saved.facts["organisation"], self.sub.organisation.pk)

        self.assertRedirects(client.post(f"{self.base}structure/1/submit/"), f"{self.base}{mine}")
        self.assertTrue(submissions.latest(version, people.STRUCTURE).is_open)
        self.assertEqual(submissions.rounds(self.contractor_version, people.STRUCTURE).count(), 1)

        supervisor = self.client_for(self.world.supervisor)
        page = supervisor.get(f"{self.base}{mine}").content.decode()
        self.assertIn(f'action="{self.base}structure/1/decide/{mine}"', page)
        self.assertIn(f"{self.base}structure/1.pdf{mine}", page)
        response = supervisor.post(f"{self.base}structure/1/decide/{mine}", {"accept": "on"})
        self.assertRedirects(response, f"{self.base}{mine}")
        self.assertEqual(people.acknowledged_version(self.contract, self.sub.organisation), version)
        self.assertEqual(people.acknowledged_version(self.contract), self.contractor_version)
        self.assertTrue(Event.objects.filter(chain=self.contract.ledger_chain, kind="people.structure.acknowledged",
                                             facts__subject=f"people.structureversion:{version.pk}").exists())

        notice = supervisor.get(f"{self.base}structure/1.pdf{mine}")
        self.assertEqual(notice.status_code, 200)
        text = pdf_text(notice.content)
        self.assertIn("株式会社下請データ", text)
        self.assertIn(SUB_DUTIES, text)
        self.assertNotIn(CONTRACTOR_DUTIES, text)

    def test_a_decision_without_the_party_is_about_the_contractor(self) -> None:
        version = self.declare_sub_structure()
        people.submit_version(self.sub.responsible, version)
        supervisor = self.client_for(self.world.supervisor)
        supervisor.post(f"{self.base}structure/1/decide/", {"accept": "on"})  # the contractor's v1: decided already
        self.assertIsNone(people.acknowledged_version(self.contract, self.sub.organisation))
        self.assertTrue(submissions.latest(version, people.STRUCTURE).is_open)
        self.assertEqual(supervisor.post(f"{self.base}structure/2/decide/{self.party(self.sub.organisation)}",
                                         {"accept": "on"}).status_code, 404)

    def test_the_form_offers_only_the_partys_own_people(self) -> None:
        client = self.client_for(self.sub.responsible)
        page = client.get(f"{self.base}structure/new/").content.decode()
        self.assertIn(f'<option value="{self.sub.worker.pk}"', page)
        self.assertNotIn(f'<option value="{self.world.worker.pk}"', page)
        response = client.post(f"{self.base}structure/new/", {
            "responsible": self.sub.responsible.pk, "description": SUB_DESCRIPTION,
            "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-0-person": self.world.worker.pk, "members-0-duties": SUB_DUTIES,
        })
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(people.newest_version(self.contract, self.sub.organisation))


class SubcontractorPledgeTests(ChainTestCase):
    def test_the_template_names_the_subcontractor_and_the_authority(self) -> None:
        body = people.default_pledge_body(self.contract, self.sub.organisation)
        self.assertIn(f"{self.world.authority.name}殿", body)
        self.assertIn(f"私は、株式会社下請データ（{self.world.contractor.name}の再委託先）の従業者として", body)
        self.assertIn("特記事項 第4（秘密保持義務）", body)
        self.assertIn(f"私は、{self.world.contractor.name}の従業者として", people.default_pledge_body(self.contract))

    def test_worker_accepts_its_own_organisations_pledge_over_http(self) -> None:
        client = self.client_for(self.sub.worker)
        page = client.get(f"{self.base}pledges/").content.decode()
        self.assertIn("株式会社下請データ", page)
        self.assertNotIn(CONTRACTOR_PLEDGE, page)
        self.assertIn(f'action="{self.base}pledges/accept/"', page)
        client.post(f"{self.base}pledges/accept/", {"read": "on"})
        pledge = Pledge.objects.get(person=self.sub.worker)
        self.assertEqual(pledge.text.organisation, self.sub.organisation)
        self.assertIn("株式会社下請データ", pledge.text.body)
        self.assertEqual(people.valid_pledge(self.sub.worker), pledge)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="people.pledge_accepted",
                                  facts__pledge=pledge.pk)
        self.assertEqual(event.facts["organisation"], self.sub.organisation.pk)
        published = Event.objects.get(kind="people.pledge_text_published", facts__pledge_text=pledge.text.pk)
        self.assertEqual(published.facts["organisation"], self.sub.organisation.pk)

        page = client.get(f"{self.base}pledges/").content.decode()
        link = f"{self.base}pledges/{pledge.pk}.pdf{self.party(self.sub.organisation)}"
        self.assertIn(link, page)
        self.assertIn("株式会社下請データ", pdf_text(client.get(link).content))

    def test_the_responsible_person_publishes_its_own_text(self) -> None:
        client = self.client_for(self.sub.responsible)
        client.post(f"{self.base}pledges/text/", {"body": "下請の誓約書 第2版"})
        self.assertEqual(people.current_pledge_text(self.sub.organisation).body, "下請の誓約書 第2版")
        self.assertEqual(people.current_pledge_text(self.world.contractor).body, CONTRACTOR_PLEDGE)

    def test_the_authority_cannot_accept_a_pledge(self) -> None:
        self.assertEqual(self.client_for(self.world.supervisor).post(
            f"{self.base}pledges/accept/", {"read": "on"}).status_code, 403)
        with self.assertRaises(UserError):
            people.accept_pledge(self.world.foreign_responsible, self.contract)


class WhoSeesWhichPartTests(ChainTestCase):
    """A subcontractor sees only its own part and the parts below it."""

    def setUp(self) -> None:
        super().setUp()
        self.sub_version = self.declare_sub_structure()
        people.submit_version(self.sub.responsible, self.sub_version)
        people.decide_version(self.world.supervisor, self.sub_version, acknowledge=True)
        self.sub_pledge = people.accept_pledge(self.sub.worker, self.contract)

    def test_a_subcontractor_never_sees_the_contractors_part(self) -> None:
        contractor = self.party(self.world.contractor)
        for user in (self.sub.responsible, self.sub.worker):
            client = self.client_for(user)
            for path in ("", "pledges/"):
                self.assertEqual(client.get(f"{self.base}{path}{contractor}").status_code, 404, f"{path} as {user}")
                body = client.get(f"{self.base}{path}").content.decode()
                for marker in (CONTRACTOR_DESCRIPTION, CONTRACTOR_DUTIES, CONTRACTOR_PLEDGE,
                               f"/pledges/{self.contractor_pledge.pk}.pdf"):
                    self.assertNotIn(marker, body, f"{path} as {user}")
                self.assertEqual(switch_options(body), set(), "a party alone in its part gets no switch")
        client = self.client_for(self.sub.responsible)
        self.assertEqual(client.get(f"{self.base}eligibility/{contractor}").status_code, 404)
        eligibility = client.get(f"{self.base}eligibility/").content.decode()
        self.assertIn(f'data-person="{self.sub.worker.username}"', eligibility)
        self.assertNotIn(f'data-person="{self.world.worker.username}"', eligibility)
        self.assertEqual(client.get(f"{self.base}structure/1.pdf{contractor}").status_code, 404)
        for query in ("", contractor, self.party(self.sub.organisation)):
            self.assertEqual(client.get(f"{self.base}pledges/{self.contractor_pledge.pk}.pdf{query}").status_code,
                             404, query)
        self.assertNotIn(CONTRACTOR_DUTIES, pdf_text(client.get(f"{self.base}structure/1.pdf").content))

    def test_a_party_below_sees_neither_the_contractor_nor_the_party_above(self) -> None:
        below = add_subcontractor(self.world, name="株式会社孫請", parent=self.sub.party)
        client = self.client_for(below.responsible)
        for org in (self.world.contractor, self.sub.organisation):
            self.assertEqual(client.get(f"{self.base}{self.party(org)}").status_code, 404)
        self.assertNotIn(SUB_DESCRIPTION, client.get(self.base).content.decode())
        # The party above sees the party below, and switches between the two.
        page = self.client_for(self.sub.responsible).get(self.base).content.decode()
        self.assertEqual(switch_options(page), {self.sub.organisation.pk, below.organisation.pk})
        self.assertEqual(self.client_for(self.sub.responsible).get(
            f"{self.base}{self.party(below.organisation)}").status_code, 200)

    def test_the_contractor_and_the_authority_see_the_subcontractors_part(self) -> None:
        mine = self.party(self.sub.organisation)
        for user in (self.world.responsible, self.world.supervisor, self.world.auditor):
            client = self.client_for(user)
            default = client.get(self.base).content.decode()
            self.assertIn(CONTRACTOR_DESCRIPTION, default)
            self.assertNotIn(SUB_DESCRIPTION, default)
            self.assertEqual(switch_options(default), {self.world.contractor.pk, self.sub.organisation.pk})
            index = client.get(f"{self.base}{mine}").content.decode()
            self.assertIn(SUB_DESCRIPTION, index)
            self.assertNotIn(CONTRACTOR_DESCRIPTION, index)
            self.assertIn(SUB_DUTIES, pdf_text(client.get(f"{self.base}structure/1.pdf{mine}").content))
            pledges = client.get(f"{self.base}pledges/{mine}").content.decode()
            self.assertIn(f"{self.base}pledges/{self.sub_pledge.pk}.pdf{mine}", pledges)
            self.assertNotIn(CONTRACTOR_PLEDGE, pledges)
            self.assertEqual(client.get(f"{self.base}pledges/{self.sub_pledge.pk}.pdf{mine}").status_code, 200)
            eligibility = client.get(f"{self.base}eligibility/{mine}").content.decode()
            self.assertIn(f'data-person="{self.sub.worker.username}"', eligibility)
            self.assertNotIn(f'data-person="{self.world.worker.username}"', eligibility)

    def test_the_contractor_gets_no_write_forms_on_the_subcontractors_part(self) -> None:
        page = self.client_for(self.world.responsible).get(f"{self.base}{self.party(self.sub.organisation)}")
        body = page.content.decode()
        self.assertNotIn("structure/new/", body)
        self.assertNotIn("/departures/", body)
        pledges = self.client_for(self.world.responsible).get(
            f"{self.base}pledges/{self.party(self.sub.organisation)}").content.decode()
        self.assertNotIn("pledges/text/", pledges)
        self.assertNotIn("pledges/accept/", pledges)

    def test_unknown_parties_are_not_found(self) -> None:
        client = self.client_for(self.world.supervisor)
        for query in (f"?party={self.world.foreign_contractor.pk}", f"?party={self.world.authority.pk}", "?party=x"):
            self.assertEqual(client.get(f"{self.base}{query}").status_code, 404, query)


class SubcontractorCannotActOnTheContractorsPartTests(ChainTestCase):
    def test_over_http(self) -> None:
        client = self.client_for(self.sub.responsible)
        contractor = self.party(self.world.contractor)
        # The only version 1 is the contractor's: a subcontractor's submit acts on its own part, and finds none.
        self.assertEqual(client.post(f"{self.base}structure/1/submit/").status_code, 404)
        self.assertEqual(client.post(f"{self.base}structure/1/submit/{contractor}").status_code, 404)
        self.assertEqual(submissions.rounds(self.contractor_version, people.STRUCTURE).count(), 1)
        self.assertEqual(client.post(f"{self.base}structure/1/decide/{contractor}", {"accept": "on"}).status_code,
                         403)
        client.post(f"{self.base}departures/", {"person": self.world.worker.pk,
                                                 "left_on": timezone.localdate().isoformat()})
        client.post(f"{self.base}pledges/text/{contractor}", {"body": "乗っ取り"})
        self.world.worker.refresh_from_db()
        self.assertIsNone(self.world.worker.left_on)
        self.assertEqual(people.current_pledge_text(self.world.contractor).body, CONTRACTOR_PLEDGE)
        self.assertEqual(people.current_pledge_text(self.sub.organisation).body, "乗っ取り")  # its own, not theirs

    def test_through_the_services(self) -> None:
        sub, contractor = self.sub.responsible, self.world.contractor
        steps = {
            "declare": lambda: people.save_version(sub, self.contract, organisation=contractor, responsible=sub,
                                                   description="x", members=[]),
            "submit": lambda: people.submit_version(sub, self.contractor_version),
            "publish": lambda: people.publish_pledge_text(sub, contractor, "乗っ取り"),
            "departure": lambda: people.mark_departure(sub, self.contract, self.world.worker, timezone.localdate()),
            # Nor the other way round: the contractor supervises, but declares no structure for its subcontractor.
            "declare for sub": lambda: people.save_version(
                self.world.responsible, self.contract, organisation=self.sub.organisation,
                responsible=self.sub.responsible, description="x", members=[]),
            "name foreign people": lambda: people.save_version(
                sub, self.contract, organisation=self.sub.organisation, responsible=sub, description="x",
                members=[(self.world.worker, "入力")]),
            "not a party": lambda: people.save_version(
                self.world.foreign_responsible, self.contract, organisation=self.world.foreign_contractor,
                responsible=self.world.foreign_responsible, description="x", members=[]),
        }
        for name, step in steps.items():
            with self.subTest(name), self.assertRaises(UserError):
                step()
        self.assertEqual(StructureVersion.objects.count(), 1)
        self.assertEqual(submissions.rounds(self.contractor_version, people.STRUCTURE).count(), 1)
        self.assertEqual(people.current_pledge_text(contractor).body, CONTRACTOR_PLEDGE)

    def test_only_the_authority_decides(self) -> None:
        version = self.declare_sub_structure()
        people.submit_version(self.sub.responsible, version)
        for user in (self.world.responsible, self.sub.worker):
            with self.assertRaises(UserError):
                people.decide_version(user, version, acknowledge=True)
        self.assertIsNone(people.acknowledged_version(self.contract, self.sub.organisation))


class SubcontractorMatrixTests(ChainTestCase):
    ROLES = ("sub_responsible", "sub_worker")

    def setUp(self) -> None:
        super().setUp()
        self.world.sub_responsible, self.world.sub_worker = self.sub.responsible, self.sub.worker
        self.declare_sub_structure()

    def test_own_part(self) -> None:
        table = {
            ("get", ""): (200, 200),
            ("get", "structure/new/"): (200, 403),
            ("get", "structure/1.pdf"): (200, 403),
            ("get", "pledges/"): (200, 200),
            ("get", "eligibility/"): (200, 403),
            ("post", "structure/1/submit/"): (302, 403),
            ("post", "structure/1/decide/"): (403, 403),
            ("post", "pledges/text/"): (302, 403),
            ("post", "pledges/accept/"): (302, 302),
            ("post", "departures/"): (302, 403),
        }
        for (method, path), expected in table.items():
            self.assert_matrix(method, "people/", {path: expected})

    def test_the_contractors_part(self) -> None:
        table = {
            "?party={c}": (404, 404),
            "structure/1.pdf?party={c}": (404, 403),
            "pledges/?party={c}": (404, 404),
            "pledges/{p}.pdf?party={c}": (404, 404),
            "eligibility/?party={c}": (404, 403),
        }
        self.assert_matrix("get", "people/", table, c=self.world.contractor.pk, p=self.contractor_pledge.pk)

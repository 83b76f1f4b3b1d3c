"""A subcontractor sees its own part of the contract only: never the contractor's other contracts, a dataset
not shared with it, or the requests and parties of its siblings (article 8)."""

from __future__ import annotations

from itaku.contracts import services as contracts
from itaku.contracts.models import Role
from itaku.subcontracting import services as subcontracting
from tests.base import ContractTestCase
from tests.subcontracting.objects import SIBLING, UNSHARED_DATASET, build_chain
from tests.subcontracting.support import items

OTHER_CONTRACT = "品委第2025-0777号"


class SubcontractorPartTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        self.base = f"/contracts/{self.contract.pk}/subcontracting/"
        self.sub = self.client_for(self.chain.sub_responsible)
        world = self.world
        self.other = contracts.create_contract(
            world.supervisor, number=OTHER_CONTRACT, title="国民健康保険証の発送業務", contractor=world.contractor,
            start=world.contract.start, end=world.contract.end, department="保険年金課", provisions=world.provisions)
        contracts.assign_role(world.supervisor, self.other, world.responsible, Role.RESPONSIBLE)
        # A draft of the contractor's for a third company, beside the first subcontractor.
        self.sibling_request = subcontracting.save_request(world.responsible, self.contract,
                                                           items(world, "株式会社第三候補"), [])

    def pages(self, client) -> dict[str, str]:
        paths = ["", "requests/new/", f"requests/{self.chain.first.pk}/", f"parties/{self.chain.party.pk}/"]
        found = {}
        for path in paths:
            response = client.get(self.base + path)
            self.assertEqual(response.status_code, 200, path)
            found[path] = response.content.decode()
        found["contract"] = client.get(f"/contracts/{self.contract.pk}/").content.decode()
        found["dashboard"] = client.get("/").content.decode()
        return found

    def test_nothing_beside_or_above_it(self) -> None:
        pages = self.pages(self.sub)
        for path, body in pages.items():
            for hidden in (SIBLING, "sibling_resp", "株式会社第三候補", UNSHARED_DATASET, OTHER_CONTRACT,
                           "国民健康保険証の発送業務"):
                self.assertNotIn(hidden, body, f"{path}: {hidden}")
        for path in (f"requests/{self.chain.first.pk}/", f"parties/{self.chain.party.pk}/"):
            # Who above it submitted, shared or supervised is not named (the contractor's own people).
            self.assertNotIn("<small>responsible</small>", pages[path], path)
            self.assertIn("<small>responsible</small>",
                          self.client_for(self.world.supervisor).get(self.base + path).content.decode(), path)
        self.assertEqual(self.sub.get(f"/contracts/{self.other.pk}/").status_code, 404)
        for path in (f"requests/{self.chain.sibling.pk}/", f"requests/{self.sibling_request.pk}/",
                     f"parties/{self.chain.sibling_party.pk}/", f"requests/{self.chain.sibling.pk}/request.pdf",
                     f"requests/{self.chain.sibling.pk}/notice/1.pdf"):
            self.assertEqual(self.sub.get(self.base + path).status_code, 404, path)

    def test_the_contractor_and_the_authority_see_every_party(self) -> None:
        for user in (self.world.responsible, self.world.supervisor):
            index = self.client_for(user).get(self.base).content.decode()
            for name in (SIBLING, self.chain.party.organisation.name, "株式会社第三候補"):
                self.assertIn(name, index)

    def test_the_contract_page_lists_its_own_people_only(self) -> None:
        body = self.sub.get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn("sub_worker", body)
        self.assertNotIn("<td>worker</td>", body)  # the contractor's worker
        self.assertNotIn('class="controls"', body)  # the contract-wide controls name every party
        options = body[body.index('name="user"'):] if 'name="user"' in body else ""
        self.assertNotIn(">responsible<", options)  # the role form offers its own people only
        contractor = self.client_for(self.world.responsible).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn('class="controls"', contractor)
        self.assertIn("sibling_resp", contractor)

    def test_a_subcontractor_assigns_roles_to_its_own_people(self) -> None:
        from tests.base import make_user

        newcomer = make_user("sub_newcomer", self.chain.party.organisation)
        response = self.sub.post(f"/contracts/{self.contract.pk}/roles/", {"user": newcomer.pk, "role": "worker"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.contract.roles.filter(user=newcomer, role=Role.WORKER).exists())
        self.sub.post(f"/contracts/{self.contract.pk}/roles/", {"user": self.world.worker.pk, "role": "worker"})
        self.assertEqual(self.contract.roles.filter(user=self.world.worker).count(), 1)

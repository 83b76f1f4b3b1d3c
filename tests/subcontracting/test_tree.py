"""The chain tree (article 8) as plain data and as nested lists on the contract page and the subcontracting
page: every level with its approval, people and acknowledged work locations; a subcontractor sees its own
subtree only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from itaku.contracts.models import Role
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.tree import chain_tree, flatten
from tests.base import PASSWORD, ContractTestCase
from tests.subcontracting.gates import pass_gates
from tests.subcontracting.support import approved, party_of

FIRST, SECOND, THIRD = "株式会社下請データ", "株式会社孫請", "株式会社曾孫請"


class Depths(HTMLParser):
    """The <ul> depth at which each name of the chain tree's <strong> labels stands."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.inside_tree, self.strong, self.found = 0, 0, False, {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "ul":
            if "chain-tree" in (dict(attrs).get("class") or ""):
                self.inside_tree = self.depth + 1
            self.depth += 1
        self.strong = self.strong or (tag == "strong" and self.inside_tree > 0)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self.depth -= 1
            if self.depth < self.inside_tree:
                self.inside_tree = 0
        if tag == "strong":
            self.strong = False

    def handle_data(self, data: str) -> None:
        if self.strong and data.strip():
            self.found[data.strip()] = self.depth - self.inside_tree + 1


def depths(body: str) -> dict[str, int]:
    parser = Depths()
    parser.feed(body)
    return parser.found


def panel(body: str) -> str:
    found = re.search(r'<section class="card" aria-labelledby="h-chain">(.*?)</section>', body, re.S)
    return found.group(1) if found else ""


class ChainTreeTests(ContractTestCase):
    """contractor → 下請 → 孫請 → 曾孫請, each approved through the real flow."""

    def setUp(self) -> None:
        super().setUp()
        world = self.world
        self.first = approved(world, world.responsible, name=FIRST, subsidiary=True)
        self.first_responsible = subcontracting.add_person(
            world.responsible, self.contract, party_of(self.first), username="sub_resp", display_name="下請 責任者",
            password=PASSWORD, role=Role.RESPONSIBLE)
        self.second = approved(world, self.first_responsible, name=SECOND, consenting=world.responsible)
        self.second_responsible = subcontracting.add_person(
            self.first_responsible, self.contract, party_of(self.second), username="mago_resp",
            display_name="孫請 責任者", password=PASSWORD, role=Role.RESPONSIBLE)
        self.third = approved(world, self.second_responsible, name=THIRD, consenting=self.first_responsible)
        self.third_responsible = subcontracting.add_person(
            self.second_responsible, self.contract, party_of(self.third), username="himago_resp",
            display_name="曾孫請 責任者", password=PASSWORD, role=Role.RESPONSIBLE)
        self.sibling = approved(world, world.responsible, name="株式会社横並び入力")

    def test_the_data_of_every_level(self) -> None:
        second_worker = subcontracting.add_person(
            self.second_responsible, self.contract, party_of(self.second), username="mago_worker",
            display_name="孫請 従事者", password=PASSWORD, role=Role.WORKER)
        pass_gates(self.world, party_of(self.second).organisation, self.second_responsible, [second_worker])
        root = chain_tree(self.world.supervisor, self.contract)
        self.assertEqual((root["organisation"]["name"], root["level"], root["status"]),
                         (self.world.contractor.name, 0, "contractor"))
        self.assertEqual([c["organisation"]["name"] for c in root["children"]], [FIRST, "株式会社横並び入力"])
        first = root["children"][0]
        second = first["children"][0]
        third = second["children"][0]
        self.assertEqual([n["level"] for n in (first, second, third)], [1, 2, 3])
        self.assertEqual([n["subsidiary"] for n in (first, second, third)], [True, False, False])
        self.assertEqual(third["approval"]["request"], self.third.pk)
        self.assertIsNotNone(third["approval"]["decided_on"])
        self.assertEqual((third["status"], third["start"], third["end"]),
                         ("approved", self.third.start, self.third.end))
        people = {p["name"]: p for p in second["people"]}
        self.assertEqual(set(people), {"孫請 責任者", "孫請 従事者"})
        self.assertTrue(all(p["in_structure"] for p in people.values()))
        self.assertEqual(len(people["孫請 責任者"]["roles"]), 1)
        self.assertEqual([loc["name"] for loc in second["locations"]], [f"{SECOND} 作業室"])
        self.assertEqual(first["locations"], [])

        mine = chain_tree(self.second_responsible, self.contract)
        self.assertEqual([n["organisation"]["name"] for n in flatten(mine)], [SECOND, THIRD])
        self.assertEqual(chain_tree(self.world.responsible, self.contract)["organisation"]["name"],
                         self.world.contractor.name)

    def test_the_contract_page_shows_every_level_nested(self) -> None:
        for user in (self.world.supervisor, self.world.responsible, self.world.auditor):
            body = self.client_for(user).get(f"/contracts/{self.contract.pk}/").content.decode()
            found = depths(body)
            self.assertEqual([found.get(name) for name in (self.world.contractor.name, FIRST, SECOND, THIRD)],
                             [1, 2, 3, 4], user)
            self.assertEqual(found.get("株式会社横並び入力"), 2)
            self.assertIn(f"/contracts/{self.contract.pk}/subcontracting/requests/{self.third.pk}/", body)
            self.assertIn(f"/contracts/{self.contract.pk}/subcontracting/parties/{party_of(self.third).pk}/", body)
        index = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/subcontracting/")
        self.assertEqual(depths(index.content.decode()).get(THIRD), 4)

    def test_a_subsidiary_shows_as_such(self) -> None:
        client = self.client_for(self.world.supervisor)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        tree = panel(client.get(f"/contracts/{self.contract.pk}/").content.decode())
        first = tree[tree.index(FIRST):tree.index(SECOND)]
        self.assertIn('<span class="tag">Subsidiary</span>', first)
        self.assertEqual(tree.count('<span class="tag">Subsidiary</span>'), 1)

    def test_a_subcontractor_sees_its_own_subtree_only(self) -> None:
        body = self.client_for(self.second_responsible).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertEqual(depths(body), {SECOND: 1, THIRD: 2})
        for hidden in (FIRST, "株式会社横並び入力", "sub_resp", "下請 責任者"):
            self.assertNotIn(hidden, body)
        self.assertNotIn(f"/requests/{self.first.pk}/", body)
        index = self.client_for(self.third_responsible).get(f"/contracts/{self.contract.pk}/subcontracting/")
        self.assertEqual(depths(index.content.decode()), {THIRD: 1})

    def test_a_revocation_shows_on_the_level_and_below(self) -> None:
        subcontracting.revoke(self.world.supervisor, self.second, "再々委託先の管理に不備があるため。")
        client = self.client_for(self.world.supervisor)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        tree = panel(client.get(f"/contracts/{self.contract.pk}/").content.decode())
        second, third = tree[tree.index(SECOND):tree.index(THIRD)], tree[tree.index(THIRD):]
        self.assertIn('<span class="tag warn">Approval revoked</span>', second)
        self.assertIn("Inactive: an approval above it does not hold", third)
        root = chain_tree(self.world.supervisor, self.contract)
        self.assertEqual([(n["status"], n["active"]) for n in flatten(root)[1:4]],
                         [("approved", True), ("revoked", False), ("approved", False)])

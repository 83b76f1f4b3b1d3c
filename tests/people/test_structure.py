"""Article 2: the structure in writing, versioned, submitted and acknowledged; its notice as a PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.people import services as people
from itaku.people.models import StructureVersion
from tests.base import ContractTestCase, make_user


class StructureServiceTests(ContractTestCase):
    def _save(self, **overrides):
        values = {"responsible": self.world.responsible, "description": "責任者が監督する。",
                  "members": [(self.world.worker, "データ入力")]}
        return people.save_version(self.world.responsible, self.contract, **{**values, **overrides})

    def test_versions_and_acknowledgement(self) -> None:
        first = self._save()
        self.assertEqual(first.number, 1)
        self.assertEqual(first.people_ids(), {self.world.responsible.pk, self.world.worker.pk})
        self.assertIsNone(people.acknowledged_version(self.contract))
        people.submit_version(self.world.responsible, first)
        people.decide_version(self.world.supervisor, first, acknowledge=True)
        self.assertEqual(people.acknowledged_version(self.contract), first)
        second = self._save(members=[])
        self.assertEqual(second.number, 2)
        self.assertEqual(people.newest_version(self.contract), second)
        self.assertEqual(people.acknowledged_version(self.contract), first)
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="people.")
                     .values_list("kind", flat=True))
        self.assertEqual(kinds, ["people.structure_saved", "people.structure.submitted",
                                 "people.structure.acknowledged", "people.structure_saved"])

    def test_return_needs_a_comment(self) -> None:
        version = self._save()
        people.submit_version(self.world.responsible, version)
        with self.assertRaises(UserError):
            people.decide_version(self.world.supervisor, version, acknowledge=False)
        people.decide_version(self.world.supervisor, version, acknowledge=False, comment="従事者の業務内容を詳しく")
        self.assertIsNone(people.acknowledged_version(self.contract))

    def test_bad_declarations_are_refused_and_nothing_is_saved(self) -> None:
        other = make_user("other_company_person", self.world.foreign_contractor)
        for overrides in ({"members": [(other, "入力")]}, {"description": " "},
                          {"members": [(self.world.worker, "")]},
                          {"members": [(self.world.worker, "a"), (self.world.worker, "b")]}):
            with self.assertRaises(UserError):
                self._save(**overrides)
        self.assertFalse(StructureVersion.objects.exists())

    def test_notice_pdf(self) -> None:
        version = self._save()
        people.submit_version(self.world.responsible, version)
        response = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/people/structure/1.pdf")
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages)
        for expected in ("個人情報取扱体制届", "第1版", "responsible", "データ入力", "責任者が監督する", "令和"):
            self.assertIn(expected, text)


class StructureViewTests(ContractTestCase):
    def test_declare_submit_acknowledge_over_http(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(f"/contracts/{self.contract.pk}/people/structure/new/", {
            "responsible": self.world.responsible.pk, "responsible_scope": "全般", "description": "監督体制",
            "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0",
            "members-0-person": self.world.worker.pk, "members-0-duties": "入力",
            "members-1-person": "", "members-1-duties": "",
        })
        self.assertRedirects(response, f"/contracts/{self.contract.pk}/people/")
        client.post(f"/contracts/{self.contract.pk}/people/structure/1/submit/")
        self.client_for(self.world.supervisor).post(
            f"/contracts/{self.contract.pk}/people/structure/1/decide/", {"accept": "on"})
        self.assertEqual(people.acknowledged_version(self.contract).number, 1)

    def test_worker_without_duties_is_explained(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(f"/contracts/{self.contract.pk}/people/structure/new/", {
            "responsible": self.world.responsible.pk, "description": "監督体制",
            "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
            "members-0-person": self.world.worker.pk, "members-0-duties": "",
        })
        self.assertEqual(response.status_code, 200)
        self.assertFalse(StructureVersion.objects.exists())


class MatrixTests(ContractTestCase):
    def test_get_and_post(self) -> None:
        version = people.save_version(self.world.responsible, self.contract, responsible=self.world.responsible,
                                      description="体制", members=[(self.world.worker, "入力")])
        table = {
            ("get", ""): (200, 200, 200, 200, 404, 404),
            ("get", "structure/new/"): (403, 403, 200, 403, 404, 404),
            ("get", f"structure/{version.number}.pdf"): (200, 200, 200, 403, 404, 404),
            ("get", "pledges/"): (200, 200, 200, 200, 404, 404),
            ("get", "eligibility/"): (200, 200, 200, 403, 404, 404),
            ("post", f"structure/{version.number}/submit/"): (403, 403, 302, 403, 404, 404),
            ("post", f"structure/{version.number}/decide/"): (302, 403, 403, 403, 404, 404),
            ("post", "pledges/text/"): (403, 403, 302, 403, 404, 404),
            ("post", "pledges/accept/"): (403, 403, 302, 302, 404, 404),
            ("post", "departures/"): (403, 403, 302, 403, 404, 404),
        }
        for (method, path), expected in table.items():
            self.assert_matrix(method, "people/", {path: expected})

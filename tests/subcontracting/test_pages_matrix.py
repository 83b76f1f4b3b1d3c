"""Who may open and do what on the subcontracting pages: the contract's roles, the first subcontractor's
responsible person and worker, and the responsible person of its sibling (who sees nothing of the first)."""

from __future__ import annotations

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.contracts.models import Role
from itaku.subcontracting import services as subcontracting
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.subcontracting.objects import build_chain
from tests.subcontracting.support import items, party_of
from tests.vault.test_import import FIELDS


class SubcontractingMatrixTests(ContractTestCase):
    ROLES = (*ContractTestCase.ROLES, "sub_responsible", "sub_worker", "sibling_responsible")

    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        for name in ("sub_responsible", "sub_worker", "sibling_responsible"):
            setattr(self.world, name, getattr(self.chain, name))
        party = self.chain.party
        self.supervision = subcontracting.record_supervision(
            self.world.responsible, self.contract, party, held_on=timezone.localdate(), method="documents",
            findings="作業記録に記入漏れ。", issue_found=True)
        self.report = subcontracting.ask_report(self.world.supervisor, self.contract, party,
                                                question="作業状況を報告すること。", due_on=timezone.localdate())
        self.params = {"r": self.chain.first.pk, "p": party.pk, "a": self.chain.first.draft_subcontract_id,
                       "share": self.chain.share.pk, "s": self.supervision.pk, "rep": self.report.pk}

    #                       sup  aud  resp work  col  out  subR subW sibR
    GET = {
        "": (200, 200, 200, 200, 404, 404, 200, 200, 200),
        "requests/new/": (403, 403, 200, 403, 404, 404, 200, 403, 200),
        "requests/{r}/": (200, 200, 200, 200, 404, 404, 200, 200, 404),
        "requests/{r}/edit/": (403, 403, 302, 403, 404, 404, 403, 403, 404),  # approved: back to the request
        "requests/{r}/request.pdf": (200, 200, 200, 403, 404, 404, 200, 403, 404),
        "requests/{r}/notice/1.pdf": (200, 200, 200, 403, 404, 404, 200, 403, 404),
        "requests/{r}/notice/2.pdf": (404, 404, 404, 403, 404, 404, 404, 403, 404),
        "files/{a}/": (200, 200, 200, 403, 404, 404, 200, 403, 404),
        "parties/{p}/": (200, 200, 200, 200, 404, 404, 200, 200, 404),
    }
    POST = {
        "items/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "requests/{r}/submit/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "requests/{r}/consent/": (403, 403, 403, 403, 404, 404, 403, 403, 404),  # a first level needs none
        "requests/{r}/decide/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "requests/{r}/revoke/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "requests/{r}/change/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/people/": (403, 403, 302, 403, 404, 404, 302, 403, 404),
        "parties/{p}/shares/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/shares/{share}/withdraw/": (302, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/supervisions/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/supervisions/{s}/resolve/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/reports/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "parties/{p}/reports/{rep}/deliver/": (403, 403, 302, 403, 404, 404, 403, 403, 404),
        "parties/{p}/reports/{rep}/acknowledge/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "subcontracting/", self.GET, **self.params)

    def test_post(self) -> None:
        self.assert_matrix("post", "subcontracting/", self.POST, **self.params)
        # Empty posts decide nothing: the approval holds (a revocation needs its reason), the finding stays open.
        self.chain.first.refresh_from_db()
        self.assertEqual(subcontracting.status(self.chain.first), subcontracting.Status.APPROVED)
        self.supervision.refresh_from_db()
        self.assertTrue(self.supervision.is_open)

    def test_objects_of_another_contract_are_not_found(self) -> None:
        other = build_other_contract(self)
        client = self.client_for(self.world.supervisor)
        base = f"/contracts/{self.contract.pk}/subcontracting/"
        for path in (f"requests/{other['request']}/", f"parties/{other['party']}/",
                     f"requests/{other['request']}/request.pdf", f"files/{other['attachment']}/"):
            self.assertEqual(client.get(base + path).status_code, 404, path)
        self.assertEqual(client.post(base + f"parties/{self.chain.party.pk}/supervisions/{other['supervision']}"
                                            "/resolve/").status_code, 403)  # the supervisor does not resolve
        responsible = self.client_for(self.world.responsible)
        self.assertEqual(responsible.post(base + f"parties/{self.chain.party.pk}/supervisions/"
                                                 f"{other['supervision']}/resolve/").status_code, 404)
        self.assertEqual(responsible.post(base + f"parties/{self.chain.party.pk}/shares/{other['share']}"
                                                 "/withdraw/").status_code, 404)


def build_other_contract(case: ContractTestCase) -> dict[str, int]:
    """A second contract between the same parties, with its own approved subcontractor and its objects."""
    world = case.world
    other = contracts.create_contract(
        world.supervisor, number="品委第2025-0002号", title="介護保険料納入通知書の封入封緘業務",
        contractor=world.contractor, start=world.contract.start, end=world.contract.end, department="介護保険課",
        provisions=world.provisions)
    contracts.assign_role(world.supervisor, other, world.responsible, Role.RESPONSIBLE)
    contracts.acknowledge_provisions(world.responsible, other)
    contracts.decide_acknowledgement(world.supervisor, other, approve=True)
    other.refresh_from_db()
    shadow = SimpleNamespace(contract=other, supervisor=world.supervisor)
    dataset = create_dataset(world.supervisor, other, name="別契約の台帳", source=Dataset.Source.ENTRUSTED,
                             fields=FIELDS, purposes=["封入"], expected_rows=100)
    names = list(dataset.fields.filter(name="氏名"))
    request = subcontracting.save_request(
        world.responsible, other, items(shadow, "株式会社別契約下請"), [(dataset, names)],
        draft_subcontract=SimpleUploadedFile("other.pdf", b"%PDF-1.4 other", "application/pdf"))
    subcontracting.submit_request(world.responsible, request)
    subcontracting.decide(world.supervisor, request, approve=True)
    party = party_of(request)
    share = subcontracting.share(world.responsible, other, party, dataset, names, None)
    supervision = subcontracting.record_supervision(world.responsible, other, party, held_on=timezone.localdate(),
                                                    method="on_site", findings="確認した。", issue_found=True)
    return {"request": request.pk, "party": party.pk, "attachment": request.draft_subcontract_id,
            "share": share.pk, "supervision": supervision.pk}

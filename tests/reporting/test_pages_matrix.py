"""Who may open and do what on the report pages: the contract's roles, and a subcontractor's responsible
person, who sees the emergency procedure but not the contractor's whole report."""

from __future__ import annotations

from itaku.contracts.sections import links
from tests.base import ContractTestCase
from tests.reporting.objects import url_params
from tests.subcontracting.objects import build_chain


class ReportingMatrixTests(ContractTestCase):
    ROLES = (*ContractTestCase.ROLES, "sub_responsible")

    def setUp(self) -> None:
        super().setUp()
        self.world.sub_responsible = build_chain(self.world).sub_responsible
        self.params = url_params(self.world)

    #                          sup  aud  resp work  col  out  subR
    GET = {
        "": (200, 200, 200, 403, 404, 404, 403),
        "periods/{report}/": (200, 200, 200, 403, 404, 404, 403),
        "periods/{report}/report.pdf": (200, 200, 200, 403, 404, 404, 403),
        "files/{attachment}/": (200, 200, 200, 403, 404, 404, 403),
        "emergency/": (200, 200, 200, 200, 404, 404, 200),
    }
    POST = {
        "schedule/": (302, 403, 403, 403, 404, 404, 403),
        "periods/compile/": (403, 403, 302, 403, 404, 404, 403),
        "periods/{report}/remarks/": (403, 403, 302, 403, 404, 404, 403),
        "periods/{report}/submit/": (403, 403, 302, 403, 404, 404, 403),
        "periods/{report}/decide/": (302, 403, 403, 403, 404, 404, 403),
        "requests/": (302, 403, 403, 403, 404, 404, 403),
        "requests/{asked}/answer/": (403, 403, 302, 403, 404, 404, 403),
        "requests/{asked}/decide/": (302, 403, 403, 403, 404, 404, 403),
        "emergency/channels/": (302, 403, 302, 403, 404, 404, 403),
        "emergency/contacts/": (302, 403, 302, 403, 404, 404, 403),
        "emergency/contacts/{contact}/remove/": (302, 403, 302, 403, 404, 404, 403),
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "reports/", self.GET, **self.params)

    def test_post(self) -> None:
        self.assert_matrix("post", "reports/", self.POST, **self.params)

    def test_the_contract_page_links(self) -> None:
        index = f"/contracts/{self.contract.pk}/reports/"
        self.assertIn(index, [url for _label, url in links(self.world.responsible, self.contract)])
        self.assertNotIn(index, [url for _label, url in links(self.world.worker, self.contract)])
        self.assertNotIn(index, [url for _label, url in links(self.world.sub_responsible, self.contract)])
        self.assertIn(f"{index}emergency/", [url for _label, url in links(self.world.sub_responsible, self.contract)])

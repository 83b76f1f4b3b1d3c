"""Who may open and do what on the take-out pages (supervisor, auditor, responsible, worker, colleague,
outsider)."""

from __future__ import annotations

from tests.base import ContractTestCase
from tests.takeouts.factory import destination, request


class TakeOutMatrixTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.to = destination(self.world)
        self.takeout = request(self.world, to=self.to)

    def test_pages(self) -> None:
        self.assert_matrix("get", "takeouts/", {
            "": (200, 200, 200, 200, 404, 404),
            "register.xlsx": (200, 200, 200, 200, 404, 404),
            "register.pdf": (200, 200, 200, 200, 404, 404),
            "new/": (403, 403, 200, 200, 404, 404),
            "{takeout}/": (200, 200, 200, 200, 404, 404),
        }, takeout=self.takeout.pk)

    def test_steps_of_the_authority(self) -> None:
        self.assert_matrix("post", "takeouts/", {
            "destinations/": (302, 403, 403, 403, 404, 404),
            "destinations/{destination}/retire/": (302, 403, 403, 403, 404, 404),
        }, destination=self.to.pk)

    def test_steps_of_the_party(self) -> None:
        self.assert_matrix("post", "takeouts/", {
            "{takeout}/decide/": (403, 403, 302, 403, 404, 404),
            "{takeout}/resubmit/": (403, 403, 302, 302, 404, 404),
            "{takeout}/check-out/": (403, 403, 302, 302, 404, 404),
            "{takeout}/check-in/": (403, 403, 302, 302, 404, 404),
            "{takeout}/correct/": (403, 403, 302, 403, 404, 404),
        }, takeout=self.takeout.pk)

    def test_another_contracts_take_out_is_not_found(self) -> None:
        response = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/takeouts/999999/")
        self.assertEqual(response.status_code, 404)

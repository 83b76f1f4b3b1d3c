"""The dashboard lists the user's contracts with their worst control state, and nothing else."""

from __future__ import annotations

from tests.base import ContractTestCase


class DashboardTests(ContractTestCase):
    def test_parties_see_the_contract(self) -> None:
        for user in (self.world.supervisor, self.world.responsible, self.world.worker):
            body = self.client_for(user).get("/").content.decode()
            self.assertIn(self.contract.number, body, user)

    def test_state_shown_to_roles_that_see_controls(self) -> None:
        body = self.client_for(self.world.supervisor).get("/").content.decode()
        self.assertIn('class="state state-violation"', body)  # no structure declared yet (article 2)
        body = self.client_for(self.world.worker).get("/").content.decode()
        self.assertIn("state-none", body)

    def test_others_do_not(self) -> None:
        for user in (self.world.colleague, self.world.outsider, self.world.foreign_responsible):
            body = self.client_for(user).get("/").content.decode()
            self.assertNotIn(self.contract.number, body, user)

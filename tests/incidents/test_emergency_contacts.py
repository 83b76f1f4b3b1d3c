"""Article 17-2 with every incident: the incident page shows the emergency contacts in the order to call."""

from __future__ import annotations

from tests.base import ContractTestCase
from tests.incidents.support import raised
from tests.reporting.support import both_sides


class EmergencyContactsTests(ContractTestCase):
    def test_the_incident_page_shows_the_contacts_in_order(self) -> None:
        incident = raised(self.world)
        url = f"/contracts/{self.contract.pk}/incidents/{incident.pk}/"
        body = self.client_for(self.world.supervisor).get(url).content.decode()
        self.assertIn("緊急時報告手順はまだ定められていません", body)
        both_sides(self.world)
        body = self.client_for(self.world.worker).get(url).content.decode()
        self.assertLess(body.index("受託 太郎"), body.index("品川 花子"))
        self.assertIn("03-1234-5678", body)

"""During an open inspection the authority's auditor reads the contract's ledger, registers and documents, and
the inspection's pages, but never the personal data: the vault's record page refuses them."""

from __future__ import annotations

from itaku.contracts.access import Perm, perms
from itaku.vault import access as vault_access
from itaku.vault.models import Record
from tests.base import ContractTestCase
from tests.inspections.support import schedule
from tests.vault.objects import url_params as vault_params


class AuditorReadsNoPersonalDataTests(ContractTestCase):
    def test_auditor_opens_ledger_and_inspection_but_not_a_record(self) -> None:
        params = vault_params(self.world)
        inspection = schedule(self.world)
        self.assertTrue(inspection.is_open)
        self.assertIn(Perm.VIEW_LEDGER, perms(self.world.auditor, self.contract))
        self.assertFalse(vault_access.handles_data(self.world.auditor, self.contract))
        auditor = self.client_for(self.world.auditor)
        base = f"/contracts/{self.contract.pk}"
        self.assertEqual(auditor.get(f"{base}/ledger/").status_code, 200)
        self.assertEqual(auditor.get(f"{base}/inspections/").status_code, 200)
        page = auditor.get(f"{base}/inspections/{inspection.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f"{base}/ledger/")  # the inspector's way to the ledger
        self.assertEqual(auditor.get(f"{base}/vault/").status_code, 200)  # the register of datasets
        record_url = f"{base}/vault/{params['dataset']}/records/{params['record']}/"
        self.assertEqual(auditor.get(record_url).status_code, 404)
        # The same page is open to the contractor's people: it is the auditor who is refused.
        self.assertTrue(Record.objects.filter(pk=params["record"]).exists())
        self.assertNotEqual(self.client_for(self.world.responsible).get(record_url).status_code, 404)

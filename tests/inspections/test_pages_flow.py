"""The inspection through its pages: scheduled, results recorded on the checklist, an instruction issued,
answered by the contractor with a file and closed by the supervisor."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.inspections.models import Inspection
from tests.base import ContractTestCase
from tests.inspections.support import SCOPE, in_days, item_of


class InspectionPagesTests(ContractTestCase):
    def test_the_whole_round(self) -> None:
        base = f"/contracts/{self.contract.pk}/inspections/"
        supervisor, auditor = self.client_for(self.world.supervisor), self.client_for(self.world.auditor)
        response = supervisor.post(f"{base}new/", {
            "party": self.world.contractor.pk, "kind": "on_site", "held_on": in_days(0).isoformat(), "scope": SCOPE,
            "inspectors": [self.world.auditor.pk]})
        self.assertEqual(response.status_code, 302)
        inspection = Inspection.objects.get()
        self.assertEqual(list(inspection.inspectors.all()), [self.world.auditor])
        page = auditor.get(f"{base}{inspection.pk}/")
        self.assertContains(page, "inspections/inspections.css")
        self.assertContains(page, 'name="result"')
        self.assertNotContains(page, "<style")
        item = item_of(inspection, 16)
        refused = auditor.post(f"{base}{inspection.pk}/items/{item.pk}/", {"result": "finding", "notes": ""},
                               follow=True)
        self.assertContains(refused, "notes")
        auditor.post(f"{base}{inspection.pk}/items/{item.pk}/", {"result": "finding", "notes": "記入漏れ。"})
        item.refresh_from_db()
        self.assertEqual(item.result, "finding")
        supervisor.post(f"{base}{inspection.pk}/instructions/",
                        {"item": item.pk, "text": "整備すること。", "due_on": in_days(7).isoformat()})
        instruction = item.instructions.get()
        responsible = self.client_for(self.world.responsible)
        responsible.post(f"{base}{inspection.pk}/instructions/{instruction.pk}/answer/",
                         {"answer": "整備した。", "attachment": SimpleUploadedFile("fix.pdf", b"%PDF-1.4 fix")})
        instruction.refresh_from_db()
        self.assertEqual(instruction.attachment.filename, "fix.pdf")
        self.assertEqual(responsible.get(f"{base}files/{instruction.attachment_id}/").status_code, 200)
        supervisor.post(f"{base}{inspection.pk}/instructions/{instruction.pk}/close/", {"accept": "on"})
        page = supervisor.get(f"{base}{inspection.pk}/")
        self.assertContains(page, "整備した。")
        self.assertEqual(page.context["open_findings"], set())

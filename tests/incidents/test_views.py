"""The incident pages: a permission matrix per view, the subcontractor's part, the notice on the pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.incidents import services
from itaku.incidents.models import Incident
from tests.base import ContractTestCase
from tests.incidents.support import SUMMARY, raised


class MatrixTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.incident = raised(self.world)
        services.issue_instruction(self.world.supervisor, self.incident, text="原因を報告すること。",
                                   due_on=timezone.localdate() + dt.timedelta(days=2))

    GET = {
        "": (200, 200, 200, 200, 404, 404),
        "{i}/": (200, 200, 200, 200, 404, 404),
        "{i}/report.pdf": (200, 200, 200, 200, 404, 404),
    }
    REPORTER = (403, 403, 302, 403, 404, 404)
    SUPERVISOR = (302, 403, 403, 403, 404, 404)
    POST = {
        "new/": (403, 403, 302, 302, 404, 404),
        "categories/": SUPERVISOR,
        "{i}/report/": REPORTER,
        "{i}/report/submit/": REPORTER,
        "{i}/report/decide/": SUPERVISOR,
        "{i}/instructions/": SUPERVISOR,
        "{i}/instructions/1/answer/": REPORTER,
        "{i}/instructions/1/decide/": SUPERVISOR,
        "{i}/statutory/": SUPERVISOR,
        "{i}/dates/": SUPERVISOR,
        "{i}/close/": SUPERVISOR,
        "{i}/publish/": SUPERVISOR,
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "incidents/", self.GET, i=self.incident.pk)

    def test_post(self) -> None:
        self.assert_matrix("post", "incidents/", self.POST, i=self.incident.pk)

    def test_another_contract_s_incident_is_not_found(self) -> None:
        response = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/incidents/99999/")
        self.assertEqual(response.status_code, 404)


class FlowTests(ContractTestCase):
    def test_the_worker_notifies_and_the_supervisor_sees_it_at_once(self) -> None:
        base = f"/contracts/{self.contract.pk}/incidents/"
        response = self.client_for(self.world.worker).post(f"{base}new/", {"kind": "suspected", "summary": SUMMARY})
        incident = Incident.objects.get()
        self.assertRedirects(response, f"{base}{incident.pk}/")
        supervisor = self.client_for(self.world.supervisor)
        contract_page = supervisor.get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn(incident.code, contract_page)
        self.assertIn(f"{base}{incident.pk}/", contract_page)
        index = supervisor.get(base).content.decode()
        self.assertIn(incident.code, index)
        self.assertEqual(len(services.unread(self.world.supervisor, self.contract)), 1)
        detail = supervisor.get(f"{base}{incident.pk}/").content.decode()
        self.assertIn(SUMMARY, detail)
        self.assertEqual(services.unread(self.world.supervisor, self.contract), [])

    def test_the_report_form_saves_and_submits(self) -> None:
        incident = raised(self.world)
        base = f"/contracts/{self.contract.pk}/incidents/{incident.pk}/"
        client = self.client_for(self.world.responsible)
        today = timezone.localdate().isoformat()
        client.post(f"{base}report/", {
            "what_happened": "誤封入", "found_on": today, "cause": "設定漏れ", "data_items": "氏名、住所",
            "people_count": "2", "containment": "全数確認", "unlawful_purpose": ""})
        client.post(f"{base}report/submit/")
        incident.refresh_from_db()
        self.assertEqual(incident.people_count, 2)
        self.assertTrue(services.submissions.latest(incident, services.REPORT_KIND).is_open)

    def test_a_refusal_is_shown_in_both_languages(self) -> None:
        incident = raised(self.world)
        response = self.client_for(self.world.responsible).post(
            f"/contracts/{self.contract.pk}/incidents/{incident.pk}/report/submit/", follow=True)
        body = response.content.decode()
        self.assertIn("報告書の次の項目を入力してください", body)
        self.assertIn("Fill in these items of the report", body)


class SubcontractorPagesTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        from tests.subcontracting.objects import build_chain

        self.chain = build_chain(self.world)
        self.own = raised(self.world, by=self.chain.sub_worker)
        self.contractors = raised(self.world, by=self.world.worker)

    def test_a_subcontractor_sees_only_its_own_incidents(self) -> None:
        base = f"/contracts/{self.contract.pk}/incidents/"
        for user, own, contractors in ((self.chain.sub_responsible, 200, 404), (self.chain.sub_worker, 200, 404),
                                       (self.chain.sibling_responsible, 404, 404),
                                       (self.world.responsible, 200, 200)):
            client = self.client_for(user)
            self.assertEqual(client.get(f"{base}{self.own.pk}/").status_code, own, user)
            self.assertEqual(client.get(f"{base}{self.contractors.pk}/").status_code, contractors, user)
            self.assertEqual(client.get(f"{base}{self.contractors.pk}/report.pdf").status_code, contractors, user)
        index = self.client_for(self.chain.sub_responsible).get(base).content.decode()
        self.assertIn(f"{base}{self.own.pk}/", index)
        self.assertNotIn(f"{base}{self.contractors.pk}/", index)

    def test_a_subcontractor_writes_its_own_report_only(self) -> None:
        base = f"/contracts/{self.contract.pk}/incidents/"
        client = self.client_for(self.chain.sub_responsible)
        self.assertEqual(client.post(f"{base}{self.contractors.pk}/report/").status_code, 404)
        self.assertEqual(client.post(f"{base}{self.own.pk}/report/").status_code, 302)

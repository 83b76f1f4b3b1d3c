"""Work locations for every party of the chain (articles 8 and 15): a subcontractor reports its own, the
authority acknowledges them, and then the subcontractor's trained, pledged worker passes the gate from there."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from pypdf import PdfReader

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.people import eligibility
from itaku.people import services as people
from itaku.places import services
from itaku.places.models import ReportStatus, WorkLocation
from itaku.training import services as training
from itaku.training.models import TOPIC_CODES
from tests.base import ContractTestCase
from tests.places.factory import FIELDS, acknowledged
from tests.subcontracting.chain import add_subcontractor

SUB_FIELDS = {**FIELDS, "name": "下請入力センター", "address": "大阪府大阪市北区1-1", "room": "2F",
              "networks": "203.0.113.0/24"}
INSIDE_SUB = "203.0.113.20"
INSIDE_CONTRACTOR = "192.0.2.10"  # in the contractor's location of tests.places.factory
LOCATION_REASONS = {"no_location", "outside_location", "address_invalid"}


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


class SubcontractorLocationTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)

    def add_sub_location(self) -> WorkLocation:
        return services.add_location(self.sub.responsible, self.contract, organisation=self.sub.organisation,
                                     **SUB_FIELDS)

    def test_a_subcontractor_reports_its_own_location_and_the_supervisor_acknowledges_it(self) -> None:
        location = self.add_sub_location()
        self.assertEqual(location.organisation, self.sub.organisation)
        added = Event.objects.get(chain=self.contract.ledger_chain, kind="places.location_added")
        self.assertEqual((added.actor_id, added.facts["organisation"]), (self.sub.responsible.pk,
                                                                         self.sub.organisation.pk))
        services.report_location(self.sub.responsible, location)
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        self.assertEqual(services.report_of(location).status, ReportStatus.ACKNOWLEDGED)
        self.assertEqual(services.acknowledged_locations(self.contract, self.sub.organisation), [location])
        self.assertFalse(services.has_acknowledged_location(self.contract, self.world.contractor))
        self.assertEqual(services.location_for(self.contract, INSIDE_SUB, self.sub.organisation), location)
        self.assertIsNone(services.location_for(self.contract, INSIDE_SUB, self.world.contractor))

    def test_a_party_records_and_changes_only_its_own_locations(self) -> None:
        with self.assertRaises(UserError):  # not for the contractor
            services.add_location(self.sub.responsible, self.contract, organisation=self.world.contractor,
                                  **SUB_FIELDS)
        with self.assertRaises(UserError):  # nor the contractor for the subcontractor
            services.add_location(self.world.responsible, self.contract, organisation=self.sub.organisation,
                                  **SUB_FIELDS)
        with self.assertRaises(UserError):  # an organisation outside the chain holds no location here
            services.add_location(self.world.foreign_responsible, self.contract, **SUB_FIELDS,
                                  organisation=self.world.foreign_contractor)
        contractors = acknowledged(self.world)
        with self.assertRaises(UserError):
            services.change_location(self.sub.responsible, contractors, room="B1")
        with self.assertRaises(UserError):
            services.report_location(self.sub.responsible, contractors)
        self.assertEqual(WorkLocation.objects.count(), 1)
        self.assertEqual(services.report_of(contractors).status, ReportStatus.ACKNOWLEDGED)

    def test_the_subcontractors_worker_passes_the_gate_from_its_own_location(self) -> None:
        sub, contract = self.sub, self.contract
        version = people.save_version(
            sub.responsible, contract, responsible=sub.responsible, responsible_scope="再委託業務の管理",
            description="責任者が従事者を監督する。", members=[(sub.worker, "データ入力")],
            organisation=sub.organisation,
        )
        people.submit_version(sub.responsible, version)
        people.decide_version(self.world.supervisor, version, acknowledge=True)
        people.accept_pledge(sub.worker, contract)
        course = training.add_course(self.world.responsible, contract, title="受託者の研修", topics=list(TOPIC_CODES))
        training.record_completion(sub.responsible, contract, person=sub.worker, course=course,
                                   completed_on=timezone.localdate(), passed=True)
        acknowledged(self.world)  # the contractor's location does not count for the subcontractor
        before = eligibility.evaluate(sub.worker, contract, INSIDE_SUB)
        self.assertIn("no_location", [r.code for r in before.reasons])

        location = self.add_sub_location()
        services.report_location(sub.responsible, location)
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        decision = eligibility.evaluate(sub.worker, contract, INSIDE_SUB)
        self.assertEqual([r.code for r in decision.reasons], [])
        self.assertTrue(decision.allowed)
        outside = eligibility.evaluate(sub.worker, contract, INSIDE_CONTRACTOR)
        self.assertEqual([r.code for r in outside.reasons], ["outside_location"])


class SubcontractorPageTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)
        self.contractors = acknowledged(self.world)
        self.subs = services.add_location(self.sub.responsible, self.contract, organisation=self.sub.organisation,
                                          **SUB_FIELDS)

    def url(self, path: str = "", party=None) -> str:
        query = f"?party={party.pk}" if party is not None else ""
        return f"/contracts/{self.contract.pk}/places/{path}{query}"

    def test_a_subcontractor_sees_its_own_locations_only(self) -> None:
        for user in (self.sub.responsible, self.sub.worker):
            client = self.client_for(user)
            body = client.get(self.url()).content.decode()
            self.assertIn(SUB_FIELDS["name"], body)
            self.assertNotIn(FIELDS["name"], body)
            self.assertNotIn("192.0.2.0/24", body)
            for path in ("", "report.pdf"):
                self.assertEqual(client.get(self.url(path, self.world.contractor)).status_code, 404, path)
            text = pdf_text(client.get(self.url("report.pdf")).content)
            self.assertIn(SUB_FIELDS["name"], text)
            self.assertNotIn(FIELDS["name"], text)

    def test_a_subcontractor_cannot_touch_the_contractors_locations(self) -> None:
        client = self.client_for(self.sub.responsible)
        for method, path in (("get", "edit/"), ("post", "edit/"), ("post", "report/")):
            response = getattr(client, method)(self.url(f"{self.contractors.pk}/{path}"), {**FIELDS, "room": "B1"})
            self.assertEqual(response.status_code, 404, f"{method} {path}")
        self.contractors.refresh_from_db()
        self.assertEqual(self.contractors.room, FIELDS["room"])
        self.assertEqual(services.report_of(self.contractors).status, ReportStatus.ACKNOWLEDGED)

    def test_the_contractor_sees_but_does_not_change_the_subcontractors_locations(self) -> None:
        client = self.client_for(self.world.responsible)
        own = client.get(self.url()).content.decode()
        self.assertIn('name="party"', own)  # the switch: two parties
        self.assertIn(FIELDS["name"], own)
        self.assertNotIn(SUB_FIELDS["name"], own)
        body = client.get(self.url(party=self.sub.organisation)).content.decode()
        self.assertIn(SUB_FIELDS["name"], body)
        self.assertNotIn(FIELDS["name"], body)
        self.assertNotIn(self.url("add/"), body)
        self.assertNotIn(self.url(f"{self.subs.pk}/edit/"), body)
        self.assertIn(SUB_FIELDS["name"], pdf_text(client.get(self.url("report.pdf", self.sub.organisation)).content))
        for method, path in (("get", "edit/"), ("post", "report/")):
            self.assertEqual(getattr(client, method)(self.url(f"{self.subs.pk}/{path}")).status_code, 403, path)
        self.assertEqual(services.report_of(self.subs).status, ReportStatus.UNREPORTED)

    def test_the_subcontractor_adds_and_reports_and_the_supervisor_decides_through_the_pages(self) -> None:
        client = self.client_for(self.sub.responsible)
        response = client.post(self.url("add/"), {**SUB_FIELDS, "name": "下請第二センター",
                                                  "networks": "198.51.100.0/24"})
        self.assertRedirects(response, self.url(party=self.sub.organisation))
        second = WorkLocation.objects.get(name="下請第二センター")
        self.assertEqual(second.organisation, self.sub.organisation)
        client.post(self.url(f"{second.pk}/report/"))
        self.assertEqual(services.report_of(second).status, ReportStatus.SUBMITTED)
        supervisor = self.client_for(self.world.supervisor)
        page = supervisor.get(self.url(party=self.sub.organisation)).content.decode()
        self.assertIn(f'action="{self.url(f"{second.pk}/decide/")}"', page)
        response = supervisor.post(self.url(f"{second.pk}/decide/"), {"accept": "on"})
        self.assertRedirects(response, self.url(party=self.sub.organisation))
        self.assertEqual(services.report_of(second).status, ReportStatus.ACKNOWLEDGED)

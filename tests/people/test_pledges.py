"""Article 4: pledges accepted after login, kept as PDFs, never deleted; departures keep the duty."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import ProtectedError
from django.utils import timezone
from pypdf import PdfReader

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.people import services as people
from itaku.people.models import Pledge
from tests.base import ContractTestCase


class PledgeTests(ContractTestCase):
    def test_default_text_quotes_article_4_and_the_penalties(self) -> None:
        body = people.default_pledge_body(self.contract)
        self.assertIn("特記事項 第4（秘密保持義務）", body)
        self.assertIn("契約終了後または解除された後も同様とする", body)
        self.assertIn("第176条", body)
        self.assertIn("第180条", body)

    def test_accept_over_http_and_pdf(self) -> None:
        client = self.client_for(self.world.worker)
        page = client.get(f"/contracts/{self.contract.pk}/people/pledges/").content.decode()
        self.assertIn("秘密保持義務", page)
        client.post(f"/contracts/{self.contract.pk}/people/pledges/accept/", {"read": "on"})
        pledge = Pledge.objects.get(person=self.world.worker)
        self.assertEqual(pledge.text_sha256, pledge.text.sha256)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="people.pledge_accepted")
        self.assertEqual(event.facts["person"], self.world.worker.pk)
        response = client.get(f"/contracts/{self.contract.pk}/people/pledges/{pledge.pk}.pdf")
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages)
        for expected in ("誓約書", "秘密保持義務", "worker", pledge.text.sha256[:16], "令和"):
            self.assertIn(expected, text)
        # Another person cannot read it; the authority can.
        self.assertEqual(self.client_for(self.world.responsible).get(
            f"/contracts/{self.contract.pk}/people/pledges/{pledge.pk}.pdf").status_code, 200)

    def test_accept_needs_the_tick(self) -> None:
        self.client_for(self.world.worker).post(f"/contracts/{self.contract.pk}/people/pledges/accept/")
        self.assertFalse(Pledge.objects.exists())

    def test_new_text_requires_a_new_acceptance(self) -> None:
        people.accept_pledge(self.world.worker, self.contract)
        self.assertIsNotNone(people.valid_pledge(self.world.worker))
        with self.assertRaises(UserError):
            people.accept_pledge(self.world.worker, self.contract)
        people.publish_pledge_text(self.world.responsible, self.world.contractor, "改定した誓約書の本文")
        self.assertIsNone(people.valid_pledge(self.world.worker))
        people.accept_pledge(self.world.worker, self.contract)
        self.assertEqual(Pledge.objects.filter(person=self.world.worker).count(), 2)

    def test_pledges_are_never_deleted(self) -> None:
        pledge = people.accept_pledge(self.world.worker, self.contract)
        with self.assertRaises(ProtectedError):
            pledge.text.delete()
        with self.assertRaises(ProtectedError):
            self.world.worker.delete()


class DepartureTests(ContractTestCase):
    def test_former_worker_stays_listed(self) -> None:
        people.save_version(self.world.responsible, self.contract, responsible=self.world.responsible,
                            description="体制", members=[(self.world.worker, "入力")])
        people.accept_pledge(self.world.worker, self.contract)
        today = timezone.localdate()
        self.client_for(self.world.responsible).post(
            f"/contracts/{self.contract.pk}/people/departures/",
            {"person": self.world.worker.pk, "left_on": today.isoformat()},
        )
        self.world.worker.refresh_from_db()
        self.assertEqual(self.world.worker.left_on, today)
        self.assertFalse(self.world.worker.is_active)
        self.assertEqual(people.former_workers(self.contract), [self.world.worker])
        self.assertTrue(Pledge.objects.filter(person=self.world.worker).exists())
        page = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/people/").content.decode()
        self.assertIn("worker", page)
        self.assertTrue(Event.objects.filter(chain=self.contract.ledger_chain, kind="people.departed").exists())

    def test_departed_person_cannot_be_named_again(self) -> None:
        people.mark_departure(self.world.responsible, self.contract, self.world.worker,
                              timezone.localdate() - dt.timedelta(days=1))
        with self.assertRaises(UserError):
            people.save_version(self.world.responsible, self.contract, responsible=self.world.responsible,
                                description="体制", members=[(self.world.worker, "入力")])

    def test_only_own_people(self) -> None:
        with self.assertRaises(UserError):
            people.mark_departure(self.world.supervisor, self.contract, self.world.worker, timezone.localdate())


class PromptTests(ContractTestCase):
    def test_dashboard_asks_for_the_pledge_until_accepted(self) -> None:
        client = self.client_for(self.world.worker)
        self.assertContains(client.get("/"), f"/contracts/{self.contract.pk}/people/pledges/")
        people.accept_pledge(self.world.worker, self.contract)
        self.assertNotContains(client.get("/"), f"/contracts/{self.contract.pk}/people/pledges/")
        self.assertNotContains(self.client_for(self.world.supervisor).get("/"), "people/pledges/")

    def test_contract_page_links_the_sections_a_role_may_open(self) -> None:
        worker_page = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn(f"/contracts/{self.contract.pk}/people/pledges/", worker_page)
        self.assertNotIn(f"/contracts/{self.contract.pk}/people/eligibility/", worker_page)
        page = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn(f"/contracts/{self.contract.pk}/people/eligibility/", page)

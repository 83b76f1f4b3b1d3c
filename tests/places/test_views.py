"""Work location pages through HTTP: the permission matrix, the add/edit/report/decide flow, the page rules."""

from __future__ import annotations

import re

from django.test import Client

from itaku.contracts import services as contracts
from itaku.places import services
from itaku.places.models import WorkLocation
from tests.base import ContractTestCase
from tests.places.factory import FIELDS, acknowledged, add

FORM = {**FIELDS}


class PlacesViewMatrixTests(ContractTestCase):
    """Expected status per role; `colleague` is staff of the same authority without a role on the contract."""

    ROLES = ("supervisor", "auditor", "responsible", "worker", "colleague", "outsider")
    GET = {
        "": (200, 200, 200, 200, 404, 404),
        "add/": (403, 403, 200, 403, 404, 404),
        "report.pdf": (200, 200, 200, 200, 404, 404),
        "{location}/edit/": (403, 403, 200, 403, 404, 404),
        "{location}/report/": (405, 405, 405, 405, 405, 405),
        "{location}/decide/": (405, 405, 405, 405, 405, 405),
    }
    POST = {
        "": (405, 405, 405, 405, 405, 405),
        "add/": (403, 403, 200, 403, 404, 404),  # an empty form is shown again with its errors
        "{location}/edit/": (403, 403, 200, 403, 404, 404),
        "{location}/report/": (403, 403, 302, 403, 404, 404),
        "{location}/decide/": (302, 403, 403, 403, 404, 404),
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "places/", self.GET, location=add(self.world).pk)

    def test_post(self) -> None:
        self.assert_matrix("post", "places/", self.POST, location=add(self.world).pk)

    def test_a_location_of_another_contract_is_not_found(self) -> None:
        other = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="別業務", contractor=self.world.contractor,
            start=self.contract.start, end=self.contract.end, provisions=self.world.provisions,
        )
        contracts.assign_role(self.world.supervisor, other, self.world.responsible, "responsible")
        foreign = services.add_location(self.world.responsible, other, **FIELDS)
        client = self.client_for(self.world.responsible)
        for path in ("edit/", "report/"):
            response = client.post(f"/contracts/{self.contract.pk}/places/{foreign.pk}/{path}", FORM)
            self.assertEqual(response.status_code, 404, path)
        self.assertEqual(services.report_of(foreign).status, "unreported")


class FlowTests(ContractTestCase):
    def url(self, path: str = "") -> str:
        return f"/contracts/{self.contract.pk}/places/{path}"

    def english(self, user) -> Client:
        client = self.client_for(user)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        return client

    def test_add_refuses_bad_networks_naming_the_line(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(self.url("add/"), {**FORM, "networks": "192.0.2.0/24\n10.0.0.5/24\n0.0.0.0/0"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2行目「10.0.0.5/24」")
        self.assertContains(response, "did you mean 10.0.0.0/24?")
        self.assertContains(response, "line 3 (0.0.0.0/0): the range is too broad")
        self.assertFalse(WorkLocation.objects.exists())

    def test_add_report_acknowledge(self) -> None:
        responsible = self.english(self.world.responsible)
        response = responsible.post(self.url("add/"), FORM)
        self.assertRedirects(response, self.url())
        location = WorkLocation.objects.get()
        self.assertEqual(location.networks, ["192.0.2.0/24", "2001:db8:1::/48"])
        body = responsible.get(self.url()).content.decode()
        self.assertIn("Not yet reported", body)
        self.assertIn(f'action="{self.url(f"{location.pk}/report/")}"', body)

        self.assertRedirects(responsible.post(self.url(f"{location.pk}/report/")), self.url())
        body = responsible.get(self.url()).content.decode()
        self.assertIn("Reported, awaiting acknowledgement", body)
        self.assertNotIn(self.url(f"{location.pk}/edit/"), body)

        supervisor = self.english(self.world.supervisor)
        self.assertIn(f'action="{self.url(f"{location.pk}/decide/")}"', supervisor.get(self.url()).content.decode())
        self.assertRedirects(supervisor.post(self.url(f"{location.pk}/decide/"), {"accept": "on"}), self.url())
        body = supervisor.get(self.url()).content.decode()
        self.assertIn('<span class="state state-ok">Acknowledged by the authority</span>', body)
        self.assertEqual(services.acknowledged_locations(self.contract), [location])

    def test_return_with_comment_and_without(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        supervisor = self.client_for(self.world.supervisor)
        response = supervisor.post(self.url(f"{location.pk}/decide/"), {"comment": ""}, follow=True)
        self.assertContains(response, "A return or rejection needs a reason.")
        supervisor.post(self.url(f"{location.pk}/decide/"), {"comment": "保管場所の部屋番号を記載してください"})
        body = self.english(self.world.responsible).get(self.url()).content.decode()
        self.assertIn("Returned — correct it and report again", body)
        self.assertIn("保管場所の部屋番号を記載してください", body)

    def test_edit_after_acknowledgement_asks_for_a_new_report(self) -> None:
        location = acknowledged(self.world)
        responsible = self.english(self.world.responsible)
        form = responsible.get(self.url(f"{location.pk}/edit/")).content.decode()
        self.assertIn("192.0.2.0/24\n2001:db8:1::/48</textarea>", form)
        response = responsible.post(self.url(f"{location.pk}/edit/"), {**FORM, "room": "4F 401"})
        self.assertRedirects(response, self.url())
        body = responsible.get(self.url()).content.decode()
        self.assertIn("Changed since the report — report again", body)
        self.assertIn("4F 401", body)
        self.assertEqual(services.acknowledged_locations(self.contract), [])

    def test_edit_while_awaiting_shows_the_refusal(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        response = self.client_for(self.world.responsible).post(self.url(f"{location.pk}/edit/"),
                                                                {**FORM, "room": "B1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "届出が確認待ちのため変更できません")
        location.refresh_from_db()
        self.assertEqual(location.room, FIELDS["room"])

    def test_report_of_an_unchanged_acknowledged_location_is_refused_with_a_message(self) -> None:
        location = acknowledged(self.world)
        response = self.client_for(self.world.responsible).post(self.url(f"{location.pk}/report/"), follow=True)
        self.assertContains(response, "has not changed since")

    def test_readers_see_the_list_without_actions(self) -> None:
        location = add(self.world)
        for user in (self.world.worker, self.world.auditor):
            body = self.client_for(user).get(self.url()).content.decode()
            self.assertIn(location.name, body)
            self.assertIn("192.0.2.0/24", body)
            self.assertNotIn(self.url("add/"), body)
            self.assertNotIn(self.url(f"{location.pk}/edit/"), body)
            self.assertNotIn(self.url(f"{location.pk}/report/"), body)

    def test_pages_follow_the_csp_rules(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        pages = ((self.world.responsible, self.url()), (self.world.responsible, self.url("add/")),
                 (self.world.supervisor, self.url()))
        for user, url in pages:
            body = self.client_for(user).get(url).content.decode()
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url)
            self.assertIsNone(re.search(r"\son[a-z]+=", body), url)
            self.assertIsNone(re.search(r"\sstyle=", body), url)
            self.assertIn("csrfmiddlewaretoken", body)

    def test_csrf_is_enforced(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.responsible)
        self.assertEqual(client.post(self.url("add/"), FORM).status_code, 403)
        self.assertFalse(WorkLocation.objects.exists())

"""The take-out pages from request to check-in, as the people of a party use them."""

from __future__ import annotations

from django.utils import timezone

from itaku.ledger.models import Event
from itaku.submissions.models import Submission
from itaku.takeouts import services
from itaku.takeouts.models import TakeOut, TimeCorrection
from tests.base import ContractTestCase
from tests.places.factory import acknowledged
from tests.takeouts.factory import approved, destination


class FlowTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.to = destination(self.world)
        self.retired = destination(self.world, name="旧倉庫")
        services.retire_destination(self.world.supervisor, self.retired)
        self.origin = acknowledged(self.world)

    def form(self, **changes) -> dict:
        now = timezone.localtime()
        return {"source": "medium", "items": "申告書（紙）", "medium": "paper", "count": "2",
                "origin": self.origin.pk, "destination": self.to.pk, "purpose": "区への引渡し",
                "transport": "公用車", "out_at": (now + timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "back_by": (now + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                "carrier": self.world.worker.pk, **changes}

    def test_the_form_offers_only_permitted_destinations(self) -> None:
        page = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/takeouts/new/")
        body = page.content.decode()
        self.assertIn(self.to.name, body)
        self.assertNotIn("旧倉庫", body)

    def test_a_retired_destination_cannot_be_chosen(self) -> None:
        response = self.client_for(self.world.worker).post(f"/contracts/{self.contract.pk}/takeouts/new/",
                                                            self.form(destination=self.retired.pk))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(TakeOut.objects.exists())

    def test_request_approve_out_and_back(self) -> None:
        worker, responsible = self.client_for(self.world.worker), self.client_for(self.world.responsible)
        base = f"/contracts/{self.contract.pk}/takeouts/"
        response = worker.post(base + "new/", self.form())
        takeout = TakeOut.objects.get()
        self.assertRedirects(response, f"{base}{takeout.pk}/")
        page = responsible.get(f"{base}{takeout.pk}/").content.decode()
        self.assertIn("decide/", page)
        responsible.post(f"{base}{takeout.pk}/decide/", {"accept": "on"})
        worker.post(f"{base}{takeout.pk}/check-out/", {"at": ""})
        responsible.post(f"{base}{takeout.pk}/check-in/", {"at": ""})
        takeout.refresh_from_db()
        self.assertIs(services.status(takeout), services.Status.BACK)
        index = worker.get(base).content.decode()
        self.assertIn("返却確認済み", index)
        self.assertIn(takeout.code, index)

    def test_a_refusal_is_shown(self) -> None:
        base = f"/contracts/{self.contract.pk}/takeouts/"
        self.client_for(self.world.worker).post(base + "new/", self.form())
        takeout = TakeOut.objects.get()
        response = self.client_for(self.world.worker).post(f"{base}{takeout.pk}/check-out/", {"at": ""},
                                                           follow=True)
        self.assertContains(response, "Only an approved take-out can be checked out")


class CorrectionFlowTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        takeout = approved(self.world)
        ago = timezone.now() - timezone.timedelta(hours=1)  # approved an hour ago, out since, back now
        Submission.objects.filter(kind=services.KIND, subject_id=takeout.pk).update(decided_at=ago)
        takeout = services.check_out(self.world.worker, takeout, at=ago + timezone.timedelta(minutes=5))
        self.takeout = services.check_in(self.world.worker, takeout)
        self.url = f"/contracts/{self.contract.pk}/takeouts/{self.takeout.pk}/"

    def form(self, **changes) -> dict:
        at = timezone.localtime(self.takeout.checked_in_at) - timezone.timedelta(minutes=30)
        return {"time": "back", "at": at.strftime("%Y-%m-%dT%H:%M:%S"), "reason": "時刻の入力誤り", **changes}

    def test_the_responsible_person_corrects_on_the_take_out_page(self) -> None:
        client = self.client_for(self.world.responsible)
        page = client.get(self.url).content.decode()
        self.assertIn(f"{self.url}correct/", page)
        response = client.post(f"{self.url}correct/", self.form(), follow=True)
        self.assertRedirects(response, self.url)
        self.assertContains(response, "時刻の入力誤り")
        self.assertEqual(TimeCorrection.objects.get().takeout, self.takeout)
        self.assertTrue(Event.objects.filter(kind="takeout.corrected", facts__takeout=self.takeout.pk).exists())

    def test_a_refusal_is_shown_and_nothing_changes(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(f"{self.url}correct/", self.form(reason=""), follow=True)
        self.assertContains(response, "The correction is not valid")
        early = timezone.localtime() - timezone.timedelta(hours=2)
        response = client.post(f"{self.url}correct/", self.form(time="out", at=early.strftime("%Y-%m-%dT%H:%M")),
                               follow=True)
        self.assertContains(response, "after the responsible person&#x27;s approval")
        self.assertFalse(TimeCorrection.objects.exists())

    def test_the_worker_gets_no_form_and_is_refused(self) -> None:
        client = self.client_for(self.world.worker)
        self.assertNotIn(f"{self.url}correct/", client.get(self.url).content.decode())
        self.assertEqual(client.post(f"{self.url}correct/", self.form()).status_code, 403)
        self.assertFalse(TimeCorrection.objects.exists())

    def test_a_subcontractor_cannot_reach_the_contractors_take_out(self) -> None:
        from tests.subcontracting.chain import add_subcontractor

        sub = add_subcontractor(self.world)
        self.assertEqual(self.client_for(sub.responsible).post(f"{self.url}correct/", self.form()).status_code, 404)
        self.assertFalse(TimeCorrection.objects.exists())


class SectionTests(ContractTestCase):
    def test_the_contract_page_links_the_take_outs(self) -> None:
        page = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn(f"/contracts/{self.contract.pk}/takeouts/", page)


class VisibilityTests(ContractTestCase):
    def test_a_subcontractor_sees_its_own_take_outs_only(self) -> None:
        from tests.subcontracting.chain import add_subcontractor
        from tests.takeouts.factory import request

        takeout = request(self.world)
        sub = add_subcontractor(self.world)
        client = self.client_for(sub.responsible)
        base = f"/contracts/{self.contract.pk}/takeouts/"
        self.assertNotIn(takeout.code, client.get(base).content.decode())
        self.assertEqual(client.get(f"{base}{takeout.pk}/").status_code, 404)
        self.assertEqual(client.post(f"{base}{takeout.pk}/decide/", {"accept": "on"}).status_code, 404)
        self.assertIs(services.status(takeout), services.Status.SUBMITTED)

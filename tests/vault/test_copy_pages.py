"""The copy pages (article 10): request → approve → produce once → destroy through HTTP, the register with
overdue copies flagged, the filter value kept out of URLs and away from the authority, and who may do what."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re

from django.utils import timezone

from itaku.ledger.models import Event
from itaku.places.models import WorkLocation
from itaku.vault import copies
from itaku.vault.copies import Status
from itaku.vault.models import Copy, CopyRequest
from tests.people.helpers import INSIDE, OUTSIDE
from tests.vault.test_access import VaultTestCase

FILTER = "ｻﾄｳﾀﾛｳ"
MINUTE = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends


class CopyPageTestCase(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.place = WorkLocation.objects.get(contract=self.contract)
        self.today = timezone.localdate()
        self.base = f"/contracts/{self.contract.pk}/vault/copies/"

    def form(self, **changes: object) -> dict[str, object]:
        data = {
            "purpose": self.purpose.pk, "fields": [self.name.pk, self.kana.pk], "scope": "filter",
            "filter_field": self.kana.pk, "filter_value": FILTER, "medium": "USB暗号化メモリ",
            "holder": self.world.worker.pk, "place": self.place.pk,
            "destroy_by": (self.today + dt.timedelta(days=30)).isoformat(),
        }
        data.update(changes)
        return data

    def request_copy(self, **changes: object) -> CopyRequest:
        response = self.client_for(self.world.responsible).post(f"{self.base}new/{self.dataset.pk}/",
                                                                self.form(**changes))
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        made = CopyRequest.objects.order_by("-pk").first()
        self.assertEqual(response["Location"], f"{self.base}{made.pk}/")
        return made

    def decide(self, made: CopyRequest, **data: str) -> None:
        response = self.client_for(self.world.supervisor).post(f"{self.base}{made.pk}/decide/", data)
        self.assertEqual(response.status_code, 302)

    def produce(self, made: CopyRequest, fmt: str = "csv_utf8", address: str = INSIDE, user=None,
                follow: bool = False):
        return self.client_for(user or self.world.worker).post(f"{self.base}{made.pk}/produce/", {"fmt": fmt},
                                                               REMOTE_ADDR=address, follow=follow)

    def refused(self, made: CopyRequest, **produce: object):
        """A refused production: back on the request's page, with the service's reason."""
        response = self.produce(made, follow=True, **produce)
        self.assertEqual(response.redirect_chain, [(f"{self.base}{made.pk}/", 302)])
        return response

    def destroy(self, made: CopyRequest, user=None, **changes: object):
        data = {"method": Copy.Method.SHREDDING, "place": self.place.pk, "person": self.world.worker.pk,
                "destroyed_at": timezone.localtime().strftime(MINUTE), **changes}
        return self.client_for(user or self.world.worker).post(f"{self.base}{made.pk}/destroy/", data)


class CopyFlowTests(CopyPageTestCase):
    def test_request_approve_produce_destroy(self) -> None:
        form = self.client_for(self.world.responsible).get(f"{self.base}new/{self.dataset.pk}/")
        self.assertContains(form, 'name="filter_value"')
        self.assertContains(form, "本社作業室")
        made = self.request_copy()
        self.assertEqual(copies.status(made), Status.SUBMITTED)
        self.assertEqual(copies.filter_value(made), FILTER)
        pending = self.client_for(self.world.supervisor).get(f"{self.base}{made.pk}/")
        self.assertContains(pending, "理由を付けて不承認")  # a rejection, not the "return with comment" of reports
        self.assertContains(pending, "特定個人情報（個人番号）")  # the dataset holds My Numbers, marked wherever shown
        self.assertNotContains(pending, "差戻し")

        self.decide(made, accept="on")
        self.assertEqual(copies.status(made), Status.APPROVED)
        page = self.client_for(self.world.worker).get(f"{self.base}{made.pk}/")
        self.assertContains(page, f"{self.base}{made.pk}/produce/")
        self.assertIn("no-store", page["Cache-Control"])

        response = self.produce(made)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="{made.code}.csv"')
        self.assertIn("no-store", response["Cache-Control"])
        self.assertTrue(response.content.startswith(codecs.BOM_UTF8))
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        self.assertEqual(rows, [[f"複写番号: {made.code}", ""], ["氏名", "氏名カナ"], ["佐藤　太郎", "ｻﾄｳ ﾀﾛｳ"]])
        self.assertEqual(Event.objects.filter(kind="data.copied").count(), 1)

        self.assertContains(self.refused(made, fmt="xlsx"), "一度だけ作成できます")
        self.assertEqual(Copy.objects.count(), 1)

        self.assertEqual(self.client_for(self.world.worker).get(f"{self.base}{made.pk}/destroy/").status_code, 200)
        refused = self.destroy(made, destroyed_at=(timezone.localtime() - dt.timedelta(hours=1)).strftime(MINUTE))
        self.assertContains(refused, "A copy cannot be destroyed before it was produced.")
        Copy.objects.update(produced_at=timezone.now() - dt.timedelta(hours=2))  # produced two hours ago
        response = self.destroy(made)
        self.assertEqual(response.status_code, 302)
        copy = Copy.objects.get()
        self.assertTrue(copy.is_destroyed)
        self.assertEqual((copy.destruction_method, copy.destroyed_place, copy.destroyed_by),
                         (Copy.Method.SHREDDING.value, self.place, self.world.worker))
        register = self.client_for(self.world.supervisor).get(self.base)
        self.assertContains(register, made.code)
        self.assertContains(register, Status.DESTROYED.label_ja)
        self.assertContains(register, "state-ok")
        self.assertFalse(Event.objects.filter(facts__icontains="ｻﾄｳ").exists())

    def test_rejected_then_changed_and_submitted_again(self) -> None:
        made = self.request_copy(scope="all", filter_value="")
        self.decide(made, comment="全件の複写は不要です。")
        self.assertEqual(copies.status(made), Status.REJECTED)
        page = self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/")
        self.assertContains(page, "全件の複写は不要です。")
        edit = self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/edit/")
        self.assertContains(edit, 'value="USB暗号化メモリ"')
        response = self.client_for(self.world.responsible).post(f"{self.base}{made.pk}/edit/", self.form(medium="紙"))
        self.assertEqual(response.status_code, 302)
        made.refresh_from_db()
        self.assertEqual((made.medium, copies.filter_value(made)), ("紙", FILTER))
        self.client_for(self.world.responsible).post(f"{self.base}{made.pk}/submit/")
        self.assertEqual(copies.status(made), Status.SUBMITTED)
        self.decide(made, accept="on")
        self.assertEqual(copies.status(made), Status.APPROVED)

    def test_a_refusal_of_the_service_is_shown_in_both_languages(self) -> None:
        response = self.client_for(self.world.responsible).post(f"{self.base}new/{self.dataset.pk}/",
                                                                self.form(destroy_by=self.today.isoformat()))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "廃棄期限は明日以降の日付にしてください。 / "
                                      "The destroy-by date must be after today.")
        self.assertFalse(CopyRequest.objects.exists())
        response = self.client_for(self.world.responsible).post(f"{self.base}new/{self.dataset.pk}/",
                                                                self.form(filter_field=""))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(CopyRequest.objects.exists())

    def test_production_only_from_the_place_of_keeping_and_by_the_holder(self) -> None:
        made = self.request_copy()
        self.decide(made, accept="on")
        self.assertContains(self.refused(made, address=OUTSIDE), "届け出た作業場所の外からの接続です")
        self.assertContains(self.refused(made, user=self.world.responsible),
                            "複写物を受け取れるのは、申請で定めた保有者だけです。 / "
                            "Only the holder named in the request can receive the copy.")
        self.assertFalse(Copy.objects.exists())
        self.assertEqual(self.produce(made, user=self.world.supervisor).status_code, 404)

    def test_an_overdue_copy_is_flagged_in_the_register(self) -> None:
        made = self.request_copy()
        self.decide(made, accept="on")
        self.assertEqual(self.produce(made, fmt="xlsx").status_code, 200)
        register = self.client_for(self.world.supervisor).get(self.base)
        self.assertNotContains(register, "state-violation")
        CopyRequest.objects.filter(pk=made.pk).update(destroy_by=self.today - dt.timedelta(days=1))
        register = self.client_for(self.world.supervisor).get(self.base)
        self.assertContains(register, "state-violation")
        self.assertContains(register, Status.HELD.label_ja)
        self.assertContains(register, self.world.worker.display_name)


class FilterValueTests(CopyPageTestCase):
    def test_the_filter_value_is_never_in_a_url_nor_shown_to_the_authority(self) -> None:
        response = self.client_for(self.world.responsible).post(f"{self.base}new/{self.dataset.pk}/", self.form())
        self.assertNotIn(FILTER, response["Location"])
        made = CopyRequest.objects.get()
        mine = self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/")
        self.assertContains(mine, FILTER)
        self.assertIn("no-store", mine["Cache-Control"])
        for link in re.findall(r'(?:href|action)="([^"]*)"', mine.content.decode()):
            self.assertNotIn(FILTER, link)
        for person in (self.world.supervisor, self.world.auditor):
            client = self.client_for(person)
            for path in ("", f"{made.pk}/"):
                page = client.get(f"{self.base}{path}")
                self.assertEqual(page.status_code, 200)
                self.assertNotContains(page, FILTER)
                self.assertNotContains(page, "佐藤")
            self.assertContains(client.get(f"{self.base}{made.pk}/"), "氏名カナ")


class CopyMatrixTests(CopyPageTestCase):
    def test_matrix(self) -> None:
        made = self.request_copy()
        self.assert_matrix("get", "vault/copies/", {
            "": (200, 200, 200, 200, 404, 404),
            "new/{dataset}/": (403, 403, 200, 403, 404, 404),
            "{request}/": (200, 200, 200, 200, 404, 404),
            "{request}/edit/": (403, 403, 200, 403, 404, 404),
            "{request}/destroy/": (404, 404, 404, 404, 404, 404),  # nothing produced yet
            "{request}/submit/": (405, 405, 405, 405, 405, 405),
            "{request}/produce/": (405, 405, 405, 405, 405, 405),
        }, dataset=self.dataset.pk, request=made.pk)
        self.assert_matrix("post", "vault/copies/", {
            "{request}/submit/": (403, 403, 302, 403, 404, 404),
            "{request}/decide/": (302, 403, 403, 403, 404, 404),
            "{request}/produce/": (404, 404, 302, 302, 404, 404),
        }, request=made.pk)
        self.decide(made, accept="on")
        self.assertEqual(self.produce(made).status_code, 200)
        self.assert_matrix("get", "vault/copies/", {
            "{request}/destroy/": (404, 404, 200, 200, 404, 404),
        }, request=made.pk)
        self.assert_matrix("post", "vault/copies/", {
            "{request}/destroy/": (404, 404, 200, 200, 404, 404),  # an empty form is shown again
        }, request=made.pk)
        self.assertFalse(Copy.objects.get().is_destroyed)

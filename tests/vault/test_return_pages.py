"""The return pages (article 12): the authority asks, the contractor builds the package, the authority downloads
it (never cached, by POST) and confirms its receipt or sends it back; who may do what."""

from __future__ import annotations

import io
import json
import zipfile

from itaku.ledger.models import Event
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.vault import returns
from itaku.vault.models import ReturnPackage, ReturnRequest
from tests.vault.test_access import VaultTestCase


class ReturnPageTestCase(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.base = f"/contracts/{self.contract.pk}/vault/returns/"

    def post(self, user, path: str, data: dict | None = None):
        return self.client_for(user).post(f"{self.base}{path}", data or {}, follow=True)

    def built(self) -> ReturnPackage:
        self.post(self.world.supervisor, "request/")
        self.post(self.world.responsible, "build/")
        return ReturnPackage.objects.get()


class ReturnFlowTests(ReturnPageTestCase):
    def test_request_build_download_confirm(self) -> None:
        page = self.client_for(self.world.supervisor).get(self.base)
        self.assertContains(page, f'action="{self.base}request/"')
        self.assertNotContains(page, f'action="{self.base}build/"')
        refused = self.post(self.world.responsible, "build/")
        self.assertContains(refused, "返還パッケージは、契約の終了後か委託者から請求があったときに作成します。")
        self.assertFalse(ReturnPackage.objects.exists())

        self.post(self.world.supervisor, "request/")
        self.assertEqual(ReturnRequest.objects.count(), 1)
        self.assertContains(self.client_for(self.world.responsible).get(self.base), f'action="{self.base}build/"')
        self.post(self.world.responsible, "build/")
        package = ReturnPackage.objects.get()
        page = self.client_for(self.world.supervisor).get(self.base)
        self.assertContains(page, package.code)
        self.assertContains(page, package.sha256)
        self.assertContains(page, f'action="{self.base}{package.pk}/download/"')

        early = self.post(self.world.supervisor, f"{package.pk}/receipt/", {"accept": "on"})
        self.assertContains(early, "返還パッケージをダウンロードしてから受領を確認してください。")
        self.assertTrue(submissions.latest(package, returns.KIND).is_open)

        response = self.client_for(self.world.auditor).post(f"{self.base}{package.pk}/download/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="{package.code}.zip"')
        self.assertIn("no-store", response["Cache-Control"])
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read(returns.MANIFEST))
        self.assertEqual((manifest["package"], manifest["datasets"][0]["records"]), (package.code, 31))
        self.assertEqual(Event.objects.filter(kind="vault.return_downloaded").count(), 1)

        self.post(self.world.supervisor, f"{package.pk}/receipt/", {"accept": "on"})
        self.assertEqual(submissions.latest(package, returns.KIND).status, Submission.Status.ACKNOWLEDGED)
        self.assertEqual(returns.received(self.contract), package)
        self.assertContains(self.client_for(self.world.responsible).get(self.base), package.code)

    def test_sent_back_with_a_reason_then_built_again(self) -> None:
        package = self.built()
        self.post(self.world.supervisor, f"{package.pk}/receipt/", {"comment": "XLSXが開けません。"})
        self.assertEqual(submissions.latest(package, returns.KIND).status, Submission.Status.RETURNED)
        self.assertContains(self.client_for(self.world.responsible).get(self.base), "XLSXが開けません。")
        self.post(self.world.supervisor, "request/")
        self.post(self.world.responsible, "build/")
        self.assertEqual(ReturnPackage.objects.count(), 2)

    def test_the_contractor_never_downloads_the_package(self) -> None:
        package = self.built()
        for person in (self.world.responsible, self.world.worker):
            response = self.client_for(person).post(f"{self.base}{package.pk}/download/")
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Event.objects.filter(kind="vault.return_downloaded").exists())
        page = self.client_for(self.world.responsible).get(self.base)
        self.assertNotContains(page, f"{self.base}{package.pk}/download/")


class ReturnMatrixTests(ReturnPageTestCase):
    def test_matrix(self) -> None:
        self.assert_matrix("get", "vault/returns/", {
            "": (200, 200, 200, 200, 404, 404),
            "request/": (405, 405, 405, 405, 405, 405),
            "build/": (405, 405, 405, 405, 405, 405),
        })
        self.assert_matrix("post", "vault/returns/", {
            "request/": (302, 403, 403, 403, 404, 404),
            "build/": (403, 403, 302, 403, 404, 404),
        })
        package = ReturnPackage.objects.get()  # the matrix's own request and build made one
        self.assert_matrix("get", "vault/returns/", {
            "{package}/download/": (405, 405, 405, 405, 405, 405),
        }, package=package.pk)
        self.assert_matrix("post", "vault/returns/", {
            "{package}/download/": (200, 200, 403, 403, 404, 404),
            "{package}/receipt/": (302, 403, 403, 403, 404, 404),
        }, package=package.pk)
        self.assertEqual(Event.objects.filter(kind="vault.return_downloaded").count(), 2)

"""Who may do what on the rules pages: the permission matrix, CSRF, objects of other contracts, and what
workers see (titles and status, never the files)."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from itaku.contracts import services as contracts
from itaku.rules import services
from itaku.rules.models import RulesVersion
from tests.rules.files import pdf_bytes, upload
from tests.rules.helpers import RulesTestCase

ROLES = ("supervisor", "auditor", "responsible", "worker", "colleague", "outsider", "foreign_responsible")


class RulesViewMatrixTests(RulesTestCase):
    """Expected status per role; `colleague` is staff of the same authority without a role on the contract."""

    ROLES = ROLES

    def setUp(self) -> None:
        super().setUp()
        self.version = self.new_version()

    def test_get(self) -> None:
        self.assert_matrix("get", "rules/", {
            "": (200, 200, 200, 200, 404, 404, 404),
            "upload/": (403, 403, 200, 403, 404, 404, 404),
            "{v}/download/": (200, 200, 200, 403, 404, 404, 404),
            "{v}/submit/": (405, 405, 405, 405, 405, 405, 405),
            "{v}/decide/": (405, 405, 405, 405, 405, 405, 405),
        }, v=self.version.pk)

    def test_post(self) -> None:
        self.assert_matrix("post", "rules/", {
            "upload/": (403, 403, 200, 403, 404, 404, 404),
            "{v}/decide/": (302, 403, 403, 403, 404, 404, 404),
            "{v}/submit/": (403, 403, 302, 403, 404, 404, 404),
            "{v}/download/": (405, 405, 405, 405, 405, 405, 405),
        }, v=self.version.pk)
        self.assertEqual(services.current_state(self.contract)["pending"], self.version)

    def test_a_version_of_another_contract_is_not_found(self) -> None:
        other = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="別の業務", contractor=self.world.contractor,
            start=dt.date(2025, 1, 1), end=dt.date(2026, 3, 31), provisions=self.world.provisions,
        )
        contracts.assign_role(self.world.supervisor, other, self.world.responsible, "responsible")
        theirs = services.upload_version(self.world.responsible, other, title="規程",
                                         document_date=dt.date(2025, 4, 1), upload=upload("r.pdf", pdf_bytes("x")))
        client = self.client_for(self.world.responsible)
        self.assertEqual(client.get(f"/contracts/{self.contract.pk}/rules/{theirs.pk}/download/").status_code, 404)
        self.assertEqual(client.post(f"/contracts/{self.contract.pk}/rules/{theirs.pk}/submit/").status_code, 404)
        self.assertEqual(client.get(f"/contracts/{self.contract.pk}/rules/999999/download/").status_code, 404)

    def test_csrf_is_enforced(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.responsible)
        self.assertEqual(client.post(f"/contracts/{self.contract.pk}/rules/{self.version.pk}/submit/").status_code, 403)
        response = client.post(f"/contracts/{self.contract.pk}/rules/upload/", {
            "title": "規程", "document_date": "2025-05-01", "file": upload("rules.pdf", pdf_bytes("csrf")),
        })
        self.assertEqual(response.status_code, 403)
        self.assertEqual(RulesVersion.objects.count(), 1)
        self.assertIsNone(services.current_state(self.contract)["pending"])


class WhatEachSideSeesTests(RulesTestCase):
    def test_worker_sees_versions_but_no_files_or_actions(self) -> None:
        version = self.new_version()
        body = self.client_for(self.world.worker).get(f"/contracts/{self.contract.pk}/rules/").content.decode()
        self.assertIn("個人情報保護規程", body)
        self.assertNotIn("/download/", body)
        self.assertNotIn("/submit/", body)
        self.assertNotIn("/upload/", body)
        self.assertIn(version.attachment.sha256, body)

    def test_actions_follow_the_roles(self) -> None:
        version = self.new_version()
        base = f"/contracts/{self.contract.pk}/rules/"
        responsible = self.client_for(self.world.responsible).get(base).content.decode()
        self.assertIn(f"{base}{version.pk}/submit/", responsible)
        self.assertIn(f"{base}upload/", responsible)
        self.submit(version)
        supervisor = self.client_for(self.world.supervisor).get(base).content.decode()
        self.assertIn(f"{base}{version.pk}/decide/", supervisor)
        self.assertIn(f"{base}{version.pk}/download/", supervisor)
        self.assertNotIn(f"{base}upload/", supervisor)
        auditor = self.client_for(self.world.auditor).get(base).content.decode()
        self.assertNotIn("/decide/", auditor)

    def test_pages_keep_the_strict_csp(self) -> None:
        self.submit(self.new_version())
        client = self.client_for(self.world.supervisor)
        for url in (f"/contracts/{self.contract.pk}/rules/",):
            body = client.get(url).content.decode()
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), url)
            self.assertIsNone(re.search(r"\son[a-z]+=", body), url)
            self.assertIsNone(re.search(r"\sstyle=", body), url)
        body = self.client_for(self.world.responsible).get(f"/contracts/{self.contract.pk}/rules/upload/").content
        self.assertIsNone(re.search(rb"\sstyle=|\son[a-z]+=", body))

"""CSP without inline script, CSRF on every form, nothing loaded from outside the installation."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from tests.base import ContractTestCase

SRC = Path(__file__).resolve().parents[1] / "src" / "itaku"


class HeadersTests(ContractTestCase):
    def test_strict_csp_on_pages(self) -> None:
        for client, url in ((Client(), "/accounts/login/"),
                            (self.client_for(self.world.supervisor), f"/contracts/{self.contract.pk}/")):
            response = client.get(url)
            policy = response["Content-Security-Policy"]
            self.assertIn("default-src 'self'", policy)
            self.assertIn("script-src 'self'", policy)
            self.assertIn("frame-ancestors 'none'", policy)
            self.assertNotIn("unsafe-inline", policy)
            self.assertNotIn("unsafe-eval", policy)
            self.assertEqual(response["X-Frame-Options"], "DENY")
            body = response.content.decode()
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline script")
            self.assertIsNone(re.search(r"\son[a-z]+=", body), "inline event handler")
            self.assertIsNone(re.search(r"\sstyle=", body), "inline style")
            self.assertIsNone(re.search(r"(src|href)=\"https?://", body), "external resource")

    def test_csrf_is_enforced(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.supervisor)
        response = client.post(f"/contracts/{self.contract.pk}/end/")
        self.assertEqual(response.status_code, 403)
        self.contract.refresh_from_db()
        self.assertEqual(self.contract.status, "active")


def test_templates_and_static_files_stay_local() -> None:
    offenders = []
    for path in list(SRC.rglob("*.html")) + list(SRC.rglob("*.css")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(src|href|url)\(?=?[\"']?https?://", text) or re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(str(path))
    assert offenders == []

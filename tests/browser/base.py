"""Browser tests share one set-up: Debian's chromium, every request recorded, nothing may leave 127.0.0.1."""

from __future__ import annotations

import os
from urllib.parse import urlparse

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.base import PASSWORD, LedgerTransactionTestCase
from tests.conftest import require_tool

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


class BrowserTestCase(LedgerTransactionTestCase, StaticLiveServerTestCase):
    """Launches Debian's chromium once per class and records every request the pages make."""

    host = "127.0.0.1"

    @classmethod
    def setUpClass(cls) -> None:
        executable = require_tool("/usr/bin/chromium", "browser tests drive Debian's chromium")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        self.requests: list[str] = []
        self.csp_errors: list[str] = []

    def new_page(self):
        context = self.browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda msg: "Content Security Policy" in msg.text and self.csp_errors.append(msg.text))
        return page

    def login(self, page, username: str) -> None:
        page.goto(f"{self.live_server_url}/accounts/login/")
        page.get_by_label("ユーザー名").fill(username)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(f"{self.live_server_url}/")

    def assert_stayed_local(self) -> None:
        self.assertTrue(self.requests)
        foreign = [url for url in self.requests if urlparse(url).hostname != "127.0.0.1"]
        self.assertEqual(foreign, [])
        self.assertEqual(self.csp_errors, [])

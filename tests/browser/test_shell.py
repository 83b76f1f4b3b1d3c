"""A supervisor and a worker in a real browser: what each sees, and no request leaves 127.0.0.1."""

from __future__ import annotations

import os

from tests.base import World
from tests.browser.base import BrowserTestCase


class ShellTests(BrowserTestCase):
    def test_supervisor_and_worker_see_what_their_roles_allow(self) -> None:
        world = World()
        contract = world.contract

        page = self.new_page()
        self.login(page, "supervisor")
        page.get_by_role("link", name=contract.number).click()
        page.wait_for_url(f"**/contracts/{contract.pk}/")
        self.assertIn(contract.title, page.inner_text("h1"))
        if os.environ.get("ITAKU_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["ITAKU_SCREENSHOTS"], "contract.png"))
        self.assertTrue(page.get_by_text("再委託の制限").first.is_visible())
        self.assertTrue(page.get_by_text("適用法令の記録").first.is_visible())
        page.get_by_role("link", name="台帳").click()
        page.wait_for_url(f"**/contracts/{contract.pk}/ledger/")
        self.assertTrue(page.locator("table.ledger").get_by_text("contract.activated").is_visible())
        if os.environ.get("ITAKU_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["ITAKU_SCREENSHOTS"], "ledger.png"), full_page=True)
        page.context.close()

        page = self.new_page()
        self.login(page, "worker")
        page.get_by_role("link", name=contract.number).click()
        page.wait_for_url(f"**/contracts/{contract.pk}/")
        self.assertTrue(page.get_by_text("再委託の制限").first.is_visible())
        self.assertEqual(page.get_by_text("適用法令の記録").count(), 0)
        self.assertEqual(page.get_by_role("link", name="台帳").count(), 0)
        response = page.goto(f"{self.live_server_url}/contracts/{contract.pk}/ledger/")
        self.assertEqual(response.status, 403)
        page.context.close()

        self.assert_stayed_local()

    def test_english_switch(self) -> None:
        World()
        page = self.new_page()
        self.login(page, "supervisor")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        self.assertTrue(page.get_by_role("heading", name="Contracts").is_visible())
        page.context.close()
        self.assert_stayed_local()

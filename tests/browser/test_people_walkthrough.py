"""Articles 2, 3, 4, 5 and 15 in a browser: the contractor sets everything up, the authority acknowledges,
the worker becomes eligible; an expired training then makes them ineligible with the reason shown."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone

from itaku.training.models import Completion
from tests.base import World
from tests.browser.base import BrowserTestCase

RULES = "個人情報保護管理規程\n第1条 この規程は個人情報の適正な管理のために必要な事項を定める。\n".encode()


class WalkthroughTests(BrowserTestCase):
    def test_from_structure_to_an_eligible_worker_and_back(self) -> None:
        world = World()
        url = f"{self.live_server_url}/contracts/{world.contract.pk}"
        today = timezone.localdate().isoformat()

        page = self.new_page()
        self.login(page, "responsible")
        # Article 2: the structure, declared and submitted.
        page.goto(f"{url}/people/structure/new/")
        page.select_option("#id_responsible", str(world.responsible.pk))
        page.fill("#id_description", "責任者が業務従事者を監督し、施錠された作業室で入力する。")
        page.select_option("#id_members-0-person", str(world.worker.pk))
        page.fill("#id_members-0-duties", "課税資料のデータ入力")
        page.get_by_role("button", name="新しい版を保存").click()
        page.get_by_role("button", name="委託者へ提出").click()
        self.assertTrue(page.get_by_text("提出済み").first.is_visible())
        # Article 3: a course and the worker's completion.
        page.goto(f"{url}/training/")
        page.get_by_text("講座を追加").click()
        page.fill("#id_title", "個人情報保護研修")
        for index in range(4):
            page.check(f"#id_topics_{index}")
        page.get_by_role("button", name="講座を登録").click()
        page.get_by_text("受講記録を登録").click()
        page.select_option("#id_person", str(world.worker.pk))
        page.select_option("#id_course", index=1)
        page.fill("#id_completed_on", today)
        page.get_by_role("button", name="登録", exact=True).click()
        # Article 5: the internal rules, uploaded and submitted.
        page.goto(f"{url}/rules/upload/")
        page.fill("#id_title", "個人情報保護管理規程")
        page.fill("#id_document_date", today)
        page.set_input_files("#id_file", files=[{"name": "rules.txt", "mimeType": "text/plain", "buffer": RULES}])
        page.get_by_role("button", name="新しい版として登録").click()
        page.get_by_role("button", name="委託者へ提出").click()
        # Article 15: the work location, reported.
        page.goto(f"{url}/places/add/")
        page.fill("#id_name", "本社 データ入力室")
        page.fill("#id_address", "東京都港区芝浦3-4-1")
        page.fill("#id_networks", "127.0.0.0/8")
        page.fill("#id_storage", "保管庫（暗号化）")
        page.fill("#id_safeguards", "入退室管理")
        page.get_by_role("button", name="保存").click()
        page.get_by_role("button", name="委託者に届け出る").click()
        page.context.close()

        # Article 4: the worker accepts the pledge after logging in.
        page = self.new_page()
        self.login(page, "worker")
        page.get_by_role("link", name="誓約書を確認して同意する").click()
        page.get_by_label("誓約書の内容を確認し、同意します。").check()
        page.get_by_role("button", name="誓約書に同意する").click()
        self.assertTrue(page.get_by_role("link", name="誓約書（PDF）").is_visible())
        page.context.close()

        # The authority acknowledges the structure, the rules and the location.
        page = self.new_page()
        self.login(page, "supervisor")
        for section in ("people", "rules", "places"):
            page.goto(f"{url}/{section}/")
            page.get_by_role("button", name="受理").click()
            page.wait_for_load_state()
        page.goto(f"{url}/people/eligibility/")
        row = page.locator('tr[data-person="worker"]')
        self.assertIn("取扱可", row.inner_text())
        self.assertNotIn("取扱不可", row.inner_text())

        # A year and more later, the training has expired: not eligible, and the page says why.
        Completion.objects.filter(person=world.worker).update(
            completed_on=timezone.localdate() - dt.timedelta(days=400))
        page.reload()
        row = page.locator('tr[data-person="worker"]')
        self.assertIn("取扱不可", row.inner_text())
        self.assertIn("有効な研修の修了がありません", row.inner_text())
        if os.environ.get("ITAKU_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["ITAKU_SCREENSHOTS"], "eligibility.png"), full_page=True)
        page.context.close()
        self.assert_stayed_local()

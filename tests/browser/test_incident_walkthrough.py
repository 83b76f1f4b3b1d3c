"""Issue 6, incidents and publication, in a browser: a worker raises a suspected incident in one short form; the
supervisor sees it at once, instructs; the responsible person writes the report and answers; the supervisor
acknowledges both and publishes a summary (one with a phone number is refused); the public page shows it without
login and holds no personal data."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from itaku.incidents.models import Incident, Publication
from tests.base import World
from tests.browser.base import BrowserTestCase

SUMMARY = "受託者の作業室で、個人情報を記録したUSBメモリ1本の所在が確認できなくなりました。"
DETAIL = "品川区広町2-1-36 に住む 髙橋 﨑子 さんほか12名の氏名・住所を記録した媒体"  # must never be public


class IncidentWalkthroughTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.world = World()
        self.world.supervisor.email = "supervisor@city.shinagawa.example"
        self.world.supervisor.save(update_fields=["email"])
        self.url = f"{self.live_server_url}/contracts/{self.world.contract.pk}/incidents"

    def as_user(self, username: str):
        page = self.new_page()
        self.login(page, username)
        return page

    def test_raise_instruct_report_publish(self) -> None:
        worker, supervisor = self.as_user("worker"), self.as_user("supervisor")
        responsible = self.as_user("responsible")

        worker.goto(f"{self.url}/")
        worker.locator("[name=summary]").fill(SUMMARY)
        worker.get_by_role("button", name="直ちに委託者へ通知する").click()
        incident = Incident.objects.get()
        self.assertEqual(incident.kind, Incident.Kind.SUSPECTED)
        self.assertEqual([m.to for m in mail.outbox], [["supervisor@city.shinagawa.example"]])
        self.assertNotIn("USB", mail.outbox[0].body)  # the e-mail names the incident, not its contents

        # The supervisor sees the notice at once and instructs.
        supervisor.goto(f"{self.url}/")
        self.assertIn("未読の通知", supervisor.content())
        supervisor.locator(f"a[href$='/incidents/{incident.pk}/']").first.click()
        supervisor.locator("[name=text]").fill("関係者への聞き取りを行い、捜索の結果を3日以内に報告すること。")
        supervisor.locator("[name=due_on]").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
        supervisor.get_by_role("button", name="指示する").click()

        # The responsible person writes the report, submits it and answers the instruction.
        responsible.goto(f"{self.url}/{incident.pk}/")
        responsible.get_by_text("報告書を作成・修正する").click()
        today = timezone.localdate().isoformat()
        report = {
            "what_happened": DETAIL, "occurred_on": today, "found_on": today, "found_by": "責任者",
            "cause": "作業終了時の媒体の確認漏れ", "data_items": "氏名、住所", "media": "USBメモリ",
            "people_count": "13",
            "secondary_harm": "現時点で確認されていない", "containment": "作業室の捜索、入退室記録の確認",
            "recurrence_done": "媒体の貸出簿を導入", "recurrence_planned": "USBメモリの使用を廃止",
        }
        for name, value in report.items():
            responsible.locator(f"[name={name}]").fill(value)
        responsible.get_by_role("button", name="保存", exact=True).click()
        responsible.get_by_role("button", name="委託者へ提出").click()
        responsible.locator("[name=answer]").fill("聞き取りを終え、作業室の書庫で発見しました。")
        responsible.get_by_role("button", name="回答を提出").click()

        # The supervisor acknowledges the report and the answer, then publishes a summary.
        supervisor.goto(f"{self.url}/{incident.pk}/")
        supervisor.get_by_role("button", name="受理").first.click()
        supervisor.get_by_role("button", name="受理").first.click()
        supervisor.locator("[name=title]").fill("個人情報を記録した媒体の一時所在不明について")
        supervisor.locator("[name=summary]").fill("問い合わせ先 03-3777-1111")
        supervisor.get_by_role("button", name="公表する").click()
        self.assertFalse(Publication.objects.exists())  # a phone number: refused
        supervisor.locator("[name=title]").fill("個人情報を記録した媒体の一時所在不明について")
        supervisor.locator("[name=summary]").fill(
            "委託先の作業室で、住民13名の氏名・住所を記録した媒体の所在が一時確認できなくなりました。"
            "媒体は作業室内で発見され、外部への流出は確認されていません。")
        supervisor.get_by_role("button", name="公表する").click()

        # The public page, without login.
        public = self.new_page()
        public.goto(f"{self.live_server_url}/published/")
        body = public.content()
        self.assertIn("個人情報を記録した媒体の一時所在不明について", body)
        for personal in ("髙橋", "広町2-1-36", "03-3777-1111", "USBメモリ"):
            self.assertNotIn(personal, body)
        feed = public.goto(f"{self.live_server_url}/published/feed/")
        self.assertIn("一時所在不明", feed.text())
        self.assert_stayed_local()

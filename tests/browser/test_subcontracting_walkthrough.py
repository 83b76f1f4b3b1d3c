"""Issue 5, subcontracting, in a browser: the contractor requests subcontracting (items ア–カ, the data needed, the
draft subcontract); the authority rejects it with a reason; the contractor changes and resubmits it and the
authority approves; the contractor makes the subcontractor's logins and shares two fields; the subcontractor
passes its gates and its worker reads a shared record (only the shared fields); the subcontractor requests a
second level, its contractor consents and the authority approves; the second level's worker reads what was
passed on to it; then the authority revokes the first approval and both levels lose access at once."""

from __future__ import annotations

import io

from itaku.contracts.models import Party
from itaku.subcontracting.models import Request
from itaku.vault.models import Dataset, Purpose, Record
from itaku.vault.services import create_dataset, import_file
from tests.base import PASSWORD, World
from tests.browser.base import BrowserTestCase
from tests.people.helpers import make_eligible
from tests.subcontracting.gates import pass_gates
from tests.vault.test_import import FIELDS, HEADER, ROW

LOCAL = "127.0.0.0/8"  # the live server's clients: every party's work location holds them, each its own
SUB = "有限会社大井入力サービス"
SUB2 = "株式会社大森パンチセンター"


class SubcontractingWalkthroughTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.world = world = World()
        make_eligible(world)
        self.dataset = create_dataset(world.supervisor, world.contract, name="住民基本台帳抜粋",
                                      source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["住民税課税資料の入力"],
                                      expected_rows=100)
        rows = ROW.format(n=1) + ROW.format(n=2).replace("髙橋 﨑子", "佐藤　太郎").replace("ﾀｶﾊｼ ｻｷｺ", "ｻﾄｳ ﾀﾛｳ")
        import_file(world.responsible, self.dataset, io.BytesIO((HEADER + rows).encode("cp932")))
        self.sato = Record.objects.filter(dataset=self.dataset).order_by("pk").last()
        self.field = {f.name: f for f in self.dataset.fields.all()}
        self.url = f"{self.live_server_url}/contracts/{world.contract.pk}"

    def as_user(self, username: str):
        page = self.new_page()
        self.login(page, username)
        return page

    def fill_request(self, page, name: str, fields: list[str]) -> None:
        contract = self.world.contract
        page.locator("[name=work]").fill("住民税課税資料のうち紙の申告書の入力業務")
        page.locator("[name=subcontractor_name]").fill(name)
        page.locator("[name=subcontractor_address]").fill("東京都品川区大井4-2-8")
        page.locator("[name=subcontractor_representative]").fill("取締役 小林 大輔")
        page.locator("[name=start]").fill(contract.start.isoformat())
        page.locator("[name=end]").fill(contract.end.isoformat())
        page.locator("[name=necessity]").fill("申告期の入力量が自社の体制を超えるため。")
        page.locator("[name=safeguards]").fill("特記事項と同等の安全管理措置を再委託契約で義務付ける。")
        page.locator("[name=supervision_method]").fill("毎月の作業報告の確認。")
        page.locator("[name=supervision_months]").select_option("1")
        for field in fields:
            page.locator(f"input[name=data_{self.dataset.pk}][value='{self.field[field].pk}']").check()

    def make_login(self, page, party: Party, username: str, role: str) -> None:
        page.goto(f"{self.url}/subcontracting/parties/{party.pk}/")
        page.locator("[name=username]").fill(username)
        page.locator("[name=display_name]").fill(username)
        page.locator("[name=password]").fill(PASSWORD)
        page.locator("[name=role]").select_option(role)
        page.get_by_role("button", name="ログインを作成").click()

    def share(self, page, party: Party, fields: list[str]) -> None:
        page.goto(f"{self.url}/subcontracting/parties/{party.pk}/")
        page.locator("[name=dataset]").select_option(str(self.dataset.pk))
        for field in fields:
            page.locator(f"input[name=shared_fields][value='{self.field[field].pk}']").check()
        page.locator("input[name=scope][value=all]").check()
        page.get_by_role("button", name="共有する", exact=True).click()

    def read_sato(self, page) -> None:
        """Choose the purpose, find 佐藤　太郎 by kana as typed, open the record."""
        page.goto(f"{self.url}/vault/{self.dataset.pk}/")
        page.get_by_label("今回の利用目的").select_option(label=Purpose.objects.get(dataset=self.dataset).title)
        page.get_by_role("button", name="この利用目的で利用する").click()
        page.get_by_label("項目:", exact=True).select_option(label="氏名カナ")
        page.get_by_label("検索する値（完全一致）").fill("サトウ タロウ")
        page.get_by_role("button", name="検索", exact=True).click()
        page.locator("table.results").get_by_role("link", name="閲覧").click()
        page.wait_for_url(f"**/records/{self.sato.pk}/")

    def test_request_reject_resubmit_approve_share_second_level_and_revoke(self) -> None:
        world = self.world
        responsible, supervisor = self.as_user("responsible"), self.as_user("supervisor")

        # The contractor asks; the authority rejects with its reason.
        responsible.goto(f"{self.url}/subcontracting/")
        responsible.get_by_role("link", name="再委託承認の新規申請").click()
        self.fill_request(responsible, SUB, ["氏名", "氏名カナ"])
        responsible.locator("[name=draft_subcontract]").set_input_files(
            {"name": "再委託契約書案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 draft"})
        responsible.get_by_role("button", name="申請を保存").click()
        request = Request.objects.get()
        responsible.get_by_role("button", name="委託者へ提出").click()
        supervisor.goto(f"{self.url}/subcontracting/requests/{request.pk}/")
        supervisor.locator("#reason-decide").fill("監督の方法が具体的ではありません。頻度を明記してください。")
        supervisor.get_by_role("button", name="承認しない").click()
        responsible.goto(f"{self.url}/subcontracting/requests/{request.pk}/")
        self.assertIn("監督の方法が具体的ではありません", responsible.content())

        # The contractor corrects the item and resubmits; the authority approves it as submitted.
        responsible.get_by_role("link", name="申請事項を変更").click()
        responsible.locator("[name=supervision_method]").fill("毎月の作業報告の確認と四半期ごとの立入確認。")
        responsible.get_by_role("button", name="申請を保存").click()
        responsible.get_by_role("button", name="委託者へ提出").click()
        supervisor.goto(f"{self.url}/subcontracting/requests/{request.pk}/")
        supervisor.get_by_role("button", name="申請のとおり承認").click()
        request.refresh_from_db()
        first = Party.objects.get(pk=request.party_id)
        self.assertEqual(first.organisation.name, SUB)

        # Its logins, made by the contractor; two fields shared; the gates passed (each has its own pages and
        # walkthrough: people, training, rules, places).
        self.make_login(responsible, first, "sub_responsible", "responsible")
        self.make_login(responsible, first, "sub_worker", "worker")
        self.share(responsible, first, ["氏名", "氏名カナ"])
        sub_responsible, sub_worker = (first.organisation.users.get(username=u) for u in ("sub_responsible",
                                                                                           "sub_worker"))
        pass_gates(world, first.organisation, sub_responsible, [sub_worker], network=LOCAL)

        worker_page = self.as_user("sub_worker")
        self.read_sato(worker_page)
        body = worker_page.content()
        self.assertIn("佐藤　太郎", body)
        self.assertNotIn("品川区広町", body)  # 住所 was not shared
        self.assertNotIn("123456789018", body)

        # A second level: asked by the subcontractor, consented by the contractor, approved by the authority.
        sub_page = self.as_user("sub_responsible")
        sub_page.goto(f"{self.url}/subcontracting/")
        sub_page.get_by_role("link", name="再委託承認の新規申請").click()
        self.fill_request(sub_page, SUB2, ["氏名カナ"])
        sub_page.get_by_role("button", name="申請を保存").click()
        second_request = Request.objects.exclude(pk=request.pk).get()
        sub_page.get_by_role("button", name="上位の受託者に同意を求める").click()
        responsible.goto(f"{self.url}/subcontracting/requests/{second_request.pk}/")
        responsible.get_by_role("button", name="同意して委託者に提出").click()
        supervisor.goto(f"{self.url}/subcontracting/requests/{second_request.pk}/")
        supervisor.get_by_role("button", name="申請のとおり承認").click()
        second_request.refresh_from_db()
        second = Party.objects.get(pk=second_request.party_id)
        self.assertEqual((second.level, second.parent_id), (2, first.pk))

        self.make_login(sub_page, second, "sub2_responsible", "responsible")
        self.make_login(sub_page, second, "sub2_worker", "worker")
        self.share(sub_page, second, ["氏名カナ"])
        sub2_responsible, sub2_worker = (second.organisation.users.get(username=u) for u in ("sub2_responsible",
                                                                                               "sub2_worker"))
        pass_gates(world, second.organisation, sub2_responsible, [sub2_worker], network=LOCAL)
        second_page = self.as_user("sub2_worker")
        self.read_sato(second_page)
        self.assertIn("ｻﾄｳ ﾀﾛｳ", second_page.content())
        self.assertNotIn("佐藤　太郎", second_page.content())  # 氏名 was not passed on

        # The tree on the contract page shows all three levels.
        supervisor.goto(f"{self.url}/")
        tree = supervisor.locator(".chain-tree").first.inner_text()
        for name in (world.contractor.name, SUB, SUB2):
            self.assertIn(name, tree)

        # The authority revokes the first approval: both levels lose access at once.
        supervisor.goto(f"{self.url}/subcontracting/requests/{request.pk}/")
        supervisor.get_by_text("承認を取り消す").click()
        supervisor.locator("#reason-revoke").fill("再委託先の作業場所で事故が発生したため。")
        supervisor.get_by_role("button", name="取り消す", exact=True).click()
        for page in (worker_page, second_page):
            page.goto(f"{self.url}/vault/{self.dataset.pk}/records/{self.sato.pk}/")
            self.assertNotIn("ｻﾄｳ ﾀﾛｳ", page.content())
            self.assertIn("再委託の承認が取り消され", page.content())
        self.assert_stayed_local()

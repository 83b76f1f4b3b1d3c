"""Issue 4, the guarded vault, in a browser: a worker at an acknowledged location, trained and pledged, imports a
CP932 CSV, searches and views a record for a purpose; an ineligible worker is refused with the reason; a copy is
requested, approved, produced and its destruction confirmed (article 10); the dataset is returned (article 12)
and disposed of, and the disposal report PDF lists the items of article 13-2 (article 13)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

from django.utils import timezone
from pypdf import PdfReader

from itaku.contracts import services as contracts
from itaku.contracts.models import Role
from itaku.lib.era import dual_date
from itaku.lib.mynumber import check_digit
from itaku.people import services as people
from itaku.places import services as places
from itaku.vault import disposal as disposal_service
from itaku.vault.models import CopyRequest, Dataset, Disposal, Record, ReturnPackage
from tests.base import World, make_user
from tests.browser.base import BrowserTestCase
from tests.people.helpers import train

DATASET = "住民基本台帳抜粋"
PURPOSE = "住民税課税資料の入力"
# (name, kind, required, searchable), as tests/vault/test_import.py's FIELDS.
FIELDS = [
    ("宛名番号", "number", True, True), ("氏名", "text", True, True), ("氏名カナ", "text", True, True),
    ("生年月日", "date", True, False), ("性別", "text", True, False), ("郵便番号", "postal_code", True, False),
    ("住所", "text", True, False), ("電話番号", "phone", True, False), ("個人番号", "my_number", True, False),
    ("備考", "free_text", False, False),
]
PEOPLE = [  # 氏名 with a full-width space, 氏名カナ in half-width kana, as a city's export has them
    ("髙橋　﨑子", "ﾀｶﾊｼ ｻｷｺ", "昭和55年4月1日", "女", "品川区広町2-1-36 ①号"),
    ("佐藤　太郎", "ｻﾄｳ ﾀﾛｳ", "平成2年12月24日", "男", "品川区北品川1-2-3"),
    ("鈴木　花子", "ｽｽﾞｷ ﾊﾅｺ", "昭和48年7月7日", "女", "品川区大井4-5-6"),
    ("渡邉　一郎", "ﾜﾀﾅﾍﾞ ｲﾁﾛｳ", "令和元年5月1日", "男", "品川区西五反田7-8-9"),
]
PLACE = "第一データセンター（東京都品川区東品川）"
PERSON = "鈴木 一郎"


def my_number(n: int) -> str:
    first = f"{12345678900 + n:011d}"
    return first + str(check_digit(first))


def juki_csv() -> bytes:
    """The export, CP932 with CRLF line ends, as Excel writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, *_ in FIELDS])
    for n, (name, kana, born, sex, address) in enumerate(PEOPLE):
        writer.writerow([f"100{n}", name, kana, born, sex, "140-8715", address, "03-3777-1111", my_number(n), ""])
    return out.getvalue().encode("cp932")


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


class VaultWalkthroughTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.world = world = World()
        self.newcomer = make_user("worker2", world.contractor)
        contracts.assign_role(world.responsible, world.contract, self.newcomer, Role.WORKER)
        version = people.save_version(
            world.responsible, world.contract, responsible=world.responsible, responsible_scope="個人情報の管理全般",
            description="責任者が従事者を監督し、入力作業は施錠された作業室で行う。",
            members=[(world.worker, "課税資料のデータ入力"), (self.newcomer, "課税資料のデータ入力")],
        )
        people.submit_version(world.responsible, version)
        people.decide_version(world.supervisor, version, acknowledge=True)
        for person in (world.responsible, world.worker, self.newcomer):
            train(world, person)
        for person in (world.responsible, world.worker):  # the newcomer has not accepted the pledge
            people.accept_pledge(person, world.contract)
        # The live server's client address is 127.0.0.1: the acknowledged location's network holds it.
        location = places.add_location(world.responsible, world.contract, name="本社作業室",
                                       address="東京都港区芝浦3-4-1", room="5階 施錠室", networks=["127.0.0.0/8"],
                                       storage="暗号化サーバ", safeguards="入退室管理・監視カメラ")
        places.report_location(world.responsible, location)
        places.decide_location(world.supervisor, location, acknowledge=True)
        self.location = location
        self.url = f"{self.live_server_url}/contracts/{world.contract.pk}/vault"
        self.csv = Path(self.enterContext(tempfile.TemporaryDirectory())) / "juki.csv"
        self.csv.write_bytes(juki_csv())

    def test_import_search_refusal_copy_return_and_disposal(self) -> None:
        responsible = self.new_page()
        self.login(responsible, "responsible")
        dataset = self.declare(responsible)

        worker = self.new_page()
        self.login(worker, "worker")
        self.import_and_search(worker, dataset)
        self.refuse_the_newcomer(dataset)
        self.assert_stayed_local()

        supervisor = self.new_page()
        self.login(supervisor, "supervisor")
        self.copy(responsible, supervisor, worker, dataset)
        self.give_back(responsible, supervisor, dataset)
        self.dispose(responsible, supervisor, dataset)

        # The keys are destroyed: the worker's search of the dataset is refused.
        worker.goto(f"{self.url}/{dataset.pk}/")
        self.search(worker, "氏名", "佐藤太郎")
        self.assertIn("廃棄済みの個人情報ファイルです", worker.locator("ul.messages").inner_text())
        self.assertEqual(worker.locator("table.results").count(), 0)
        self.assertEqual(worker.get_by_role("link", name="CSVファイルの取込").count(), 0)
        for page in (responsible, worker, supervisor):
            page.context.close()
        self.assert_stayed_local()

    # Steps ---------------------------------------------------------------------------------------------------

    def declare(self, page) -> Dataset:
        """The responsible person declares the dataset: name, purpose, source and its ten fields."""
        page.goto(f"{self.url}/")
        page.get_by_role("link", name="個人情報ファイルを定義").click()
        page.get_by_label("個人情報ファイルの名称").fill(DATASET)
        page.get_by_label("利用目的（1行に1つ）").fill(PURPOSE)
        page.get_by_label("委託者から受領").check()
        page.get_by_label("想定件数").fill("1000")
        page.get_by_role("button", name="行を追加").click()  # eight blank rows come first; ten are needed
        for row, (name, kind, required, searchable) in enumerate(FIELDS, start=1):
            page.get_by_label(f"項目名 {row}", exact=True).fill(name)
            page.get_by_label(f"型 {row}", exact=True).select_option(kind)
            page.get_by_label(f"必須 {row}", exact=True).set_checked(required)
            page.get_by_label(f"検索可 {row}", exact=True).set_checked(searchable)
        page.get_by_role("button", name="この内容で定義する").click()
        page.wait_for_url(re.compile(r"/vault/\d+/$"))
        dataset = Dataset.objects.get(contract=self.world.contract, name=DATASET)
        self.assertEqual([f.name for f in dataset.fields.order_by("position")], [f[0] for f in FIELDS])
        self.assertIn("個人番号", page.locator("#h-fields + table").inner_text())
        return dataset

    def search(self, page, field: str, value: str) -> None:
        page.get_by_label("項目:", exact=True).select_option(label=field)
        page.get_by_label("検索する値（完全一致）").fill(value)
        page.get_by_role("button", name="検索", exact=True).click()
        page.wait_for_load_state()

    def import_and_search(self, page, dataset: Dataset) -> None:
        """The worker imports the CP932 file through the page's script, chooses a purpose, finds 佐藤　太郎 by
        a name typed with a half-width space and views the record."""
        page.goto(f"{self.url}/")
        page.get_by_role("link", name=DATASET).click()
        page.get_by_role("link", name="CSVファイルの取込").click()
        page.get_by_label("CSVファイル（UTF-8 または CP932）").set_input_files(self.csv)
        page.get_by_role("button", name="確認して取り込む").click()
        report = page.locator("#import-report")
        report.wait_for(timeout=30_000)
        self.assertIn("ファイルに誤りはありません", report.inner_text())
        facts = dict(zip(report.locator("dt").all_inner_texts(), report.locator("dd").all_inner_texts(), strict=True))
        self.assertEqual((facts["文字コード"], facts["行数"], facts["取込件数"]), ("CP932", "4", "4"))
        self.assertEqual(Record.objects.filter(dataset=dataset).count(), 4)

        page.goto(f"{self.url}/{dataset.pk}/")
        page.get_by_label("今回の利用目的").select_option(label=PURPOSE)
        page.get_by_role("button", name="この利用目的で利用する").click()
        page.get_by_text(f"現在の利用目的：{PURPOSE}").wait_for()
        self.search(page, "氏名", "佐藤 太郎")  # stored with a full-width space
        rows = page.locator("table.results tbody tr")
        self.assertEqual(rows.count(), 1)
        self.assertIn("佐藤　太郎", rows.inner_text())
        self.assertIn("ｻﾄｳ ﾀﾛｳ", rows.inner_text())
        self.search(page, "氏名カナ", "サトウ　タロウ")  # full-width katakana for the half-width stored
        self.assertEqual(page.locator("table.results tbody tr").count(), 1)
        page.locator("table.results").get_by_role("link", name="閲覧").click()
        page.wait_for_url(re.compile(r"/records/\d+/$"))
        values = dict(zip(page.locator("dl.facts dt").all_inner_texts(), page.locator("dl.facts dd").all_inner_texts(),
                          strict=True))
        self.assertEqual(values["氏名"], "佐藤　太郎")
        self.assertEqual(values["個人番号"], my_number(1))
        self.assertEqual(values["住所"], "品川区北品川1-2-3")
        self.assertEqual(values["生年月日"], "平成2年12月24日")

    def refuse_the_newcomer(self, dataset: Dataset) -> None:
        """Trained and in the structure, but without the pledge: the search is refused and the page says why."""
        page = self.new_page()
        self.login(page, "worker2")
        page.goto(f"{self.url}/{dataset.pk}/")
        page.get_by_label("今回の利用目的").select_option(label=PURPOSE)
        page.get_by_role("button", name="この利用目的で利用する").click()
        page.get_by_text(f"現在の利用目的：{PURPOSE}").wait_for()
        self.search(page, "氏名", "佐藤太郎")
        self.assertIn("現行の誓約書に同意していません。", page.locator("ul.messages").inner_text())
        self.assertEqual(page.locator("table.results").count(), 0)
        self.assertNotIn("佐藤", page.locator("main").inner_text())
        # The import is refused for the same reason, and nothing is imported.
        page.goto(f"{self.url}/{dataset.pk}/import/")
        page.get_by_label("CSVファイル（UTF-8 または CP932）").set_input_files(self.csv)
        page.get_by_role("button", name="確認して取り込む").click()
        page.get_by_text("現行の誓約書に同意していません。").wait_for(timeout=30_000)
        self.assertEqual(page.locator("#import-report").count(), 0)
        self.assertEqual(Record.objects.filter(dataset=dataset).count(), 4)
        page.context.close()

    def copy(self, responsible, supervisor, worker, dataset: Dataset) -> None:
        """Article 10: requested by the responsible person for the worker, approved by the supervisor, produced
        once by the worker, destroyed and so recorded."""
        responsible.goto(f"{self.url}/")
        responsible.get_by_role("link", name="複写（第10）").click()
        responsible.get_by_role("link", name=f"「{DATASET}」の複写を申請").click()
        responsible.get_by_label("利用目的").select_option(label=PURPOSE)
        for name in ("氏名", "氏名カナ", "住所"):
            responsible.get_by_label(name, exact=True).check()
        responsible.get_by_label("全件").check()
        responsible.get_by_label("媒体").fill("USB暗号化メモリ")
        responsible.get_by_label("保有者").select_option(label="worker")
        responsible.get_by_label("保管場所").select_option(label=str(self.location))
        responsible.get_by_label("廃棄期限").fill((timezone.localdate() + dt.timedelta(days=7)).isoformat())
        responsible.get_by_role("button", name="委託者に申請する").click()
        responsible.wait_for_url(re.compile(r"/vault/copies/\d+/$"))
        request = CopyRequest.objects.get(dataset=dataset)
        self.assertIn(request.code, responsible.locator("h1").inner_text())
        self.assertIn("申請中・承認待ち", responsible.locator("h1").inner_text())

        supervisor.goto(f"{self.url}/copies/")
        supervisor.get_by_role("link", name=request.code).click()
        supervisor.get_by_role("button", name="承認", exact=True).click()
        supervisor.wait_for_load_state()
        self.assertIn("承認済み・未作成", supervisor.locator("h1").inner_text())
        self.assertNotIn("佐藤", supervisor.locator("main").inner_text())

        worker.goto(f"{self.url}/copies/")
        worker.get_by_role("link", name=request.code).click()
        worker.get_by_label("CSV（UTF-8 BOM付き） / CSV (UTF-8 with BOM)").check()
        with worker.expect_download() as download:
            worker.get_by_role("button", name="複写物を作成してダウンロード").click()
        self.assertEqual(download.value.suggested_filename.rsplit(".", 1)[-1], "csv")
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
        self.assertEqual(rows[0][0], f"複写番号: {request.code}")  # the stamp row, padded to the columns
        self.assertEqual(rows[1], ["氏名", "氏名カナ", "住所"])
        self.assertEqual(len(rows), 2 + len(PEOPLE))
        self.assertIn(["佐藤　太郎", "ｻﾄｳ ﾀﾛｳ", "品川区北品川1-2-3"], rows)

        worker.reload()
        self.assertIn("保有中", worker.locator("h1").inner_text())
        worker.get_by_role("link", name="廃棄を記録").click()
        worker.get_by_label("廃棄の方法").select_option(label="裁断")
        destroyed_at = timezone.localtime()  # the form takes minutes: the minute of the production will do
        worker.get_by_label("廃棄日時").fill(destroyed_at.strftime("%Y-%m-%dT%H:%M"))
        worker.get_by_label("廃棄した場所").select_option(label=str(self.location))
        worker.get_by_label("廃棄の担当者").select_option(label="worker")
        worker.get_by_role("button", name="廃棄を記録").click()
        worker.wait_for_url(f"{self.url}/copies/")
        row = worker.locator("tr", has=worker.get_by_role("link", name=request.code))
        self.assertIn("廃棄済み", row.inner_text())
        self.assertIn("裁断", row.inner_text())

    def give_back(self, responsible, supervisor, dataset: Dataset) -> None:
        """Article 12: asked for by the supervisor, built by the responsible person, downloaded and received."""
        supervisor.goto(f"{self.url}/returns/")
        supervisor.get_by_role("button", name="返還を請求").click()
        supervisor.wait_for_load_state()
        responsible.goto(f"{self.url}/returns/")
        responsible.get_by_role("button", name="返還パッケージを作成").click()
        responsible.wait_for_load_state()
        package = ReturnPackage.objects.get(contract=self.world.contract)
        self.assertIn(package.code, responsible.locator("table.list").inner_text())

        supervisor.reload()
        with supervisor.expect_download() as download:
            supervisor.get_by_role("button", name="返還パッケージをダウンロード（ZIP）").click()
        self.assertEqual(download.value.suggested_filename, f"{package.code}.zip")
        with zipfile.ZipFile(download.value.path()) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            self.assertEqual(manifest["package"], package.code)
            [described] = manifest["datasets"]
            self.assertEqual((described["name"], described["records"]), (DATASET, len(PEOPLE)))
            self.assertEqual([f["name"] for f in described["fields"]], [f[0] for f in FIELDS])
            for entry in described["files"]:
                self.assertIn(entry["name"], archive.namelist())
            self.assertIn("佐藤　太郎", archive.read(f"dataset-{dataset.pk}.csv").decode("utf-8-sig"))
        supervisor.get_by_role("button", name="受領を確認").click()
        supervisor.wait_for_load_state()
        self.assertIn(package.code, supervisor.locator("#h-state + dl").inner_text())

    def dispose(self, responsible, supervisor, dataset: Dataset) -> None:
        """Article 13: instructed by the supervisor, carried out through the confirmation step, the record and
        the 廃棄報告書 with the items of article 13-2, submitted and acknowledged."""
        supervisor.goto(f"{self.url}/disposal/")
        supervisor.get_by_role("link", name="廃棄を指示").click()
        supervisor.get_by_label("廃棄の対象").select_option(label=DATASET)
        supervisor.get_by_label("指示内容").fill("返還の受領を確認したので、住民基本台帳抜粋を廃棄してください。")
        supervisor.get_by_role("button", name="廃棄を指示する").click()
        supervisor.wait_for_url(f"{self.url}/disposal/")

        responsible.goto(f"{self.url}/disposal/")
        responsible.get_by_role("link", name="個人情報ファイルを廃棄").click()
        responsible.get_by_label("廃棄場所").fill(PLACE)
        responsible.get_by_label("廃棄担当者").fill(PERSON)
        self.assertEqual(responsible.get_by_label("媒体").input_value(), disposal_service.VAULT_MEDIUM)
        responsible.get_by_role("button", name="廃棄の内容を確認").click()
        review = responsible.get_by_role("alert")
        self.assertIn("この操作は取り消せません。", review.inner_text())
        self.assertTrue(Dataset.objects.get(pk=dataset.pk).wrapped_data_key)  # nothing destroyed yet
        responsible.get_by_label("鍵が直ちに消去され、データは二度と読めなくなることを理解しました。").check()
        responsible.get_by_role("button", name="鍵を消去し、個人情報ファイルを今すぐ廃棄する").click()
        responsible.wait_for_url(re.compile(r"/vault/disposal/\d+/$"))
        made = Disposal.objects.get(dataset=dataset)
        moment = timezone.localtime(made.disposed_at)
        items = dict(zip(responsible.locator("#h-items + dl dt").all_inner_texts(),
                         responsible.locator("#h-items + dl dd").all_inner_texts(), strict=True))
        self.assertEqual(items["情報項目"], "、".join(f[0] for f in FIELDS))
        self.assertEqual(items["媒体"], disposal_service.VAULT_MEDIUM)
        self.assertTrue(items["数量"].startswith(f"{len(PEOPLE)}件"), items["数量"])
        self.assertEqual(items["廃棄日時"], f"{moment:%Y-%m-%d %H:%M}")
        self.assertEqual(items["廃棄方法"], disposal_service.CRYPTO_ERASE)
        self.assertEqual(items["廃棄場所"], PLACE)
        self.assertEqual(items["廃棄担当者"], PERSON)

        href = responsible.get_by_role("link", name="廃棄報告書（PDF）").get_attribute("href")
        answer = responsible.request.get(f"{self.live_server_url}{href}")
        self.assertEqual((answer.status, answer.headers["content-type"]), (200, "application/pdf"))
        text = pdf_text(answer.body())
        expected = {
            "情報項目": "、".join(f[0] for f in FIELDS), "媒体名": disposal_service.VAULT_MEDIUM,
            "数量": f"記録{len(PEOPLE)}件", "廃棄日時": f"{dual_date(moment.date())}{moment:%H:%M}",
            "廃棄方法": disposal_service.CRYPTO_ERASE, "廃棄場所": PLACE, "廃棄担当者": PERSON,
        }
        for label, value in expected.items():
            self.assertIn(label, text)
            self.assertIn(re.sub(r"\s+", "", value), text, label)
        self.assertIn("廃棄報告書", text)
        self.assertIn(DATASET, text)

        responsible.get_by_role("button", name="廃棄報告書を提出").click()
        responsible.wait_for_load_state()
        self.assertIn("提出済み・確認待ち", responsible.locator("h1").inner_text())
        supervisor.goto(f"{self.url}/disposal/{made.pk}/")
        supervisor.get_by_role("button", name="受理", exact=True).click()
        supervisor.wait_for_load_state()
        self.assertIn("確認済み", supervisor.locator("h1").inner_text())

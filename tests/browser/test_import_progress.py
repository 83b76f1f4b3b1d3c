"""The vault's import page in a browser: the script sends the file with XMLHttpRequest, shows the progress
bar, and puts the server's report in place of the form without leaving the page or breaking the CSP."""

from __future__ import annotations

import io

from itaku.people import services as people
from itaku.places import services as places
from itaku.portal import juki
from itaku.vault.models import Dataset, Record
from itaku.vault.services import FieldSpec, create_dataset
from tests.base import World
from tests.browser.base import BrowserTestCase
from tests.people.helpers import declare_structure, train


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    out.write(",".join(juki.HEADER) + "\r\n")
    for row in juki.rows(rows):
        out.write(",".join(row) + "\r\n")
    return out.getvalue().encode("cp932")


class ImportProgressTests(BrowserTestCase):
    def test_the_file_goes_by_script_and_the_report_replaces_the_form(self) -> None:
        world = World()
        declare_structure(world)
        train(world, world.responsible)
        people.accept_pledge(world.responsible, world.contract)
        location = places.add_location(world.responsible, world.contract, name="本社作業室", address="港区芝浦",
                                       room="5階", networks=["127.0.0.0/8"], storage="保管庫", safeguards="入退室管理")
        places.report_location(world.responsible, location)
        places.decide_location(world.supervisor, location, acknowledge=True)
        dataset = create_dataset(world.responsible, world.contract, name="住民基本台帳抜粋",
                                 source=Dataset.Source.ENTRUSTED, fields=[FieldSpec(**f) for f in juki.FIELDS],
                                 purposes=["課税"], expected_rows=10_000)
        page = self.new_page()
        self.login(page, "responsible")
        page.goto(f"{self.live_server_url}/contracts/{world.contract.pk}/vault/{dataset.pk}/import/")
        self.assertTrue(page.locator("#import-progress").is_hidden())
        page.evaluate("window.itakuSamePage = true")
        kinds: dict[str, str] = {}
        page.on("request", lambda r: kinds.setdefault(r.url.split("?")[0], r.resource_type) if r.method == "POST"
                else None)
        page.set_input_files("#id_file", files=[{"name": "juki.csv", "mimeType": "text/csv", "buffer": _csv(3000)}])
        page.evaluate("""new MutationObserver(() => { window.itakuProgressShown = true; })
            .observe(document.getElementById("import-progress"), {attributes: true})""")
        page.get_by_role("button", name="確認して取り込む").click()
        page.locator("#import-report").wait_for(timeout=60_000)
        self.assertTrue(page.evaluate("window.itakuProgressShown === true"))
        self.assertTrue(page.evaluate("window.itakuSamePage === true"))  # no navigation: the script did it
        self.assertEqual(set(kinds.values()), {"xhr"})
        self.assertIn("CP932", page.inner_text("#import-report"))
        self.assertIn("3000", page.inner_text("#import-report"))
        self.assertEqual(Record.objects.filter(dataset=dataset).count(), 3000)
        # The form the server sent back works the same: a refused file shows its row and column.
        bad = _csv(2).replace(b"\r\n1000000002,", b"\r\n1000000002x,")
        page.set_input_files("#id_file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}])
        page.get_by_role("button", name="確認して取り込む").click()
        page.get_by_text("3行目「宛名番号」").wait_for(timeout=30_000)
        self.assertTrue(page.evaluate("window.itakuSamePage === true"))
        self.assertEqual(Record.objects.filter(dataset=dataset).count(), 3000)
        self.assert_stayed_local()
        page.context.close()

"""Publication (article 19): the summary is screened for personal data; the public page and the Atom feed
need no login and hold no personal data."""

from __future__ import annotations

import io

from django.test import Client, SimpleTestCase
from pypdf import PdfReader

from itaku.incidents import screening, services
from itaku.lib.errors import UserError
from tests.base import ContractTestCase
from tests.incidents.support import SUMMARY, raised

TITLE = "住民税納税通知書の誤封入について"
PUBLIC = ("令和8年11月10日、委託先の封入作業で、2名分の通知書が1通の封筒に封入されました。"
          "対象の方には個別にご連絡しました。")


class ScreeningTests(SimpleTestCase):
    def codes(self, text: str) -> list[str]:
        return [p.code for p in screening.found(text)]

    def test_a_summary_with_dates_and_counts_passes(self) -> None:
        self.assertEqual(self.codes(PUBLIC), [])
        self.assertEqual(self.codes("2026-11-10に発覚、約150人分。電話での問い合わせ窓口を設けました。"), [])

    def test_personal_patterns_are_found(self) -> None:
        self.assertEqual(self.codes("番号 123456789018 の方"), ["my_number"])
        self.assertEqual(self.codes("番号 １２３４ ５６７８ ９０１８"), ["my_number"])  # full-width, spaced
        self.assertEqual(self.codes("03-1234-5678 へ"), ["phone"])
        self.assertEqual(self.codes("09012345678"), ["phone"])
        self.assertEqual(self.codes("taro@example.jp"), ["email"])
        self.assertEqual(self.codes("品川区広町2-1-36に住む方"), ["address"])
        self.assertEqual(self.codes("大井一丁目14番1号"), ["address"])
        self.assertEqual(self.codes("品川区大井1丁目14"), ["address"])
        self.assertEqual(self.codes("昭和50年4月1日生の方"), ["birth_date"])
        self.assertEqual(self.codes("生年月日が記載された名簿"), ["birth_date"])


class PublishTests(ContractTestCase):
    def test_personal_data_is_refused_naming_what_was_found(self) -> None:
        incident = raised(self.world)
        with self.assertRaises(UserError) as caught:
            services.publish(self.world.supervisor, incident, title=TITLE,
                             summary="山田様（090-1234-5678、taro@example.jp）の通知書")
        self.assertIn("電話番号", caught.exception.message_ja)
        self.assertIn("an e-mail address", caught.exception.message_en)
        self.assertNotIn("090-1234-5678", str(caught.exception))
        self.assertFalse(hasattr(incident, "publication") and incident.publication)

    def test_the_page_refuses_with_a_bilingual_message(self) -> None:
        incident = raised(self.world)
        response = self.client_for(self.world.supervisor).post(
            f"/contracts/{self.contract.pk}/incidents/{incident.pk}/publish/",
            {"title": TITLE, "summary": "個人番号123456789018が漏えい"}, follow=True)
        body = response.content.decode()
        self.assertIn("個人番号（マイナンバー）と思われる12桁の番号", body)
        self.assertIn("a 12-digit number that looks like a My Number", body)
        self.assertNotIn("123456789018", body)

    def test_only_a_supervisor_publishes_and_once(self) -> None:
        incident = raised(self.world)
        with self.assertRaises(UserError):
            services.publish(self.world.responsible, incident, title=TITLE, summary=PUBLIC)
        services.publish(self.world.supervisor, incident, title=TITLE, summary=PUBLIC)
        with self.assertRaises(UserError):
            services.publish(self.world.supervisor, incident, title=TITLE, summary=PUBLIC)


class PublicPageTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.incident = raised(self.world)
        services.save_report(self.world.responsible, self.incident, data_items="氏名、住所、税額",
                             what_happened="山田太郎の通知書を別人に送付")
        self.publication = services.publish(self.world.supervisor, self.incident, title=TITLE, summary=PUBLIC)

    def assert_no_personal_data(self, body: str) -> None:
        for private in (SUMMARY, "山田太郎", "氏名、住所、税額", self.world.worker.username):
            self.assertNotIn(private, body)
        self.assertEqual(screening.found(body.replace(PUBLIC, "")), [])

    def test_the_public_page_needs_no_login(self) -> None:
        response = Client().get("/published/")
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn(TITLE, body)
        self.assertIn(PUBLIC, body)
        self.assertIn("品川区", body)
        self.assertIn(f'id="publication-{self.publication.pk}"', body)
        self.assert_no_personal_data(body)

    def test_the_atom_feed_needs_no_login(self) -> None:
        response = Client().get("/published/feed/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("application/atom+xml", response["Content-Type"])
        body = response.content.decode()
        self.assertIn('xmlns="http://www.w3.org/2005/Atom"', body)
        self.assertIn(TITLE, body)
        self.assertIn(f"/published/#publication-{self.publication.pk}", body)
        self.assert_no_personal_data(body)

    def test_the_published_text_as_a_pdf_holds_only_what_was_published(self) -> None:
        url = f"/contracts/{self.contract.pk}/incidents/{self.incident.pk}/publication.pdf"
        response = self.client_for(self.world.supervisor).get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
        for expected in ("個人情報の取扱いに係る事故の公表", "".join(TITLE.split()), self.incident.code):
            self.assertIn(expected, text)
        self.assertNotIn("山田太郎", text)
        self.assertEqual(self.client_for(self.world.outsider).get(url).status_code, 404)

"""The disposal pages (article 13): the authority's instruction, the contractor's disposal after a confirmation
step (crypto erase cannot be undone), the record with the items of article 13-2, the 廃棄報告書 PDF, submit
and acknowledge; paper and media; who may do what."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.utils import timezone
from pypdf import PdfReader

from itaku.submissions.models import Submission
from itaku.vault import disposal
from itaku.vault.models import Dataset, Disposal, DisposalInstruction
from tests.vault.test_access import VaultTestCase

PLACE = "第一データセンター（東京都品川区東品川）"
PERSON = "鈴木 一郎"
NOTE = "契約の終了に伴い、住民基本台帳抜粋を廃棄してください。"


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


class DisposalPageTestCase(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.base = f"/contracts/{self.contract.pk}/vault/disposal/"

    def post(self, user, path: str, data: dict | None = None, follow: bool = False):
        return self.client_for(user).post(f"{self.base}{path}", data or {}, follow=follow)

    def instruct(self) -> DisposalInstruction:
        response = self.post(self.world.supervisor, "instruct/", {"dataset": self.dataset.pk, "note": NOTE})
        self.assertEqual(response.status_code, 302)
        return DisposalInstruction.objects.get(dataset=self.dataset)

    def dispose(self, instruction: DisposalInstruction) -> Disposal:
        values = {"place": PLACE, "person_in_charge": PERSON, "medium": disposal.VAULT_MEDIUM}
        self.post(self.world.responsible, f"instructions/{instruction.pk}/", values)
        response = self.post(self.world.responsible, f"instructions/{instruction.pk}/",
                             {**values, "stage": "confirm", "confirmed": "on"})
        made = Disposal.objects.get(instruction=instruction)
        self.assertEqual(response["Location"], f"{self.base}{made.pk}/")
        return made


class DisposalFlowTests(DisposalPageTestCase):
    def test_instruct_dispose_report_acknowledge(self) -> None:
        form = self.client_for(self.world.supervisor).get(f"{self.base}instruct/")
        self.assertContains(form, self.dataset.name)
        instruction = self.instruct()
        self.assertEqual(instruction.note, NOTE)
        index = self.client_for(self.world.responsible).get(self.base)
        self.assertContains(index, f"{self.base}instructions/{instruction.pk}/")

        url = f"instructions/{instruction.pk}/"
        values = {"place": PLACE, "person_in_charge": PERSON, "medium": disposal.VAULT_MEDIUM}
        review = self.post(self.world.responsible, url, values)
        self.assertEqual(review.status_code, 200)
        self.assertContains(review, 'name="stage" value="confirm"')
        self.assertContains(review, 'name="confirmed" required')
        self.assertContains(review, PLACE)
        unconfirmed = self.post(self.world.responsible, url, {**values, "stage": "confirm"})
        self.assertEqual(unconfirmed.status_code, 200)
        self.assertContains(unconfirmed, 'class="error"')
        self.dataset.refresh_from_db()
        self.assertEqual(self.dataset.status, Dataset.Status.ACTIVE)  # nothing happens before the confirmation
        self.assertFalse(Disposal.objects.exists())

        response = self.post(self.world.responsible, url, {**values, "stage": "confirm", "confirmed": "on"})
        made = Disposal.objects.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], f"{self.base}{made.pk}/")
        self.dataset.refresh_from_db()
        self.assertTrue(self.dataset.is_disposed)
        self.assertIsNone(self.dataset.wrapped_data_key)

        record = self.client_for(self.world.supervisor).get(f"{self.base}{made.pk}/")
        for shown in ("氏名カナ", "個人番号", disposal.VAULT_MEDIUM, disposal.CRYPTO_ERASE, PLACE, PERSON,
                      timezone.localtime(made.disposed_at).strftime("%Y-%m-%d %H:%M"), NOTE, "31"):
            self.assertContains(record, shown)

        pdf = self.client_for(self.world.supervisor).get(f"{self.base}{made.pk}/report.pdf")
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertEqual(pdf["Content-Disposition"],
                         f'inline; filename="disposal-report-{self.contract.pk}-{made.pk}.pdf"')
        text = pdf_text(pdf.content)
        for item in ("廃棄報告書", "情報項目", "媒体名", "数量", "廃棄日時", "廃棄方法", "廃棄場所", "廃棄担当者",
                     "氏名カナ", "記録31件", "暗号消去", re.sub(r"\s+", "", PLACE), re.sub(r"\s+", "", PERSON),
                     re.sub(r"\s+", "", NOTE)):
            self.assertIn(item, text)

        self.post(self.world.responsible, f"{made.pk}/submit/")
        self.assertEqual(disposal.report_state(made).status, "submitted")
        self.assertContains(self.client_for(self.world.supervisor).get(f"{self.base}{made.pk}/"),
                            f'action="{self.base}{made.pk}/decide/"')
        self.post(self.world.supervisor, f"{made.pk}/decide/", {"accept": "on"})
        state = disposal.report_state(made)
        self.assertEqual((state.status, state.latest.status), ("acknowledged", Submission.Status.ACKNOWLEDGED))
        self.assertContains(self.client_for(self.world.responsible).get(self.base), state.label_ja)

    def test_returned_corrected_and_submitted_again(self) -> None:
        made = self.dispose(self.instruct())
        self.post(self.world.responsible, f"{made.pk}/submit/")
        self.post(self.world.supervisor, f"{made.pk}/decide/", {"comment": "廃棄担当者の氏名が違います。"})
        self.assertEqual(disposal.report_state(made).status, "returned")
        page = self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/")
        self.assertContains(page, "廃棄担当者の氏名が違います。")
        form = self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/correct/")
        self.assertContains(form, f'value="{PERSON}"')
        response = self.post(self.world.responsible, f"{made.pk}/correct/",
                             {"medium": disposal.VAULT_MEDIUM, "place": PLACE, "person_in_charge": "佐藤 花子"})
        self.assertEqual(response.status_code, 302)
        made.refresh_from_db()
        self.assertEqual(made.person_in_charge, "佐藤 花子")
        self.post(self.world.responsible, f"{made.pk}/submit/")
        self.post(self.world.supervisor, f"{made.pk}/decide/", {"accept": "on"})
        self.assertEqual(disposal.report_state(made).status, "acknowledged")
        self.assertIn("佐藤花子", pdf_text(self.client_for(self.world.auditor)
                                         .get(f"{self.base}{made.pk}/report.pdf").content))

    def test_paper_and_media_are_recorded_by_hand(self) -> None:
        refused = self.post(self.world.supervisor, "instruct/", {"dataset": "", "note": ""})
        self.assertContains(refused, "Say which paper or media are to be disposed of.")
        self.post(self.world.supervisor, "instruct/", {"dataset": "", "note": "申請書の原本を廃棄してください。"})
        instruction = DisposalInstruction.objects.get()
        self.assertIsNone(instruction.dataset)
        DisposalInstruction.objects.update(instructed_at=timezone.now() - dt.timedelta(days=2))  # shredded later
        form = self.client_for(self.world.responsible).get(f"{self.base}instructions/{instruction.pk}/")
        self.assertContains(form, 'name="items"')
        disposed_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        response = self.post(self.world.responsible, f"instructions/{instruction.pk}/", {
            "items": "氏名\n住所\n", "medium": "紙の申請書", "records": 120, "files": 3, "disposed_at": disposed_at,
            "method": "溶解処理", "place": "本社 5階 施錠室", "person_in_charge": PERSON})
        made = Disposal.objects.get()
        self.assertEqual(response["Location"], f"{self.base}{made.pk}/")
        self.assertEqual((made.items, made.records, made.files), (["氏名", "住所"], 120, 3))
        text = pdf_text(self.client_for(self.world.responsible).get(f"{self.base}{made.pk}/report.pdf").content)
        for item in ("紙の申請書", "記録120件", "ファイル・媒体3点", "溶解処理", "本社5階施錠室"):
            self.assertIn(item, text)
        self.dataset.refresh_from_db()
        self.assertFalse(self.dataset.is_disposed)

    def test_only_the_authority_instructs_and_only_the_responsible_disposes(self) -> None:
        self.assertEqual(self.post(self.world.responsible, "instruct/", {"dataset": self.dataset.pk}).status_code,
                         403)
        instruction = self.instruct()
        for person in (self.world.supervisor, self.world.worker):
            response = self.post(person, f"instructions/{instruction.pk}/",
                                 {"place": PLACE, "person_in_charge": PERSON, "medium": "x", "stage": "confirm",
                                  "confirmed": "on"})
            self.assertEqual(response.status_code, 403)
        self.dataset.refresh_from_db()
        self.assertFalse(self.dataset.is_disposed)


class DisposalMatrixTests(DisposalPageTestCase):
    def test_matrix(self) -> None:
        instruction = self.instruct()
        self.assert_matrix("get", "vault/disposal/", {
            "": (200, 200, 200, 200, 404, 404),
            "instruct/": (200, 403, 403, 403, 404, 404),
            "instructions/{instruction}/": (403, 403, 200, 403, 404, 404),
        }, instruction=instruction.pk)
        self.assert_matrix("post", "vault/disposal/", {
            "instruct/": (200, 403, 403, 403, 404, 404),  # an empty form is shown again
            "instructions/{instruction}/": (403, 403, 200, 403, 404, 404),
        }, instruction=instruction.pk)
        made = self.dispose(instruction)
        self.assert_matrix("get", "vault/disposal/", {
            "instructions/{instruction}/": (403, 403, 302, 403, 404, 404),  # done: to its record
            "{disposal}/": (200, 200, 200, 200, 404, 404),
            "{disposal}/report.pdf": (200, 200, 200, 403, 404, 404),
            "{disposal}/correct/": (403, 403, 200, 403, 404, 404),
            "{disposal}/submit/": (405, 405, 405, 405, 405, 405),
            "{disposal}/decide/": (405, 405, 405, 405, 405, 405),
        }, instruction=instruction.pk, disposal=made.pk)
        self.assert_matrix("post", "vault/disposal/", {
            "{disposal}/submit/": (403, 403, 302, 403, 404, 404),
            "{disposal}/decide/": (302, 403, 403, 403, 404, 404),
        }, disposal=made.pk)

"""The training pages through HTTP: the permission matrix, each action, the CSV upload and the downloads."""

from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from itaku.submissions.models import Attachment
from itaku.training import services
from itaku.training.models import Completion, Course
from tests.training.support import ALL, TrainingTestCase, csv_bytes, days_ago

HEADER = ["ユーザー名", "氏名", "講座", "受講日", "結果"]


def attachment_of(obj) -> Attachment:
    return Attachment.objects.get(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)


class TrainingViewMatrixTests(TrainingTestCase):
    """Expected status per role; `colleague` is staff of the same authority without a role on the contract."""

    ROLES = ("supervisor", "auditor", "responsible", "worker", "colleague", "outsider", "foreign_responsible")

    def setUp(self) -> None:
        super().setUp()
        material = SimpleUploadedFile("資料.pdf", b"%PDF material", content_type="application/pdf")
        course = services.add_course(self.world.supervisor, self.contract, title="区の研修", topics=ALL,
                                     material=material)
        own = services.record_completion(
            self.world.responsible, self.contract, person=self.world.worker, course=course,
            completed_on=days_ago(1), passed=True, evidence=SimpleUploadedFile("w.pdf", b"worker's"),
        )
        other = services.record_completion(
            self.world.responsible, self.contract, person=self.world.responsible, course=course,
            completed_on=days_ago(1), passed=True, evidence=SimpleUploadedFile("r.pdf", b"responsible's"),
        )
        self.material, self.own, self.other = (attachment_of(course).pk, attachment_of(own).pk,
                                               attachment_of(other).pk)

    def test_get(self) -> None:
        self.assert_matrix("get", "training/", {
            "": (200, 200, 200, 200, 404, 404, 404),
            "completions.pdf": (200, 200, 200, 403, 404, 404, 404),
            "import/": (403, 403, 200, 403, 404, 404, 404),
            "import/template.csv": (403, 403, 200, 403, 404, 404, 404),
            f"files/{self.material}/": (200, 200, 200, 200, 404, 404, 404),
            f"files/{self.own}/": (200, 200, 200, 200, 404, 404, 404),
            f"files/{self.other}/": (200, 200, 200, 404, 404, 404, 404),
            "courses/add/": (405,) * 7,
        })

    def test_post(self) -> None:
        self.assert_matrix("post", "training/", {
            "courses/add/": (302, 403, 302, 403, 404, 404, 404),
            "completions/add/": (403, 403, 302, 403, 404, 404, 404),
            "settings/": (302, 403, 403, 403, 404, 404, 404),
            "import/": (403, 403, 200, 403, 404, 404, 404),
            "": (405,) * 7,
        })

    def test_files_of_other_contracts_are_not_served(self) -> None:
        foreign = Attachment.objects.exclude(chain=self.contract.ledger_chain).first()
        self.assertIsNone(foreign)
        response = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/training/files/999999/")
        self.assertEqual(response.status_code, 404)


class PageTests(TrainingTestCase):
    def url(self, path: str = "") -> str:
        return f"/contracts/{self.contract.pk}/training/{path}"

    def test_responsible_adds_a_course_with_material(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(self.url("courses/add/"), {
            "title": "情報セキュリティ研修", "summary": "パスワード管理", "topics": ["security"],
            "material": SimpleUploadedFile("slides.pdf", b"%PDF slides"),
        }, follow=True)
        self.assertEqual(response.redirect_chain, [(self.url(), 302)])
        course = Course.objects.get(title="情報セキュリティ研修")
        self.assertEqual((course.organisation, course.topics), (self.world.contractor, ["security"]))
        self.assertIn("slides.pdf", response.content.decode())
        download = client.get(self.url(f"files/{attachment_of(course).pk}/"))
        self.assertEqual(b"".join(download.streaming_content), b"%PDF slides")
        self.assertIn("attachment;", download["Content-Disposition"])
        self.assertEqual(download["Content-Type"], "application/octet-stream")

    def test_a_bad_course_is_explained(self) -> None:
        client = self.client_for(self.world.supervisor)
        response = client.post(self.url("courses/add/"), {"title": "個人情報保護研修", "topics": ["privacy"]},
                               follow=True)
        self.assertContains(response, "同じ名称の講座がこの契約に既にあります。")
        response = client.post(self.url("courses/add/"), {"title": "新研修"}, follow=True)
        self.assertContains(response, "講座の入力に誤りがあります")
        self.assertEqual(Course.objects.count(), 1)

    def test_responsible_records_a_completion_and_a_correction(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(self.url("completions/add/"), {
            "person": self.world.worker.pk, "course": self.course.pk, "completed_on": days_ago(3).isoformat(),
            "result": "passed", "evidence": SimpleUploadedFile("cert.pdf", b"%PDF cert"),
        })
        self.assertRedirects(response, self.url())
        wrong = Completion.objects.get()
        self.assertTrue(wrong.passed)
        client.post(self.url("completions/add/"), {
            "person": self.world.worker.pk, "course": self.course.pk, "completed_on": days_ago(3).isoformat(),
            "result": "failed", "corrects": wrong.pk,
        })
        self.assertEqual(Completion.objects.get(corrects=wrong).passed, False)
        self.assertEqual(services.missing_topics(self.world.worker, self.contract), frozenset(ALL))
        rows = {row["id"]: row for row in client.get(self.url()).context["completions"]}
        self.assertTrue(rows[wrong.pk]["corrected"])
        self.assertIsNone(rows[wrong.pk]["valid_until"])

    def test_a_stranger_cannot_be_recorded(self) -> None:
        client = self.client_for(self.world.responsible)
        response = client.post(self.url("completions/add/"), {
            "person": self.world.supervisor.pk, "course": self.course.pk, "completed_on": days_ago(3).isoformat(),
            "result": "passed",
        }, follow=True)
        self.assertContains(response, "受講記録の入力に誤りがあります")
        self.assertFalse(Completion.objects.exists())

    def test_supervisor_changes_the_settings(self) -> None:
        client = self.client_for(self.world.supervisor)
        client.post(self.url("settings/"), {"validity_months": "6", "required_topics": ["privacy", "work"]})
        settings = services.settings_for(self.contract)
        self.assertEqual((settings.validity_months, settings.required_topics), (6, ["privacy", "work"]))
        response = client.post(self.url("settings/"), {"validity_months": "0", "required_topics": ["work"]},
                               follow=True)
        self.assertContains(response, "設定の入力に誤りがあります")

    def test_worker_sees_only_their_own_completions(self) -> None:
        self.complete(self.world.worker, days_ago(2))
        self.complete(self.world.responsible, days_ago(2))
        body = self.client_for(self.world.worker).get(self.url()).content.decode()
        self.assertIn("<small>worker</small>", body)
        self.assertNotIn("<small>responsible</small>", body)
        self.assertNotIn("completions.pdf", body)
        self.assertNotIn('name="validity_months"', body)
        supervisor = self.client_for(self.world.supervisor).get(self.url()).content.decode()
        self.assertIn("<small>responsible</small>", supervisor)
        self.assertIn('name="validity_months"', supervisor)

    def test_who_falls_due_is_listed(self) -> None:
        completed_on = services.add_months(days_ago(-5), -12)
        self.complete(self.world.worker, completed_on)
        response = self.client_for(self.world.auditor).get(self.url())
        self.assertEqual(len(response.context["due"]), 4)  # every topic of the one course
        table = response.content.decode().split('id="due"')[1].split("</table>")[0]
        self.assertIn("<small>worker</small>", table)
        self.assertIn(services.add_months(completed_on, 12).isoformat(), table)
        self.assertIn("本件特記事項", table)

    def test_english_labels(self) -> None:
        client = self.client_for(self.world.supervisor)
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        body = client.get(self.url()).content.decode()
        self.assertIn("These special provisions", body)

    def test_pages_have_no_inline_script_or_style(self) -> None:
        client = self.client_for(self.world.responsible)
        for path in ("", "import/"):
            body = client.get(self.url(path)).content.decode()
            self.assertIsNone(re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), path)
            self.assertIsNone(re.search(r"\son[a-z]+=", body), path)
            self.assertIsNone(re.search(r"\sstyle=", body), path)

    def test_csrf_is_enforced(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.supervisor)
        response = client.post(self.url("settings/"), {"validity_months": "6", "required_topics": ["work"]})
        self.assertEqual(response.status_code, 403)
        self.assertIsNone(services.settings_for(self.contract).pk)


class UploadTests(TrainingTestCase):
    def url(self, path: str = "import/") -> str:
        return f"/contracts/{self.contract.pk}/training/{path}"

    def _upload(self, data: bytes, **extra: str):
        return self.client_for(self.world.responsible).post(
            self.url(), {"file": SimpleUploadedFile("list.csv", data, content_type="text/csv"), **extra})

    def test_valid_file_is_imported(self) -> None:
        data = csv_bytes([HEADER, ["worker", "", "個人情報保護研修", "令和7年4月1日", "修了"]], "cp932")
        response = self._upload(data)
        self.assertRedirects(response, f"/contracts/{self.contract.pk}/training/")
        self.assertEqual(Completion.objects.count(), 1)

    def test_errors_are_listed_and_nothing_imported(self) -> None:
        data = csv_bytes([HEADER, ["worker", "", "個人情報保護研修", "令和7年4月1日", "修了"],
                          ["worker", "", "個人情報保護研修", "2025-99-01", "修了"]], "utf-8-sig")
        response = self._upload(data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "3行目「受講日」: 日付として読めません")
        self.assertContains(response, "Row 3, column “受講日”")
        self.assertContains(response, "UTF-8 (BOM)")
        self.assertFalse(Completion.objects.exists())

    def test_wrong_encoding_is_explained(self) -> None:
        response = self._upload(csv_bytes([HEADER], "utf-16"))
        self.assertContains(response, "文字コードを判別できません（UTF-8 または CP932 で保存してください）")

    def test_dry_run_imports_nothing(self) -> None:
        data = csv_bytes([HEADER, ["worker", "", "個人情報保護研修", "2025-04-01", "修了"]])
        response = self._upload(data, dry_run="on")
        self.assertEqual(response.status_code, 200)
        report = response.context["report"]
        self.assertEqual((report.ok, len(report.entries), report.imported), (True, 1, 0))
        self.assertFalse(Completion.objects.exists())

    def test_more_than_2_mb_is_refused(self) -> None:
        row = "worker,,個人情報保護研修,2025-04-01,修了\r\n"
        data = csv_bytes([HEADER]) + row.encode() * (2 * 1024 * 1024 // len(row.encode()) + 1)
        response = self._upload(data)
        self.assertContains(response, "上限2MB")
        self.assertFalse(Completion.objects.exists())

    def test_template_is_excel_friendly(self) -> None:
        response = self.client_for(self.world.responsible).get(self.url("import/template.csv"))
        self.assertEqual(response.content, "\ufeffユーザー名,氏名,講座,受講日,結果\r\n".encode())

"""The vault's pages: a purpose per session, searches by POST (no value in a URL), never cached, imports
through an upload handler that keeps the file sealed on disk."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from itaku.ledger.models import Event
from itaku.vault.models import Record
from itaku.vault.uploads import SealedUploadHandler
from tests.people.helpers import INSIDE, OUTSIDE
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import HEADER, ROW


class PageTests(VaultTestCase):
    def _url(self, suffix: str = "") -> str:
        return f"/contracts/{self.contract.pk}/vault/{self.dataset.pk}/{suffix}"

    def test_purpose_search_and_view(self) -> None:
        client = self.client_for(self.world.worker)
        client.post(self._url("purpose/"), {"purpose": self.purpose.pk}, REMOTE_ADDR=INSIDE)
        response = client.post(self._url(), {"field": self.kana.pk, "query": "ｻﾄｳ ﾀﾛｳ"}, REMOTE_ADDR=INSIDE)
        self.assertContains(response, "佐藤　太郎")
        self.assertIn("no-store", response["Cache-Control"])
        # An error report of this request would show neither the query nor the results.
        self.assertEqual(response.wsgi_request.sensitive_post_parameters, "__ALL__")
        record = Record.objects.filter(dataset=self.dataset).order_by("-pk").first()
        page = client.get(self._url(f"records/{record.pk}/"), REMOTE_ADDR=INSIDE)
        self.assertContains(page, "123456789018")
        self.assertIn("no-store", page["Cache-Control"])
        self.assertTrue(Event.objects.filter(kind="data.viewed", facts__records=[record.pk]).exists())

    def test_without_a_purpose_or_from_outside_nothing_is_shown(self) -> None:
        client = self.client_for(self.world.worker)
        response = client.post(self._url(), {"field": self.kana.pk, "query": "サトウタロウ"}, REMOTE_ADDR=INSIDE,
                               follow=True)
        self.assertNotContains(response, "佐藤　太郎")
        self.assertContains(response, "利用目的を選んでください")
        client.post(self._url("purpose/"), {"purpose": self.purpose.pk})
        response = client.post(self._url(), {"field": self.kana.pk, "query": "サトウタロウ"}, REMOTE_ADDR=OUTSIDE)
        self.assertNotContains(response, "佐藤　太郎")
        self.assertContains(response, "届け出た作業場所の外からの接続です")

    def test_authority_sees_the_declaration_never_the_content(self) -> None:
        client = self.client_for(self.world.supervisor)
        self.assertContains(client.get(self._url()), "氏名カナ")
        record = Record.objects.filter(dataset=self.dataset).first()
        self.assertEqual(client.get(self._url(f"records/{record.pk}/"), REMOTE_ADDR=INSIDE).status_code, 404)
        self.assertEqual(client.post(self._url(), {"field": self.kana.pk, "query": "x"}).status_code, 404)

    def test_matrix(self) -> None:
        base = f"vault/{self.dataset.pk}/"
        self.assert_matrix("get", "", {
            "vault/": (200, 200, 200, 200, 404, 404),
            base: (200, 200, 200, 200, 404, 404),
            base + "import/": (403, 403, 200, 200, 404, 404),  # the worker imports; the gate decides
        })
        self.assert_matrix("post", "", {
            base + "purpose/": (404, 404, 302, 302, 404, 404),
        })

    def test_import_over_http(self) -> None:
        client = self.client_for(self.world.responsible)
        upload = SimpleUploadedFile("juki.csv", (HEADER + ROW.format(n=5)).encode("cp932"))
        before = Record.objects.count()
        response = client.post(self._url("import/"), {"file": upload}, REMOTE_ADDR=INSIDE)
        self.assertContains(response, "CP932")
        self.assertEqual(Record.objects.count(), before + 1)

    def test_the_worker_imports_and_the_gate_decides(self) -> None:
        client = self.client_for(self.world.worker)
        before = Record.objects.count()
        upload = SimpleUploadedFile("juki.csv", (HEADER + ROW.format(n=6)).encode("cp932"))
        response = client.post(self._url("import/"), {"file": upload}, REMOTE_ADDR=OUTSIDE)
        self.assertContains(response, "届け出た作業場所の外からの接続です")
        self.assertNotContains(response, 'id="import-report"')
        self.assertEqual(Record.objects.count(), before)
        upload = SimpleUploadedFile("juki.csv", (HEADER + ROW.format(n=6)).encode("cp932"))
        response = client.post(self._url("import/"), {"file": upload}, REMOTE_ADDR=INSIDE)
        self.assertContains(response, 'id="import-report"')
        self.assertEqual(Record.objects.count(), before + 1)
        self.assertContains(client.get(self._url(), REMOTE_ADDR=INSIDE), self._url("import/"))


    def test_an_upload_over_the_limit_is_refused_and_not_kept(self) -> None:
        client = self.client_for(self.world.responsible)
        data = (HEADER + ROW.format(n=5)).encode("cp932")
        before = Record.objects.count()
        with self.settings(VAULT_IMPORT_MAX_BYTES=len(data) - 1):
            response = client.post(self._url("import/"), {"file": SimpleUploadedFile("juki.csv", data)},
                                    REMOTE_ADDR=INSIDE)
        self.assertContains(response, "ファイルが大きすぎます")
        self.assertContains(response, f"The file is too large ({len(data):,} bytes")
        self.assertEqual(Record.objects.count(), before)


class SealedUploadTests(VaultTestCase):
    def test_chunks_are_sealed_on_disk_and_read_back_whole(self) -> None:
        handler = SealedUploadHandler(RequestFactory().post("/"))
        handler.new_file("file", "juki.csv", "text/csv", None)
        data = (HEADER + "".join(ROW.format(n=n) for n in range(400))).encode("cp932")
        for start in range(0, len(data), 1000):
            handler.receive_data_chunk(data[start:start + 1000], start)
        raw = handler._handle
        raw.seek(0)
        on_disk = raw.read()
        self.assertNotIn("髙橋".encode("cp932"), on_disk)
        self.assertNotIn(b"123456789018", on_disk)
        uploaded = handler.file_complete(len(data))
        self.assertEqual(uploaded.read(), data)
        uploaded.seek(0)
        self.assertEqual(uploaded.readline(), HEADER.encode("cp932"))

    def test_past_the_limit_the_bytes_are_counted_not_stored(self) -> None:
        handler = SealedUploadHandler(RequestFactory().post("/"))
        handler.new_file("file", "juki.csv", "text/csv", None)
        with self.settings(VAULT_IMPORT_MAX_BYTES=1500):
            for start in range(0, 3000, 1000):
                handler.receive_data_chunk(b"x" * 1000, start)
        uploaded = handler.file_complete(3000)
        self.assertEqual((uploaded.size, uploaded.read()), (3000, b"x" * 1000))

"""The import's progress: the page's token names a small file of byte counts under var/progress, written while
the import reads the upload and removed when it ends; only its own user can poll it."""

from __future__ import annotations

import io
import json
import os
import time
from unittest import mock

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.vault import views
from itaku.vault.models import Record
from itaku.vault.uploads import CountingReader, Progress, progress_path, read_progress
from tests.people.helpers import INSIDE
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import HEADER, ROW

TOKEN = "0123456789abcdef0123456789abcdef"


class ProgressFileTests(VaultTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(lambda: progress_path(self.world.responsible.pk, TOKEN).unlink(missing_ok=True))

    def test_counts_the_bytes_read_however_they_are_read(self) -> None:
        data = (HEADER + "".join(ROW.format(n=n) for n in range(20))).encode("cp932")
        progress = Progress(self.world.responsible.pk, TOKEN, dataset=self.dataset.pk, total=len(data), interval=0)
        reader = CountingReader(io.BufferedReader(io.BytesIO(data)), progress)
        done = lambda: read_progress(self.world.responsible.pk, TOKEN)["done"]  # noqa: E731
        self.assertEqual(read_progress(self.world.responsible.pk, TOKEN),
                         {"dataset": self.dataset.pk, "done": 0, "total": len(data)})
        reader.read(10)
        self.assertEqual((reader.tell(), done()), (10, 10))
        line = reader.readline()
        self.assertEqual(done(), 10 + len(line))
        buffer = bytearray(7)
        reader.readinto(buffer)
        reader.read1(5)
        self.assertEqual(done(), 10 + len(line) + 12)
        reader.seek(0)
        self.assertEqual((reader.tell(), done()), (0, 0))
        self.assertEqual(b"".join(iter(reader.readline, b"")), data)
        self.assertEqual(done(), len(data))

    def test_writes_counts_only_at_most_every_interval_and_is_removed(self) -> None:
        progress = Progress(self.world.responsible.pk, TOKEN, dataset=self.dataset.pk, total=1000, interval=60)
        progress.update(500)  # within the interval of the first write: not written
        path = progress_path(self.world.responsible.pk, TOKEN)
        self.assertEqual(json.loads(path.read_text()), {"dataset": self.dataset.pk, "done": 0, "total": 1000})
        self.assertEqual(path.parent, settings.VAR_DIR / "progress")
        self.assertEqual([p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")], [])
        progress.remove()
        self.assertIsNone(read_progress(self.world.responsible.pk, TOKEN))

    def test_a_token_that_is_not_hex_names_no_file(self) -> None:
        for token in ("../../secret_key", "0123", TOKEN.upper(), TOKEN + "0"):
            self.assertIsNone(progress_path(1, token))
        with self.assertRaises(ValueError):
            Progress(1, "../x", dataset=1, total=1)

    def test_files_left_by_a_killed_import_are_swept(self) -> None:
        Progress(self.world.worker.pk, TOKEN, dataset=self.dataset.pk, total=10)
        old = progress_path(self.world.worker.pk, TOKEN)
        self.addCleanup(lambda: old.unlink(missing_ok=True))
        two_days_ago = time.time() - 2 * 86400
        os.utime(old, (two_days_ago, two_days_ago))
        Progress(self.world.responsible.pk, TOKEN, dataset=self.dataset.pk, total=10)
        self.assertFalse(old.exists())


class ProgressEndpointTests(VaultTestCase):
    def _url(self, token: str = TOKEN, dataset: int | None = None) -> str:
        return f"/contracts/{self.contract.pk}/vault/{dataset or self.dataset.pk}/import/progress/?token={token}"

    def _progress(self, user) -> Progress:
        progress = Progress(user.pk, TOKEN, dataset=self.dataset.pk, total=4096, interval=0)
        self.addCleanup(progress.remove)
        progress.update(1024)
        return progress

    def test_matrix_for_an_unknown_token(self) -> None:
        self.assert_matrix("get", "", {f"vault/{self.dataset.pk}/import/progress/?token={TOKEN}":
                                       (403, 403, 404, 404, 404, 404)})

    def test_the_user_polls_their_own_import(self) -> None:
        self._progress(self.world.responsible)
        response = self.client_for(self.world.responsible).get(self._url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"done": 1024, "total": 4096})
        self.assertIn("no-store", response["Cache-Control"])

    def test_another_users_token_is_not_found(self) -> None:
        self._progress(self.world.supervisor)  # the same token, someone else's import
        self.assertEqual(self.client_for(self.world.responsible).get(self._url()).status_code, 404)

    def test_another_dataset_or_a_bad_token_is_not_found(self) -> None:
        self._progress(self.world.responsible)
        client = self.client_for(self.world.responsible)
        other = self.dataset.pk + 1000
        self.assertEqual(client.get(self._url(dataset=other)).status_code, 404)
        self.assertEqual(client.get(self._url(token="../" + TOKEN)).status_code, 404)
        self.assertEqual(client.get(self._url(token="")).status_code, 404)


class ImportWithProgressTests(VaultTestCase):
    def _post(self, data: bytes, **extra: str):
        upload = SimpleUploadedFile("juki.csv", data)
        return self.client_for(self.world.responsible).post(
            f"/contracts/{self.contract.pk}/vault/{self.dataset.pk}/import/", {"file": upload, **extra},
            REMOTE_ADDR=INSIDE)

    def test_the_import_reports_its_reading_and_removes_the_file(self) -> None:
        data = (HEADER + "".join(ROW.format(n=n) for n in range(50))).encode("cp932")
        seen = []
        real = views.import_file

        def spying(by, dataset, stream, **kwargs):
            self.assertIsInstance(stream, CountingReader)
            report = real(by, dataset, stream, **kwargs)
            seen.append(read_progress(self.world.responsible.pk, TOKEN))
            return report

        before = Record.objects.count()
        with mock.patch.object(views, "import_file", spying), mock.patch.object(Progress, "update", autospec=True,
                                                                                 side_effect=Progress.update) as update:
            response = self._post(data, progress_token=TOKEN)
        self.assertContains(response, 'id="import-report"')
        self.assertContains(response, "CP932")
        self.assertEqual(Record.objects.count(), before + 50)
        self.assertEqual(seen[0]["total"], len(data))
        positions = [call.args[1] for call in update.call_args_list]
        self.assertEqual(max(positions), len(data))  # the whole file was read through the counter
        self.assertIsNone(read_progress(self.world.responsible.pk, TOKEN))  # removed when done
        for value in ("髙橋", "123456789018"):
            self.assertNotIn(value, json.dumps(seen))

    def test_a_refused_file_removes_it_too_and_reports_row_and_column(self) -> None:
        bad = (HEADER + ROW.format(n=1).replace("123456789018", "123456789012")).encode("cp932")
        response = self._post(bad, progress_token=TOKEN)
        self.assertContains(response, "2行目「個人番号」")
        self.assertIsNone(read_progress(self.world.responsible.pk, TOKEN))

    def test_without_the_script_the_form_works_as_before(self) -> None:
        response = self._post((HEADER + ROW.format(n=1)).encode("cp932"))
        self.assertContains(response, 'id="import-report"')
        self.assertEqual(list((settings.VAR_DIR / "progress").glob(f"{self.world.responsible.pk}-*")), [])

    def test_a_malformed_token_is_refused_and_nothing_imported(self) -> None:
        before = Record.objects.count()
        response = self._post((HEADER + ROW.format(n=1)).encode("cp932"), progress_token="../../x")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'id="import-report"')
        self.assertContains(response, '<span class="error">')
        self.assertEqual(Record.objects.count(), before)

    def test_the_page_loads_the_script_from_the_installation(self) -> None:
        page = self.client_for(self.world.responsible).get(
            f"/contracts/{self.contract.pk}/vault/{self.dataset.pk}/import/").content.decode()
        self.assertIn('<script src="/static/vault/import.js" defer></script>', page)
        self.assertIn(f'data-progress-url="/contracts/{self.contract.pk}/vault/{self.dataset.pk}/import/progress/"',
                      page)
        self.assertIn('name="progress_token"', page)
        script = finders.find("vault/import.js")
        self.assertIsNotNone(script)
        with open(script, encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn("XMLHttpRequest", text)
        self.assertNotIn("http://", text)
        self.assertNotIn("https://", text)

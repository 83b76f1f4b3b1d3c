"""An add or correction racing a disposal (article 13): both lock the dataset's row, so the change either
commits before the disposal (and is counted and erased with the rest) or waits and is refused after it,
never written under keys that were destroyed meanwhile."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

from django.db import connection

from itaku.ledger.models import Event
from itaku.vault import access, disposal, tasks
from itaku.vault.models import Dataset, Purpose, Record
from itaku.vault.services import create_dataset, import_file
from tests.base import LedgerTransactionTestCase, World
from tests.people.helpers import INSIDE, make_eligible
from tests.vault.test_disposal import NOTE, PERSON, PLACE, DisposalTestCase
from tests.vault.test_import import FIELDS, HEADER, ROW

VALUES = {"宛名番号": "5001", "氏名": "鈴木 一郎", "氏名カナ": "スズキ イチロウ", "生年月日": "1990-01-02",
          "性別": "男", "郵便番号": "140-0001", "住所": "品川区北品川1-1", "電話番号": "03-1111-2222",
          "個人番号": "123456789018", "備考": ""}
WAIT = 10  # seconds: how long a step may take before the test gives up on it
BLOCKED = 0.5  # seconds a thread must stay blocked on the lock to count as waiting for it


class StaleObjectTests(DisposalTestCase):
    """The caller's dataset object was loaded before the disposal and still holds the wrapped keys."""

    def test_an_add_after_the_disposal_is_refused(self) -> None:
        stale = Dataset.objects.get(pk=self.dataset.pk)
        self.dispose()
        with self.assertRaises(access.AccessRefused) as caught:
            access.add_record(self.world.worker, stale, self.purpose, INSIDE, VALUES)
        self.assertIn("disposed of", caught.exception.message_en)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)
        self.assertFalse(Event.objects.filter(kind="data.added").exists())

    def test_a_correction_after_the_disposal_is_refused(self) -> None:
        stale = Dataset.objects.get(pk=self.dataset.pk)
        record = Record.objects.filter(dataset=self.dataset).order_by("pk").first()
        before = bytes(record.ciphertext)
        self.dispose()
        with self.assertRaises(access.AccessRefused):
            access.correct_record(self.world.worker, stale, self.purpose, INSIDE, record.pk, VALUES)
        record.refresh_from_db()
        self.assertEqual((bytes(record.ciphertext), record.revision), (before, 0))
        self.assertFalse(Event.objects.filter(kind="data.corrected").exists())

    def test_a_search_or_view_after_the_disposal_opens_nothing(self) -> None:
        stale = Dataset.objects.get(pk=self.dataset.pk)
        record = Record.objects.filter(dataset=self.dataset).order_by("pk").first()
        name = stale.fields.get(name="氏名")
        self.dispose()  # the records are still there until the background deletion runs
        with self.assertRaises(access.AccessRefused):
            access.search(self.world.worker, stale, self.purpose, INSIDE, name, "佐藤")
        with self.assertRaises(access.AccessRefused):
            access.view(self.world.worker, stale, self.purpose, INSIDE, record.pk)
        self.assertFalse(Event.objects.filter(kind__in=["data.searched", "data.viewed"]).exists())

    def test_an_add_before_the_disposal_is_counted_and_erased(self) -> None:
        added = access.add_record(self.world.worker, self.dataset, self.purpose, INSIDE, VALUES)
        found = self.dispose()
        self.assertEqual(found.records, 32)
        self.assertEqual(tasks.run_deletion(found.pk), 32)
        self.assertFalse(Record.objects.filter(pk=added).exists())


class Paused:
    """Wraps `function` so that the thread calling it stops after the call (inside its transaction) until
    released; `reached` is set when it gets there."""

    def __init__(self, function: Callable[..., Any], when: Callable[..., bool] = lambda *a, **k: True) -> None:
        self.function, self.when = function, when
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self.function(*args, **kwargs)
        if self.when(*args, **kwargs):
            self.reached.set()
            if not self.release.wait(WAIT):
                raise TimeoutError("never released")
        return result


class Worker(threading.Thread):
    """Runs one service call on a connection of its own; keeps its result or exception."""

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.call, self.result, self.error = call, None, None

    def run(self) -> None:
        try:
            self.result = self.call()
        except Exception as exc:  # handed to the test's thread
            self.error = exc
        finally:
            connection.close()


class RaceTests(LedgerTransactionTestCase):
    """Real commits from two threads (PostgreSQL: row locks; SQLite: the IMMEDIATE write lock)."""

    def setUp(self) -> None:
        self.world = World()
        make_eligible(self.world)
        self.dataset = create_dataset(self.world.supervisor, self.world.contract, name="住民基本台帳抜粋",
                                      source="entrusted", fields=FIELDS, purposes=["照合"], expected_rows=100)
        import_file(self.world.responsible, self.dataset,
                    io.BytesIO((HEADER + "".join(ROW.format(n=n) for n in range(3))).encode("cp932")))
        self.purpose = Purpose.objects.get(dataset=self.dataset)
        disposal.instruct_disposal(self.world.supervisor, self.dataset, instruction_note=NOTE)

    def dispose(self) -> Worker:
        fresh = Dataset.objects.get(pk=self.dataset.pk)
        return Worker(lambda: disposal.dispose(self.world.responsible, fresh, place=PLACE, person_in_charge=PERSON))

    def add(self, dataset: Dataset) -> Worker:
        return Worker(lambda: access.add_record(self.world.worker, dataset, self.purpose, INSIDE, VALUES))

    def finish(self, paused: Paused, first: Worker, second: Worker) -> None:
        """Let `second` run into the lock `first` holds, check that it waits, then let both finish."""
        second.start()
        second.join(BLOCKED)
        blocked = second.is_alive()
        paused.release.set()
        first.join(WAIT)
        second.join(WAIT)
        self.assertFalse(first.is_alive() or second.is_alive(), "a thread did not finish")
        self.assertTrue(blocked, "the second thread did not wait for the first one's lock")

    def test_an_add_in_progress_is_disposed_of_with_the_rest(self) -> None:
        paused = Paused(access._seal)
        with mock.patch.object(access, "_seal", paused):
            adding = self.add(self.dataset)
            adding.start()
            self.assertTrue(paused.reached.wait(WAIT), "the add did not get inside its transaction")
            disposing = self.dispose()
            self.finish(paused, adding, disposing)
        self.assertIsNone(adding.error)
        self.assertIsNone(disposing.error)
        self.assertEqual(disposing.result.records, 4)  # the three imported and the one added
        self.assertEqual(tasks.run_deletion(disposing.result.pk), 4)
        self.assertFalse(Record.objects.filter(pk=adding.result).exists())

    def test_an_add_waiting_for_a_disposal_is_refused_after_it(self) -> None:
        stale = Dataset.objects.get(pk=self.dataset.pk)  # loaded before the disposal: it holds the keys
        paused = Paused(disposal.record, when=lambda kind, **_: kind == "vault.disposed")
        with mock.patch.object(disposal, "record", paused):
            disposing = self.dispose()
            disposing.start()
            self.assertTrue(paused.reached.wait(WAIT), "the disposal did not get inside its transaction")
            adding = self.add(stale)
            self.finish(paused, disposing, adding)
        self.assertIsNone(disposing.error)
        self.assertIsInstance(adding.error, access.AccessRefused)
        self.assertEqual(disposing.result.records, 3)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 3)
        self.assertFalse(Event.objects.filter(kind="data.added").exists())

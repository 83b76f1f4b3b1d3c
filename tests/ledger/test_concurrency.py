"""Many writers at once on one contract's chain: it stays gapless and valid on both engines."""

from __future__ import annotations

import threading

from django.db import connection, transaction

from itaku.ledger.models import Event
from itaku.ledger.services import record, verify_chain
from tests.base import LedgerTransactionTestCase

THREADS = 8
APPENDS = 25


class ConcurrentAppendTests(LedgerTransactionTestCase):
    def test_parallel_writers_keep_the_chain_gapless(self) -> None:
        errors: list[BaseException] = []
        start = threading.Barrier(THREADS)

        def writer(n: int) -> None:
            try:
                start.wait()
                for i in range(APPENDS):
                    with transaction.atomic():
                        record("test.concurrent", chain="contract:race", facts={"writer": n, "i": i})
            except BaseException as exc:  # reported to the main thread below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        seqs = list(Event.objects.filter(chain="contract:race").order_by("seq").values_list("seq", flat=True))
        self.assertEqual(seqs, list(range(1, THREADS * APPENDS + 1)))
        result = verify_chain("contract:race")
        self.assertTrue(result.ok, result.reason)
        self.assertEqual(result.events, THREADS * APPENDS)

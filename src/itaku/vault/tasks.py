"""The deletion that follows a cryptographic erasure: ciphertexts and index entries, chunk by chunk.

The data is unreadable from the moment the keys are destroyed (`disposal.dispose`); deleting the rows only
frees the space, so it runs in the background. Each chunk is one transaction that deletes the lowest
`size` remaining records of the dataset (by id, above where the previous chunk ended, so no chunk scans
what earlier ones deleted) and as many index entries as they can be in (one per searchable field; an
import's entries each hold many records), and adds the counts to the disposal row: a crash
loses at most the chunk in flight, and running the deletion again simply continues with whatever
remains. When nothing is left the deletion is finished once, with a `vault.deletion_finished` ledger
event holding the counts and the time it took.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from itaku.ledger.services import record
from itaku.vault.models import Disposal, Field

CHUNK = 10_000


def _bound(cursor: Any, dataset_id: int, after: int, size: int) -> int | None:
    """The id of the `size`-th remaining record above `after` (or of the last one); None when none is left."""
    cursor.execute("SELECT id FROM vault_record WHERE dataset_id = %s AND id > %s ORDER BY id LIMIT 1 OFFSET %s",
                   [dataset_id, after, size - 1])
    row = cursor.fetchone()
    if row is None:
        cursor.execute("SELECT MAX(id) FROM vault_record WHERE dataset_id = %s AND id > %s", [dataset_id, after])
        row = cursor.fetchone()
    return row[0]


def delete_chunk(disposal_id: int, *, size: int = CHUNK, after: int = 0) -> tuple[int, int]:
    """Delete the lowest `size` records of the disposed dataset above id `after`, with their index entries,
    in one transaction.

    Returns the records deleted and the highest id deleted, to pass as `after` to the next call so that
    the scan starts where the last one ended; (0, …) means nothing was left at all, and the deletion is
    then marked finished. The disposal row is locked, so two runs of one deletion take turns.
    """
    if size < 1:
        raise ValueError("size must be a positive integer")
    with transaction.atomic():
        disposal = Disposal.objects.select_for_update().get(pk=disposal_id)
        if disposal.dataset_id is None or disposal.deletion_finished is not None:
            return 0, after
        now = timezone.now()
        if disposal.deletion_started is None:
            disposal.deletion_started = now
            Disposal.objects.filter(pk=disposal.pk).update(deletion_started=now)
        dataset = disposal.dataset_id
        with connection.cursor() as cursor:
            bound = _bound(cursor, dataset, after, size)
            if bound is None and after:  # anything left below the cursor (a run that began elsewhere)
                after = 0
                bound = _bound(cursor, dataset, after, size)
            # Index entries at the pace of the records: a record is in at most one entry per searchable
            # field, so the entries end no later than the records (an import's entries each hold many).
            if bound is None:  # nothing left but what entries remain (none, unless the pace was outrun)
                cursor.execute("DELETE FROM vault_indexentry WHERE dataset_id = %s", [dataset])
                disposal.deleted_index_entries += cursor.rowcount
                Disposal.objects.filter(pk=disposal.pk).update(deleted_index_entries=disposal.deleted_index_entries)
                _finish(disposal, now)
                return 0, after
            pace = size * max(1, Field.objects.filter(dataset_id=dataset, searchable=True).count())
            cursor.execute("DELETE FROM vault_indexentry WHERE id IN (SELECT id FROM vault_indexentry"
                           " WHERE dataset_id = %s ORDER BY id LIMIT %s)", [dataset, pace])
            entries = cursor.rowcount
            cursor.execute("DELETE FROM vault_record WHERE dataset_id = %s AND id > %s AND id <= %s",
                           [dataset, after, bound])
            records = cursor.rowcount
        Disposal.objects.filter(pk=disposal.pk).update(
            deleted_records=F("deleted_records") + records, deleted_index_entries=F("deleted_index_entries") + entries)
        return records, bound


def _finish(disposal: Disposal, now: dt.datetime) -> None:
    Disposal.objects.filter(pk=disposal.pk).update(deletion_finished=now)
    contract = disposal.contract
    milliseconds = round((now - disposal.deletion_started).total_seconds() * 1000)
    record("vault.deletion_finished", chain=contract.ledger_chain, articles=contract.articles_for("disposal"),
           facts={"disposal": disposal.pk, "dataset": disposal.dataset_id, "records": disposal.deleted_records,
                  "index_entries": disposal.deleted_index_entries, "milliseconds": milliseconds})


def run_deletion(disposal_id: int, *, size: int = CHUNK) -> int:
    """Delete chunk after chunk until nothing remains; returns the records deleted by this run."""
    total, after = 0, 0
    while True:
        deleted, after = delete_chunk(disposal_id, size=size, after=after)
        if not deleted:
            return total
        total += deleted


@task()
def delete_disposed_data(disposal_id: int) -> int:
    """The background job `disposal.dispose` enqueues; safe to enqueue again after a crash."""
    return run_deletion(disposal_id)

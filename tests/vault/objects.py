"""URL parameters of the vault: a dataset with one record inside the world's contract."""

from __future__ import annotations

import io

from itaku.vault.models import Dataset, Record
from itaku.vault.services import create_dataset, import_file
from tests.vault.test_import import FIELDS, HEADER, ROW


def url_params(world) -> dict[str, int]:
    dataset = create_dataset(world.supervisor, world.contract, name="住民基本台帳抜粋",
                             source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"], expected_rows=100)
    import_file(world.responsible, dataset, io.BytesIO((HEADER + ROW.format(n=1)).encode("cp932")))
    from tests.vault.outflow_objects import outflow_params  # copies, return, disposal (articles 10, 12, 13)

    return {"dataset": dataset.pk, "record": Record.objects.get(dataset=dataset).pk,
            **outflow_params(world, dataset)}

"""URL parameters of the copies, return and disposal pages: one of each inside the world's contract."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.places.models import WorkLocation
from itaku.vault import copies, disposal, returns
from itaku.vault.models import Dataset
from tests.people.helpers import report_location


def outflow_params(world, dataset: Dataset) -> dict[str, int]:
    report_location(world)
    place = WorkLocation.objects.filter(contract=world.contract, name="本社作業室").latest("pk")
    request = copies.request_copy(
        world.responsible, dataset, purpose=dataset.purposes.get(), fields=list(dataset.fields.all()[:2]),
        medium="紙", holder=world.worker, place=place,
        destroy_by=timezone.localdate() + dt.timedelta(days=10))
    returns.request_return(world.supervisor, world.contract)
    package = returns.build_return(world.responsible, world.contract)
    instruction = disposal.instruct_media_disposal(world.supervisor, world.contract,
                                                   instruction_note="申請書の原本を廃棄してください。")
    done = disposal.record_media_disposal(
        world.responsible, instruction, items=["氏名"], medium="紙", records=1, files=1,
        disposed_at=timezone.now(), method="溶解", place="本社", person_in_charge="鈴木")
    return {"copy_request": request.pk, "package": package.pk, "instruction": instruction.pk,
            "disposal": done.pk}

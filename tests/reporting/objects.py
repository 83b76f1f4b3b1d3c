"""URL parameters of the reporting pages: a compiled report, an answered request with its attachment and an
emergency contact, inside the world's contract."""

from __future__ import annotations

from itaku.reporting import periods, services
from tests.reporting.support import answered_request, both_sides


def url_params(world) -> dict[str, int]:
    services.set_schedule(world.supervisor, world.contract, frequency=periods.MONTHLY)
    report = services.compile_report(world.responsible, world.contract,
                                     periods.containing(world.contract.start, periods.MONTHLY))
    asked = answered_request(world)
    both_sides(world)
    return {"report": report.pk, "asked": asked.pk, "attachment": asked.attachments.get().pk,
            "contact": services.procedure_of(world.contract).contacts.first().pk}

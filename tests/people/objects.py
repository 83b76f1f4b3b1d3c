"""URL parameters of the people app: a structure version and a pledge inside the world's contract."""

from __future__ import annotations

from itaku.people import services as people


def url_params(world) -> dict[str, int]:
    version = people.save_version(
        world.responsible, world.contract, responsible=world.responsible, description="体制",
        members=[(world.worker, "入力")],
    )
    pledge = people.accept_pledge(world.worker, world.contract)
    return {"number": version.number, "pledge": pledge.pk}

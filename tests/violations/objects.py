"""URL parameters of the violations register: a violation recorded on the world's contract."""

from __future__ import annotations

from itaku.violations import services


def url_params(world) -> dict[str, int]:
    rows = services.refresh(world.supervisor, world.contract)  # no responsible person yet: article 2 violated
    return {"violation": rows[0].pk}

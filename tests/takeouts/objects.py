"""URL parameters of the take-outs: a permitted destination and a take-out awaiting approval."""

from __future__ import annotations

from tests.takeouts.factory import destination, request


def url_params(world) -> dict[str, int]:
    to = destination(world)
    return {"destination": to.pk, "takeout": request(world, to=to).pk}

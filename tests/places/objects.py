"""The objects the places URLs name, for tests/test_access.py."""

from __future__ import annotations

from tests.places.factory import add


def url_params(world) -> dict[str, int]:
    return {"location": add(world).pk}

"""Work locations for tests: one call to record, one to have the authority acknowledge."""

from __future__ import annotations

from typing import Any

from itaku.places import services
from itaku.places.models import WorkLocation

FIELDS: dict[str, Any] = {
    "name": "本社データ入力室",
    "address": "東京都品川区広町2-1-36",
    "room": "3F 301",
    "networks": "192.0.2.0/24\n2001:db8:1::/48",
    "storage": "暗号化された保管庫（紙の帳票は301室の施錠書庫）",
    "safeguards": "ICカードによる入退室管理、私物スマートフォン持込禁止",
}


def add(world, **changes: Any) -> WorkLocation:
    return services.add_location(world.responsible, world.contract, **{**FIELDS, **changes})


def acknowledged(world, **changes: Any) -> WorkLocation:
    location = add(world, **changes)
    services.report_location(world.responsible, location)
    services.decide_location(world.supervisor, location, acknowledge=True)
    return location

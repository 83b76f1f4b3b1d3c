"""Take-outs for tests: a permitted destination, an acknowledged origin and a request by the worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from itaku.takeouts import services
from itaku.takeouts.models import Destination, TakeOut
from tests.places.factory import acknowledged


def destination(world, name: str = "品川区役所 税務課", kind: str = Destination.Kind.AUTHORITY_OFFICE) -> Destination:
    return services.add_destination(world.supervisor, world.contract, name=name, kind=kind,
                                    address="東京都品川区広町2-1-36")


def request(world, *, by=None, origin=None, to: Destination | None = None, **changes: Any) -> TakeOut:
    """The worker asks to take 3 sheets of paper to the authority's office tomorrow, back the day after."""
    now = timezone.now()
    items: dict[str, Any] = {
        "source": TakeOut.Source.MEDIUM, "items": "課税資料（原本）", "medium": TakeOut.Medium.PAPER, "count": 3,
        "origin": origin or acknowledged(world), "destination": to or destination(world),
        "purpose": "原本の返却", "transport": "徒歩・施錠鞄", "out_at": now + dt.timedelta(hours=1),
        "back_by": now + dt.timedelta(days=2), "carrier": world.worker,
    }
    return services.request_takeout(by or world.worker, world.contract, **{**items, **changes})


def approved(world, **changes: Any) -> TakeOut:
    takeout = request(world, **changes)
    services.decide(world.responsible, takeout, approve=True)
    return takeout


def out(world, **changes: Any) -> TakeOut:
    takeout = approved(world, **changes)
    return services.check_out(world.worker, takeout)

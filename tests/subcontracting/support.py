"""Requests through the real flow: the items of article 8-1, submitted, consented and decided."""

from __future__ import annotations

import datetime as dt
from typing import Any

from itaku.contracts.models import Party
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.models import Request
from tests.base import World


def items(world: World, name: str = "株式会社下請データ", **changes: Any) -> subcontracting.Items:
    values: dict[str, Any] = {
        "work": "住民税課税資料のデータ入力（パンチ業務）の一部",
        "subcontractor_name": name, "subcontractor_address": "東京都品川区大崎1-2-3",
        "subcontractor_representative": "代表取締役 下請 一郎", "subsidiary": False,
        "start": world.contract.start, "end": world.contract.end - dt.timedelta(days=10),
        "necessity": "繁忙期の入力量が自社の体制を超えるため。",
        "safeguards": "本契約の特記事項と同等の安全管理措置（施錠室での作業、研修、誓約書）を再委託契約で義務付ける。",
        "supervision_method": "月次の作業報告の確認と四半期ごとの立入確認。", "supervision_months": 3,
    }
    values.update(changes)
    return subcontracting.Items(**values)


def approved(world: World, by, data=(), name: str = "株式会社下請データ", consenting=None, **changes: Any) -> Request:
    """A request by `by` (the contractor's or a subcontractor's responsible person), consented by
    `consenting` where it is a further level, and approved by the world's supervisor."""
    request = subcontracting.save_request(by, world.contract, items(world, name, **changes), list(data))
    subcontracting.submit_request(by, request)
    if request.needs_consent:
        subcontracting.consent(consenting, request, approve=True)
    subcontracting.decide(world.supervisor, request, approve=True)
    request.refresh_from_db()
    return request


def party_of(request: Request) -> Party:
    return Party.objects.get(pk=request.party_id)

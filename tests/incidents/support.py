"""An incident as the pages and controls meet it: raised, written up, shifted in time where a test needs it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from itaku.incidents import services
from itaku.incidents.models import Incident
from tests.base import World

SUMMARY = "納税通知書の封入作業で、別人の通知書が1通混入したおそれがある。"


def report(known_on: dt.date | None = None, **changes: Any) -> dict[str, Any]:
    today = known_on or timezone.localdate()
    values: dict[str, Any] = {
        "what_happened": "封入封緘機の設定誤りにより、1通の封筒に2名分の通知書が入った。",
        "occurred_on": today, "found_on": today, "found_by": "受託者の作業責任者",
        "cause": "封入封緘機の厚み検知の設定漏れ", "data_items": "氏名、住所、税額", "media": "紙",
        "people_count": 2, "containment": "残りの封筒を全数開封して確認した。",
        "recurrence_done": "厚み検知の設定を作業前点検に追加した。", "recurrence_planned": "二人での確認",
    }
    return values | changes


def raised(world: World, by=None, kind: str = Incident.Kind.SUSPECTED) -> Incident:
    return services.raise_incident(by or world.worker, world.contract, kind=kind, summary=SUMMARY)


def written(world: World, incident: Incident | None = None, **changes: Any) -> Incident:
    """Raised, written up and submitted by the responsible person."""
    incident = incident or raised(world)
    services.save_report(world.responsible, incident, **report(incident.known_on, **changes))
    services.submit_report(world.responsible, incident)
    incident.refresh_from_db()
    return incident


def known_days_ago(incident: Incident, days: int) -> Incident:
    """As if the incident had been notified `days` ago (its report due date counted from then)."""
    from itaku.incidents import statutory

    known = timezone.localdate() - dt.timedelta(days=days)
    Incident.objects.filter(pk=incident.pk).update(
        known_on=known, report_due=statutory.report_due(known), noticed_at=timezone.now() - dt.timedelta(days=days))
    incident.refresh_from_db()
    return incident

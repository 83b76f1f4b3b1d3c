"""Plain data for the 個人情報取扱状況報告書: the submitted round's frozen figures where a round holds, the
figures compiled now otherwise (marked as not submitted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.reporting import services
from itaku.reporting.compile import compile_figures
from itaku.reporting.models import PeriodicReport
from itaku.reporting.periods import Period

_STATUS = {
    "submitted": ("提出済み（受理待ち）", "Submitted, awaiting acknowledgement"),
    "acknowledged": ("受理", "Acknowledged"),
    "returned": ("差戻し", "Returned"),
}


def periodic_data(contract: Contract, period: Period) -> dict[str, Any]:
    report = PeriodicReport.objects.filter(contract=contract, period=period.label).first()
    latest = services.report_status(report)
    if latest is not None and latest.status in ("submitted", "acknowledged"):
        snapshot = latest.snapshot
        figures, remarks, due_on = snapshot["figures"], snapshot["remarks"], dt.date.fromisoformat(snapshot["due_on"])
        submitted_on = timezone.localdate(latest.submitted_at)
        submitted_by = latest.submitted_by.display_name or latest.submitted_by.username
        status_ja, status_en = _STATUS[latest.status]
        sha = latest.snapshot_sha256
        round_ = latest.round
    else:
        figures = compile_figures(contract, period)
        remarks = report.remarks if report else ""
        due_on = services.period_due_on(contract, period)
        submitted_on, submitted_by, sha, round_ = None, "", "", None
        status_ja, status_en = ("未提出（現時点の集計）", "Not submitted (figures as of now)") if latest is None \
            else _STATUS[latest.status]
    return {
        "period": figures["period"], "period_ja": figures["period_ja"],
        "from": dt.date.fromisoformat(figures["from"]), "to": dt.date.fromisoformat(figures["to"]),
        "due_on": due_on, "figures": figures, "remarks": remarks,
        "submitted_on": submitted_on, "submitted_by": submitted_by, "snapshot_sha256": sha, "round": round_,
        "status_ja": status_ja, "status_en": status_en,
        "articles": contract.articles_for("reporting"),
    }

"""The plain data of the written documents of article 8: the request (再委託承認申請書) and the authority's
answer to one round of it (承認通知 / 不承認通知). Both read the items from a snapshot: the request's as it
stands, the notice's as it was submitted in that round, which is exactly what the approval holds for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from itaku.accounts.models import Organisation
from itaku.subcontracting import services
from itaku.subcontracting.models import Request
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission


def _level(level: int) -> dict[str, str]:
    """再委託 for the contractor's own subcontractor, 再々委託 for the next, and so on (paragraph 5)."""
    name = "再" + "々" * (level - 1) + "委託"
    return {"ja": f"第{level}次（{name}）", "en": f"level {level}"}


def _party(organisation: Organisation, request: Request) -> dict[str, Any]:
    if request.parent_id is None:
        position_ja, position_en = "受託者", "Contractor"
    else:
        position_ja = f"第{request.parent.level}次再委託先"
        position_en = f"Subcontractor, level {request.parent.level}"
    return {"name": organisation.name, "address": organisation.address, "representative": organisation.representative,
            "position_ja": position_ja, "position_en": position_en}


def _items(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Items ア–キ, the data needed and the draft subcontract, from a request's snapshot."""
    start, end = (dt.date.fromisoformat(day) for day in snapshot["period"])
    draft = snapshot["draft_subcontract"]
    return {
        "work": snapshot["work"],
        "subcontractor": dict(snapshot["subcontractor"]),
        "start": start, "end": end,
        "necessity": snapshot["necessity"],
        "safeguards": snapshot["safeguards"],
        "supervision_method": snapshot["supervision"]["method"],
        "supervision_months": snapshot["supervision"]["months"],
        "extra": [{"item": e["item"], "answer": e["answer"]} for e in snapshot["extra"]],
        "data": [{"name": d["name"], "fields": list(d["fields"])} for d in snapshot["data"]],
        "draft_subcontract": {"filename": draft["filename"], "sha256": draft["sha256"]} if draft else None,
    }


def _consent(request: Request) -> dict[str, Any] | None:
    """The consent of the party above, for a further level: who and when."""
    if not request.needs_consent:
        return None
    given = submissions.rounds(request, services.CONSENT).filter(status=Submission.Status.APPROVED) \
        .select_related("decided_by__organisation").order_by("-round").first()
    if given is None:
        return None
    return {"by": given.decided_by.organisation.name if given.decided_by.organisation else "",
            "person": given.decided_by.display_name or given.decided_by.username,
            "on": timezone.localdate(given.decided_at)}


def application_data(request: Request) -> dict[str, Any]:
    """再委託承認申請書: the request as it stands; dated and hashed by its newest round when that round was
    submitted with exactly these items, otherwise marked as not (yet) submitted."""
    snapshot = request.snapshot()
    handed_in = submissions.latest(request, services.REQUEST) or submissions.latest(request, services.CONSENT)
    current = handed_in is not None and handed_in.matches(request)
    status = services.status(request)
    return {
        "request": request.pk,
        "requester": _party(request.requester, request),
        "level": _level(request.level),
        "replaces": request.replaces_id,
        **_items(snapshot),
        "submitted_on": timezone.localdate(handed_in.submitted_at) if current else None,
        "submitted_by": (handed_in.submitted_by.display_name or handed_in.submitted_by.username) if current else "",
        "round": handed_in.round if current else None,
        "snapshot_sha256": handed_in.snapshot_sha256 if current else "",
        "consent": _consent(request),
        "status_ja": status.label_ja, "status_en": status.label_en,
    }


def notice_data(request: Request, decision: Submission) -> dict[str, Any]:
    """承認通知 / 不承認通知: the authority's decision on one round, with the items as that round froze them."""
    decided_by = decision.decided_by
    return {
        "request": request.pk,
        "round": decision.round,
        "approved": decision.status == Submission.Status.APPROVED,
        "decided_on": timezone.localdate(decision.decided_at),
        "decided_by": decided_by.display_name or decided_by.username,
        "authority": request.contract.authority.name,
        "requester": _party(request.requester, request),
        "level": _level(request.level),
        "submitted_on": timezone.localdate(decision.submitted_at),
        "snapshot_sha256": decision.snapshot_sha256,
        "comment": decision.comment,
        "articles": request.contract.articles_for("subcontracting"),
        **_items(decision.snapshot),
    }


def decided_round(request: Request, number: int) -> Submission | None:
    """The authority's decided round `number` of the request (an open round has no notice yet)."""
    return submissions.rounds(request, services.REQUEST).filter(
        round=number, status__in=(Submission.Status.APPROVED, Submission.Status.REJECTED),
    ).select_related("decided_by", "submitted_by").first()

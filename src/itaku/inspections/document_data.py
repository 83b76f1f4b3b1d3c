"""The plain data the inspection report is rendered from (dates, names and texts; no model objects)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from itaku.inspections import services
from itaku.inspections.models import ChecklistItem, Inspection
from itaku.submissions import services as submissions

_RESULTS = {
    ChecklistItem.Result.CONFORMING: ("適合", "Conforming"),
    ChecklistItem.Result.FINDING: ("指摘", "Finding"),
    ChecklistItem.Result.NOT_APPLICABLE: ("該当なし", "Not applicable"),
    "": ("未記録", "Not recorded"),
}
_KINDS = {Inspection.Kind.ON_SITE: ("立入検査", "On-site inspection"),
          Inspection.Kind.INVESTIGATION: ("調査", "Investigation")}
_STATUS = {"submitted": ("確認待ち", "Awaiting the authority"), "acknowledged": ("受理", "Acknowledged"),
           "returned": ("差戻し", "Returned"), None: ("未提出", "Not answered")}


def _status(subject: Any, kind: str) -> tuple[str, str]:
    latest = submissions.latest(subject, kind)
    return _STATUS[latest.status if latest else None]


def report_data(inspection: Inspection) -> dict[str, Any]:
    """Everything the 立入検査・調査結果報告書 states: date, party, inspectors, every item with its result and
    notes, the findings, the instructions and the reports requested."""
    items = list(inspection.items.all())
    kind = _KINDS[inspection.kind]
    return {
        "inspection": inspection.pk, "kind_ja": kind[0], "kind_en": kind[1],
        "held_on": inspection.held_on, "party": inspection.party.name,
        "contractor": inspection.party_id == inspection.contract.contractor_id,
        "inspectors": [str(user) for user in inspection.inspectors.order_by("pk")],
        "scope": inspection.scope, "summary": inspection.summary,
        "closed_on": timezone.localdate(inspection.closed_at) if inspection.closed_at else None,
        "articles": inspection.contract.articles_for("inspection"),
        "items": [{"reference": i.reference, "heading": i.heading, "label": i.label, "lead": i.lead,
                   "text": i.text, "result_ja": _RESULTS[i.result][0], "result_en": _RESULTS[i.result][1],
                   "finding": i.result == ChecklistItem.Result.FINDING, "notes": i.notes} for i in items],
        "instructions": [
            {"item": i.item.reference if i.item_id else "", "text": i.text, "due_on": i.due_on,
             "answer": i.answer, "status": _status(i, services.INSTRUCTION),
             "closed_on": services.closed_on(i)}
            for i in inspection.instructions.select_related("item")
        ],
        "reports": [
            {"question": r.question, "due_on": r.due_on, "answer": r.answer,
             "attachment": r.attachment.describe() if r.attachment_id else None,
             "status": _status(r, services.REPORT),
             "delivered_on": services.answered_on(r)}
            for r in inspection.reportrequests.select_related("attachment")
        ],
    }

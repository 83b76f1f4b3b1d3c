"""Compiling a periodic report from what the system holds: the ledger of the period counted in the database
(one query grouped by kind, one by purpose, one for the head), the current state of the people, training and
controls. Never iterates events in Python: a contract with a million events compiles in a few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Event
from itaku.people import services as people
from itaku.provisions.controls import State
from itaku.reporting.periods import Period
from itaku.training import services as training
from itaku.vault.models import Purpose

ACCESS_KINDS = ("data.searched", "data.viewed")

# (code, Japanese, English, kinds or prefixes of kinds counted in the section)
SECTIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("structure", "体制及びその変更", "Structure and its changes", ("people.",)),
    ("training", "研修の実施", "Training", ("training.",)),
    ("eligibility", "取扱資格による拒否", "Refusals by eligibility", ("eligibility.",)),
    ("access", "個人情報の利用", "Use of personal data", ("data.",)),
    ("copies", "複写・複製", "Copies", ("vault.copy",)),
    ("takeouts", "持出し", "Take-outs", ("takeout.", "takeouts.")),
    ("returns", "返還", "Returns", ("vault.return", "vault.handover")),
    ("disposals", "廃棄", "Disposals", ("vault.dispos", "vault.media_disposed", "vault.deletion")),
    ("subcontracting", "再委託", "Subcontracting", ("subcontracting.",)),
    ("incidents", "事故", "Incidents", ("incident.", "incidents.")),
    ("inspections", "立入検査・調査", "Inspections and investigations", ("inspection.", "inspections.")),
)

KIND_LABELS = {
    "people.structure_saved": "体制の登録・変更",
    "people.structure.submitted": "体制の提出",
    "people.structure.acknowledged": "体制の受理",
    "people.structure.returned": "体制の差戻し",
    "people.pledge_accepted": "誓約書の提出",
    "people.departed": "業務従事者の離任",
    "training.completion_recorded": "研修修了の記録",
    "training.course_added": "研修の登録",
    "training.imported": "研修記録の取込み",
    "eligibility.refused": "取扱資格がなく拒否",
    "data.searched": "検索",
    "data.viewed": "閲覧",
    "data.added": "登録",
    "data.corrected": "訂正",
    "data.copied": "複製の作成",
    "data.refused": "アクセスの拒否",
    "data.limit_exceeded": "上限超過",
    "data.returned_package": "返還データの作成",
    "vault.copy_requested": "複製の申請",
    "vault.copy_destroyed": "複製の廃棄",
    "vault.copy_changed": "複製の変更",
    "vault.return_requested": "返還の指示",
    "vault.return_downloaded": "返還データの受領",
    "vault.handover_recorded": "授受の記録",
    "vault.disposal_instructed": "廃棄の指示",
    "vault.disposed": "廃棄の実施",
    "vault.media_disposed": "媒体の廃棄",
    "vault.deletion_finished": "暗号文の削除完了",
    "subcontracting.party_entered": "再委託先の追加",
    "subcontracting.revoked": "再委託承認の取消し",
    "subcontracting.supervised": "再委託先の監督",
    "incident.suspected": "事故・事故のおそれの報告",
    "takeout.checked_out": "持出し",
    "takeout.checked_in": "持出しからの返却",
    "inspection.scheduled": "立入検査・調査の予定",
}


def bounds(period: Period, contract: Contract) -> tuple[dt.date, dt.date]:
    """The days the report covers: the period, within the contract's own term."""
    return max(period.start, contract.start), min(period.end, contract.end)


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _section_of(kind: str) -> str:
    for code, _ja, _en, prefixes in SECTIONS:
        if any(kind.startswith(prefix) for prefix in prefixes):
            return code
    return "other"


def _accesses(events: Any) -> list[dict[str, Any]]:
    """Searches and views counted per declared purpose, in the database."""
    counted = events.filter(kind__in=ACCESS_KINDS).values("kind", "facts__purpose").annotate(n=Count("pk"))
    by_purpose: dict[int | None, dict[str, int]] = {}
    for row in counted:
        purpose = row["facts__purpose"]
        key = int(purpose) if isinstance(purpose, int | str) and str(purpose).isdigit() else None
        by_purpose.setdefault(key, {})[row["kind"].removeprefix("data.")] = row["n"]
    names = {p.pk: (p.title, p.dataset.name) for p in
             Purpose.objects.filter(pk__in=[k for k in by_purpose if k is not None]).select_related("dataset")}
    rows = []
    for key in sorted(by_purpose, key=lambda k: (k is None, k or 0)):
        title, dataset = names.get(key, ("—", "—")) if key is not None else ("（目的の記録なし）", "—")
        counts = by_purpose[key]
        rows.append({"purpose": key, "title": title, "dataset": dataset,
                     "searched": counts.get("searched", 0), "viewed": counts.get("viewed", 0)})
    return rows


def _findings(contract: Contract) -> list[dict[str, Any]]:
    return [
        {"control": result.control.code, "title_ja": result.control.title_ja, "title_en": result.control.title_en,
         "state": result.state.value, "state_ja": result.state.label_ja, "state_en": result.state.label_en,
         "findings": sum(1 for f in result.findings if f.state != State.OK),
         "articles": list(result.articles)}
        for result in evaluate_controls(contract) if result.state != State.OK
    ]


def _people(contract: Contract) -> dict[str, int]:
    named = people.structure_people(contract)
    to_train = training.people_to_train(contract)
    return {"in_structure": len(named), "former": len(people.former_workers(contract)),
            "to_train": len(to_train),
            "untrained": sum(1 for person in to_train if training.missing_topics(person, contract))}


def ledger_figures(contract: Contract, period: Period) -> dict[str, Any]:
    """What the ledger says of the period: counts by kind in sections, accesses by purpose, the head at its end."""
    first, last = bounds(period, contract)
    start, end = _moment(first), _moment(last + dt.timedelta(days=1))
    events = Event.objects.filter(chain=contract.ledger_chain, time__gte=start, time__lt=end)
    by_kind = {row["kind"]: row["n"] for row in events.values("kind").annotate(n=Count("pk")).order_by()}
    sections: dict[str, dict[str, Any]] = {}
    for code, ja, en, _prefixes in (*SECTIONS, ("other", "その他の記録", "Other events", ())):
        sections[code] = {"code": code, "title_ja": ja, "title_en": en, "total": 0, "rows": []}
    for kind in sorted(by_kind):
        section = sections[_section_of(kind)]
        section["rows"].append({"kind": kind, "label_ja": KIND_LABELS.get(kind, ""), "count": by_kind[kind]})
        section["total"] += by_kind[kind]
    head = Event.objects.filter(chain=contract.ledger_chain, time__lt=end).order_by("-seq") \
        .values("seq", "hash", "time").first()
    return {
        "period": period.label, "period_ja": period.label_ja, "frequency": period.frequency,
        "from": first.isoformat(), "to": last.isoformat(),
        "events": sum(by_kind.values()),
        "sections": list(sections.values()),
        "accesses": _accesses(events),
        "ledger_head": {"seq": head["seq"], "hash": head["hash"],
                        "time": timezone.localtime(head["time"]).isoformat(timespec="seconds")}
        if head else {"seq": 0, "hash": "", "time": ""},
    }


def compile_figures(contract: Contract, period: Period) -> dict[str, Any]:
    """The report's figures for `period`, as plain JSON (ints and strings): what a snapshot freezes."""
    return {**ledger_figures(contract, period), "people": _people(contract), "open_findings": _findings(contract)}

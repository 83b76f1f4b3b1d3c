"""Controls for article 8 (再委託の制限): handling only under an approval in force and within its fields,
supervision at the declared frequency, reports delivered, and every subcontractor through the same gates
as the contractor before its people handle data. Findings name the organisation concerned; they count
against the contract, as the contractor stays liable for its whole chain (paragraph 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts import chain
from itaku.contracts.models import Contract, Party
from itaku.ledger.models import Event
from itaku.people import services as people
from itaku.places import services as places
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.rules.services import current_state
from itaku.subcontracting import services
from itaku.subcontracting.models import Request
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.training import services as training

# Refusals are recorded as data.* events too, but nothing was handled.
_NOT_HANDLING = ("data.refused", "data.limit_exceeded")
SUPERVISION_DUE_SOON_DAYS = 14
REPORT_DUE_SOON_DAYS = 3


def _handled(contract: Contract, organisation_id: int) -> Iterator[Event]:
    return chain.handled_by(contract, organisation_id).exclude(kind__in=_NOT_HANDLING).order_by("seq").iterator()


def _windows(party: Party) -> list[tuple[Request, dt.datetime, dt.datetime | None]]:
    """Each approved request of the party, newest first: (request, approved at, revoked or superseded at)."""
    windows = []
    for request in party.requests.order_by("-pk"):
        decision = submissions.rounds(request, services.REQUEST).filter(
            status=Submission.Status.APPROVED).order_by("-round").first()
        if decision is not None:
            ended = min((m for m in (request.revoked_at, request.superseded_at) if m is not None), default=None)
            windows.append((request, decision.decided_at, ended))
    return windows


def _approval_at(lineage: list[list[tuple[Request, dt.datetime, dt.datetime | None]]],
                 at: dt.datetime) -> Request | None:
    """The party's request in force at that moment (the first windows of `lineage`), provided one was in
    force at every level above it too; the windows are read once per party, not once per event."""
    day = timezone.localdate(at)
    found = [next((r for r, since, until in windows if since <= at and (until is None or at < until)
                   and r.in_period(day)), None) for windows in lineage]
    return found[0] if all(found) else None


def _fields(event: Event) -> set[str]:
    named = event.facts.get("fields") or []
    return set(named) | ({event.facts["field"]} if event.facts.get("field") else set())


@control("subcontracting.approved_handling", topics=["subcontracting"],
         title_ja="承認された再委託の範囲内での取扱い", title_en="Subcontractors handle data only as approved")
def approved_handling(contract: Contract) -> Iterator[Finding]:
    rows = chain.party_rows(contract)
    checked = 0
    for party in rows:
        approved_fields: dict[int, dict[int, set[str]]] = {}
        lineage = [_windows(p) for p in party.lineage()]
        for event in _handled(contract, party.organisation_id):
            checked += 1
            request = _approval_at(lineage, event.time)
            if request is None:
                yield Finding(State.VIOLATION,
                              f"【{party.organisation}】承認された再委託（又はその期間）の外で個人情報を取り扱いました。",
                              f"[{party.organisation}] handled personal data without a subcontracting approval in "
                              "force (or outside its period).", (Evidence.event(event),))
                break
            if request.pk not in approved_fields:
                approved_fields[request.pk] = services.approved_fields(request)
            allowed = approved_fields[request.pk].get(event.facts.get("dataset"), set())
            outside = sorted(_fields(event) - allowed)
            if outside:
                yield Finding(State.VIOLATION,
                              f"【{party.organisation}】承認されていない項目を取り扱いました（{'、'.join(outside)}）。",
                              f"[{party.organisation}] handled fields that were not approved ({', '.join(outside)}).",
                              (Evidence.event(event), Evidence.object(request)))
                break
    if not rows:
        yield Finding(State.OK, "再委託はありません。", "No subcontracting.")
    elif checked:
        yield Finding(State.OK, f"再委託先による取扱い {checked} 件を承認の範囲と照合しました。",
                      f"{checked} handling events by subcontractors checked against their approvals.")


def _in_force(contract: Contract) -> Iterator[tuple[Party, Request]]:
    for party in chain.party_rows(contract):
        request = services.current_request(party)
        if request is not None and services.in_force(request):
            yield party, request


@control("subcontracting.supervision", topics=["subcontracting"],
         title_ja="再委託先の監督", title_en="Supervision of subcontractors")
def supervision(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    for party, request in _in_force(contract):
        due = services.next_supervision_due(party)
        name = party.organisation
        if due is not None and due < today:
            yield Finding(State.OVERDUE,
                          f"【{name}】申請で定めた頻度（{request.get_supervision_months_display()}）の監督が"
                          f"{due:%Y-%m-%d}までに記録されていません。",
                          f"[{name}] no supervision recorded by {due:%Y-%m-%d} at the declared frequency.",
                          (Evidence.object(request),))
        elif due is not None and (due - today).days <= SUPERVISION_DUE_SOON_DAYS:
            yield Finding(State.DUE_SOON, f"【{name}】次の監督の期限は{due:%Y-%m-%d}です。",
                          f"[{name}] the next supervision is due by {due:%Y-%m-%d}.", (Evidence.object(request),))
        for open_ in party.supervisions.filter(issue_found=True, resolved_on=None):
            yield Finding(State.MISSING,
                          f"【{name}】{open_.held_on:%Y-%m-%d}の監督で指摘した事項の対応が完了していません。",
                          f"[{name}] the findings of the supervision on {open_.held_on:%Y-%m-%d} are not followed up.",
                          (Evidence.object(open_),))


@control("subcontracting.reports", topics=["subcontracting"],
         title_ja="再委託先に関する報告", title_en="Reports on subcontractors")
def reports(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    for party in chain.party_rows(contract):
        for asked in party.report_requests.all():
            if services.delivered_on(asked) is not None:
                continue
            name = party.organisation
            if asked.due_on < today:
                yield Finding(State.OVERDUE, f"【{name}】{asked.due_on:%Y-%m-%d}期限の報告が提出されていません。",
                              f"[{name}] the report due on {asked.due_on:%Y-%m-%d} has not been delivered.",
                              (Evidence.object(asked),))
            elif (asked.due_on - today).days <= REPORT_DUE_SOON_DAYS:
                yield Finding(State.DUE_SOON, f"【{name}】報告の期限は{asked.due_on:%Y-%m-%d}です。",
                              f"[{name}] a report is due on {asked.due_on:%Y-%m-%d}.", (Evidence.object(asked),))


def missing_gates(contract: Contract, party: Party) -> list[tuple[str, str]]:
    """What the party lacks of the gates every party must pass (articles 2–5, 15), as (ja, en) labels."""
    organisation = party.organisation
    missing = []
    if people.acknowledged_version(contract, organisation) is None:
        missing.append(("体制の受理", "an acknowledged structure"))
    named = people.structure_people(contract, organisation)
    if not named or any(training.missing_topics(person, contract) for person in named):
        missing.append(("研修の修了", "training"))
    if not named or any(people.valid_pledge(person) is None for person in named):
        missing.append(("誓約書", "pledges"))
    if current_state(contract, organisation.pk)["acknowledged"] is None:
        missing.append(("社内規程の受理", "acknowledged internal rules"))
    if not places.has_acknowledged_location(contract, organisation):
        missing.append(("作業場所の確認", "an acknowledged work location"))
    return missing


@control("subcontracting.gates", topics=["subcontracting"],
         title_ja="再委託先の体制・研修・誓約・規程・作業場所", title_en="Subcontractors pass the same gates")
def gates(contract: Contract) -> Iterator[Finding]:
    for party, request in _in_force(contract):
        missing = missing_gates(contract, party)
        name = party.organisation
        if not missing:
            yield Finding(State.OK, f"【{name}】体制・研修・誓約・規程・作業場所が揃っています。",
                          f"[{name}] structure, training, pledges, rules and locations are in place.")
            continue
        ja = "、".join(label for label, _ in missing)
        en = ", ".join(label for _, label in missing)
        handled = next(_handled(contract, party.organisation_id), None)
        if handled is not None:
            yield Finding(State.VIOLATION, f"【{name}】{ja}が揃わないまま個人情報を取り扱いました。",
                          f"[{name}] handled personal data without {en}.", (Evidence.event(handled),))
        else:
            yield Finding(State.MISSING, f"【{name}】{ja}がありません。", f"[{name}] lacks {en}.",
                          (Evidence.object(request),))


@control("subcontracting.subcontract_on_file", topics=["subcontracting"],
         title_ja="同等の安全管理措置を定めた再委託契約", title_en="Subcontract with equivalent safeguards on file")
def subcontract_on_file(contract: Contract) -> Iterator[Finding]:
    for party, request in _in_force(contract):
        if request.draft_subcontract_id is None:
            yield Finding(State.MISSING, f"【{party.organisation}】再委託契約書（案）が提出されていません。",
                          f"[{party.organisation}] no subcontract is on file with the approved request.",
                          (Evidence.object(request),))

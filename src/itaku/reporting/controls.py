"""Controls for article 17 (報告): periodic reports delivered by their due dates, reports the authority asked
for answered by theirs, and an emergency report procedure in place (17-2)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.reporting import services
from itaku.reporting.models import PeriodicReport, Side


@control("reporting.periodic", topics=["reporting"],
         title_ja="定期報告の提出", title_en="Periodic reports delivered on time")
def periodic(contract: Contract) -> Iterator[Finding]:
    if contract.status != Contract.Status.ACTIVE:
        return
    schedule = services.schedule_of(contract)
    if schedule is None:
        yield Finding(State.MISSING, "定期報告の頻度が定められていません。",
                      "No schedule of periodic reports has been set.")
        return
    today = timezone.localdate()
    soon = services.due_soon_limit(today)
    reports = {r.period: r for r in PeriodicReport.objects.filter(contract=contract)}
    ended = services.scheduled_periods(contract, ended_by=today)
    for period in ended:
        report = reports.get(period.label)
        if services.is_delivered(report):
            continue
        due = services.period_due_on(contract, period, schedule)
        evidence = (Evidence.object(report),) if report else (Evidence.object(schedule),)
        if due < today:
            yield Finding(State.OVERDUE,
                          f"{period.label_ja}の定期報告が期限（{due:%Y-%m-%d}）までに提出されていません。",
                          f"The periodic report for {period.label} was not submitted by {due:%Y-%m-%d}.", evidence)
        elif due <= soon:
            yield Finding(State.DUE_SOON, f"{period.label_ja}の定期報告の期限は{due:%Y-%m-%d}です。",
                          f"The periodic report for {period.label} is due on {due:%Y-%m-%d}.", evidence)
    if ended and all(services.is_delivered(reports.get(p.label)) for p in ended):
        yield Finding(State.OK, f"終了した{len(ended)}期間の定期報告はすべて提出されています。",
                      f"The periodic reports of all {len(ended)} ended periods were submitted.")


@control("reporting.on_request", topics=["reporting"],
         title_ja="求めに応じた報告", title_en="Reports on request answered on time")
def on_request(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    soon = services.due_soon_limit(today)
    for asked in contract.requested_reports.all():
        if services.is_answered(asked):
            continue
        if asked.due_on < today:
            yield Finding(State.OVERDUE, f"{asked.due_on:%Y-%m-%d}期限の報告が提出されていません。",
                          f"The report due on {asked.due_on:%Y-%m-%d} has not been submitted.",
                          (Evidence.object(asked),))
        elif asked.due_on <= soon:
            yield Finding(State.DUE_SOON, f"報告の期限は{asked.due_on:%Y-%m-%d}です。",
                          f"A report is due on {asked.due_on:%Y-%m-%d}.", (Evidence.object(asked),))


@control("reporting.emergency_procedure", topics=["reporting"],
         title_ja="緊急時報告の手順", title_en="Emergency report procedure in place")
def emergency_procedure(contract: Contract) -> Iterator[Finding]:
    procedure = services.procedure_of(contract)
    sides = set(procedure.contacts.values_list("side", flat=True)) if procedure else set()
    missing = []
    if Side.CONTRACTOR not in sides:
        missing.append(("受託者側の連絡先", "the contractor's contacts"))
    if Side.AUTHORITY not in sides:
        missing.append(("委託者側の連絡先", "the authority's contacts"))
    if procedure is None or not procedure.channels:
        missing.append(("連絡手段", "the channels"))
    if missing:
        yield Finding(State.MISSING, f"緊急時報告の手順に{'、'.join(m[0] for m in missing)}がありません。",
                      f"The emergency report procedure lacks {', '.join(m[1] for m in missing)}.",
                      (Evidence.object(procedure),) if procedure else ())
    else:
        yield Finding(State.OK, "緊急時報告の手順（双方の連絡先、連絡順、連絡手段）が定められています。",
                      "The emergency report procedure names both sides' contacts, the order to call and the channels.",
                      (Evidence.object(procedure),))

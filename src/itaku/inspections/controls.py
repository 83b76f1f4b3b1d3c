"""Controls for article 16 (立入検査および調査): requested reports delivered and instructions answered by their
dates, and every finding followed by an instruction the authority closed."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.inspections import services
from itaku.inspections.models import Inspection, Instruction, ReportRequest
from itaku.provisions.controls import Evidence, Finding, State, control

DUE_SOON_DAYS = 3


def _inspections(contract: Contract) -> list[Inspection]:
    return list(Inspection.objects.filter(contract=contract).select_related("party"))


def _due(asked: ReportRequest | Instruction, what_ja: str, what_en: str, name: str) -> Iterator[Finding]:
    if services.answered_on(asked) is not None:
        return
    today = timezone.localdate()
    if asked.due_on < today:
        yield Finding(State.OVERDUE, f"【{name}】{asked.due_on:%Y-%m-%d}期限の{what_ja}がありません。",
                      f"[{name}] the {what_en} due on {asked.due_on:%Y-%m-%d} has not come.", (Evidence.object(asked),))
    elif (asked.due_on - today).days <= DUE_SOON_DAYS:
        yield Finding(State.DUE_SOON, f"【{name}】{what_ja}の期限は{asked.due_on:%Y-%m-%d}です。",
                      f"[{name}] the {what_en} is due on {asked.due_on:%Y-%m-%d}.", (Evidence.object(asked),))


@control("inspections.reports", topics=["inspection"],
         title_ja="検査で求めた報告の提出", title_en="Reports requested in inspections are delivered")
def reports(contract: Contract) -> Iterator[Finding]:
    found = _inspections(contract)
    asked = 0
    for inspection in found:
        for report in inspection.reportrequests.all():
            asked += 1
            yield from _due(report, "報告", "report", inspection.party.name)
    if asked:
        yield Finding(State.OK, f"検査で求めた報告 {asked} 件を期限と照合しました。",
                      f"{asked} reports requested in inspections checked against their due dates.")


@control("inspections.instructions", topics=["inspection"],
         title_ja="検査による指示への回答", title_en="Instructions from inspections are answered")
def instructions(contract: Contract) -> Iterator[Finding]:
    given = 0
    for inspection in _inspections(contract):
        for instruction in inspection.instructions.all():
            given += 1
            yield from _due(instruction, "指示への回答", "answer to an instruction", inspection.party.name)
    if given:
        yield Finding(State.OK, f"検査による指示 {given} 件を期限と照合しました。",
                      f"{given} instructions from inspections checked against their due dates.")


@control("inspections.findings", topics=["inspection"],
         title_ja="検査の指摘事項の是正", title_en="Findings of inspections are remedied")
def findings(contract: Contract) -> Iterator[Finding]:
    found = _inspections(contract)
    if not found:
        yield Finding(State.OK, "検査の記録はありません。", "No inspections on record.")
        return
    for inspection in found:
        name = inspection.party.name
        for item in services.open_findings(inspection):
            yield Finding(State.MISSING,
                          f"【{name}】{inspection.held_on:%Y-%m-%d}の検査の指摘事項（{item.reference}）に対し、"
                          "完了した指示がありません。",
                          f"[{name}] the finding on {item.reference} of the inspection on "
                          f"{inspection.held_on:%Y-%m-%d} has no closed instruction.",
                          (Evidence.object(inspection), Evidence.object(item, item.reference)))
    yield Finding(State.OK, f"検査 {len(found)} 件の指摘事項を確認しました。",
                  f"The findings of {len(found)} inspections checked.")

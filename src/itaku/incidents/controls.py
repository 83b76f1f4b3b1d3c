"""Controls of articles 18 and 19: the written report by its due date, the reports to the PPC, the
instructions answered, and no personal data in what was published."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from itaku.contracts.models import Contract
from itaku.incidents import screening, services
from itaku.incidents.models import Incident, Publication
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions

FINAL_DUE_SOON_DAYS = 7  # the preliminary report is due soon from the first day: "promptly"


def _written(incident: Incident) -> bool:
    """Submitted and not returned: the contractor has done its part (the authority's decision is its own)."""
    latest = submissions.latest(incident, services.REPORT_KIND)
    return latest is not None and (latest.is_open or latest.is_accepted)


@control("incidents.report_written", topics=["incident"],
         title_ja="事故の書面報告（期限内）", title_en="Incidents written up by their due date")
def report_written(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    incidents = list(Incident.objects.filter(contract=contract).order_by("number"))
    for incident in incidents:
        evidence = (Evidence.object(incident, incident.code),)
        written = _written(incident)
        due = incident.report_due
        if not written and due < today:
            yield Finding(State.OVERDUE,
                          f"事故 {incident.code} の報告書が期限（{due:%Y-%m-%d}）を過ぎても提出されていません。",
                          f"Incident {incident.code}: no written report submitted by its due date ({due:%Y-%m-%d}).",
                          evidence)
        elif not written:
            yield Finding(State.DUE_SOON, f"事故 {incident.code} の報告書の期限は{due:%Y-%m-%d}です。",
                          f"Incident {incident.code}: the written report is due on {due:%Y-%m-%d}.", evidence)
    if incidents and all(_written(i) for i in incidents):
        yield Finding(State.OK, f"事故{len(incidents)}件の報告書はすべて提出されています。",
                      f"The written reports of all {len(incidents)} incidents are submitted.")


@control("incidents.ppc_reported", topics=["incident"],
         title_ja="個人情報保護委員会への報告（速報・確報）", title_en="Reports to the PPC (preliminary and final)")
def ppc_reported(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    for incident in Incident.objects.filter(contract=contract).order_by("number"):
        if not services.assess(incident).required:
            continue
        evidence = (Evidence.object(incident, incident.code),)
        for preliminary, countdown in zip((True, False), services.countdowns(incident, today)[1:], strict=True):
            if countdown.done_on is not None:
                if countdown.done_on > countdown.limit:
                    yield Finding(State.VIOLATION,
                                  f"事故 {incident.code}: {countdown.label_ja}は期限後"
                                  f"（{countdown.done_on:%Y-%m-%d}）でした。",
                                  f"Incident {incident.code}: {countdown.label_en} was made late "
                                  f"({countdown.done_on:%Y-%m-%d}).", evidence)
                continue
            if countdown.days_left < 0:
                yield Finding(State.OVERDUE,
                              f"事故 {incident.code}: {countdown.label_ja}が期限"
                              f"（{countdown.limit:%Y-%m-%d}）を過ぎています。",
                              f"Incident {incident.code}: {countdown.label_en} is overdue "
                              f"(since {countdown.limit:%Y-%m-%d}).", evidence)
            elif preliminary or countdown.days_left <= FINAL_DUE_SOON_DAYS:
                yield Finding(State.DUE_SOON,
                              f"事故 {incident.code}: {countdown.label_ja}の期限は{countdown.due:%Y-%m-%d}です。",
                              f"Incident {incident.code}: {countdown.label_en} is due on {countdown.due:%Y-%m-%d}.",
                              evidence)
        if incident.people_informed_on is None and incident.is_closed:
            yield Finding(State.MISSING, f"事故 {incident.code}: 本人への通知が記録されていません。",
                          f"Incident {incident.code}: informing the people affected is not recorded.", evidence)


@control("incidents.instructions_answered", topics=["incident"],
         title_ja="事故に関する指示への回答", title_en="Instructions on incidents answered")
def instructions_answered(contract: Contract) -> Iterator[Finding]:
    today = timezone.localdate()
    for incident in Incident.objects.filter(contract=contract).prefetch_related("instructions"):
        for instruction in incident.instructions.all():
            if instruction.due_on < today and not services.answered(instruction):
                yield Finding(State.OVERDUE,
                              f"指示 {instruction} への回答が期限（{instruction.due_on:%Y-%m-%d}）を過ぎても"
                              "確認されていません。",
                              f"Instruction {instruction}: no acknowledged answer by its due date "
                              f"({instruction.due_on:%Y-%m-%d}).", (Evidence.object(instruction, str(instruction)),))


@control("incidents.publication_clean", topics=["publication"],
         title_ja="公表内容に個人情報を含まない", title_en="Published summaries hold no personal data")
def publication_clean(contract: Contract) -> Iterator[Finding]:
    published = list(Publication.objects.filter(incident__contract=contract).select_related("incident"))
    clean = True
    for publication in published:
        hits = screening.found(f"{publication.title}\n{publication.summary}")
        if hits:
            clean = False
            yield Finding(State.VIOLATION,
                          f"事故 {publication.incident.code} の公表内容に個人情報と思われる記載があります"
                          f"（{'、'.join(h.label_ja for h in hits)}）。",
                          f"The published summary of incident {publication.incident.code} seems to hold personal data "
                          f"({', '.join(h.label_en for h in hits)}).",
                          (Evidence.object(publication, publication.title),))
    if published and clean:
        yield Finding(State.OK, f"公表{len(published)}件に個人情報と思われる記載はありません。",
                      f"{len(published)} published summaries hold no personal data patterns.")

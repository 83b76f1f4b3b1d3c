"""The steps of an incident, each one transaction with its ledger event (ids, counts, field names; never the
personal information involved).

raise_incident → (notice to the supervisors, in the app and by e-mail) → save_report / submit_report →
decide_report; issue_instruction → answer_instruction → decide_answer; record_statutory (PPC reports, the
people informed); correct_dates (the day it became known, and so every deadline); close; publish (article 19).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.access import roles, visible_parties
from itaku.contracts.models import CONTRACTOR_ROLES, Contract, ContractRole, Role
from itaku.incidents import screening, statutory
from itaku.incidents.models import (
    REPORT_FIELDS,
    DateCorrection,
    Incident,
    Instruction,
    Notice,
    OrdinanceCategory,
    Publication,
)
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error

REPORT_KIND = "incidents.report"
DATES_CORRECTED = "incident.dates_corrected"
ANSWER_KIND = "incidents.answer"
TOPIC = "incident"
log = logging.getLogger(__name__)


class IncidentError(UserError):
    """An incident step that the rules or the incident's state do not allow."""


def _articles(contract: Contract, *topics: str) -> list[int]:
    return sorted({n for t in (topics or (TOPIC,)) for n in contract.articles_for(t)})


def _ledger(kind: str, incident: Incident, by: Any, *topics: str, **facts: Any) -> None:
    contract = incident.contract
    record(kind, chain=contract.ledger_chain, actor=by, articles=_articles(contract, *topics),
           facts={"incident": incident.pk, "number": incident.code, **facts})


# Who may do what ----------------------------------------------------------------------------------------


def may_raise(user: Any, contract: Contract) -> bool:
    """Anyone of the contractor's side: the contractor's or an approved subcontractor's people."""
    return bool(roles(user, contract) & CONTRACTOR_ROLES) and chain.is_party(contract, user.organisation_id)


def may_see(user: Any, incident: Incident) -> bool:
    """The authority and the contractor see every incident; a subcontractor its own and those below it."""
    contract = incident.contract
    if not roles(user, contract):
        return False
    if user.organisation_id == contract.authority_id:
        return True
    return incident.party_id in {o.pk for o in visible_parties(user, contract)}


def may_report(user: Any, incident: Incident) -> bool:
    """The responsible person of the incident's party or of a party above it (the contractor's included)."""
    return Role.RESPONSIBLE in roles(user, incident.contract) and user.organisation_id != \
        incident.contract.authority_id and may_see(user, incident)


def is_supervisor(user: Any, contract: Contract) -> bool:
    return Role.SUPERVISOR in roles(user, contract)


def _require_supervisor(by: Any, contract: Contract, ja: str, en: str) -> None:
    if not is_supervisor(by, contract):
        raise IncidentError(ja, en)


def _require_reporter(by: Any, incident: Incident) -> None:
    if not may_report(by, incident):
        raise IncidentError("事故の報告書は、その事故の当事者の責任者が作成します。",
                            "The written report is made by the responsible person of the party involved.")


def _require_open(incident: Incident) -> None:
    if incident.is_closed:
        raise IncidentError("この事故は終結しています。", "This incident is closed.")


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("contract").get(pk=incident.pk)


# Raising: the notice ------------------------------------------------------------------------------------


def _supervisors(contract: Contract) -> list[Any]:
    found = ContractRole.objects.filter(contract=contract, role=Role.SUPERVISOR).select_related("user")
    return [r.user for r in found if r.user.is_active]


def _mail(incident_id: int) -> None:
    """The e-mail to the supervisors with an address: which contract and incident, never its contents."""
    incident = Incident.objects.select_related("contract", "party").get(pk=incident_id)
    contract = incident.contract
    notices = list(Notice.objects.filter(incident=incident).select_related("recipient"))
    recipients = [n.recipient.email for n in notices if n.recipient.email]
    if not recipients:
        return
    kind_ja = "事故発生のおそれ" if incident.kind == Incident.Kind.SUSPECTED else "事故の発生"
    kind_en = "Suspected incident" if incident.kind == Incident.Kind.SUSPECTED else "Incident"
    path = reverse("incidents:detail", args=[contract.pk, incident.pk])
    subject = f"[itaku] {kind_ja}の通知 {kind_en} {contract.number} {incident.code}"
    body = (
        f"{contract.authority.name} 監督職員 各位\n\n"
        f"契約「{contract.number} {contract.title}」について、{incident.party.name}から{kind_ja}の通知がありました"
        f"（{incident.code}、{timezone.localtime(incident.noticed_at):%Y-%m-%d %H:%M}）。\n"
        f"内容はitakuで確認してください: {path}\n\n"
        f"{kind_en} notified by {incident.party.name} under contract {contract.number} "
        f"({incident.code}, {timezone.localtime(incident.noticed_at):%Y-%m-%d %H:%M}). "
        f"Open it in itaku: {path}\n"
    )
    sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    if sent:
        Notice.objects.filter(incident=incident, recipient__email__in=recipients).update(emailed=True)


def raise_incident(
    by: Any, contract: Contract, *, kind: str, summary: str, source: str = Incident.Source.FORM,
    party: Organisation | None = None, facts: dict[str, Any] | None = None,
) -> Incident:
    """Record the notice (article 18: 直ちに): the moment it is saved is the notice; the supervisors are
    notified in the app at once and by e-mail once it has committed.

    `source=vault` is the vault's limits raising it for `by` (checked there, not here); `facts` are ids and
    counts the vault adds to the ledger event.
    """
    if kind not in Incident.Kind.values:
        raise IncidentError("事故か、事故発生のおそれかを選んでください。",
                            "Choose whether it is an incident or a suspected incident.")
    if source == Incident.Source.FORM and not may_raise(by, contract):
        raise IncidentError("事故の通知は受託者側（受託者・再委託先）の者が行います。",
                            "Incidents are notified by the contractor's side (contractor or subcontractor).")
    summary = summary.strip()
    if not summary:
        raise IncidentError("何が起きたかを簡潔に入力してください。", "Say in short what happened.")
    if party is None:
        own = by.organisation_id if chain.is_party(contract, by.organisation_id) else contract.contractor_id
        party = Organisation.objects.get(pk=own)
    now = timezone.now()
    with transaction.atomic():
        Contract.objects.select_for_update().get(pk=contract.pk)  # numbers are taken one at a time
        number = (Incident.objects.filter(contract=contract).aggregate(n=Max("number"))["n"] or 0) + 1
        known = timezone.localdate(now)
        incident = Incident.objects.create(
            contract=contract, number=number, party=party, kind=kind, source=source, summary=summary,
            raised_by=by, noticed_at=now, known_on=known, report_due=statutory.report_due(known))
        supervisors = _supervisors(contract)
        Notice.objects.bulk_create([Notice(incident=incident, recipient=s, created_at=now) for s in supervisors])
        _ledger(f"incident.{kind}", incident, by, party=party.pk, source=source, notified=len(supervisors),
                **(facts or {}))
        transaction.on_commit(partial(_mail, incident.pk), robust=True)
    return incident


def unread(user: Any, contract: Contract | None = None) -> list[Notice]:
    """The user's unread notices, newest first (of one contract, or of all)."""
    found = Notice.objects.filter(recipient=user, read_at__isnull=True).select_related("incident__contract")
    if contract is not None:
        found = found.filter(incident__contract=contract)
    return list(found)


def mark_read(user: Any, incident: Incident) -> None:
    """Opening the incident reads its notice (no ledger event: reading changes nothing under the contract)."""
    Notice.objects.filter(incident=incident, recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# The written report -------------------------------------------------------------------------------------


def save_report(by: Any, incident: Incident, *, categories: list[OrdinanceCategory] | None = None,
                **items: Any) -> Incident:
    """Fill in or change the written report's items (REPORT_FIELDS); refused while a round awaits the
    authority's decision."""
    unknown = set(items) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"not items of the written report: {sorted(unknown)}")
    with transaction.atomic():
        incident = _locked(incident)
        _require_reporter(by, incident)
        _require_open(incident)
        pending = submissions.latest(incident, REPORT_KIND)
        if pending is not None and pending.is_open:
            raise IncidentError("報告書は委託者の確認待ちです。確認か差戻しを待ってください。",
                                "The report awaits the authority; wait for its acknowledgement or return.")
        before = incident.snapshot()
        for name, value in items.items():
            setattr(incident, name, value.strip() if isinstance(value, str) else value)
        if categories is not None:
            foreign = [c for c in categories if c.authority_id != incident.contract.authority_id]
            if foreign:
                raise IncidentError("委託者の条例要配慮個人情報の区分から選んでください。",
                                    "Choose among the authority's own special-care categories.")
        try:
            incident.full_clean(exclude=["ordinance_categories"])
        except ValidationError as exc:
            error = user_error(exc, "事故の報告書に誤りがあります", "The written report is not valid", Incident)
            raise IncidentError(error.message_ja, error.message_en) from None
        incident.save()
        if categories is not None:
            incident.ordinance_categories.set(categories)
        after = incident.snapshot()
        changed = sorted(k for k in after if after[k] != before[k])
        if changed:
            _ledger("incident.report_saved", incident, by, changed=changed)
        return incident


def _labels(names: list[str], language: str, sep: str) -> str:
    with translation.override(language):
        return sep.join(str(Incident._meta.get_field(n).verbose_name) for n in names)


_REQUIRED = ("what_happened", "found_on", "cause", "data_items", "people_count", "containment")


def submit_report(by: Any, incident: Incident) -> Submission:
    """Hand the written report to the authority (kind "incidents.report"); its main items must be filled."""
    with transaction.atomic():
        incident = _locked(incident)
        _require_reporter(by, incident)
        _require_open(incident)
        missing = [n for n in _REQUIRED if getattr(incident, n) in (None, "")]
        if missing:
            raise IncidentError(f"報告書の次の項目を入力してください: {_labels(missing, 'ja', '、')}",
                                f"Fill in these items of the report: {_labels(missing, 'en', ', ')}")
        if submissions.accepted(incident, REPORT_KIND) is not None:
            raise IncidentError("報告書は確認済みで、その後変更されていません。",
                                "The report was acknowledged and has not changed since.")
        return submissions.submit(incident, kind=REPORT_KIND, by=by, chain=incident.contract.ledger_chain,
                                  articles=_articles(incident.contract))


def decide_report(by: Any, incident: Incident, *, accept: bool, comment: str = "") -> Submission:
    """The supervisor acknowledges the written report, or returns it with what to add."""
    _require_supervisor(by, incident.contract, "報告書の確認・差戻しは監督職員が行います。",
                        "Only a supervisor acknowledges or returns the report.")
    pending = submissions.latest(incident, REPORT_KIND)
    if pending is None or not pending.is_open:
        raise IncidentError("確認待ちの報告書がありません。", "No report awaits a decision.")
    status = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    current = Incident.objects.get(pk=incident.pk)  # the decision is about what is stored, not a stale copy
    return submissions.decide(pending, current, by=by, status=status, comment=comment)


# Instructions and their answers ---------------------------------------------------------------------------


def issue_instruction(by: Any, incident: Incident, *, text: str, due_on: dt.date) -> Instruction:
    """The authority's instruction (article 18: 甲の指示に従わなければならない), with the day its answer is due."""
    with transaction.atomic():
        incident = _locked(incident)
        _require_supervisor(by, incident.contract, "指示は監督職員が行います。",
                            "Only a supervisor issues instructions.")
        _require_open(incident)
        if not text.strip():
            raise IncidentError("指示の内容を入力してください。", "Enter the instruction.")
        if due_on < timezone.localdate():
            raise IncidentError("回答期限は今日以降の日付にしてください。",
                                "The answer due date cannot be in the past.")
        number = (incident.instructions.aggregate(n=Max("number"))["n"] or 0) + 1
        instruction = Instruction.objects.create(incident=incident, number=number, text=text.strip(),
                                                 due_on=due_on, issued_by=by, issued_at=timezone.now())
        _ledger("incident.instructed", incident, by, instruction=instruction.pk, due_on=due_on.isoformat())
        return instruction


def answer_instruction(by: Any, instruction: Instruction, *, answer: str) -> Submission:
    """The contractor's answer, submitted (kind "incidents.answer") for the authority to acknowledge."""
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update().select_related("incident__contract").get(
            pk=instruction.pk)
        incident = instruction.incident
        _require_reporter(by, incident)
        _require_open(incident)
        if not answer.strip():
            raise IncidentError("回答を入力してください。", "Enter the answer.")
        pending = submissions.latest(instruction, ANSWER_KIND)
        if pending is not None and (pending.is_open or pending.is_accepted):
            raise IncidentError("この指示への回答は提出済みです。", "This instruction has been answered.")
        instruction.answer = answer.strip()
        instruction.save(update_fields=["answer"])
        return submissions.submit(instruction, kind=ANSWER_KIND, by=by, chain=incident.contract.ledger_chain,
                                  articles=_articles(incident.contract))


def decide_answer(by: Any, instruction: Instruction, *, accept: bool, comment: str = "") -> Submission:
    """The supervisor acknowledges the answer, or returns it (the instruction stands open again)."""
    _require_supervisor(by, instruction.incident.contract, "回答の確認は監督職員が行います。",
                        "Only a supervisor acknowledges answers.")
    pending = submissions.latest(instruction, ANSWER_KIND)
    if pending is None or not pending.is_open:
        raise IncidentError("確認待ちの回答がありません。", "No answer awaits a decision.")
    status = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    current = Instruction.objects.get(pk=instruction.pk)
    return submissions.decide(pending, current, by=by, status=status, comment=comment)


def answered(instruction: Instruction) -> bool:
    return submissions.accepted(instruction, ANSWER_KIND) is not None


# The statutory side and the closure ---------------------------------------------------------------------


_STATUTORY = ("ppc_preliminary_on", "ppc_final_on", "people_informed_on", "people_informed_how")


def record_statutory(by: Any, incident: Incident, **values: Any) -> Incident:
    """The authority records its reports to the PPC and when and how the people affected were informed."""
    unknown = set(values) - set(_STATUTORY)
    if unknown:
        raise ValueError(f"not statutory items: {sorted(unknown)}")
    with transaction.atomic():
        incident = _locked(incident)
        _require_supervisor(by, incident.contract, "個人情報保護委員会への報告と本人通知は監督職員が記録します。",
                            "Only a supervisor records the reports to the PPC and the notice to the people.")
        today = timezone.localdate()
        changed = []
        for name, value in values.items():
            if isinstance(value, dt.date) and (value > today or value < incident.known_on):
                raise IncidentError(f"{_labels([name], 'ja', '')}は、事故を知った日から今日までの日付にしてください。",
                                    f"{_labels([name], 'en', '')}: the date must be between the day it became "
                                    "known and today.")
            if getattr(incident, name) != value:
                setattr(incident, name, value.strip() if isinstance(value, str) else value)
                changed.append(name)
        try:
            incident.full_clean(exclude=["ordinance_categories"])
        except ValidationError as exc:
            error = user_error(exc, "記録に誤りがあります", "The record is not valid", Incident)
            raise IncidentError(error.message_ja, error.message_en) from None
        incident.save()
        if changed:
            _ledger("incident.statutory_recorded", incident, by, changed=sorted(changed))
        return incident


def _refuse_dates(incident: Incident, known_on: dt.date, report_due: dt.date) -> None:
    """Why the corrected dates cannot stand, naming the field; nothing when they can."""
    known_ja, known_en = _labels(["known_on"], "ja", ""), _labels(["known_on"], "en", "").capitalize()
    due_ja, due_en = _labels(["report_due"], "ja", ""), _labels(["report_due"], "en", "").capitalize()
    notice_day = timezone.localdate(incident.noticed_at)
    if known_on > notice_day:
        raise IncidentError(f"{known_ja}（{known_on:%Y-%m-%d}）は、通知の日（{notice_day:%Y-%m-%d}）より後に"
                            "できません。",
                            f"{known_en} ({known_on:%Y-%m-%d}) cannot be after the day of the notice "
                            f"({notice_day:%Y-%m-%d}).")
    if incident.occurred_on is not None and known_on < incident.occurred_on:
        raise IncidentError(f"{known_ja}（{known_on:%Y-%m-%d}）は、報告書の発生日（{incident.occurred_on:%Y-%m-%d}）"
                            "より前にできません。",
                            f"{known_en} ({known_on:%Y-%m-%d}) cannot be before the day it occurred in the written "
                            f"report ({incident.occurred_on:%Y-%m-%d}).")
    for name in ("ppc_preliminary_on", "ppc_final_on", "people_informed_on"):
        done = getattr(incident, name)
        if done is not None and known_on > done:
            raise IncidentError(f"{known_ja}（{known_on:%Y-%m-%d}）は、記録済みの{_labels([name], 'ja', '')}"
                                f"（{done:%Y-%m-%d}）より後にできません。",
                                f"{known_en} ({known_on:%Y-%m-%d}) cannot be after the recorded "
                                f"{_labels([name], 'en', '')} ({done:%Y-%m-%d}).")
    if report_due < known_on:
        raise IncidentError(f"{due_ja}（{report_due:%Y-%m-%d}）は、{known_ja}（{known_on:%Y-%m-%d}）より前に"
                            "できません。",
                            f"{due_en} ({report_due:%Y-%m-%d}) cannot be before the day it became known "
                            f"({known_on:%Y-%m-%d}).")


def correct_dates(by: Any, incident: Incident, *, known_on: dt.date, report_due: dt.date | None = None,
                  reason: str) -> Incident:
    """The supervisor corrects the day the incident became known (a phone call before the notice, a find
    before the weekend), and with it the written report's due date; the PPC deadlines are counted from it.

    `report_due=None` counts it from the corrected day as at the notice. The reason goes into the ledger,
    so it is screened for personal data like a public text.
    """
    with transaction.atomic():
        incident = _locked(incident)
        _require_supervisor(by, incident.contract, "事故を知った日と報告書の提出期限は監督職員が訂正します。",
                            "Only a supervisor corrects the day it became known and the report's due date.")
        _require_open(incident)
        reason = reason.strip()
        if not reason:
            raise IncidentError("訂正の理由を入力してください。", "Enter the reason for the correction.")
        screen(reason, "訂正の理由", "reason for the correction")
        due = report_due if report_due is not None else statutory.report_due(known_on)
        _refuse_dates(incident, known_on, due)
        if (known_on, due) == (incident.known_on, incident.report_due):
            raise IncidentError("日付が変わっていません。", "The dates are unchanged.")
        correction = DateCorrection.objects.create(
            incident=incident, known_on_before=incident.known_on, known_on_after=known_on,
            report_due_before=incident.report_due, report_due_after=due, reason=reason, corrected_by=by,
            corrected_at=timezone.now())
        incident.known_on, incident.report_due = known_on, due
        incident.save(update_fields=["known_on", "report_due"])
        # The reason is free text: the ledger binds it by its digest, the incident page shows it.
        _ledger(DATES_CORRECTED, incident, by, correction=correction.pk,
                known_on_before=correction.known_on_before.isoformat(), known_on_after=known_on.isoformat(),
                report_due_before=correction.report_due_before.isoformat(), report_due_after=due.isoformat(),
                reason_sha256=hashlib.sha256(reason.encode()).hexdigest())
        return incident


def date_corrections(incident: Incident) -> list[DateCorrection]:
    """The incident's date corrections, oldest first."""
    return list(incident.date_corrections.select_related("corrected_by"))


def close(by: Any, incident: Incident, *, note: str) -> Incident:
    """The authority closes the incident: its report acknowledged and every instruction answered."""
    with transaction.atomic():
        incident = _locked(incident)
        _require_supervisor(by, incident.contract, "事故の終結は監督職員が判断します。",
                            "Only a supervisor closes an incident.")
        _require_open(incident)
        if submissions.accepted(incident, REPORT_KIND) is None:
            raise IncidentError("報告書を確認してから終結してください。",
                                "Acknowledge the written report before closing the incident.")
        open_ones = [i.number for i in incident.instructions.all() if not answered(i)]
        if open_ones:
            raise IncidentError(f"回答が確認されていない指示があります（指示{open_ones}）。",
                                f"Instructions {open_ones} have no acknowledged answer.")
        if not note.strip():
            raise IncidentError("終結の所見を入力してください。", "Enter a closing note.")
        incident.closed_at, incident.closed_by, incident.closure_note = timezone.now(), by, note.strip()
        incident.save(update_fields=["closed_at", "closed_by", "closure_note"])
        _ledger("incident.closed", incident, by)
        return incident


# Publication (article 19) -------------------------------------------------------------------------------


def screen(text: str, where_ja: str, where_en: str) -> None:
    """Refuse a public text that seems to hold personal data, naming what was found (never the value)."""
    hits = screening.found(text)
    if hits:
        raise IncidentError(
            f"{where_ja}に個人情報と思われる記載があります（{'、'.join(h.label_ja for h in hits)}）。"
            "削除してください。",
            f"The {where_en} seems to hold personal data ({', '.join(h.label_en for h in hits)}); remove it.")


def publish(by: Any, incident: Incident, *, title: str, summary: str) -> Publication:
    """Publish the authority's summary (article 19); checked for personal data first, once per incident."""
    title, summary = title.strip(), summary.strip()
    if not title or not summary:
        raise IncidentError("公表する表題と概要を入力してください。", "Enter the title and the summary to publish.")
    screen(title, "表題", "title")
    screen(summary, "概要", "summary")
    with transaction.atomic():
        incident = _locked(incident)
        _require_supervisor(by, incident.contract, "公表は監督職員が行います。", "Only a supervisor publishes.")
        if Publication.objects.filter(incident=incident).exists():
            raise IncidentError("この事故は公表済みです。", "This incident has been published.")
        publication = Publication.objects.create(incident=incident, title=title, summary=summary,
                                                 published_at=timezone.now(), published_by=by)
        _ledger("incident.published", incident, by, "publication", publication=publication.pk)
        return publication


def add_category(by: Any, contract: Contract, *, label: str) -> OrdinanceCategory:
    """Add one of the authority's own special-care categories (条例要配慮), recorded in this contract's ledger."""
    _require_supervisor(by, contract, "条例要配慮個人情報の区分は監督職員が登録します。",
                        "Only a supervisor adds the authority's special-care categories.")
    label = label.strip()
    if not label:
        raise IncidentError("区分の名称を入力してください。", "Enter the category.")
    with transaction.atomic():
        category, created = OrdinanceCategory.objects.get_or_create(authority_id=contract.authority_id,
                                                                    label=label)
        if not created:
            raise IncidentError("その区分は登録済みです。", "That category exists already.")
        record("incident.category_added", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract), facts={"category": category.pk})
        return category


# The statutory figures of one incident, for pages, controls and the PDF ----------------------------------


@dataclass(frozen=True)
class Countdown:
    label_ja: str
    label_en: str
    due: dt.date
    limit: dt.date  # late after this day (the preliminary report's day 5; else the due date)
    done_on: dt.date | None
    days_left: int  # to the limit; negative: days late

    @property
    def late(self) -> bool:
        return self.done_on is None and self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass(frozen=True)
class Assessment:
    triggers: list[statutory.Trigger]
    exempt: bool
    deadlines: statutory.Deadlines

    @property
    def required(self) -> bool:
        return bool(self.triggers) and not self.exempt


def assess(incident: Incident) -> Assessment:
    """Whether the facts entered make the incident reportable to the PPC, and its deadlines."""
    return Assessment(
        triggers=statutory.triggers(
            special_care=incident.special_care, ordinance_categories=incident.ordinance_categories.count(),
            financial_harm=incident.financial_harm, unlawful_purpose=incident.unlawful_purpose,
            people_count=incident.people_count),
        exempt=incident.encrypted,
        deadlines=statutory.deadlines(incident.known_on, unlawful=bool(incident.unlawful_purpose)),
    )


def countdowns(incident: Incident, today: dt.date | None = None) -> list[Countdown]:
    """The written report, and where reportable the PPC's preliminary and final reports, counted down."""
    today = today or timezone.localdate()
    report = submissions.accepted(incident, REPORT_KIND)
    found = [Countdown("受託者の事故報告書", "Contractor's written report", incident.report_due,
                       incident.report_due, timezone.localdate(report.submitted_at) if report else None,
                       (incident.report_due - today).days)]
    assessment = assess(incident)
    if assessment.required:
        d = assessment.deadlines
        found.append(Countdown("個人情報保護委員会への速報（目安3日、5日を超えると遅延）",
                               "Preliminary report to the PPC (target day 3, late after day 5)",
                               d.preliminary_target, d.preliminary_late_after, incident.ppc_preliminary_on,
                               (d.preliminary_late_after - today).days))
        found.append(Countdown("個人情報保護委員会への確報", "Final report to the PPC", d.final_due,
                               d.final_due, incident.ppc_final_on, (d.final_due - today).days))
    return found


def report_data(incident: Incident) -> dict[str, Any]:
    """The plain data of the incident report PDF: the PPC's nine items, the deadlines and their state."""
    assessment = assess(incident)
    report = submissions.latest(incident, REPORT_KIND)
    publication = Publication.objects.filter(incident=incident).first()
    return {
        "code": incident.code, "kind": incident.kind, "party": incident.party.name,
        "source": incident.source, "noticed_at": timezone.localtime(incident.noticed_at),
        "known_on": incident.known_on, "summary": incident.summary,
        **{name: getattr(incident, name) for name in REPORT_FIELDS},
        "unlawful_purpose_label": incident.get_unlawful_purpose_display() if incident.unlawful_purpose else "",
        "ordinance_categories": sorted(c.label for c in incident.ordinance_categories.all()),
        "triggers": [(t.label_ja, t.label_en) for t in assessment.triggers],
        "exempt": assessment.exempt, "required": assessment.required,
        "deadlines": assessment.deadlines,
        "ppc_preliminary_on": incident.ppc_preliminary_on, "ppc_final_on": incident.ppc_final_on,
        "people_informed_on": incident.people_informed_on, "people_informed_how": incident.people_informed_how,
        "published_on": timezone.localdate(publication.published_at) if publication else None,
        "report_status": report.status if report else None,
        "report_round": report.round if report else None,
        "report_sha256": report.snapshot_sha256 if report else None,
        "instructions": [{"number": i.number, "text": i.text, "due_on": i.due_on, "answer": i.answer,
                          "answered": answered(i)} for i in incident.instructions.all()],
        "closed_on": timezone.localdate(incident.closed_at) if incident.closed_at else None,
    }


def publication_data(publication: Publication) -> dict[str, Any]:
    """Plain data for the 公表文 PDF: only what was published."""
    incident = publication.incident
    return {"code": incident.code, "title": publication.title, "summary": publication.summary,
            "published_on": timezone.localdate(publication.published_at),
            "incident_kind_ja": {"occurred": "事故", "suspected": "事故のおそれ"}.get(incident.kind, incident.kind)}

"""Reports (article 17): every step one function, one transaction, its ledger event.

Periodic reports and reports on request run through the one submissions mechanism: the contractor's
responsible person submits (the snapshot freezes the compiled figures, remarks, answer and attachments),
the authority's supervisor acknowledges or returns. The emergency procedure (17-2) is kept by both sides,
each its own contacts; the ledger records ids, sides and the order to call, never a phone number or e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from itaku.accounts.models import User
from itaku.contracts.models import Contract, Role
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.lib.workdays import add_working_days
from itaku.reporting import periods
from itaku.reporting.compile import bounds, compile_figures
from itaku.reporting.models import (
    DEFAULT_DUE_WORKING_DAYS,
    EmergencyContact,
    EmergencyProcedure,
    PeriodicReport,
    RequestedReport,
    Schedule,
    Side,
)
from itaku.reporting.periods import Period
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission

PERIODIC = "reporting.periodic"
ON_REQUEST = "reporting.on_request"
DUE_SOON_WORKING_DAYS = 5


class ReportingError(UserError):
    """A reporting step that the rules do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for("reporting")


def _holds(by: User, contract: Contract, role: str, organisation_id: int) -> bool:
    return by.organisation_id == organisation_id and contract.roles.filter(user=by, role=role).exists()


def _supervisor_of(by: User, contract: Contract) -> None:
    if not _holds(by, contract, Role.SUPERVISOR, contract.authority_id):
        raise ReportingError("この操作は委託者の監督職員だけが行えます。",
                             "Only the authority's supervisor can do this.")


def _responsible_of(by: User, contract: Contract) -> None:
    if not _holds(by, contract, Role.RESPONSIBLE, contract.contractor_id):
        raise ReportingError("この操作は受託者の責任者だけが行えます。",
                             "Only the contractor's responsible person can do this.")


def _require_active(contract: Contract) -> None:
    if contract.status != Contract.Status.ACTIVE:
        raise ReportingError("有効な契約でだけ報告を扱えます。", "Reports need an active contract.")


def _validate(obj: Any, message_ja: str, message_en: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        detail = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in error.message_dict.items())
        raise ReportingError(f"{message_ja}（{detail}）", f"{message_en} ({detail})") from None


# ---------------------------------------------------------------- the schedule


def set_schedule(by: User, contract: Contract, *, frequency: str,
                 due_working_days: int = DEFAULT_DUE_WORKING_DAYS) -> Schedule:
    """The supervisor sets how often the contractor reports and how many working days it has after a period."""
    _supervisor_of(by, contract)
    if frequency not in (periods.MONTHLY, periods.QUARTERLY, periods.YEARLY):
        raise ReportingError("報告の頻度が不正です。", f"Unknown frequency {frequency!r}.")
    with transaction.atomic():
        schedule = Schedule.objects.select_for_update().filter(contract=contract).first() or Schedule(contract=contract)
        schedule.frequency, schedule.due_working_days, schedule.set_by = frequency, due_working_days, by
        _validate(schedule, "報告の予定を保存できません。", "The schedule cannot be saved.")
        schedule.save()
        record("reporting.schedule_set", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"schedule": schedule.pk, "frequency": frequency, "due_working_days": due_working_days})
        return schedule


def schedule_of(contract: Contract) -> Schedule | None:
    return Schedule.objects.filter(contract=contract).first()


def period_due_on(contract: Contract, period: Period, schedule: Schedule | None = None) -> dt.date:
    """The period's due date: N working days after the last day it covers (the contract's end, if earlier)."""
    schedule = schedule or schedule_of(contract)
    days = schedule.due_working_days if schedule else DEFAULT_DUE_WORKING_DAYS
    return periods.due_on(bounds(period, contract)[1], days)


def scheduled_periods(contract: Contract, *, ended_by: dt.date | None = None) -> list[Period]:
    """The periods of the schedule within the contract's term; with `ended_by`, only those over before it."""
    schedule = schedule_of(contract)
    if schedule is None:
        return []
    found = list(periods.between(contract.start, contract.end, schedule.frequency))
    return [p for p in found if ended_by is None or bounds(p, contract)[1] < ended_by]


def parse_period(contract: Contract, label: str) -> Period:
    """A period label checked against the contract's term (bilingual refusal)."""
    try:
        period = periods.parse(label)
    except periods.PeriodError:
        raise ReportingError(
            f"期間「{label}」が不正です。YYYY-MM（月）、YYYY-Qn（四半期、第1四半期は4〜6月）又はYYYY（年度）で指定してください。",
            f"Bad period {label!r}: use YYYY-MM (a month), YYYY-Qn (a fiscal quarter, Q1 = April–June) or YYYY "
            "(a fiscal year, April–March).") from None
    if period.end < contract.start or period.start > contract.end:
        raise ReportingError(f"期間「{label}」は契約期間外です。",
                             f"The period {label} is outside the contract's term.")
    return period


# ---------------------------------------------------------------- periodic reports


def report_status(report: PeriodicReport | None) -> Submission | None:
    """The newest round of the report (None: never submitted)."""
    return submissions.latest(report, PERIODIC) if report is not None else None


def is_delivered(report: PeriodicReport | None) -> bool:
    """Submitted and not returned: open or acknowledged."""
    latest = report_status(report)
    return latest is not None and latest.status not in Submission.REFUSING


def _refuse_frozen(report: PeriodicReport) -> None:
    if is_delivered(report):
        raise ReportingError("提出済みの報告書は変更できません。", "A submitted report cannot be changed.")


def compile_report(by: User, contract: Contract, period: Period) -> PeriodicReport:
    """Compile (or compile again) the period's figures from the ledger and the registers."""
    _responsible_of(by, contract)
    _require_active(contract)
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().filter(contract=contract, period=period.label).first()
        if report is not None:
            _refuse_frozen(report)
        figures = compile_figures(contract, period)
        first, last = bounds(period, contract)
        if report is None:
            report = PeriodicReport(contract=contract, period=period.label, remarks="")
        report.frequency, report.start, report.end = period.frequency, first, last
        report.due_on = period_due_on(contract, period)
        report.figures, report.compiled_at = figures, timezone.now()
        report.save()
        record("reporting.compiled", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"report": report.pk, "period": period.label, "events": figures["events"],
                      "ledger_head_seq": figures["ledger_head"]["seq"]})
        return report


def save_remarks(by: User, report: PeriodicReport, remarks: str) -> PeriodicReport:
    contract = report.contract
    _responsible_of(by, contract)
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        _refuse_frozen(report)
        report.remarks = remarks.strip()
        report.save(update_fields=["remarks"])
        record("reporting.remarks_saved", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"report": report.pk, "has_remarks": bool(report.remarks)})
        return report


def submit_report(by: User, report: PeriodicReport) -> Submission:
    """The responsible person submits the report as compiled and remarked; only once its period is over."""
    contract = report.contract
    _responsible_of(by, contract)
    if report.end >= timezone.localdate():
        raise ReportingError("期間が終わってから提出してください。", "Submit the report once its period is over.")
    if report.compiled_at < _end_moment(report):
        raise ReportingError("期間の終了後に集計し直してから提出してください。",
                             "Compile the report again after its period ended, then submit it.")
    return submissions.submit(report, kind=PERIODIC, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def _end_moment(report: PeriodicReport) -> dt.datetime:
    """The first moment after the report's last day (local time)."""
    day = report.end + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def decide_report(by: User, report: PeriodicReport, *, accept: bool, comment: str = "") -> Submission:
    _supervisor_of(by, report.contract)
    pending = report_status(report)
    if pending is None or not pending.is_open:
        raise ReportingError("受理待ちの報告書がありません。", "No report awaits acknowledgement.")
    status = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    return submissions.decide(pending, report, by=by, status=status, comment=comment)


# ---------------------------------------------------------------- reports on request


def ask(by: User, contract: Contract, *, question: str, due_on: dt.date) -> RequestedReport:
    """The supervisor asks for a report by a date (article 17: 甲が報告を求めた場合)."""
    _supervisor_of(by, contract)
    _require_active(contract)
    if due_on < timezone.localdate():
        raise ReportingError("期限が過去の日付です。", "The due date is in the past.")
    with transaction.atomic():
        asked = RequestedReport(contract=contract, question=question.strip(), due_on=due_on, requested_by=by)
        _validate(asked, "報告を求める事項を確認してください。", "Check what the report must cover.")
        asked.save()
        record("reporting.requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"requested": asked.pk, "due_on": due_on.isoformat()})
        return asked


def answer_status(asked: RequestedReport) -> Submission | None:
    return submissions.latest(asked, ON_REQUEST)


def is_answered(asked: RequestedReport) -> bool:
    latest = answer_status(asked)
    return latest is not None and latest.status not in Submission.REFUSING


def answer(by: User, asked: RequestedReport, *, text: str, files: Sequence[UploadedFile] = ()) -> Submission:
    """The responsible person answers with text and attachments and submits the answer."""
    contract = asked.contract
    _responsible_of(by, contract)
    if not text.strip():
        raise ReportingError("報告の内容を記載してください。", "Write the report.")
    if is_answered(asked):
        raise ReportingError("この報告は提出済みです。", "This report has been submitted already.")
    with transaction.atomic():
        asked.answer = text.strip()
        asked.save(update_fields=["answer"])
        for upload in files:
            asked.attachments.add(submissions.attach(asked, upload, by=by, chain=contract.ledger_chain,
                                                     articles=_articles(contract)))
        return submissions.submit(asked, kind=ON_REQUEST, by=by, chain=contract.ledger_chain,
                                  articles=_articles(contract))


def decide_answer(by: User, asked: RequestedReport, *, accept: bool, comment: str = "") -> Submission:
    _supervisor_of(by, asked.contract)
    pending = answer_status(asked)
    if pending is None or not pending.is_open:
        raise ReportingError("受理待ちの報告がありません。", "No report awaits acknowledgement.")
    status = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    return submissions.decide(pending, asked, by=by, status=status, comment=comment)


# ---------------------------------------------------------------- the emergency procedure (17-2)


def _side_of(by: User, contract: Contract) -> str:
    """The supervisor keeps the authority's contacts, the responsible person the contractor's."""
    if _holds(by, contract, Role.SUPERVISOR, contract.authority_id):
        return Side.AUTHORITY
    if _holds(by, contract, Role.RESPONSIBLE, contract.contractor_id):
        return Side.CONTRACTOR
    raise ReportingError("緊急時の連絡先は委託者の監督職員又は受託者の責任者が管理します。",
                         "The authority's supervisor or the contractor's responsible person keeps the emergency "
                         "contacts.")


def procedure_of(contract: Contract) -> EmergencyProcedure | None:
    return EmergencyProcedure.objects.filter(contract=contract).first()


def _procedure(contract: Contract) -> EmergencyProcedure:
    procedure, _created = EmergencyProcedure.objects.get_or_create(contract=contract)
    return procedure


def save_channels(by: User, contract: Contract, channels: str) -> EmergencyProcedure:
    """How an emergency is reported (telephone first, then e-mail, the form of the written report …)."""
    _side_of(by, contract)
    with transaction.atomic():
        procedure = _procedure(contract)
        procedure.channels = channels.strip()
        procedure.save(update_fields=["channels", "updated_at"])
        record("reporting.emergency_channels_saved", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract),
               facts={"procedure": procedure.pk, "has_channels": bool(procedure.channels)})
        return procedure


def add_contact(by: User, contract: Contract, *, name: str, organisation: str, role: str = "", phone: str = "",
                email: str = "", order: int | None = None) -> EmergencyContact:
    """A contact on the user's own side, at `order` in the order to call (the next free place by default)."""
    side = _side_of(by, contract)
    with transaction.atomic():
        procedure = _procedure(contract)
        taken = set(procedure.contacts.values_list("order", flat=True))
        if order is None:
            order = (procedure.contacts.aggregate(n=Max("order"))["n"] or 0) + 1
        if order in taken:
            raise ReportingError(f"連絡順{order}番は既に使われています。",
                                 f"Place {order} in the order to call is taken.")
        contact = EmergencyContact(procedure=procedure, side=side, order=order, name=name.strip(),
                                   organisation=organisation.strip(), role=role.strip(), phone=phone.strip(),
                                   email=email.strip())
        _validate(contact, "連絡先を確認してください。", "Check the contact.")
        contact.save()
        record("reporting.emergency_contact_added", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract),
               facts={"procedure": procedure.pk, "contact": contact.pk, "side": side, "order": order})
        return contact


def remove_contact(by: User, contact: EmergencyContact) -> None:
    contract = contact.procedure.contract
    side = _side_of(by, contract)
    if contact.side != side:
        raise ReportingError("相手方の連絡先は削除できません。", "The other side's contacts are theirs to change.")
    with transaction.atomic():
        facts = {"procedure": contact.procedure_id, "contact": contact.pk, "side": side, "order": contact.order}
        contact.delete()
        record("reporting.emergency_contact_removed", chain=contract.ledger_chain, actor=by,
               articles=_articles(contract), facts=facts)


def emergency_contacts(contract: Contract) -> list[dict[str, Any]]:
    """The contacts of both sides in the order to call, as plain data (the incident page shows them)."""
    procedure = procedure_of(contract)
    if procedure is None:
        return []
    return [{"order": c.order, "side": c.side, "side_label": str(c.get_side_display()), "name": c.name,
             "organisation": c.organisation, "role": c.role, "phone": c.phone, "email": c.email}
            for c in procedure.contacts.all()]


def emergency_channels(contract: Contract) -> str:
    procedure = procedure_of(contract)
    return procedure.channels if procedure else ""


def due_soon_limit(today: dt.date) -> dt.date:
    """A due date on or before this day is 'due soon' (within five working days)."""
    return add_working_days(today, DUE_SOON_WORKING_DAYS)

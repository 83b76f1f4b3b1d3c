"""Inspections and investigations (article 16): every step one function, one transaction, its ledger event.

The authority's supervisor schedules an inspection of a party of the chain; the checklist is generated from
the contract's provisions at once, one item per obligation (each enumerated item ア, イ … of a paragraph, or
the paragraph where it has none), prefilled with the control registry's results
for that article. The inspectors (the supervisors and auditors named) record a result per item; the
supervisor asks for written reports and gives instructions, which the inspected party's responsible person
answers through the submissions mechanism, and which the supervisor acknowledges or closes (or returns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.contracts import chain
from itaku.contracts.models import Contract, Role
from itaku.contracts.services import evaluate_controls
from itaku.inspections.models import ChecklistItem, Inspection, Instruction, ReportRequest
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.provisions.controls import Result, State
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission

REPORT = "inspections.report"
INSTRUCTION = "inspections.instruction"


class InspectionError(UserError):
    """An inspection step that the rules do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for("inspection")


def _facts(inspection: Inspection, **more: Any) -> dict[str, Any]:
    return {"inspection": inspection.pk, "party": inspection.party_id, **more}


def _supervisor_of(by: User, contract: Contract) -> None:
    holds = contract.roles.filter(user=by, role=Role.SUPERVISOR).exists()
    if by.organisation_id != contract.authority_id or not holds:
        raise InspectionError("この操作は委託者の監督職員だけが行えます。",
                              "Only the authority's supervisor can do this.")


def _same_contract(contract: Contract, inspection: Inspection) -> None:
    if inspection.contract_id != contract.pk:
        raise InspectionError("この契約の検査ではありません。", "Not an inspection of this contract.")


def is_inspector(user: User, inspection: Inspection) -> bool:
    """The inspectors named, and every supervisor of the contract, record results."""
    if user.organisation_id != inspection.contract.authority_id:
        return False
    return inspection.inspectors.filter(pk=user.pk).exists() or inspection.contract.roles.filter(
        user=user, role=Role.SUPERVISOR).exists()


def is_inspected(user: User, inspection: Inspection) -> bool:
    """The responsible person of the party inspected answers its reports and instructions."""
    return user.organisation_id == inspection.party_id and inspection.contract.roles.filter(
        user=user, role=Role.RESPONSIBLE).exists()


# ---------------------------------------------------------------- the checklist

def _state(state: State) -> dict[str, str]:
    return {"state": state.value, "state_ja": state.label_ja, "state_en": state.label_en}


def _known(results: Sequence[Result], article: int) -> list[dict[str, Any]]:
    """What the controls of one article say now: state, findings and their evidence refs."""
    return [
        {"control": r.control.code, "title_ja": r.control.title_ja, "title_en": r.control.title_en,
         **_state(r.state),
         "findings": [{**_state(f.state), "message_ja": f.message_ja, "message_en": f.message_en,
                       "evidence": [{"ref": e.ref, "label": e.label} for e in f.evidence]} for f in r.findings]}
        for r in results if article in r.articles
    ]


def checklist(contract: Contract) -> list[dict[str, Any]]:
    """One item per obligation of the contract's provisions, with what the control registry knows of its
    article: each enumerated item of a paragraph (ア, イ … each checked on its own, the paragraph's lead text
    kept as its context), or the paragraph itself where it has no items."""
    if not contract.provisions_id:
        return []
    results = evaluate_controls(contract)
    rows = []
    for article in contract.provisions.parsed().articles:
        known = _known(results, article.number)
        for paragraph in article.paragraphs:
            cited = {"article": article.number, "paragraph": paragraph.number, "heading": article.heading,
                     "known": known}
            if paragraph.items:
                rows += [{**cited, "label": item.label, "lead": paragraph.text, "text": item.text}
                         for item in paragraph.items]
            else:
                rows.append({**cited, "label": "", "lead": "", "text": paragraph.text})
    return rows


def schedule(by: User, contract: Contract, *, party: Organisation, kind: str, held_on: dt.date, scope: str,
             inspectors: Iterable[User]) -> Inspection:
    """The supervisor schedules an inspection or investigation of a party of the chain; its checklist is
    generated from the contract's provisions in the same transaction."""
    _supervisor_of(by, contract)
    if contract.status != Contract.Status.ACTIVE:
        raise InspectionError("有効な契約でだけ検査を予定できます。", "Inspections need an active contract.")
    if not chain.is_party(contract, party.pk):
        raise InspectionError("検査の相手方が受託者又は再委託先ではありません。",
                              "The party inspected is neither the contractor nor a subcontractor of the contract.")
    if kind not in Inspection.Kind.values:
        raise InspectionError("検査の種類を選んでください。", "Choose the kind of inspection.")
    if not scope.strip():
        raise InspectionError("検査の範囲（項目: scope）を記載してください。", "State the scope (field: scope).")
    people = list(inspectors)
    allowed = set(contract.roles.filter(role__in=[Role.SUPERVISOR, Role.AUDITOR],
                                        user__organisation_id=contract.authority_id).values_list("user_id", flat=True))
    if not people or any(person.pk not in allowed for person in people):
        raise InspectionError("検査員（項目: inspectors）は委託者の監督職員又は監査担当者から選んでください。",
                              "Choose the inspectors (field: inspectors) among the authority's supervisors and "
                              "auditors of the contract.")
    items = checklist(contract)
    if not items:
        raise InspectionError("特記事項が添付されていないため、チェックリストを作れません。",
                              "The contract has no provisions to draw a checklist from.")
    with transaction.atomic():
        inspection = Inspection.objects.create(contract=contract, party=party, kind=kind, held_on=held_on,
                                               scope=scope.strip(), scheduled_by=by)
        inspection.inspectors.set(people)
        ChecklistItem.objects.bulk_create(
            ChecklistItem(inspection=inspection, position=n, **row) for n, row in enumerate(items, start=1))
        record("inspection.scheduled", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, kind=kind, held_on=held_on.isoformat(), inspectors=sorted(p.pk for p in people),
                            items=len(items)))
        return inspection


def refresh(by: User, contract: Contract, inspection: Inspection) -> Inspection:
    """Prefill the checklist again with what the controls say now (on the day of the inspection)."""
    _same_contract(contract, inspection)
    if not is_inspector(by, inspection):
        raise InspectionError("検査員だけが行えます。", "Only an inspector can do this.")
    if not inspection.is_open:
        raise InspectionError("終了した検査は変更できません。", "A closed inspection cannot change.")
    results = evaluate_controls(contract)
    with transaction.atomic():
        items = list(inspection.items.select_for_update())
        for item in items:
            item.known = _known(results, item.article)
        ChecklistItem.objects.bulk_update(items, ["known"])
        record("inspection.checklist_refreshed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, items=len(items)))
        return inspection


def record_item(by: User, contract: Contract, item: ChecklistItem, *, result: str, notes: str = "") -> ChecklistItem:
    """An inspector records the result of one item: conforming, a finding (with notes) or not applicable."""
    inspection = item.inspection
    _same_contract(contract, inspection)
    if not is_inspector(by, inspection):
        raise InspectionError("検査員だけが結果を記録できます。", "Only an inspector can record results.")
    if not inspection.is_open:
        raise InspectionError("終了した検査の結果は変更できません。",
                              "The results of a closed inspection cannot change.")
    if result not in ChecklistItem.Result.values:
        raise InspectionError(f"{item.reference}: 結果を選んでください。", f"{item.reference}: choose a result.")
    notes = notes.strip()
    if result == ChecklistItem.Result.FINDING and not notes:
        raise InspectionError(f"{item.reference}: 指摘事項には所見（項目: notes）が必要です。",
                              f"{item.reference}: a finding needs notes (field: notes).")
    if item.result == ChecklistItem.Result.FINDING and result != item.result and item.instructions.exists():
        raise InspectionError(f"{item.reference}: 指示を出した指摘事項は取り消せません。",
                              f"{item.reference}: a finding with an instruction cannot be withdrawn.")
    with transaction.atomic():
        item.result, item.notes, item.recorded_by, item.recorded_at = result, notes, by, timezone.now()
        item.save(update_fields=["result", "notes", "recorded_by", "recorded_at"])
        record("inspection.item_recorded", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, item=item.pk, article=item.article, paragraph=item.paragraph,
                            label=item.label, result=result, has_notes=bool(notes)))
        return item


def close(by: User, contract: Contract, inspection: Inspection, *, summary: str = "") -> Inspection:
    """The supervisor closes the inspection once every item has its result; the results are final then."""
    _same_contract(contract, inspection)
    _supervisor_of(by, contract)
    if not inspection.is_open:
        raise InspectionError("この検査は終了しています。", "This inspection is closed already.")
    if inspection.held_on > timezone.localdate():
        raise InspectionError("実施日前の検査は終了できません。", "An inspection cannot close before its date.")
    open_items = [item.reference for item in inspection.items.filter(result="")]
    if open_items:
        raise InspectionError(f"結果が未記録の項目があります（{'、'.join(open_items[:10])}）。",
                              f"Items have no result yet ({', '.join(open_items[:10])}).")
    with transaction.atomic():
        inspection.summary, inspection.closed_at, inspection.closed_by = summary.strip(), timezone.now(), by
        inspection.save(update_fields=["summary", "closed_at", "closed_by"])
        counts = {value: inspection.items.filter(result=value).count() for value in ChecklistItem.Result.values}
        record("inspection.closed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, **counts))
        return inspection


# ---------------------------------------------------------------- reports and instructions

def _due(due_on: dt.date) -> None:
    if due_on < timezone.localdate():
        raise InspectionError("期限（項目: due_on）が過去の日付です。", "The due date (field: due_on) is in the past.")


def request_report(by: User, contract: Contract, inspection: Inspection, *, question: str,
                   due_on: dt.date) -> ReportRequest:
    """必要な報告を書面で求める: the supervisor asks the inspected party for a written report by a date."""
    _same_contract(contract, inspection)
    _supervisor_of(by, contract)
    if not question.strip():
        raise InspectionError("報告を求める事項（項目: question）を記載してください。",
                              "State what the report must cover (field: question).")
    _due(due_on)
    with transaction.atomic():
        asked = ReportRequest.objects.create(inspection=inspection, question=question.strip(), due_on=due_on,
                                             created_by=by)
        record("inspection.report_requested", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, report=asked.pk, due_on=due_on.isoformat()))
        return asked


def issue_instruction(by: User, contract: Contract, inspection: Inspection, *, text: str, due_on: dt.date,
                      item: ChecklistItem | None = None) -> Instruction:
    """指示: the supervisor tells the inspected party what to do by a date, on a finding of the checklist."""
    _same_contract(contract, inspection)
    _supervisor_of(by, contract)
    if not text.strip():
        raise InspectionError("指示の内容（項目: text）を記載してください。", "State the instruction (field: text).")
    if item is not None and (item.inspection_id != inspection.pk or item.result != ChecklistItem.Result.FINDING):
        raise InspectionError("指示の対象は、この検査の指摘事項から選んでください。",
                              "The instruction must be on a finding of this inspection.")
    _due(due_on)
    with transaction.atomic():
        given = Instruction.objects.create(inspection=inspection, item=item, text=text.strip(), due_on=due_on,
                                           created_by=by)
        record("inspection.instruction_issued", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts=_facts(inspection, instruction=given.pk, item=item.pk if item else None,
                            due_on=due_on.isoformat()))
        return given


def _answer(by: User, contract: Contract, subject: ReportRequest | Instruction, kind: str, answer: str,
            attachment: UploadedFile | None, empty: tuple[str, str], done: tuple[str, str]) -> Submission:
    inspection = subject.inspection
    _same_contract(contract, inspection)
    if not is_inspected(by, inspection):
        raise InspectionError("検査を受けた事業者の責任者だけが回答できます。",
                              "Only the responsible person of the party inspected can answer.")
    if not answer.strip():
        raise InspectionError(*empty)
    latest = submissions.latest(subject, kind)
    if latest is not None and (latest.is_open or latest.is_accepted):
        raise InspectionError(*done)
    with transaction.atomic():
        subject.answer = answer.strip()
        if attachment is not None:
            subject.attachment = submissions.attach(subject, attachment, by=by, chain=contract.ledger_chain,
                                                    articles=_articles(contract))
        subject.save(update_fields=["answer", "attachment"])
        return submissions.submit(subject, kind=kind, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def deliver_report(by: User, contract: Contract, report: ReportRequest, *, answer: str,
                   attachment: UploadedFile | None = None) -> Submission:
    """The inspected party delivers the written report (text and an optional file)."""
    return _answer(by, contract, report, REPORT, answer, attachment,
                   ("報告の内容（項目: answer）を記載してください。", "Write the report (field: answer)."),
                   ("この報告は提出済みです。", "This report has been delivered already."))


def answer_instruction(by: User, contract: Contract, instruction: Instruction, *, answer: str,
                       attachment: UploadedFile | None = None) -> Submission:
    """The inspected party answers an instruction: what it did."""
    return _answer(by, contract, instruction, INSTRUCTION, answer, attachment,
                   ("回答の内容（項目: answer）を記載してください。", "Write the answer (field: answer)."),
                   ("この指示には回答済みです。", "This instruction has been answered already."))


def _decide(by: User, contract: Contract, subject: ReportRequest | Instruction, kind: str, accept: bool,
            comment: str) -> Submission:
    _same_contract(contract, subject.inspection)
    _supervisor_of(by, contract)
    pending = submissions.latest(subject, kind)
    if pending is None or not pending.is_open:
        raise InspectionError("判断待ちの回答がありません。", "No answer awaits a decision.")
    status = Submission.Status.ACKNOWLEDGED if accept else Submission.Status.RETURNED
    return submissions.decide(pending, subject, by=by, status=status, comment=comment)


def acknowledge_report(by: User, contract: Contract, report: ReportRequest, *, accept: bool,
                       comment: str = "") -> Submission:
    """The supervisor acknowledges the report, or returns it with a reason."""
    return _decide(by, contract, report, REPORT, accept, comment)


def close_instruction(by: User, contract: Contract, instruction: Instruction, *, accept: bool,
                      comment: str = "") -> Submission:
    """The supervisor closes the instruction on its answer, or returns the answer with a reason."""
    return _decide(by, contract, instruction, INSTRUCTION, accept, comment)


def answered_on(subject: ReportRequest | Instruction) -> dt.date | None:
    """The day the report or answer was handed in, if a round was submitted and not returned."""
    latest = submissions.latest(subject, REPORT if isinstance(subject, ReportRequest) else INSTRUCTION)
    if latest is None or latest.status in Submission.REFUSING:
        return None
    return timezone.localdate(latest.submitted_at)


def closed_on(instruction: Instruction) -> dt.date | None:
    """The day the authority closed the instruction on its answer."""
    found = submissions.accepted(instruction, INSTRUCTION)
    return timezone.localdate(found.decided_at) if found else None


def open_findings(inspection: Inspection) -> list[ChecklistItem]:
    """Findings of the checklist that no closed instruction answers yet."""
    return [item for item in inspection.items.filter(result=ChecklistItem.Result.FINDING)
            if not any(closed_on(i) for i in item.instructions.all())]

"""Disposal (廃棄, article 13): on the authority's instruction, recorded with the items of article 13-2,
reported in writing (廃棄報告書) and acknowledged by the authority.

A dataset is disposed of by cryptographic erasure (NIST SP 800-88 Rev. 2 purge by crypto erase): its
records were encrypted before they were ever written, under random 256-bit keys of its own, so nulling
the two wrapped keys in one small transaction makes every ciphertext and index entry noise at once,
whatever the dataset's size. The rows are deleted afterwards in the background (`tasks`). Copies of the
wrapped keys survive in database backups, old row versions and journals; they open only with the
master-key version recorded on the disposal, so the erasure is complete once the master key has been
rotated (`itaku keys rotate`) and that version destroyed after the last backup made before the disposal
has expired. Paper and other media disposed of by hand get the same record and report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from itaku.contracts.access import Perm, perms
from itaku.contracts.documents import letterhead
from itaku.contracts.models import Contract
from itaku.documents.registry import render
from itaku.ledger.models import Event
from itaku.ledger.services import last_event, record
from itaku.lib.era import dual_date
from itaku.lib.errors import UserError
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error
from itaku.vault import copies, tasks
from itaku.vault.documents import DisposalReport
from itaku.vault.models import Copy, Dataset, Disposal, DisposalInstruction, Record
from itaku.vault.services import master_keys

KIND = "vault.disposal"  # the submissions kind of the 廃棄報告書
DOCUMENT = DisposalReport.kind
TOPIC = "disposal"
CRYPTO_ERASE = "暗号消去（NIST SP 800-88 Rev. 2 purge: cryptographic erase）"
VAULT_MEDIUM = "itaku 保管庫（暗号化されたデータベース） itaku vault (encrypted database)"
REPORT_DAYS = 14  # the report is due this many days after the disposal
DISPOSE_DAYS = 30  # an instruction is overdue when not carried out within this many days
DELETION_GRACE = dt.timedelta(hours=1)  # a background deletion still running after this is stuck
CORRECTABLE = ("medium", "place", "person_in_charge")  # what a returned report of a dataset may correct
MEDIA_CORRECTABLE = (*CORRECTABLE, "items", "records", "files", "disposed_at", "method")


class DisposalError(UserError):
    """A disposal step that the rules or the state of the dataset do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _require(by: Any, contract: Contract, perm: Perm, message_ja: str, message_en: str) -> None:
    """The permission; the contractor's side of a disposal is the contractor's own, not a subcontractor's."""
    if perm not in perms(by, contract) or (perm == Perm.SUBMIT and by.organisation_id != contract.contractor_id):
        raise DisposalError(message_ja, message_en)


def _require_authority(by: Any, contract: Contract) -> None:
    _require(by, contract, Perm.DECIDE, "廃棄を指示できるのは委託者の監督職員だけです。",
             "Only the authority's supervisor can instruct a disposal.")


def _require_responsible(by: Any, contract: Contract) -> None:
    _require(by, contract, Perm.SUBMIT, "廃棄を記録・報告できるのは受託者の責任者だけです。",
             "Only the contractor's responsible person can record and report a disposal.")


def _validated(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        error = user_error(exc, "廃棄の内容に誤りがあります", "The disposal is not valid", type(obj))
        raise DisposalError(error.message_ja, error.message_en) from None


# Instructions -------------------------------------------------------------------------------------------


def open_instruction(dataset: Dataset) -> DisposalInstruction | None:
    """The instruction to dispose of this dataset not carried out yet, if any."""
    return DisposalInstruction.objects.filter(dataset=dataset, disposal__isnull=True).first()


def _instruct(by: Any, contract: Contract, dataset: Dataset | None, note: str) -> DisposalInstruction:
    _require_authority(by, contract)
    instruction = DisposalInstruction(contract=contract, dataset=dataset, note=note.strip(), instructed_by=by,
                                      instructed_at=timezone.now())
    _validated(instruction)
    instruction.save()
    record("vault.disposal_instructed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
           facts={"instruction": instruction.pk, "dataset": dataset.pk if dataset else None,
                  "has_note": bool(instruction.note)})
    return instruction


def instruct_disposal(by: Any, dataset: Dataset, *, instruction_note: str = "") -> DisposalInstruction:
    """The authority instructs the contractor to dispose of a dataset (article 13)."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update(of=("self",)).select_related("contract").get(pk=dataset.pk)
        _require_authority(by, dataset.contract)
        if dataset.is_disposed:
            raise DisposalError("この個人情報ファイルは廃棄済みです。", "The dataset has already been disposed of.")
        if open_instruction(dataset) is not None:
            raise DisposalError("この個人情報ファイルには実施待ちの廃棄指示があります。",
                                "The dataset already has a disposal instruction awaiting execution.")
        return _instruct(by, dataset.contract, dataset, instruction_note)


def instruct_media_disposal(by: Any, contract: Contract, *, instruction_note: str) -> DisposalInstruction:
    """The authority instructs the disposal of paper or media kept outside the vault; the note says which."""
    with transaction.atomic():
        return _instruct(by, contract, None, instruction_note)


# Disposals ----------------------------------------------------------------------------------------------


def _destroy_keys(dataset: Dataset) -> None:
    """Null both wrapped keys. On SQLite with secure_delete the freed bytes of the old row are zeroed too;
    PostgreSQL keeps the old row version until vacuum (see the module notes)."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if sqlite:
            cursor.execute("PRAGMA secure_delete")
            was_on = bool(cursor.fetchone()[0])
            cursor.execute("PRAGMA secure_delete = ON")
        Dataset.objects.filter(pk=dataset.pk).update(
            wrapped_data_key=None, wrapped_index_key=None, status=Dataset.Status.DISPOSED)
        if sqlite and not was_on:
            cursor.execute("PRAGMA secure_delete = OFF")


def dispose(by: Any, dataset: Dataset, *, place: str, person_in_charge: str, medium: str = VAULT_MEDIUM) -> Disposal:
    """Carry out the authority's instruction on a dataset by cryptographic erasure, in one transaction.

    Both wrapped keys are destroyed (from then on `services.open_keys` and every access refuse, and no
    master key opens the records), the disposal record is written with the items of article 13-2 and a
    ledger event holds its counts and field names. The deletion of the ciphertexts and index entries is
    enqueued once the transaction has committed. The method is always crypto erase: it is what happens.
    """
    with transaction.atomic():
        # Locked first: an add or correction of a record (vault.access) or an import locks the same row, so it
        # commits before this one and is counted and erased with the rest, or waits and finds the keys gone.
        locked = Dataset.objects.select_for_update(of=("self",)).select_related("contract").get(pk=dataset.pk)
        contract = locked.contract
        _require_responsible(by, contract)
        if locked.is_disposed or locked.wrapped_data_key is None or locked.wrapped_index_key is None:
            raise DisposalError("この個人情報ファイルは廃棄済みです。", "The dataset has already been disposed of.")
        instruction = open_instruction(locked)
        if instruction is None:
            raise DisposalError("委託者の廃棄指示がありません。廃棄は指示に基づいてだけ行えます（第13）。",
                                "There is no disposal instruction from the authority; disposal follows one (art. 13).")
        fields = list(locked.fields.order_by("position").values_list("name", flat=True))
        disposal = Disposal(
            contract=contract, instruction=instruction, dataset=locked, items=fields, medium=medium.strip(),
            records=Record.objects.filter(dataset=locked).count(), files=1, disposed_at=timezone.now(),
            method=CRYPTO_ERASE, place=place.strip(), person_in_charge=person_in_charge.strip(), reported_by=by,
            master_key_version=master_keys().version_of(locked.wrapped_data_key),
        )
        _validated(disposal)
        _destroy_keys(locked)
        disposal.save()
        record("vault.disposed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"disposal": disposal.pk, "instruction": instruction.pk, "dataset": locked.pk,
                      "records": disposal.records, "files": disposal.files, "fields": fields,
                      "method": "crypto_erase", "master_key_version": disposal.master_key_version})
        transaction.on_commit(partial(tasks.delete_disposed_data.enqueue, disposal.pk))
    # The caller's object must not keep a usable copy of the keys either.
    dataset.wrapped_data_key = dataset.wrapped_index_key = None
    dataset.status = Dataset.Status.DISPOSED
    return disposal


def record_media_disposal(
    by: Any, instruction: DisposalInstruction, *, items: Sequence[str], medium: str, records: int, files: int,
    disposed_at: dt.datetime, method: str, place: str, person_in_charge: str,
) -> Disposal:
    """Record the disposal of paper or media done by hand (shredding, incineration …) on an instruction."""
    with transaction.atomic():
        instruction = (DisposalInstruction.objects.select_for_update(of=("self",)).select_related("contract")
                       .get(pk=instruction.pk))
        contract = instruction.contract
        _require_responsible(by, contract)
        if instruction.dataset_id is not None:
            raise DisposalError("個人情報ファイルの廃棄は暗号消去で行います。",
                                "A dataset is disposed of by crypto erase.")
        if Disposal.objects.filter(instruction=instruction).exists():
            raise DisposalError("この指示による廃棄は記録済みです。", "This instruction has already been carried out.")
        disposal = Disposal(
            contract=contract, instruction=instruction, items=[item.strip() for item in items],
            medium=medium.strip(), records=records, files=files, disposed_at=disposed_at, method=method.strip(),
            place=place.strip(), person_in_charge=person_in_charge.strip(), reported_by=by,
        )
        _validated(disposal)
        disposal.save()
        record("vault.media_disposed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"disposal": disposal.pk, "instruction": instruction.pk, "records": disposal.records,
                      "files": disposal.files, "items": len(disposal.items)})
        return disposal


def correct_disposal(by: Any, disposal: Disposal, **changes: Any) -> Disposal:
    """Correct what was typed into a disposal record (after a return); voids an earlier acknowledgement.

    A dataset's items, quantity, time and method are what the system did and cannot be changed.
    """
    with transaction.atomic():
        disposal = (Disposal.objects.select_for_update(of=("self",)).select_related("contract", "instruction")
                    .get(pk=disposal.pk))
        _require_responsible(by, disposal.contract)
        allowed = CORRECTABLE if disposal.dataset_id else MEDIA_CORRECTABLE
        unknown = set(changes) - set(allowed)
        if unknown:
            raise DisposalError(f"変更できない項目です: {', '.join(sorted(unknown))}",
                                f"These items cannot be changed: {', '.join(sorted(unknown))}")
        pending = submissions.latest(disposal, KIND)
        if pending is not None and pending.is_open:
            raise DisposalError("廃棄報告書が確認待ちのため変更できません。",
                                "The disposal report awaits the authority's decision.")
        changed = []
        for name, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            elif name == "items":
                value = [item.strip() for item in value]
            if getattr(disposal, name) != value:
                setattr(disposal, name, value)
                changed.append(name)
        if not changed:
            return disposal
        _validated(disposal)
        disposal.save(update_fields=changed)
        record("vault.disposal_corrected", chain=disposal.contract.ledger_chain, actor=by,
               articles=_articles(disposal.contract), facts={"disposal": disposal.pk, "fields": sorted(changed)})
        return disposal


def resume_deletions() -> list[int]:
    """Enqueue again every deletion not finished (after a crash of the worker); returns the disposals."""
    pending = list(Disposal.objects.filter(dataset__isnull=False, deletion_finished__isnull=True)
                   .order_by("pk").values_list("pk", flat=True))
    for disposal_id in pending:
        tasks.delete_disposed_data.enqueue(disposal_id)
    return pending


# The written report (廃棄報告書) ----------------------------------------------------------------------------


def submit_report(by: Any, disposal: Disposal) -> Submission:
    """The responsible person submits the 廃棄報告書 to the authority (article 13-2)."""
    with transaction.atomic():
        disposal = Disposal.objects.select_for_update(of=("self",)).select_related("contract").get(pk=disposal.pk)
        _require_responsible(by, disposal.contract)
        if submissions.accepted(disposal, KIND) is not None:
            raise DisposalError("この廃棄報告書は確認済みです。", "This disposal report is already acknowledged.")
        contract = disposal.contract
        return submissions.submit(disposal, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def decide_report(by: Any, disposal: Disposal, *, acknowledge: bool, comment: str = "") -> Submission:
    """The authority acknowledges the report, or returns it with a reason."""
    with transaction.atomic():
        disposal = Disposal.objects.select_for_update(of=("self",)).select_related("contract").get(pk=disposal.pk)
        _require(by, disposal.contract, Perm.DECIDE, "廃棄報告書を確認できるのは委託者の監督職員だけです。",
                 "Only the authority's supervisor can decide on a disposal report.")
        pending = submissions.latest(disposal, KIND)
        if pending is None or not pending.is_open:
            raise DisposalError("確認待ちの廃棄報告書がありません。",
                                "There is no disposal report awaiting a decision.")
        status = Submission.Status.ACKNOWLEDGED if acknowledge else Submission.Status.RETURNED
        return submissions.decide(pending, disposal, by=by, status=status, comment=comment)


REPORT_LABELS = {
    "unreported": ("未提出", "Not yet reported"),
    "submitted": ("提出済み・確認待ち", "Submitted, awaiting acknowledgement"),
    "acknowledged": ("確認済み", "Acknowledged"),
    "changed": ("確認後に変更あり・再提出が必要", "Changed since acknowledged — submit again"),
    "returned": ("差戻し・修正して再提出", "Returned — correct it and submit again"),
}


@dataclass(frozen=True)
class ReportState:
    """Where a disposal's report stands: its status code, the latest round and the first submission."""

    status: str
    latest: Submission | None
    first: Submission | None
    deadline: dt.datetime

    @property
    def label_ja(self) -> str:
        return REPORT_LABELS[self.status][0]

    @property
    def label_en(self) -> str:
        return REPORT_LABELS[self.status][1]

    @property
    def on_time(self) -> bool:
        return self.first is not None and self.first.submitted_at <= self.deadline


def report_state(disposal: Disposal) -> ReportState:
    rounds = submissions.rounds(disposal, KIND)
    latest, first = rounds.order_by("-round").first(), rounds.order_by("round").first()
    if latest is None:
        status = "unreported"
    elif latest.is_open:
        status = "submitted"
    elif submissions.accepted(disposal, KIND) is not None:
        status = "acknowledged"
    elif latest.is_accepted:
        status = "changed"
    else:
        status = "returned"
    return ReportState(status, latest, first, disposal.disposed_at + dt.timedelta(days=REPORT_DAYS))


def _moment(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{dual_date(local)} {local:%H:%M}"


def _method_labels(method: str) -> str:
    """A copy's method of destruction in Japanese and English, from the model's own translated labels."""
    label = Copy.Method(method).label
    with translation.override("ja"):
        ja = str(label)
    with translation.override("en"):
        en = str(label)
    return ja if ja == en else f"{ja} {en}"


def _copies(disposal: Disposal) -> list[dict[str, Any]]:
    """The copies made of the disposed dataset (article 10), in copy-number order: destroyed ones with the
    particulars of their destruction, the others named as not destroyed."""
    if disposal.dataset_id is None:
        return []
    found = (Copy.objects.filter(request__dataset_id=disposal.dataset_id)
             .select_related("request__holder", "destroyed_place", "destroyed_by").order_by("request__number"))
    return [{
        "number": copy.request.code, "holder": str(copy.request.holder), "medium": copy.request.medium,
        "records": copy.records, "produced_at": _moment(copy.produced_at),
        "destroy_by": dual_date(copy.request.destroy_by), "destroyed": copy.is_destroyed,
        "destroyed_at": _moment(copy.destroyed_at) if copy.is_destroyed else "",
        "method": _method_labels(copy.destruction_method) if copy.is_destroyed else "",
        "place": str(copy.destroyed_place) if copy.is_destroyed else "",
        "person": str(copy.destroyed_by) if copy.is_destroyed else "",
    } for copy in found]


def report_data(disposal: Disposal) -> dict[str, Any]:
    """The plain data of the 廃棄報告書: the items of article 13-2, the contract, the instruction it answers,
    the report date and reporter, and for a dataset the copies made of it (article 10), kept apart."""
    instruction = disposal.instruction
    contract = disposal.contract
    deletion = ""
    if disposal.dataset_id is not None:
        deletion = (f"削除完了 {_moment(disposal.deletion_finished)}（記録 {disposal.deleted_records:,} 件）"
                    f" deleted ({disposal.deleted_records:,} records)" if disposal.deletion_finished
                    else "削除中（鍵は消去済みで読めません） being deleted (unreadable: the keys are destroyed)")
    return {
        "articles": _articles(contract),
        "disposal": disposal.pk,
        "dataset": disposal.dataset.name if disposal.dataset_id else "",
        "specific": bool(disposal.dataset_id) and disposal.dataset.is_specific,
        "instruction": {
            "number": instruction.pk, "date": _moment(instruction.instructed_at),
            "by": str(instruction.instructed_by), "organisation": contract.authority.name, "note": instruction.note,
        },
        "items": list(disposal.items),
        "medium": disposal.medium,
        "records": disposal.records,
        "files": disposal.files,
        "disposed_at": _moment(disposal.disposed_at),
        "method": disposal.method,
        "place": disposal.place,
        "person_in_charge": disposal.person_in_charge,
        "reported_by": str(disposal.reported_by),
        "reporter_organisation": contract.contractor.name,
        "report_date": dual_date(report_date(disposal)),
        "contract": {"number": contract.number, "title": contract.title},
        "deletion": deletion,
        "copy_articles": contract.articles_for(copies.TOPIC) if disposal.dataset_id else [],
        "copies": _copies(disposal),
    }


def report_date(disposal: Disposal) -> dt.date:
    """The date the report carries: the day it was (last) submitted, else today."""
    latest = submissions.latest(disposal, KIND)
    return timezone.localdate(latest.submitted_at) if latest else timezone.localdate()


def report_pdf(disposal: Disposal) -> bytes:
    """The 廃棄報告書 as PDF bytes (views send it with contracts.documents.pdf_response)."""
    return render(DOCUMENT, letterhead(disposal.contract, DOCUMENT, report_date(disposal)), report_data(disposal))


# Queries for the pages ---------------------------------------------------------------------------------------


def instructions(contract: Contract) -> QuerySet[DisposalInstruction]:
    """Every disposal instruction of the contract, oldest first, with its disposal if carried out."""
    return (DisposalInstruction.objects.filter(contract=contract)
            .select_related("dataset", "instructed_by", "disposal"))


def disposals(contract: Contract) -> QuerySet[Disposal]:
    """Every disposal record of the contract, newest first."""
    return Disposal.objects.filter(contract=contract).select_related("dataset", "instruction", "reported_by")


# Controls (topic: disposal) --------------------------------------------------------------------------------


def _what(disposal: Disposal) -> tuple[str, str]:
    if disposal.dataset_id:
        return f"個人情報ファイル「{disposal.dataset.name}」", f"dataset “{disposal.dataset.name}”"
    return f"{disposal.medium}（廃棄記録 {disposal.pk}）", f"{disposal.medium} (disposal record {disposal.pk})"


def _disposal_event(disposal: Disposal) -> Event | None:
    kinds = ("vault.disposed", "vault.media_disposed")
    return Event.objects.filter(chain=disposal.contract.ledger_chain, kind__in=kinds,
                                facts__disposal=disposal.pk).first()


def _evidence(disposal: Disposal, *kinds: str) -> tuple[Evidence, ...]:
    found = [Evidence.object(disposal)]
    event = _disposal_event(disposal)
    if event is not None:
        found.append(Evidence.event(event))
    if kinds:
        later = (Event.objects.filter(chain=disposal.contract.ledger_chain, kind__in=kinds,
                                      facts__subject=f"vault.disposal:{disposal.pk}").order_by("-seq").first())
        if later is not None:
            found.append(Evidence.event(later))
    return tuple(found)


@control("vault.disposal_instructions", topics=[TOPIC],
         title_ja="廃棄指示の実施", title_en="Disposal instructions carried out")
def instructions_carried_out(contract: Contract) -> Iterator[Finding]:
    now = timezone.now()
    done = 0
    for instruction in instructions(contract):
        if hasattr(instruction, "disposal"):
            done += 1
            continue
        what_ja, what_en = ((f"個人情報ファイル「{instruction.dataset.name}」", f"dataset “{instruction.dataset.name}”")
                            if instruction.dataset_id else ("紙・媒体", "paper or media"))
        due = instruction.instructed_at + dt.timedelta(days=DISPOSE_DAYS)
        evidence = (Evidence.object(instruction),)
        if now > due:
            yield Finding(State.OVERDUE,
                          f"{what_ja}の廃棄が指示から{DISPOSE_DAYS}日を過ぎても実施されていません"
                          f"（期限 {dual_date(due)}）。",
                          f"The disposal of the {what_en} was instructed more than {DISPOSE_DAYS} days ago and "
                          f"is not done (due {timezone.localdate(due).isoformat()}).", evidence)
        else:
            yield Finding(State.DUE_SOON, f"{what_ja}の廃棄が指示されています（期限 {dual_date(due)}）。",
                          f"The disposal of the {what_en} is instructed (due {timezone.localdate(due).isoformat()}).",
                          evidence)
    if done:
        event = last_event(contract.ledger_chain, "vault.disposed", "vault.media_disposed")
        yield Finding(State.OK, f"指示された廃棄 {done} 件が実施されています。",
                      f"{done} instructed disposals are done.", (Evidence.event(event),) if event else ())


@control("vault.disposal_reports", topics=[TOPIC],
         title_ja="廃棄報告書の提出と確認", title_en="Disposal reports submitted and acknowledged")
def reports_acknowledged(contract: Contract) -> Iterator[Finding]:
    now = timezone.now()
    for disposal in disposals(contract):
        state = report_state(disposal)
        what_ja, what_en = _what(disposal)
        due_ja, due_en = dual_date(state.deadline), timezone.localdate(state.deadline).isoformat()
        if state.first is None and now > state.deadline:
            yield Finding(State.VIOLATION,
                          f"{what_ja}の廃棄から{REPORT_DAYS}日を過ぎても廃棄報告書が提出されていません"
                          f"（期限 {due_ja}）。",
                          f"No disposal report for the {what_en} within {REPORT_DAYS} days of the disposal "
                          f"(due {due_en}).", _evidence(disposal))
        elif state.first is None:
            yield Finding(State.DUE_SOON, f"{what_ja}の廃棄報告書を提出してください（期限 {due_ja}）。",
                          f"Submit the disposal report for the {what_en} (due {due_en}).", _evidence(disposal))
        elif not state.on_time:
            yield Finding(State.VIOLATION, f"{what_ja}の廃棄報告書が期限（{due_ja}）の後に提出されました。",
                          f"The disposal report for the {what_en} was submitted after its due date ({due_en}).",
                          _evidence(disposal, f"{KIND}.submitted"))
        elif state.status == "acknowledged":
            yield Finding(State.OK, f"{what_ja}の廃棄報告書は委託者が確認しています。",
                          f"The disposal report for the {what_en} is acknowledged by the authority.",
                          _evidence(disposal, f"{KIND}.acknowledged"))
        else:
            yield Finding(State.MISSING, f"{what_ja}の廃棄報告書は委託者の確認がありません（{state.label_ja}）。",
                          f"The disposal report for the {what_en} is not acknowledged ({state.label_en}).",
                          _evidence(disposal, f"{KIND}.submitted", f"{KIND}.returned"))


@control("vault.disposal_deletion", topics=[TOPIC],
         title_ja="暗号消去後のデータ削除", title_en="Deletion of data after cryptographic erasure")
def deletion_done(contract: Contract) -> Iterator[Finding]:
    now = timezone.now()
    for disposal in disposals(contract).filter(dataset__isnull=False):
        what_ja, what_en = _what(disposal)
        if disposal.deletion_finished is not None:
            event = Event.objects.filter(chain=contract.ledger_chain, kind="vault.deletion_finished",
                                         facts__disposal=disposal.pk).first()
            yield Finding(State.OK, f"{what_ja}の暗号文と索引は削除済みです（記録 {disposal.deleted_records:,} 件）。",
                          f"The ciphertexts and indexes of the {what_en} are deleted "
                          f"({disposal.deleted_records:,} records).", (Evidence.event(event),) if event else ())
        elif now - disposal.disposed_at > DELETION_GRACE:
            yield Finding(State.OVERDUE,
                          f"{what_ja}の暗号文と索引の削除が終わっていません（中断のおそれ。鍵は消去済みで読めません）。"
                          "削除を再開してください。",
                          f"The deletion of the ciphertexts and indexes of the {what_en} has not finished "
                          "(interrupted?; they are unreadable, the keys are destroyed). Resume the deletion.",
                          _evidence(disposal))

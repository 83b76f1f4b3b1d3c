"""Internal rules (article 5): upload a version, submit it, decide on it, hand its file out intact.

Each step is one transaction with its ledger event; submitting and deciding go through the one
submissions mechanism, so a version changed after its acknowledgement is no longer acknowledged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.models import Contract
from itaku.ledger.services import record
from itaku.rules.errors import RulesError
from itaku.rules.models import RulesVersion
from itaku.rules.uploads import check_upload
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission, snapshot_sha256

KIND = "rules.version"
TOPIC = "internal_rules"
SUBMIT_WITHIN_DAYS = 14
"""A new version must reach the authority within this many days of its upload (変更の都度、遅滞なく)."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _refuse_closed(contract: Contract) -> None:
    if contract.status in (Contract.Status.ENDED, Contract.Status.TERMINATED):
        raise RulesError("終了・解除された契約には社内規程を提出できません。",
                         "Internal rules cannot be handed in under an ended or terminated contract.")


def version_of(contract: Contract, organisation_id: int, pk: int) -> RulesVersion | None:
    """One version of one party's rules under the contract."""
    return (RulesVersion.objects.select_related("attachment", "contract", "organisation")
            .filter(pk=pk, contract=contract, organisation_id=organisation_id).first())


def _newest(contract: Contract, organisation_id: int) -> RulesVersion | None:
    return (RulesVersion.objects.filter(contract=contract, organisation_id=organisation_id)
            .select_related("attachment").order_by("-number").first())


def upload_version(
    by: Any, contract: Contract, *, title: str, document_date: dt.date | None, upload: UploadedFile,
    organisation: Organisation | None = None,
) -> RulesVersion:
    """Store a party's rules file (the contractor's unless a subcontractor is named) as its next version, by one
    of the party's own people; refused input leaves nothing behind."""
    party = organisation or contract.contractor
    if not chain.is_party(contract, party.pk):
        raise RulesError(f"{party.name} はこの契約の受託者でも再委託先でもありません。",
                         f"{party.name} is neither the contractor nor a subcontractor of this contract.")
    if by.organisation_id != party.pk:
        raise RulesError(f"{party.name} の社内規程を登録できるのは、{party.name} の者だけです。",
                         f"Only people of {party.name} can upload its internal rules.")
    _refuse_closed(contract)
    title = (title or "").strip()
    if not title:
        raise RulesError("規程の名称: 入力してください。", "Title of the rules: enter the title.", "title")
    if document_date is None:
        raise RulesError("施行日・改定日: 規程に記載された日付を入力してください。",
                         "Date of the rules: enter the date the rules document states.", "document_date")
    checked = check_upload(upload)
    upload.content_type = checked.content_type
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored: list[Any] = []
    try:
        with transaction.atomic():
            Contract.objects.select_for_update().get(pk=contract.pk)  # numbers are given one at a time
            previous = _newest(contract, party.pk)
            if previous is not None and (previous.attachment.sha256, previous.title, previous.document_date) == (
                digest.hexdigest(), title, document_date,
            ):
                raise RulesError(
                    f"第{previous.number}版と同じファイル・名称・日付です。変更がなければ新しい版は不要です。",
                    f"This is the same file, title and date as version {previous.number}; "
                    "an unchanged document needs no new version.",
                    "file",
                )
            version = RulesVersion(
                contract=contract, organisation_id=party.pk, title=title, created_by=by,
                number=(previous.number if previous else 0) + 1,
            )
            version.full_clean(exclude=["attachment"])
            version.save()
            attachment = submissions.attach(
                version, upload, by=by, chain=contract.ledger_chain, articles=_articles(contract),
                document_date=document_date,
            )
            stored.append(attachment.file)
            version.attachment = attachment
            version.save(update_fields=["attachment"])
            record(
                "rules.version_uploaded", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
                facts={"version": version.pk, "organisation": version.organisation_id, "number": version.number,
                       "attachment": attachment.pk, "sha256": attachment.sha256, "size": attachment.size},
            )
            return version
    except BaseException:
        for stored_file in stored:  # the rows are rolled back; the file written for them goes too
            stored_file.storage.delete(stored_file.name)
        raise


def read_verified(by: Any, version: RulesVersion) -> bytes:
    """The stored file, only if it still hashes to what was recorded at upload.

    A missing or altered file is refused, and the refusal is itself recorded (`rules.integrity_failed`)
    in a transaction of its own, so that it stays in the ledger although the step fails.
    """
    attachment = version.attachment
    data: bytes | None
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except OSError:
        data = None
    found = hashlib.sha256(data).hexdigest() if data is not None else None
    if data is not None and found == attachment.sha256:
        return data
    contract = version.contract
    with transaction.atomic():
        record(
            "rules.integrity_failed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"version": version.pk, "organisation": version.organisation_id, "number": version.number,
                   "attachment": attachment.pk, "recorded_sha256": attachment.sha256, "found_sha256": found,
                   "missing": data is None},
        )
    raise RulesError(
        f"第{version.number}版の保存ファイルが見つからないか、登録時のハッシュ値（SHA-256）と一致しません。"
        "ファイルは提供できません。この事象は台帳に記録されました。システム管理者に連絡してください。",
        f"The stored file of version {version.number} is missing or does not match the SHA-256 recorded at "
        "upload, so it cannot be handed out. This has been recorded in the ledger; contact the system administrator.",
    )


def submit_version(by: Any, version: RulesVersion) -> Submission:
    """A party hands its newest version to the authority; an older or acknowledged one is refused."""
    contract = version.contract
    if by.organisation_id != version.organisation_id:
        raise RulesError("規程を提出できるのは、その規程の組織だけです。",
                         "Only the organisation whose rules these are can submit them.")
    _refuse_closed(contract)
    newest = _newest(contract, version.organisation_id)
    if newest is None or newest.pk != version.pk:
        raise RulesError(
            f"第{version.number}版より新しい版があります。最新の版を提出してください。",
            f"There is a newer version than version {version.number}; submit the newest one.",
        )
    if submissions.accepted(version, KIND) is not None:
        raise RulesError(f"第{version.number}版は既に受理されています。",
                         f"Version {version.number} has already been acknowledged.")
    read_verified(by, version)
    return submissions.submit(version, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def decide_version(by: Any, version: RulesVersion, *, acknowledge: bool, comment: str = "") -> Submission:
    """The authority acknowledges any party's submitted version, or returns it with a comment saying why."""
    if by.organisation_id != version.contract.authority_id:
        raise RulesError("提出された規程を判断できるのは委託者だけです。",
                         "Only the authority decides on submitted rules.")
    pending = submissions.latest(version, KIND)
    if pending is None or not pending.is_open:
        raise RulesError(f"第{version.number}版には判断待ちの提出がありません。",
                         f"Version {version.number} has no submission awaiting a decision.")
    if acknowledge:
        read_verified(by, version)
    status = Submission.Status.ACKNOWLEDGED if acknowledge else Submission.Status.RETURNED
    return submissions.decide(pending, version, by=by, status=status, comment=comment)


class Status:
    """Where one version stands with the authority."""

    UNSUBMITTED = "unsubmitted"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    RETURNED = "returned"
    VOID = "void"

    LABELS: dict[str, Promise] = {
        UNSUBMITTED: _("Not submitted"),
        SUBMITTED: _("Awaiting acknowledgement"),
        ACKNOWLEDGED: _("Acknowledged"),
        RETURNED: _("Returned"),
        VOID: _("Changed after submission (void)"),
    }


@dataclass(frozen=True)
class VersionState:
    """A version with its newest submission round and what that means now."""

    version: RulesVersion
    latest: Submission | None
    status: str

    @property
    def label(self) -> Promise:
        return Status.LABELS[self.status]


def _status(version: RulesVersion, latest: Submission | None) -> str:
    if latest is None:
        return Status.UNSUBMITTED
    if latest.status in Submission.REFUSING:
        return Status.RETURNED
    if latest.snapshot_sha256 != snapshot_sha256(version.snapshot()):
        return Status.VOID
    return Status.SUBMITTED if latest.is_open else Status.ACKNOWLEDGED


def version_states(contract: Contract, organisation_id: int | None = None) -> list[VersionState]:
    """Every version of one party's rules (the contractor's by default) under the contract, newest first, with
    its status."""
    versions = list(
        RulesVersion.objects.filter(contract=contract, organisation_id=organisation_id or contract.contractor_id)
        .select_related("attachment", "created_by").order_by("-number")
    )
    rounds: dict[int, list[Submission]] = defaultdict(list)
    found = Submission.objects.filter(
        subject_type=ContentType.objects.get_for_model(RulesVersion), kind=KIND,
        subject_id__in=[v.pk for v in versions],
    ).select_related("submitted_by", "decided_by").order_by("-round")
    for submission in found:
        rounds[submission.subject_id].append(submission)
    states = []
    for version in versions:
        latest = rounds[version.pk][0] if rounds[version.pk] else None
        states.append(VersionState(version, latest, _status(version, latest)))
    return states


def submission_deadline(uploaded: dt.datetime) -> dt.date:
    """The last day to submit a version uploaded at `uploaded` (the day in Japan, plus 14 days)."""
    return timezone.localdate(uploaded) + dt.timedelta(days=SUBMIT_WITHIN_DAYS)


def current_state(contract: Contract, organisation_id: int | None = None) -> dict[str, Any]:
    """Where one party's rules (the contractor's by default) stand under a contract, for its pages and controls.

    `acknowledged`: the newest version whose acknowledgement still holds; `pending`, `returned`, `void`:
    the newest submitted version, when it awaits a decision, was sent back, or changed after it was
    submitted; `unsubmitted`: the newest version when no submission followed it, with the `deadline` that
    runs from the first upload nobody submitted. Each version key comes with its `*_submission` round.
    """
    states = version_states(contract, organisation_id)
    acknowledged = next((s for s in states if s.status == Status.ACKNOWLEDGED), None)
    submitted = next((s for s in states if s.latest is not None), None)
    unsubmitted = [s for s in states if submitted is None or s.version.number > submitted.version.number]
    state: dict[str, Any] = {
        "versions": states,
        "newest": states[0].version if states else None,
        "unsubmitted": unsubmitted[0].version if unsubmitted else None,
        "unsubmitted_since": unsubmitted[-1].version.created if unsubmitted else None,
        "deadline": submission_deadline(unsubmitted[-1].version.created) if unsubmitted else None,
    }
    def newest_submitted_if(status: str) -> VersionState | None:
        return submitted if submitted is not None and submitted.status == status else None

    for key, found in (("acknowledged", acknowledged), ("pending", newest_submitted_if(Status.SUBMITTED)),
                       ("returned", newest_submitted_if(Status.RETURNED)), ("void", newest_submitted_if(Status.VOID))):
        state[key] = found.version if found else None
        state[f"{key}_submission"] = found.latest if found else None
    return state

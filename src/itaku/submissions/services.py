"""Submit, decide, attach: each step one transaction with its ledger event."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.submissions.models import Attachment, Submission, Submittable, snapshot_sha256


class SubmissionError(UserError):
    """A submission step that the rules do not allow."""


def _subject_facts(subject: Any) -> dict[str, Any]:
    return {"subject": f"{subject._meta.label_lower}:{subject.pk}"}


def rounds(subject: Any, kind: str) -> QuerySet[Submission]:
    """Every round of `kind` for `subject`, for histories and timelines."""
    subject_type = ContentType.objects.get_for_model(subject)
    return Submission.objects.filter(subject_type=subject_type, subject_id=subject.pk, kind=kind)


def latest(subject: Any, kind: str) -> Submission | None:
    """The newest round of `kind` for `subject`, whatever its status."""
    return rounds(subject, kind).order_by("-round").first()


def accepted(subject: Submittable, kind: str) -> Submission | None:
    """The newest accepted round, only if the subject has not changed since it was submitted."""
    found = rounds(subject, kind).filter(status__in=Submission.ACCEPTING).order_by("-round").first()
    if found is None or not found.matches(subject):
        return None
    return found


def submit(
    subject: Submittable, *, kind: str, by: Any, chain: str, articles: Iterable[int] = (),
) -> Submission:
    """Freeze the subject's state and hand it to the other side; refuses while a round is still open."""
    with transaction.atomic():
        previous = rounds(subject, kind).select_for_update()
        if previous.filter(status=Submission.Status.SUBMITTED).exists():
            raise SubmissionError("既に提出済みで、判断待ちです。", "Already submitted and awaiting a decision.")
        snapshot = subject.snapshot()
        submission = Submission.objects.create(
            chain=chain, articles=sorted(set(articles)), kind=kind,
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
            round=(previous.aggregate(n=Max("round"))["n"] or 0) + 1,
            snapshot=snapshot, snapshot_sha256=snapshot_sha256(snapshot),
            submitted_by=by, submitted_at=timezone.now(),
        )
        record(
            f"{kind}.submitted", chain=chain, actor=by, articles=submission.articles,
            facts={**_subject_facts(subject), "submission": submission.pk, "round": submission.round,
                   "snapshot_sha256": submission.snapshot_sha256},
        )
        return submission


def decide(
    submission: Submission, subject: Submittable, *, by: Any, status: str, comment: str = "",
    within_organisation: bool = False,
) -> Submission:
    """Record the other side's decision on an open round.

    Refused when the decider belongs to the submitting organisation, when a return or rejection gives no
    reason, or when the subject changed after it was submitted (the decision would not be about it).
    `within_organisation` is for an approval inside one party (its responsible person on its own people's
    take-outs, article 14): the decider may then share the organisation, but is never the submitter.
    """
    if status not in (*Submission.ACCEPTING, *Submission.REFUSING):
        raise SubmissionError("判断の種類が不正です。", f"Unknown decision {status!r}.")
    if status in Submission.REFUSING and not comment.strip():
        raise SubmissionError("差戻し・不承認には理由が必要です。", "A return or rejection needs a reason.")
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if not current.is_open:
            raise SubmissionError("この提出は既に判断済みです。", "This submission has already been decided.")
        if within_organisation and by.pk == current.submitted_by_id:
            raise SubmissionError("申請した本人は判断できません。", "The person who submitted cannot decide it.")
        if not within_organisation and by.organisation_id == current.submitted_by.organisation_id:
            raise SubmissionError(
                "提出した側は判断できません。", "The submitting side cannot decide its own submission.",
            )
        if not current.matches(subject):
            raise SubmissionError(
                "提出後に内容が変更されています。再提出が必要です。",
                "The subject changed after it was submitted; it must be submitted again.",
            )
        current.status, current.decided_by, current.decided_at = status, by, timezone.now()
        current.comment = comment.strip()
        current.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        record(
            f"{current.kind}.{status}", chain=current.chain, actor=by, articles=current.articles,
            facts={**_subject_facts(subject), "submission": current.pk, "round": current.round,
                   "snapshot_sha256": current.snapshot_sha256, "has_comment": bool(current.comment)},
        )
        return current


def attach(
    subject: Any, upload: UploadedFile, *, by: Any, chain: str, articles: Iterable[int] = (),
    document_date: dt.date | None = None,
) -> Attachment:
    """Store a file for a subject with its SHA-256; the file name and hash go to the ledger, not the content."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            chain=chain, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
            filename=upload.name or "upload", content_type=upload.content_type or "application/octet-stream",
            size=upload.size or 0, sha256=digest.hexdigest(), uploaded_by=by, document_date=document_date,
        )
        attachment.file.save(attachment.sha256, upload, save=False)
        attachment.save()
        record(
            "attachment.added", chain=chain, actor=by, articles=articles,
            facts={**_subject_facts(subject), "attachment": attachment.pk, "sha256": attachment.sha256,
                   "size": attachment.size},
        )
        return attachment

"""One mechanism for every 'one side submits, the other decides' step of the provisions.

A submission freezes the subject's state (a JSON snapshot and its SHA-256); a decision holds only while
the subject still hashes to that snapshot, so a change after approval is visible and voids it.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.ledger.chain import canonical_bytes


class Submittable(Protocol):
    """What can be submitted: a model that describes its own reviewable state."""

    pk: Any

    def snapshot(self) -> dict[str, Any]: ...


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    """The hash that a decision is bound to (same canonical JSON as the ledger)."""
    return hashlib.sha256(canonical_bytes(snapshot)).hexdigest()


class Submission(models.Model):
    """One round: submitted by one side, then approved, acknowledged, returned or rejected by the other."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RETURNED = "returned", _("Returned")
        REJECTED = "rejected", _("Rejected")

    ACCEPTING = (Status.APPROVED, Status.ACKNOWLEDGED)
    REFUSING = (Status.RETURNED, Status.REJECTED)

    chain = models.CharField(max_length=64, db_index=True)
    articles = models.JSONField(default=list)
    kind = models.CharField(_("kind"), max_length=80)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    round = models.PositiveIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["subject_type", "subject_id", "kind", "-round"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id", "kind", "round"], name="submission_round"),
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="submission_subject")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.round} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_accepted(self) -> bool:
        return self.status in self.ACCEPTING

    def matches(self, subject: Submittable) -> bool:
        """True while the subject is still exactly what was submitted."""
        return snapshot_sha256(subject.snapshot()) == self.snapshot_sha256


def _upload_to(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file handed in with a submission: its own hash and upload time, apart from the date it claims."""

    chain = models.CharField(max_length=64, db_index=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    file = models.FileField(upload_to=_upload_to)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    document_date = models.DateField(_("date on the document"), null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.filename

    def describe(self) -> dict[str, Any]:
        """What a snapshot holds of an attachment: identity and hash, never its content."""
        return {
            "id": self.pk, "filename": self.filename, "sha256": self.sha256, "size": self.size,
            "document_date": self.document_date.isoformat() if self.document_date else None,
        }

    def intact(self) -> bool:
        """Recompute the stored file's hash."""
        digest = hashlib.sha256()
        with self.file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == self.sha256

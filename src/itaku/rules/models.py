"""Internal rules (article 5): each upload of a party's privacy rules is a new, numbered version.

Every party of the contract's chain (the contractor and each subcontractor) hands in its own rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.contracts import chain
from itaku.submissions.models import Attachment


class RulesVersion(models.Model):
    """One version of an organisation's internal privacy rules (社内規程) as handed in under one contract; the
    organisation is the contractor or a subcontractor in the contract's chain.

    Never edited once stored: a change of the rules is a new version, which must be submitted again.
    The file, its SHA-256 and the date the document claims (施行日・改定日) live on the attachment.
    """

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="rules_versions", verbose_name=_("contract"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"),
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title of the rules"), max_length=200)
    # Null only inside the transaction that creates the version: the attachment needs the version's id.
    attachment = models.OneToOneField(
        Attachment, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("file"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "organisation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "organisation", "number"], name="rules_version_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="rules_version_number_positive"),
        ]
        verbose_name = _("internal rules version")
        verbose_name_plural = _("internal rules versions")

    def __str__(self) -> str:
        return f"v{self.number} {self.title}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.title or "").strip():
            errors["title"] = _("Enter the title of the rules.")
        if self.contract_id and self.organisation_id and not chain.is_party(self.contract, self.organisation_id):
            errors["organisation"] = _("The rules must be those of the contract's contractor or of a subcontractor.")
        if self.pk and self.attachment_id is None:
            errors["attachment"] = _("A rules version needs its file.")
        if errors:
            raise ValidationError(errors)

    @property
    def document_date(self) -> dt.date | None:
        """The date the rules document claims (施行日・改定日), entered by the uploader; not the upload time."""
        return self.attachment.document_date if self.attachment_id else None

    def snapshot(self) -> dict[str, Any]:
        """What the authority acknowledges: the version and its file's identity, so any change voids it."""
        return {
            "contract": self.contract_id,
            "organisation": self.organisation_id,
            "number": self.number,
            "title": self.title,
            "attachment": self.attachment.describe() if self.attachment_id else None,
        }

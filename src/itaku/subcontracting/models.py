"""Subcontracting (article 8): requests with items ア–キ, the chain they build, supervision and reports.

A request is approved for its items exactly as submitted (the submissions mechanism freezes them); a
change of any item after approval is a new request. An approved request puts its subcontractor into the
contract's chain (`contracts.Party`); revoking it, or the end of its period, ends the party's access.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.submissions.models import Attachment


class ExtraItem(models.Model):
    """キ その他甲が必要と認める事項: a question the authority adds to every request under one contract."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="subcontract_items")
    label = models.CharField(_("item"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "label"], name="subcontract_item_label")]
        verbose_name = _("additional item")

    def __str__(self) -> str:
        return self.label


class Request(models.Model):
    """再委託承認申請: one party of the chain asks to pass work on; the items of article 8-1 and the data it
    would need. `requester` is the party passing work on (the contractor, or a subcontractor for a further
    level, paragraph 5); `parent` is the requester's own place in the chain when it is a subcontractor."""

    class Supervision(models.IntegerChoices):
        MONTHLY = 1, _("Monthly")
        QUARTERLY = 3, _("Quarterly")
        HALF_YEARLY = 6, _("Every six months")
        YEARLY = 12, _("Yearly")

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="subcontract_requests")
    requester = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("requesting party"))
    parent = models.ForeignKey("contracts.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("requesting party's place in the chain"))
    # ア
    work = models.TextField(_("work to subcontract"))
    # イ
    subcontractor_name = models.CharField(_("subcontractor"), max_length=200)
    subcontractor_address = models.CharField(_("address"), max_length=300)
    subcontractor_representative = models.CharField(_("representative"), max_length=200)
    subsidiary = models.BooleanField(_("a subsidiary of the requesting party (会社法第2条第3号)"), default=False)
    # ウ
    start = models.DateField(_("start of the period"))
    end = models.DateField(_("end of the period"))
    # エ
    necessity = models.TextField(_("why it is necessary"))
    # オ
    safeguards = models.TextField(_("personal-information safeguards required of the subcontractor"))
    # カ
    supervision_method = models.TextField(_("how the subcontractor will be supervised"))
    supervision_months = models.PositiveSmallIntegerField(
        _("supervision at least"), choices=Supervision.choices, default=Supervision.QUARTERLY,
    )
    # キ: [{"item": ExtraItem.pk, "label": its wording when answered, "answer": text}]
    extra = models.JSONField(_("other items the authority requires"), default=list, blank=True)
    draft_subcontract = models.OneToOneField(Attachment, on_delete=models.PROTECT, null=True, blank=True,
                                             related_name="+", verbose_name=_("draft subcontract"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    # Set by the approval: the chain row of the subcontractor.
    party = models.ForeignKey("contracts.Party", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="requests")
    # A request made to change an approved one; the approval of the new one supersedes the old.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by")
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        ordering = ["contract", "-pk"]
        verbose_name = _("subcontracting request")
        verbose_name_plural = _("subcontracting requests")

    def __str__(self) -> str:
        return f"{self.subcontractor_name} ({self.start:%Y-%m-%d}–{self.end:%Y-%m-%d})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for name in ("work", "subcontractor_name", "subcontractor_address", "subcontractor_representative",
                     "necessity", "safeguards", "supervision_method"):
            if not (getattr(self, name) or "").strip():
                errors[name] = _("This item is required by article 8.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end of the period is before its start.")
        if self.contract_id and self.start and self.end and (
            self.start < self.contract.start or self.end > self.contract.end
        ):
            errors["end"] = _("The period must lie within the contract's period.")
        if self.parent_id and self.parent.organisation_id != self.requester_id:
            errors["parent"] = _("The requesting party's place in the chain is not its own.")
        if self.contract_id and self.requester_id and not self.parent_id and \
                self.requester_id != self.contract.contractor_id:
            errors["requester"] = _("Only the contractor or a subcontractor in the chain can pass work on.")
        if errors:
            raise ValidationError(errors)

    @property
    def level(self) -> int:
        """The level of the subcontractor it would add: 1 (再委託), 2 (再々委託) …"""
        return 1 + (self.parent.level if self.parent_id else 0)

    @property
    def needs_consent(self) -> bool:
        """A further level goes to the requester's own contractor first (paragraph 5), then to the authority."""
        return self.parent_id is not None

    @property
    def upstream_id(self) -> int:
        """The organisation that consents to a further level: the party the requester works for."""
        return self.parent.upstream_id if self.parent_id else self.contract.authority_id

    def in_period(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def snapshot(self) -> dict[str, Any]:
        """Every item of the request as submitted: an approval holds for exactly these."""
        return {
            "contract": self.contract_id, "requester": self.requester_id, "parent": self.parent_id,
            "work": self.work,
            "subcontractor": {"name": self.subcontractor_name, "address": self.subcontractor_address,
                              "representative": self.subcontractor_representative, "subsidiary": self.subsidiary},
            "period": [self.start.isoformat(), self.end.isoformat()],
            "necessity": self.necessity, "safeguards": self.safeguards,
            "supervision": {"method": self.supervision_method, "months": self.supervision_months},
            "extra": [{"item": e["label"], "answer": e["answer"]} for e in self.extra],
            "data": [
                {"dataset": d.dataset_id, "name": d.dataset.name,
                 "fields": sorted(d.fields.values_list("name", flat=True))}
                for d in self.data.select_related("dataset").order_by("dataset_id")
            ],
            "draft_subcontract": self.draft_subcontract.describe() if self.draft_subcontract_id else None,
            "replaces": self.replaces_id,
        }


class RequestedData(models.Model):
    """A dataset, and which of its fields, the subcontractor would need."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="data")
    dataset = models.ForeignKey("vault.Dataset", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("dataset"))
    fields = models.ManyToManyField("vault.Field", related_name="+", verbose_name=_("fields"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "dataset"], name="requested_dataset_once")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.dataset}"


class Supervision(models.Model):
    """The contractor's (or a higher subcontractor's) supervision of a subcontractor (paragraphs 3, 4)."""

    class Method(models.TextChoices):
        ON_SITE = "on_site", _("On-site inspection")
        DOCUMENTS = "documents", _("Document review")
        REPORT = "report", _("Report from the subcontractor")

    party = models.ForeignKey("contracts.Party", on_delete=models.PROTECT, related_name="supervisions",
                              verbose_name=_("subcontractor"))
    held_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    findings = models.TextField(_("findings"))
    issue_found = models.BooleanField(_("issues found that need follow-up"), default=False)
    follow_up = models.TextField(_("follow-up"), blank=True)
    resolved_on = models.DateField(_("follow-up completed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party", "-held_on", "-pk"]
        verbose_name = _("supervision")

    def __str__(self) -> str:
        return f"{self.party} {self.held_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.issue_found and self.resolved_on is None


class ReportRequest(models.Model):
    """The authority asks for a report on a subcontractor by a date (paragraph 4); the contractor answers,
    through the submissions mechanism, and the authority acknowledges."""

    party = models.ForeignKey("contracts.Party", on_delete=models.PROTECT, related_name="report_requests",
                              verbose_name=_("subcontractor"))
    question = models.TextField(_("what the report must cover"))
    due_on = models.DateField(_("due on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("report"), blank=True)
    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("attachment"))

    class Meta:
        ordering = ["party", "due_on", "pk"]
        verbose_name = _("report request")

    def __str__(self) -> str:
        return f"{self.party} {self.due_on:%Y-%m-%d}"

    def clean(self) -> None:
        if not (self.question or "").strip():
            raise ValidationError({"question": _("State what the report must cover.")})

    def snapshot(self) -> dict[str, Any]:
        return {
            "party": self.party_id, "question": self.question, "due_on": self.due_on.isoformat(),
            "answer": self.answer,
            "attachment": self.attachment.describe() if self.attachment_id else None,
        }

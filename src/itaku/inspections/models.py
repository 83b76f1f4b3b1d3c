"""Inspections and investigations (article 16): the authority inspects a party of the chain, works through a
checklist drawn from the contract's own provisions, asks for written reports and gives instructions (指示).

A checklist item is one obligation of the provisions: an enumerated item (ア, イ …) of a paragraph, with the
paragraph's lead text as its context, or a paragraph that has none; prefilled when it is generated with what
the control registry knew then (states, findings and evidence refs), so that the inspector checks on site
what the system cannot. Reports and answers to instructions go through the submissions mechanism: the
inspected party submits, the authority acknowledges (a report) or closes (an instruction), or returns.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.submissions.models import Attachment


class Inspection(models.Model):
    """立入検査 or 調査 of one party of the chain (the contractor or a subcontractor) on a date."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On-site inspection")
        INVESTIGATION = "investigation", _("Investigation")

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="inspections")
    party = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("party inspected"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    scope = models.TextField(_("scope"))
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("inspectors"))
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(_("overall remarks"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["contract", "-held_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    def clean(self) -> None:
        if not (self.scope or "").strip():
            raise ValidationError({"scope": _("State the scope of the inspection.")})

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ChecklistItem(models.Model):
    """One obligation of the provisions (an enumerated item of a paragraph, or a paragraph without items) and
    what the inspector found of it."""

    class Result(models.TextChoices):
        CONFORMING = "conforming", _("Conforming")
        FINDING = "finding", _("Finding")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    article = models.PositiveIntegerField(_("article"))
    paragraph = models.PositiveIntegerField(_("paragraph"))
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    # The enumerated item's label as the provisions write it (ア, (1) …); empty for a whole paragraph, and for
    # the items of checklists made before items were checked one by one (their text holds the items).
    label = models.CharField(_("item label"), max_length=10, blank=True, default="")
    # The paragraph's lead text an item belongs to ("…次に掲げる事項を甲に通知し…"), shown as its context.
    lead = models.TextField(_("lead text of the paragraph"), blank=True, default="")
    text = models.TextField(_("obligation"))
    # What the control registry knew when the checklist was made: [{control, title_ja, title_en, state,
    # state_ja, state_en, findings: [{state, state_ja, state_en, message_ja, message_en, evidence: [{ref, label}]}]}]
    known = models.JSONField(default=list, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["inspection", "position"]
        constraints = [models.UniqueConstraint(fields=["inspection", "position"], name="inspection_item_position")]
        verbose_name = _("checklist item")

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        if self.result == self.Result.FINDING and not (self.notes or "").strip():
            raise ValidationError({"notes": _("A finding needs notes that say what was found.")})

    @property
    def reference(self) -> str:
        """第16条, 第8条第2項, 第8条第1項ア: how a citation names it (the paragraph only where there are several
        or an item is named)."""
        paragraph = f"第{self.paragraph}項" if self.paragraph > 1 or self.label else ""
        return f"第{self.article}条{paragraph}{self.label}"


class _Answered(models.Model):
    """What the authority asks of the inspected party by a date, and the party's answer with a file."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="%(class)ss")
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    attachment = models.OneToOneField(Attachment, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("attachment"))

    class Meta:
        abstract = True
        ordering = ["inspection", "due_on", "pk"]


class ReportRequest(_Answered):
    """必要な報告を書面で求める: a written report the inspected party must deliver by a date."""

    question = models.TextField(_("what the report must cover"))

    class Meta(_Answered.Meta):
        verbose_name = _("requested report")

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.due_on:%Y-%m-%d}"

    def snapshot(self) -> dict[str, Any]:
        return {"inspection": self.inspection_id, "question": self.question, "due_on": self.due_on.isoformat(),
                "answer": self.answer, "attachment": self.attachment.describe() if self.attachment_id else None}


class Instruction(_Answered):
    """指示: what the party must do, by a date, on a finding; it answers, the authority closes it."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="instructions", verbose_name=_("finding"))
    text = models.TextField(_("instruction"))

    class Meta(_Answered.Meta):
        verbose_name = _("instruction")

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.due_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.item_id and self.item.inspection_id != self.inspection_id:
            raise ValidationError({"item": _("The finding is not one of this inspection.")})

    def snapshot(self) -> dict[str, Any]:
        return {"inspection": self.inspection_id, "item": self.item_id, "text": self.text,
                "due_on": self.due_on.isoformat(), "answer": self.answer,
                "attachment": self.attachment.describe() if self.attachment_id else None}

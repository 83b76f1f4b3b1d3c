"""Reports (article 17): the schedule of periodic reports, each period's report with its compiled figures,
the authority's questions (reports on request), and the emergency report procedure (article 17-2)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.submissions.models import Attachment

DEFAULT_DUE_WORKING_DAYS = 10


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly (fiscal year)")


class Schedule(models.Model):
    """How often the contractor reports on a contract, and by how many working days after a period's end.
    Set by the authority's supervisor; one per contract."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="report_schedule")
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    due_working_days = models.PositiveSmallIntegerField(_("due (working days after the period)"),
                                                        default=DEFAULT_DUE_WORKING_DAYS)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report schedule")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.frequency}"

    def clean(self) -> None:
        if not 1 <= self.due_working_days <= 60:
            raise ValidationError({"due_working_days": _("Between 1 and 60 working days.")})


class PeriodicReport(models.Model):
    """個人情報取扱状況報告書 for one period: the figures as last compiled and the contractor's remarks; a
    submission freezes both (snapshot), so a later change is visible and needs a new round."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="periodic_reports")
    period = models.CharField(_("period"), max_length=10)  # 2026-10, 2026-Q3, 2026 (fiscal year)
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    due_on = models.DateField(_("due on"))
    figures = models.JSONField(default=dict)
    compiled_at = models.DateTimeField(_("compiled at"))
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        ordering = ["contract", "-start"]
        verbose_name = _("periodic report")
        constraints = [models.UniqueConstraint(fields=["contract", "period"], name="periodic_report_period")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end of the period is before its start.")})

    def snapshot(self) -> dict[str, Any]:
        return {"period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "due_on": self.due_on.isoformat(), "figures": self.figures, "remarks": self.remarks}


class RequestedReport(models.Model):
    """A report the authority asks for with a due date (paragraph 1: 必要に応じて); the contractor answers
    with text and attachments through the submissions mechanism."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="requested_reports")
    question = models.TextField(_("what the report must cover"))
    due_on = models.DateField(_("due on"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name=_("attachments"))

    class Meta:
        ordering = ["contract", "-due_on", "-pk"]
        verbose_name = _("report on request")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_on:%Y-%m-%d}"

    def clean(self) -> None:
        if not (self.question or "").strip():
            raise ValidationError({"question": _("State what the report must cover.")})

    def snapshot(self) -> dict[str, Any]:
        return {"question": self.question, "due_on": self.due_on.isoformat(), "answer": self.answer,
                "attachments": [a.describe() for a in self.attachments.order_by("pk")]}


class Side(models.TextChoices):
    AUTHORITY = "authority", _("Authority")
    CONTRACTOR = "contractor", _("Contractor")


class EmergencyProcedure(models.Model):
    """緊急時の報告手順 (article 17-2): the channels to use; its contacts are `EmergencyContact` rows."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT,
                                    related_name="emergency_procedure")
    channels = models.TextField(_("channels and procedure"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("emergency report procedure")

    def __str__(self) -> str:
        return f"{self.contract_id}"


class EmergencyContact(models.Model):
    """One person to call, on either side, in the order to call."""

    procedure = models.ForeignKey(EmergencyProcedure, on_delete=models.CASCADE, related_name="contacts")
    side = models.CharField(_("side"), max_length=20, choices=Side.choices)
    order = models.PositiveSmallIntegerField(_("order to call"))
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["procedure", "order", "pk"]
        verbose_name = _("emergency contact")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.name or "").strip():
            errors["name"] = _("Enter the name.")
        if not (self.phone or "").strip() and not (self.email or "").strip():
            errors["phone"] = _("Enter a phone number or an e-mail address.")
        if errors:
            raise ValidationError(errors)


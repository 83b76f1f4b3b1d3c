"""Incidents (article 18) and their publication (article 19).

An incident is raised by the contractor's side in one short form (or by the vault's limits); the moment it is
saved is the notice to the authority. The written report, the authority's instructions and their answers go
through the submissions mechanism; the statutory side (the report to the Personal Information Protection
Commission, informing the people affected) and the closure are the authority's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation
from itaku.contracts.models import Contract

# The written report's items, in the order of the form, the snapshot and the PDF.
REPORT_FIELDS = (
    "what_happened", "occurred_on", "found_on", "found_by", "cause", "data_items", "media", "people_count",
    "special_care", "my_number", "financial_harm", "unlawful_purpose", "encrypted", "secondary_harm",
    "containment", "recurrence_done", "recurrence_planned", "other",
)


class OrdinanceCategory(models.Model):
    """One of the authority's own special-care categories (条例要配慮個人情報), set by its ordinance."""

    authority = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("category"), max_length=200)

    class Meta:
        ordering = ["authority", "label"]
        constraints = [models.UniqueConstraint(fields=["authority", "label"], name="ordinance_category_once")]

    def __str__(self) -> str:
        return self.label


class Incident(models.Model):
    class Kind(models.TextChoices):
        OCCURRED = "occurred", _("Incident")
        SUSPECTED = "suspected", _("Suspected incident")

    class Source(models.TextChoices):
        FORM = "form", _("Raised by the contractor's side")
        VAULT = "vault", _("Raised by the vault's limits")

    class Unlawful(models.TextChoices):
        NONE = "", _("None known")
        UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
        THEFT = "theft", _("Theft")
        INSIDER = "insider", _("An insider taking data out")
        OTHER = "other", _("Other unlawful purpose")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="incidents")
    number = models.PositiveIntegerField(_("number"))
    party = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("party"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FORM)
    summary = models.TextField(_("what happened, in short"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    noticed_at = models.DateTimeField(_("notified at"))
    known_on = models.DateField(_("known on"))
    report_due = models.DateField(_("written report due"))

    # The written report (article 18: 書面をもって報告)
    what_happened = models.TextField(_("what happened"), blank=True)
    occurred_on = models.DateField(_("occurred on"), null=True, blank=True)
    found_on = models.DateField(_("found on"), null=True, blank=True)
    found_by = models.CharField(_("found by"), max_length=200, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    data_items = models.TextField(_("personal information affected (items)"), blank=True)
    media = models.CharField(_("media"), max_length=200, blank=True)
    people_count = models.PositiveIntegerField(_("number of people affected"), null=True, blank=True)
    special_care = models.BooleanField(_("special-care information involved"), default=False)
    ordinance_categories = models.ManyToManyField(OrdinanceCategory, blank=True, related_name="+",
                                                  verbose_name=_("the authority's special-care categories"))
    my_number = models.BooleanField(_("My Number data involved"), default=False)
    financial_harm = models.BooleanField(_("risk of financial harm"), default=False)
    unlawful_purpose = models.CharField(_("unlawful purpose"), max_length=30, choices=Unlawful.choices,
                                        blank=True, default=Unlawful.NONE)
    encrypted = models.BooleanField(_("strongly encrypted, keys not leaked"), default=False)
    secondary_harm = models.TextField(_("secondary harm or its risk"), blank=True)
    containment = models.TextField(_("containment"), blank=True)
    recurrence_done = models.TextField(_("measures against recurrence taken"), blank=True)
    recurrence_planned = models.TextField(_("measures against recurrence planned"), blank=True)
    other = models.TextField(_("other"), blank=True)

    # The authority's statutory side (APPI art. 68)
    ppc_preliminary_on = models.DateField(_("preliminary report to the PPC made on"), null=True, blank=True)
    ppc_final_on = models.DateField(_("final report to the PPC made on"), null=True, blank=True)
    people_informed_on = models.DateField(_("people affected informed on"), null=True, blank=True)
    people_informed_how = models.CharField(_("how the people affected were informed"), max_length=200,
                                           blank=True)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)

    class Meta:
        ordering = ["contract", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="incident_number"),
            models.CheckConstraint(condition=models.Q(closed_at__isnull=True) | models.Q(closed_by__isnull=False),
                                   name="incident_closed_by"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"I-{self.number:03d}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def clean(self) -> None:
        notice_day = timezone.localdate(self.noticed_at) if self.noticed_at is not None else None
        for name in ("occurred_on", "found_on"):
            day = getattr(self, name)
            if day is not None and notice_day is not None and day > notice_day:  # the day in Japan, not UTC
                raise ValidationError({name: _("The date cannot be after the notice.")})
        if self.occurred_on and self.found_on and self.occurred_on > self.found_on:
            raise ValidationError({"found_on": _("It cannot have been found before it occurred.")})
        if self.ppc_final_on and not self.ppc_preliminary_on:
            raise ValidationError({"ppc_final_on": _("The final report follows the preliminary report.")})

    def snapshot(self) -> dict[str, Any]:
        """The written report as submitted: its items, never who the people affected are."""
        data: dict[str, Any] = {"incident": self.pk, "number": self.code, "kind": self.kind}
        for name in REPORT_FIELDS:
            value = getattr(self, name)
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
        data["ordinance_categories"] = sorted(c.label for c in self.ordinance_categories.all()) if self.pk else []
        return data


class Notice(models.Model):
    """The in-app notice of an incident to one of the authority's supervisors, until they have read it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("notified at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed = models.BooleanField(_("sent by e-mail"), default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["incident", "recipient"], name="incident_notice_once")]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.recipient_id}"


class Instruction(models.Model):
    """The authority's instruction (指示) on an incident; the answer is submitted through submissions."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="instructions")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("instruction"))
    due_on = models.DateField(_("answer due"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["incident", "number"]
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="instruction_number")]

    def __str__(self) -> str:
        return f"{self.incident.code}-{self.number}"

    def snapshot(self) -> dict[str, Any]:
        return {"instruction": self.pk, "incident": self.incident_id, "number": self.number,
                "text": self.text, "answer": self.answer}


class DateCorrection(models.Model):
    """A supervisor's correction of the day an incident became known and of its report's due date. The reason
    is free text kept here, where it can be corrected; the ledger binds it by its digest only."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="date_corrections")
    known_on_before = models.DateField()
    known_on_after = models.DateField()
    report_due_before = models.DateField()
    report_due_after = models.DateField()
    reason = models.TextField(_("reason"))
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField()

    class Meta:
        ordering = ["corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} {self.known_on_before} → {self.known_on_after}"


class Publication(models.Model):
    """The authority's public summary of an incident (article 19): shown without login and in the feed."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="publication")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("public summary"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title

"""Take-outs (持出し, article 14): the places the authority permits or designates, and each taking-out of
personal information from a work location to one of them, approved, carried out and checked back in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def _utc(moment: dt.datetime) -> str:
    """One spelling of a moment, whichever zone it was read in (a snapshot is hashed)."""
    return moment.astimezone(dt.UTC).isoformat()


class Destination(models.Model):
    """A place the authority permits or designates for take-outs under one contract; retired, not deleted,
    so that every past take-out can be checked against what was permitted at its time."""

    class Kind(models.TextChoices):
        AUTHORITY_OFFICE = "authority_office", _("The authority's own office")
        DATA_CENTRE = "data_centre", _("Data centre")
        COURIER = "courier", _("Courier")
        OTHER = "other", _("Other place")

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="takeout_destinations")
    name = models.CharField(_("name of the destination"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    permitted_from = models.DateTimeField(_("permitted from"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["contract", "name", "pk"]
        verbose_name = _("take-out destination")
        constraints = [
            models.CheckConstraint(condition=models.Q(retired_at__isnull=True) | models.Q(retired_at__gte=models.F(
                "permitted_from")), name="takeout_destination_retired_after_permitted"),
        ]

    def __str__(self) -> str:
        return self.name

    def permitted_at(self, moment: dt.datetime) -> bool:
        """Was this destination permitted at `moment`?"""
        return self.permitted_from <= moment and (self.retired_at is None or moment < self.retired_at)


class TakeOut(models.Model):
    """持出し: what leaves which work location for which permitted destination, why, when, carried by whom.

    The request goes to the party's responsible person through the submissions mechanism; its snapshot
    covers every item, so a change after the approval voids it. The check-out and check-in record the actual
    times and who checked the items back."""

    class Source(models.TextChoices):
        DATASET = "dataset", _("Data of a dataset")
        COPY = "copy", _("An approved copy")
        MEDIUM = "medium", _("Other media (documents, equipment)")

    class Medium(models.TextChoices):
        PAPER = "paper", _("Paper")
        USB = "usb", _("USB memory")
        LAPTOP = "laptop", _("Laptop")
        DISC = "disc", _("Optical disc")
        OTHER = "other", _("Other medium")

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="takeouts")
    number = models.PositiveIntegerField(_("take-out number"))
    party = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("party"))
    source = models.CharField(_("what is taken out"), max_length=20, choices=Source.choices)
    dataset = models.ForeignKey("vault.Dataset", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("dataset"))
    copy = models.ForeignKey("vault.Copy", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("copy"))
    items = models.CharField(_("items"), max_length=300)
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    count = models.PositiveIntegerField(_("number of items"))
    origin = models.ForeignKey("places.WorkLocation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("from the work location"))
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="takeouts",
                                    verbose_name=_("destination"))
    purpose = models.CharField(_("purpose"), max_length=300)
    transport = models.CharField(_("means of transport"), max_length=200)
    out_at = models.DateTimeField(_("planned time out"))
    back_by = models.DateTimeField(_("expected time back"))
    carrier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("carried by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_out_at = models.DateTimeField(_("time out"), null=True, blank=True)
    checked_out_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    checked_in_at = models.DateTimeField(_("time back"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("checked by"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("take-out")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="takeout_number_per_contract"),
            models.CheckConstraint(condition=models.Q(back_by__gt=models.F("out_at")), name="takeout_back_after_out"),
            models.CheckConstraint(condition=models.Q(checked_in_at__isnull=True) | models.Q(
                checked_out_at__isnull=False, checked_in_at__gte=models.F("checked_out_at")),
                name="takeout_in_after_out"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="takeout_count_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"持出-{self.number:04d}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.source == self.Source.DATASET and self.dataset_id is None:
            errors["dataset"] = _("Choose the dataset whose data is taken out.")
        if self.source == self.Source.COPY and self.copy_id is None:
            errors["copy"] = _("Choose the copy that is taken out.")
        if self.source != self.Source.DATASET and self.dataset_id is not None:
            errors["dataset"] = _("A dataset is named only when its data is taken out.")
        if self.source != self.Source.COPY and self.copy_id is not None:
            errors["copy"] = _("A copy is named only when a copy is taken out.")
        if self.out_at and self.back_by and self.back_by <= self.out_at:
            errors["back_by"] = _("The expected time back must be after the time out.")
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, Any]:
        """Every item the approval covers (ids, not values)."""
        return {
            "number": self.number, "party": self.party_id, "source": self.source, "dataset": self.dataset_id,
            "copy": self.copy_id, "items": self.items, "medium": self.medium, "count": self.count,
            "origin": self.origin_id, "destination": self.destination_id, "purpose": self.purpose,
            "transport": self.transport, "out_at": _utc(self.out_at), "back_by": _utc(self.back_by),
            "carrier": self.carrier_id,
        }


class TimeCorrection(models.Model):
    """A correction of a recorded time out or time back: the old time stays here with the reason, so the
    register shows what was recorded first, who corrected it and why."""

    class Time(models.TextChoices):
        OUT = "out", _("Time out")
        BACK = "back", _("Time back")

    takeout = models.ForeignKey(TakeOut, on_delete=models.PROTECT, related_name="corrections")
    time = models.CharField(_("time corrected"), max_length=10, choices=Time.choices)
    old = models.DateTimeField(_("time recorded"))
    new = models.DateTimeField(_("corrected time"))
    reason = models.CharField(_("reason for the correction"), max_length=300)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(_("corrected at"))

    class Meta:
        ordering = ["takeout", "corrected_at", "pk"]
        verbose_name = _("correction of a take-out time")
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="takeout_correction_reason"),
            models.CheckConstraint(condition=~models.Q(old=models.F("new")), name="takeout_correction_changes"),
        ]

    def __str__(self) -> str:
        return f"{self.takeout_id}: {self.time}"

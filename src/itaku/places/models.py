"""Work locations (作業場所, article 15): where an organisation handles the contract's personal information."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.lib.errors import UserError
from itaku.places.network import parse_networks, sorted_networks


class WorkLocation(models.Model):
    """One place where one party of the chain (the contractor or a subcontractor) handles data, with the
    networks the vault may be used from.

    It is reported to the authority through the submissions mechanism; its snapshot covers every field,
    so any edit after an acknowledgement voids it until the location is reported again.
    """

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="work_locations", verbose_name=_("contract"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="work_locations", verbose_name=_("organisation"),
    )
    name = models.CharField(_("name of the location"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    room = models.CharField(_("room"), max_length=200, blank=True)
    networks = models.JSONField(_("networks"), default=list, blank=True)
    storage = models.TextField(_("where data is stored"))
    safeguards = models.TextField(_("physical safeguards"))
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "organisation", "pk"]
        verbose_name = _("work location")
        verbose_name_plural = _("work locations")

    def __str__(self) -> str:
        return f"{self.name} ({self.room})" if self.room else self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.contract_id and self.organisation_id and not chain.is_party(self.contract, self.organisation_id):
            errors["organisation"] = _("A work location must belong to the contractor or a subcontractor of the "
                                       "contract.")
        if not isinstance(self.networks, list) or not all(isinstance(n, str) for n in self.networks):
            errors["networks"] = _("The networks must be a list of CIDR ranges.")
        else:
            try:
                normalised = parse_networks("\n".join(self.networks))
            except UserError as error:
                errors["networks"] = f"{error.message_ja} / {error.message_en}"
            else:
                if normalised != self.networks:
                    errors["networks"] = _("The networks must be stored in normalised form.")
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, Any]:
        """What the authority acknowledges: every field, networks sorted so their order does not count."""
        return {
            "contract": self.contract_id,
            "organisation": self.organisation_id,
            "name": self.name,
            "address": self.address,
            "room": self.room,
            "networks": sorted_networks(self.networks),
            "storage": self.storage,
            "safeguards": self.safeguards,
        }


class ReportStatus(models.TextChoices):
    """Where a location stands with the authority (computed from its submissions, never stored)."""

    UNREPORTED = "unreported", _("Not yet reported")
    SUBMITTED = "submitted", _("Reported, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the authority")
    CHANGED = "changed", _("Changed since the report — report again")
    RETURNED = "returned", _("Returned — correct it and report again")

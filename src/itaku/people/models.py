"""The structure (article 2) and confidentiality pledges (article 4) of each party under a contract."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Structure(models.Model):
    """One party's management and implementation structure under one contract; changes make new versions."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="structures")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "organisation"], name="structure_party")]

    def __str__(self) -> str:
        return f"{self.contract.number} / {self.organisation}"


class StructureVersion(models.Model):
    """A frozen statement of who is responsible and who works; submitted to and acknowledged by the authority."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible person"),
    )
    responsible_scope = models.TextField(_("scope of responsibility"), blank=True)
    description = models.TextField(_("management and implementation structure"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["structure", "-number"]
        constraints = [models.UniqueConstraint(fields=["structure", "number"], name="structure_version_number")]

    def __str__(self) -> str:
        return f"{self.structure} v{self.number}"

    def people_ids(self) -> set[int]:
        """Everyone the version names: the responsible person and the workers."""
        return {self.responsible_id, *self.members.values_list("person_id", flat=True)}

    def snapshot(self) -> dict[str, Any]:
        return {
            "structure": self.structure_id,
            "number": self.number,
            "responsible": self.responsible_id,
            "responsible_scope": self.responsible_scope,
            "description": self.description,
            "members": [
                {"person": m.person_id, "duties": m.duties} for m in self.members.order_by("person_id")
            ],
        }


class StructureMember(models.Model):
    """A worker (業務従事者) named in a structure version, with the duties they perform."""

    version = models.ForeignKey(StructureVersion, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("worker"))
    duties = models.TextField(_("duties"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "person"], name="structure_member_once")]

    def __str__(self) -> str:
        return f"{self.person} ({self.version})"


class PledgeText(models.Model):
    """The confidentiality pledge an organisation asks its people to accept; versioned and never edited."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("pledge text"))
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-number"]
        constraints = [models.UniqueConstraint(fields=["organisation", "number"], name="pledge_text_number")]

    def __str__(self) -> str:
        return f"{self.organisation} pledge v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sha256 = hashlib.sha256(self.body.encode()).hexdigest()
        super().save(*args, **kwargs)


class Pledge(models.Model):
    """One person's acceptance of one pledge text. Never deleted: the duty outlives the work (article 4-2)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges")
    text = models.ForeignKey(PledgeText, on_delete=models.PROTECT, related_name="pledges")
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [models.UniqueConstraint(fields=["person", "text"], name="pledge_once_per_text")]

    def __str__(self) -> str:
        return f"{self.person} → {self.text}"

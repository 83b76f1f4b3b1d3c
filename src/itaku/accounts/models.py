"""Organisations (authority, contractor, subcontractor) and the people who log in for them."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A party to contracts: the public body (甲), a contractor (乙) or a subcontractor (再委託先)."""

    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Authority")
        CONTRACTOR = "contractor", _("Contractor")
        SUBCONTRACTOR = "subcontractor", _("Subcontractor")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_authority(self) -> bool:
        return self.kind == self.Kind.AUTHORITY


class User(AbstractUser):
    """A person who logs in; belongs to exactly one organisation (none only for the operator)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True,
        verbose_name=_("organisation"),
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # The day the person left the organisation: eligibility ends at once, the confidentiality duty does not.
    left_on = models.DateField(_("left on"), null=True, blank=True)
    # Demo accounts have published passwords: they can log in only while ITAKU_DEMO is on.
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_left(self, on: datetime.date) -> bool:
        return self.left_on is not None and self.left_on <= on

"""The violations register (article 20): what the controls found to be violations, kept from the moment the
register first recorded them, with the authority's decision on each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Violation(models.Model):
    """One violation a control found on a contract. Controls are computed afresh from the ledger; the register
    remembers each violation (its finding as first recorded and its evidence), and whether it still stands."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="violations")
    control = models.CharField(_("control"), max_length=80)
    articles = models.JSONField(_("articles"), default=list)
    # SHA-256 of the control, the finding's English message and its evidence: the same violation found again
    # is the same row.
    key = models.CharField(max_length=64)
    message_ja = models.TextField()
    message_en = models.TextField()
    evidence = models.JSONField(_("evidence"), default=list)
    recorded_at = models.DateTimeField(_("recorded at"))
    cleared_at = models.DateTimeField(_("no longer found since"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "-recorded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "key"], name="violation_once_per_contract")]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return f"{self.control}: {self.message_en}"

    @property
    def decision(self) -> Decision | None:
        return self.decisions.order_by("-decided_at", "-pk").first()


class Decision(models.Model):
    """The authority's decision on a violation; a later decision replaces an earlier one, both are kept."""

    class Kind(models.TextChoices):
        INSTRUCTION = "instruction", _("Instruction (指示)")
        TERMINATION = "termination", _("Termination of the contract (契約解除)")
        DAMAGES = "damages", _("Claim for damages (損害賠償請求)")
        DISMISSED = "dismissed", _("Dismissed")

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reasons"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["violation", "-decided_at", "-pk"]
        verbose_name = _("decision")

    def __str__(self) -> str:
        return f"{self.violation_id}: {self.kind}"

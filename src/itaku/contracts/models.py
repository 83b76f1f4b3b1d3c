"""Contracts and the roles people hold on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.accounts.models import Organisation
from itaku.provisions.controls import State
from itaku.provisions.laws import names_my_number_act


class Contract(models.Model):
    """One outsourcing contract between an authority (甲) and a contractor (乙)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("contract number"), max_length=60, unique=True)
    title = models.CharField(_("title of the work"), max_length=200)
    department = models.CharField(_("department"), max_length=100, blank=True)
    authority = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts_as_authority", verbose_name=_("authority"),
    )
    contractor = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contracts_as_contractor", verbose_name=_("contractor"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    provisions = models.ForeignKey(
        "provisions.ProvisionsVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="contracts",
        verbose_name=_("provisions version"),
    )
    laws = models.JSONField(_("applicable laws"), default=list, blank=True)
    closing_reason = models.TextField(_("reason for termination"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end of the period is before its start.")
        if self.authority_id and self.authority.kind != Organisation.Kind.AUTHORITY:
            errors["authority"] = _("The authority must be an organisation of the authority kind.")
        if self.contractor_id and self.contractor.kind != Organisation.Kind.CONTRACTOR:
            errors["contractor"] = _("The contractor must be an organisation of the contractor kind.")
        if self.provisions_id and self.authority_id and self.provisions.authority_id != self.authority_id:
            errors["provisions"] = _("The provisions must be a version of this authority's text.")
        if errors:
            raise ValidationError(errors)

    @property
    def ledger_chain(self) -> str:
        return f"contract:{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def handles_my_number(self) -> bool:
        """True when the My Number Act applies: its data is specific personal information (特定個人情報)."""
        return names_my_number_act(self.laws)

    def articles_for(self, topic: str) -> list[int]:
        """The article numbers of this contract's provisions for a topic ([] before provisions are attached)."""
        return self.provisions.articles_for(topic) if self.provisions_id else []

    def snapshot(self) -> dict[str, Any]:
        """What the contractor acknowledges: the parties, period, provisions text and laws."""
        return {
            "number": self.number, "title": self.title,
            "authority": self.authority_id, "contractor": self.contractor_id,
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "provisions": self.provisions_id,
            "provisions_sha256": self.provisions.text_sha256 if self.provisions_id else None,
            "laws": list(self.laws),
        }


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    RESPONSIBLE = "responsible", _("Responsible person")
    WORKER = "worker", _("Worker")


AUTHORITY_ROLES = frozenset({Role.SUPERVISOR, Role.AUDITOR})
CONTRACTOR_ROLES = frozenset({Role.RESPONSIBLE, Role.WORKER})


class ContractRole(models.Model):
    """A person's role on one contract; the side of the role must match the person's organisation."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contract_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    assigned = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "user", "role"], name="contract_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.contract.number}"

    def clean(self) -> None:
        org = self.user.organisation_id
        if self.role in AUTHORITY_ROLES and org != self.contract.authority_id:
            raise ValidationError(_("Supervisors and auditors must belong to the contract's authority."))
        if self.role in CONTRACTOR_ROLES and org != self.contract.contractor_id and not self.contract.parties.filter(
            organisation_id=org,
        ).exists():
            raise ValidationError(
                _("Responsible persons and workers must belong to the contract's contractor or a subcontractor."),
            )


class Party(models.Model):
    """An organisation below the contractor in the contract's chain (再委託先, article 8).

    Rows are made by the subcontracting app when the authority approves a request: the party works for
    `parent` (or for the contractor when empty) from `start` to `end`. Revoked, past its period, or with
    any party above it inactive, it loses access at once: `active_on` is asked on every handling.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties",
                                     verbose_name=_("subcontractor"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("works for"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "organisation"], name="party_once_per_contract")]
        verbose_name = _("subcontractor")
        verbose_name_plural = _("subcontractors")

    def __str__(self) -> str:
        return str(self.organisation)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.contract_id and self.organisation_id in (self.contract.authority_id, self.contract.contractor_id):
            errors["organisation"] = _("The authority and the contractor cannot be their own subcontractor.")
        if self.organisation_id and self.organisation.kind == Organisation.Kind.AUTHORITY:
            errors["organisation"] = _("An authority cannot be a subcontractor.")
        if self.parent_id and self.parent.contract_id != self.contract_id:
            errors["parent"] = _("A subcontractor works for a party of the same contract.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end of the period is before its start.")
        if errors:
            raise ValidationError(errors)

    @property
    def level(self) -> int:
        """1 for the contractor's own subcontractor (再委託), 2 for the next (再々委託) …"""
        return 1 + (self.parent.level if self.parent_id else 0)

    @property
    def upstream_id(self) -> int:
        """The organisation this party works for: its parent, or the contractor."""
        return self.parent.organisation_id if self.parent_id else self.contract.contractor_id

    def lineage(self) -> list[Party]:
        """This party and every party above it, nearest first."""
        found, party = [], self
        while party is not None:
            found.append(party)
            party = party.parent
        return found

    def active_on(self, day: Any) -> bool:
        """Approved, not revoked and within its period, and so is every party above it."""
        return all(p.revoked_at is None and p.start <= day <= p.end for p in self.lineage())


class ControlSnapshot(models.Model):
    """The controls of one contract as last evaluated: valid while neither the contract's chain nor the system
    chain has moved and the day is the same (every state change is a ledger event, and a control's deadlines
    count in days), so pages that show many contracts read one row each instead of evaluating them."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="control_snapshot")
    head_seq = models.PositiveBigIntegerField()
    system_seq = models.PositiveBigIntegerField()
    day = models.DateField()
    worst = models.CharField(max_length=20)
    by_article = models.JSONField(default=dict)  # {"8": "violation", …}
    results = models.JSONField(default=list)  # Result.as_json() of every control
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.contract_id} @ {self.head_seq}/{self.system_seq} {self.day}"


class ControlAttention(models.Model):
    """A finding of a contract's snapshot that a list of many contracts shows: due soon or overdue (kind "due"),
    or an incident control that is not OK (kind "incident"). Rows, so that the dashboard's lists are one
    ordered, limited query however many contracts there are."""

    class Kind(models.TextChoices):
        DUE = "due"
        INCIDENT = "incident"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="control_attention")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=20)
    severity = models.PositiveSmallIntegerField()
    title_ja = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    message_ja = models.TextField(blank=True)
    message_en = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "-severity"], name="control_attention_kind")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.state}"

    @property
    def status(self) -> State:
        return State(self.state)


class ControlHistory(models.Model):
    """How many controls of a contract stood in each state on a day: the chart of findings over time, summed
    by the database per day over the contracts shown."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="control_history")
    day = models.DateField()
    ok = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    missing_evidence = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    violation = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "day"], name="control_history_day")]
        indexes = [models.Index(fields=["day"], name="control_history_day_index")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day}"

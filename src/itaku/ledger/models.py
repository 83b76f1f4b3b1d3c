"""The ledger: one append-only, hash-chained event log per contract, plus the system chain."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.ledger import chain as canonical

SYSTEM_CHAIN = "system"


class Chain(models.Model):
    """The head of one chain: appends lock this row, so sequence numbers stay gapless under concurrency."""

    key = models.CharField(max_length=64, unique=True)
    head_seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default=canonical.GENESIS)
    # The hash of the newest event that is not data handling (`data.*`): every change of what the chain's
    # contract allows moves it, a search or a view does not. Answers derived from that state (the vault's
    # eligibility gate) are remembered under it (services.states).
    state_hash = models.CharField(max_length=64, default=canonical.GENESIS)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key}@{self.head_seq}"


class Event(models.Model):
    """One fact about a contract. Rows are never updated or deleted: database triggers refuse it."""

    chain = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    time = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    actor_org = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=80)
    articles = models.JSONField(_("articles"), default=list)
    # ",1,8," — the articles again in a form both engines can filter on (SQLite has no JSON containment).
    article_tags = models.CharField(max_length=200, default=",", db_index=True)
    facts = models.JSONField(_("facts"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="ledger_event_chain_seq")]
        indexes = [models.Index(fields=["chain", "kind"], name="ledger_event_chain_kind")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.kind}"

    def payload(self) -> dict[str, Any]:
        """What was hashed, rebuilt from the row: verification recomputes the hash from this."""
        return canonical.payload(
            chain=self.chain, seq=self.seq, time=self.time, actor_user=self.actor_id,
            actor_org=self.actor_org_id, actor_label=self.actor_label, kind=self.kind,
            articles=self.articles, facts=self.facts, prev=self.prev_hash,
        )

    @staticmethod
    def tags(articles: list[int]) -> str:
        return "," + "".join(f"{a}," for a in articles)

    @classmethod
    def concerning(cls, article: int) -> models.Q:
        return models.Q(article_tags__contains=f",{int(article)},")

    @property
    def facts_json(self) -> str:
        """The facts as shown on the ledger page: the canonical JSON that was hashed."""
        return canonical.canonical_bytes(self.facts).decode()

    def computed_hash(self) -> str:
        return canonical.event_hash(self.payload())

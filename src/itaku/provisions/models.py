"""Provisions versions: a city's text as parsed, stored per authority, pointed to by its contracts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from itaku.provisions.parser import Provisions
from itaku.provisions.topics import topic


class ProvisionsVersion(models.Model):
    """One revision of one authority's special provisions (特記事項); never edited once stored."""

    authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="provisions_versions",
        verbose_name=_("authority"),
    )
    number = models.PositiveIntegerField(_("version"))
    label = models.CharField(_("label"), max_length=100)
    source_filename = models.CharField(_("source file"), max_length=255)
    source_text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    tree = models.JSONField()
    article_topics = models.JSONField(default=dict)
    laws = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["authority", "-number"]
        constraints = [models.UniqueConstraint(fields=["authority", "number"], name="provisions_version_number")]
        verbose_name = _("provisions version")

    def __str__(self) -> str:
        return f"{self.parsed().title} v{self.number} ({self.label})"

    def parsed(self) -> Provisions:
        return Provisions.from_dict(self.tree)

    def topics_by_article(self) -> dict[int, tuple[str, ...]]:
        return {int(k): tuple(v) for k, v in self.article_topics.items()}

    def articles_for(self, code: str) -> list[int]:
        """Article numbers of this text that carry a topic, e.g. 'subcontracting' → [8] for Shinagawa."""
        topic(code)
        return sorted(n for n, codes in self.topics_by_article().items() if code in codes)

"""The vault's data model: datasets with declared purposes and fields, and records held only as ciphertext.

A record is one AES-GCM ciphertext of all its field values (the associated data binds it to its dataset,
record and schema version); searchable fields add truncated blind-index entries. Nothing here holds a
field value in clear, and disposal destroys the wrapped keys, after which every row is noise.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """個人情報ファイル: one contract's set of records, with its own data key and blind-index key."""

    class Source(models.TextChoices):
        ENTRUSTED = "entrusted", _("Entrusted by the authority")
        COLLECTED = "collected", _("Collected by the contractor")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISPOSED = "disposed", _("Disposed of")

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="datasets")
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("how the data came"), max_length=20, choices=Source.choices)
    expected_rows = models.PositiveIntegerField(_("expected number of records"), default=100_000)
    index_bits = models.PositiveSmallIntegerField(default=16)
    schema_version = models.PositiveIntegerField(default=1)
    wrapped_data_key = models.BinaryField(null=True, editable=False)
    wrapped_index_key = models.BinaryField(null=True, editable=False)
    daily_view_limit = models.PositiveIntegerField(_("records a person may view a day"), default=200)
    daily_search_limit = models.PositiveIntegerField(_("searches a person may make a day"), default=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "name"]
        constraints = [models.UniqueConstraint(fields=["contract", "name"], name="dataset_name_per_contract")]
        verbose_name = _("dataset")

    def __str__(self) -> str:
        return self.name

    @property
    def is_specific(self) -> bool:
        """特定個人情報: the dataset declares a My Number field."""
        return self.fields.filter(kind=Field.Kind.MY_NUMBER).exists()

    @property
    def is_disposed(self) -> bool:
        return self.status == self.Status.DISPOSED


class Purpose(models.Model):
    """利用目的: why the data is held; every access names one (articles 6, 7, 9)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="purposes")
    title = models.CharField(_("purpose"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["dataset", "pk"]
        constraints = [models.UniqueConstraint(fields=["dataset", "title"], name="purpose_title_per_dataset")]

    def __str__(self) -> str:
        return self.title


class Field(models.Model):
    """項目: one declared item of a dataset; a record may hold nothing else (article 6's minimum)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        DATE = "date", _("Date")
        NUMBER = "number", _("Number")
        POSTAL_CODE = "postal_code", _("Postal code")
        PHONE = "phone", _("Phone number")
        MY_NUMBER = "my_number", _("My Number (個人番号)")
        FREE_TEXT = "free_text", _("Free text")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="fields")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("field name"), max_length=100)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    required = models.BooleanField(_("required"), default=True)
    searchable = models.BooleanField(_("searchable"), default=False)
    special_care = models.BooleanField(_("special-care information (要配慮)"), default=False)
    max_length = models.PositiveIntegerField(_("maximum length"), default=200)

    class Meta:
        ordering = ["dataset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="field_name_per_dataset"),
            models.UniqueConstraint(fields=["dataset", "position"], name="field_position_per_dataset"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.searchable and self.kind == self.Kind.FREE_TEXT:
            raise ValidationError({"searchable": _("Free text cannot be searched by exact match.")})


class PurposeNotice(models.Model):
    """利用目的の明示: the versioned text shown to people when their data is collected (article 7)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="notices")
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("notice text"))
    sha256 = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "version"], name="notice_version_per_dataset")]

    def __str__(self) -> str:
        return f"{self.dataset} notice v{self.version}"


class Handover(models.Model):
    """授受: entrusted data received from the authority (article 11): when, from whom, on what, how many."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="handovers")
    received_on = models.DateField(_("received on"))
    received_from = models.CharField(_("received from"), max_length=200)
    medium = models.CharField(_("medium"), max_length=100)
    count = models.PositiveIntegerField(_("number of records"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.dataset} {self.received_on}"


class Record(models.Model):
    """One person's data: a single ciphertext of every field value, bound to this row by its associated data."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="records")
    ciphertext = models.BinaryField()
    schema_version = models.PositiveIntegerField()
    # Bumped by each correction and bound into the ciphertext, so an older ciphertext cannot be put back.
    revision = models.PositiveIntegerField(default=0, db_default=0)
    notice = models.ForeignKey(PurposeNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("collection channel"), max_length=50, blank=True)
    import_run = models.ForeignKey("ImportRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.pk}"

    @property
    def sealed_version(self) -> int:
        """The version in the associated data: the schema version, with the revision above it once corrected."""
        return (self.revision << 32) | self.schema_version


class IndexEntry(models.Model):
    """A truncated keyed hash of one searchable value: finds candidates, reveals neither value nor equality."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+", db_index=False)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="+", db_index=False)
    value = models.BigIntegerField()
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["dataset", "field", "value"], name="vault_index_lookup")]

    def __str__(self) -> str:
        return f"index {self.field_id}:{self.value} → {self.record_id}"


class ImportRun(models.Model):
    """One import of a file: what was found and how it ended; never the file's content."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="imports")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)

    def __str__(self) -> str:
        return f"import {self.pk} of {self.dataset}"


class DailyUse(models.Model):
    """How many records a person viewed and searches they made in a dataset on one day, for the limits of
    article 9; kept beside the ledger (which holds each access) so the gate need not count events."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    limit_reported = models.BooleanField(default=False)  # the suspected incident is raised once a day

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "person", "day"], name="daily_use_once")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.dataset_id} {self.day}"

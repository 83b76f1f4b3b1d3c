"""The vault's data model: datasets with declared purposes and fields, and records held only as ciphertext.

A record is one AES-GCM ciphertext of all its field values (the associated data binds it to its dataset,
record and schema version); searchable fields add truncated blind-index entries. Nothing here holds a
field value in clear, and disposal destroys the wrapped keys, after which every row is noise.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itaku.vault.sealing import POSTING


def _minute(moment: dt.datetime) -> dt.datetime:
    """People record times to the minute (a datetime-local field): an event within the same minute as the
    one it follows is not before it."""
    return moment.replace(second=0, microsecond=0)


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
    # Not checked by the database row by row (a million checks for one import): the import writes it.
    import_run = models.ForeignKey("ImportRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   db_constraint=False)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.dataset_id}/{self.pk}"

    @property
    def sealed_version(self) -> int:
        return self.version_of(self.revision, self.schema_version)

    @staticmethod
    def version_of(revision: int, schema_version: int) -> int:
        """The version in the associated data: the schema version, with the revision above it once corrected
        (also for rows read without the model)."""
        return (revision << 32) | schema_version


class IndexEntry(models.Model):
    """The records written together whose searchable field has one blind-index value, each with its match
    tag: finds candidates, reveals neither value nor equality.

    One row per field and value for each batch of an import (a few hundred rows for thousands of records),
    one for each record added or corrected by hand. The postings (`sealing.postings`) are each record's id
    and match tag (crypto.BlindIndex.tags): a search decrypts only the candidates whose tag is the query's.
    """

    # Derived rows, written only beside their records by the import and the record services. No
    # foreign-key constraints: PostgreSQL checks each one row by row.
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="+", db_index=False,
                                db_constraint=False)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    value = models.BigIntegerField()
    postings = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["dataset", "field", "value"], name="vault_index_value")]

    def __str__(self) -> str:
        return f"index {self.field_id}:{self.value} ({len(self.postings) // POSTING.size} records)"


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
    # Collected data: the purpose notice the people were shown and how the data came; every record of the
    # import gets both (article 7).
    notice = models.ForeignKey(PurposeNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("collection channel"), max_length=50, blank=True)

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


class DisposalInstruction(models.Model):
    """廃棄の指示 (article 13): the authority's instruction to dispose of a dataset, or of paper or media kept
    outside the vault; nothing is disposed of without one, and one disposal answers it."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="disposal_instructions")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="disposal_instructions")
    note = models.TextField(_("what the authority instructs"), blank=True)
    instructed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    instructed_at = models.DateTimeField(_("instructed at"))

    class Meta:
        ordering = ["contract", "instructed_at", "pk"]
        verbose_name = _("disposal instruction")

    def __str__(self) -> str:
        return f"disposal instruction {self.pk}"

    def clean(self) -> None:
        if self.dataset_id is not None and self.dataset.contract_id != self.contract_id:
            raise ValidationError({"dataset": _("The dataset belongs to another contract.")})
        if self.dataset_id is None and not self.note.strip():
            raise ValidationError({"note": _("Say which paper or media are to be disposed of.")})


class Disposal(models.Model):
    """廃棄記録: exactly what article 13-2 asks to be recorded (information items, medium, quantity, date and
    time, method, place, person in charge), with the instruction it answers and who reported it.

    For a dataset the disposal is the cryptographic erasure (its keys destroyed at `disposed_at`); the
    deletion of its ciphertexts and indexes follows in the background and is tracked here, apart from the
    items the report is about.
    """

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="disposals")
    instruction = models.OneToOneField(DisposalInstruction, on_delete=models.PROTECT, related_name="disposal")
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, null=True, blank=True, related_name="disposals")
    items = models.JSONField(_("information items"), default=list)
    medium = models.CharField(_("medium"), max_length=200)
    records = models.PositiveBigIntegerField(_("number of records"), default=0)
    files = models.PositiveIntegerField(_("number of files"), default=0)
    disposed_at = models.DateTimeField(_("date and time of disposal"))
    method = models.CharField(_("method of disposal"), max_length=200)
    place = models.CharField(_("place of disposal"), max_length=200)
    person_in_charge = models.CharField(_("person in charge of the disposal"), max_length=150)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    # The master-key version that wrapped the destroyed keys: copies of the wrapped keys left in backups,
    # old row versions or journals open with it, so the erasure is complete once that version is retired.
    master_key_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    deletion_started = models.DateTimeField(null=True, blank=True, editable=False)
    deletion_finished = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_records = models.PositiveBigIntegerField(default=0, editable=False)
    deleted_index_entries = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["contract", "-disposed_at", "-pk"]
        verbose_name = _("disposal")

    def __str__(self) -> str:
        return f"disposal {self.pk}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        items = self.items
        if (not isinstance(items, list) or not items
                or not all(isinstance(item, str) and item.strip() and len(item) <= 100 for item in items)):
            errors["items"] = _("Name each information item (up to 100 characters each).")
        elif len(set(items)) != len(items):
            errors["items"] = _("An information item is named twice.")
        if self.dataset_id is None and not (self.records or self.files):
            errors["records"] = _("Give the quantity disposed of: records, files or both.")
        if self.disposed_at and self.disposed_at > timezone.now():
            errors["disposed_at"] = _("The disposal cannot be in the future.")
        elif self.disposed_at and self.instruction_id and self.disposed_at < _minute(self.instruction.instructed_at):
            errors["disposed_at"] = _("The disposal cannot precede the authority's instruction.")
        if self.instruction_id and (self.instruction.contract_id != self.contract_id
                                    or self.instruction.dataset_id != self.dataset_id):
            errors["instruction"] = _("The instruction is about something else.")
        if errors:
            raise ValidationError(errors)

    @property
    def deletion_pending(self) -> bool:
        """A disposed dataset whose ciphertexts and indexes are not all deleted yet (unreadable all the same)."""
        return self.dataset_id is not None and self.deletion_finished is None

    def snapshot(self) -> dict[str, object]:
        """What the 廃棄報告書 reports and the authority acknowledges (the background deletion is not part of it)."""
        return {
            "disposal": self.pk, "contract": self.contract_id, "instruction": self.instruction_id,
            "dataset": self.dataset_id, "items": list(self.items), "medium": self.medium,
            "records": self.records, "files": self.files, "disposed_at": self.disposed_at.isoformat(),
            "method": self.method, "place": self.place, "person_in_charge": self.person_in_charge,
            "reported_by": self.reported_by_id,
            # The report lists the dataset's copies apart: one destroyed after the acknowledgement changes it.
            "copies": [[pk, destroyed.isoformat() if destroyed else None] for pk, destroyed in
                       Copy.objects.filter(request__dataset_id=self.dataset_id).order_by("pk")
                       .values_list("pk", "destroyed_at")] if self.dataset_id else [],
        }


# Copies (article 10) and the return (article 12) ------------------------------------------------------------


class CopyRequest(models.Model):
    """複写・複製の申請 (article 10): what may be copied, for which purpose, onto what, held by whom, where, and
    until when. It goes to the authority through the submissions mechanism; its snapshot covers every item, so
    any change after the approval voids it. An equality filter's value is held only as a ciphertext under the
    dataset's data key (bound to record 0, which no record has, and to this request's id as its version)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="copy_requests")
    number = models.PositiveIntegerField(_("copy number"))
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="copy_requests",
                                verbose_name=_("dataset"))
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose"))
    fields = models.ManyToManyField(Field, related_name="+", verbose_name=_("fields"))
    filter_field = models.ForeignKey(Field, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("records where this field equals"))
    filter_ciphertext = models.BinaryField(null=True, editable=False)
    medium = models.CharField(_("medium"), max_length=100)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("holder"))
    place = models.ForeignKey("places.WorkLocation", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("place of keeping"))
    destroy_by = models.DateField(_("destroy by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="copy_number_per_contract"),
            models.CheckConstraint(condition=models.Q(filter_field__isnull=True, filter_ciphertext__isnull=True)
                                   | models.Q(filter_field__isnull=False, filter_ciphertext__isnull=False),
                                   name="copy_filter_field_and_value"),
        ]
        verbose_name = _("copy request")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """複写番号, printed in the copy itself."""
        return f"C-{self.contract_id}-{self.number}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.dataset_id and self.dataset.contract_id != self.contract_id:
            errors["dataset"] = _("The dataset belongs to another contract.")
        if self.purpose_id and self.purpose.dataset_id != self.dataset_id:
            errors["purpose"] = _("Choose one of the dataset's purposes.")
        if self.filter_field_id and (self.filter_field.dataset_id != self.dataset_id
                                     or not self.filter_field.searchable):
            errors["filter_field"] = _("Records can be chosen only by a searchable field of the dataset.")
        if self.holder_id and self.holder.organisation_id != self.contract.contractor_id:
            errors["holder"] = _("The holder must belong to the contractor.")
        if self.place_id and (self.place.contract_id != self.contract_id
                              or self.place.organisation_id != self.contract.contractor_id):
            errors["place"] = _("The place must be a work location of the contractor under this contract.")
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict[str, object]:
        """What the authority approves: every item; the filter value as the hash of its ciphertext."""
        return {
            "contract": self.contract_id, "number": self.number, "dataset": self.dataset_id,
            "purpose": self.purpose_id, "fields": sorted(self.fields.values_list("pk", flat=True)),
            "filter_field": self.filter_field_id,
            "filter_sha256": hashlib.sha256(bytes(self.filter_ciphertext)).hexdigest()
            if self.filter_ciphertext is not None else None,
            "medium": self.medium, "holder": self.holder_id, "place": self.place_id,
            "destroy_by": self.destroy_by.isoformat(), "requested_by": self.requested_by_id,
        }


class Copy(models.Model):
    """複写物: the one file an approved request produced (one-to-one: produced once, by the database too), held
    until its destruction is confirmed with method, date and time, place and person."""

    class Method(models.TextChoices):
        SHREDDING = "shredding", _("Shredding")
        INCINERATION = "incineration", _("Incineration")
        DISSOLUTION = "dissolution", _("Dissolution")
        ERASURE = "erasure", _("Erasure of the medium")
        DESTRUCTION = "destruction", _("Physical destruction of the medium")

    request = models.OneToOneField(CopyRequest, on_delete=models.PROTECT, related_name="copy")
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    produced_at = models.DateTimeField(_("produced at"))
    format = models.CharField(_("format"), max_length=20)
    records = models.PositiveIntegerField(_("number of records"))
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    destruction_method = models.CharField(_("method of destruction"), max_length=20, choices=Method.choices,
                                          blank=True)
    destroyed_place = models.ForeignKey("places.WorkLocation", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("place of destruction"))
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("person in charge of destruction"))
    destruction_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                                blank=True, related_name="+")

    class Meta:
        ordering = ["request"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(destroyed_at__isnull=True, destruction_method="", destroyed_place__isnull=True,
                                   destroyed_by__isnull=True, destruction_recorded_by__isnull=True)
                | (models.Q(destroyed_at__isnull=False, destroyed_place__isnull=False, destroyed_by__isnull=False,
                            destruction_recorded_by__isnull=False) & ~models.Q(destruction_method="")),
                name="copy_destruction_complete"),
        ]
        verbose_name = _("copy")

    def __str__(self) -> str:
        return self.request.code

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None

    def clean(self) -> None:
        if self.destroyed_at is not None and self.destroyed_at < _minute(self.produced_at):
            raise ValidationError({"destroyed_at": _("A copy cannot be destroyed before it was produced.")})


class ReturnRequest(models.Model):
    """返還の請求: the authority asks for the data back before the contract's end (article 12)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="return_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "created"]
        verbose_name = _("request for the return")

    def __str__(self) -> str:
        return f"return request {self.pk} ({self.contract_id})"


class ReturnPackage(models.Model):
    """返還パッケージ (article 12): every dataset's records as CSV and XLSX with a manifest and the ledger head, in
    one ZIP. Only its description and SHA-256 are kept; the bytes are rebuilt for each download and must hash
    the same, so the vault holds no second copy of the data in clear or otherwise."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="return_packages")
    number = models.PositiveIntegerField(_("package number"))
    request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="packages")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField(_("built at"))
    datasets = models.JSONField(default=list)  # [{"dataset": id, "records": n}] in the package's order
    ledger_seq = models.PositiveBigIntegerField()
    ledger_hash = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="return_number_per_contract")]
        verbose_name = _("return package")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"R-{self.contract_id}-{self.number}"

    @property
    def records(self) -> int:
        return sum(entry["records"] for entry in self.datasets)

    def snapshot(self) -> dict[str, object]:
        """What the authority acknowledges receiving: the package's identity, content and hash."""
        return {
            "contract": self.contract_id, "number": self.number, "request": self.request_id,
            "built_at": self.built_at.isoformat(), "datasets": self.datasets,
            "ledger_seq": self.ledger_seq, "ledger_hash": self.ledger_hash, "sha256": self.sha256, "size": self.size,
        }


class Share(models.Model):
    """A dataset, or some of its fields and records, shared with a subcontractor (article 8).

    The only way data reaches a subcontractor. Made by the party above it, within the fields of an approved
    subcontracting request; it holds while it is not withdrawn and the party's approval holds, and a share
    to a party further down holds only while the share above it does (`sharing.grant`).
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="shares")
    party = models.ForeignKey("contracts.Party", on_delete=models.PROTECT, related_name="shares",
                              verbose_name=_("subcontractor"))
    fields = models.ManyToManyField(Field, related_name="+", verbose_name=_("fields"))
    # Record ids, or null for every record of the dataset.
    records = models.JSONField(_("records"), null=True, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["dataset", "party", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "party"], condition=models.Q(withdrawn_at__isnull=True),
                                    name="share_once_per_party"),
        ]
        verbose_name = _("share")

    def __str__(self) -> str:
        return f"{self.dataset} → {self.party}"

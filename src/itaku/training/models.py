"""Training (article 3): courses, completions per person, and each contract's validity rules."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itaku.contracts import chain

# What article 3 asks training on, plus the work itself: (code, label_ja, label_en).
TOPICS: tuple[tuple[str, str, str], ...] = (
    ("privacy", "個人情報の保護", "Protection of personal information"),
    ("security", "情報セキュリティ", "Information security"),
    ("provisions", "本件特記事項", "These special provisions"),
    ("work", "業務", "The work"),
)
TOPIC_CODES: tuple[str, ...] = tuple(code for code, _, _ in TOPICS)
DEFAULT_VALIDITY_MONTHS = 12
MAX_VALIDITY_MONTHS = 60


def all_topics() -> list[str]:
    """The default of every contract: all four topics are required."""
    return list(TOPIC_CODES)


def normalise_title(title: str) -> str:
    """Course titles compare after NFKC and trimming: ＡＢＣ研修 and ABC研修 are one course."""
    return unicodedata.normalize("NFKC", title).strip()


def _topic_errors(topics: Any) -> str | None:
    if not isinstance(topics, list) or not topics:
        return _("Choose at least one topic.")
    if len(set(topics)) != len(topics) or set(topics) - set(TOPIC_CODES):
        return _("The topics must be distinct codes of the known topics.")
    return None


def ordered_topics(codes: Any) -> list[str]:
    """Topic codes in the order of TOPICS, whatever order they were given in."""
    wanted = set(codes)
    return [code for code in TOPIC_CODES if code in wanted]


def course_owners(contract: Any, organisation_id: int | None) -> set[int]:
    """Whose courses the people of a party may complete: the authority's and the contractor's (the
    contract's courses), their own organisation's, and those of every subcontractor above it in the chain;
    never a sibling's or a party's below. Empty for an organisation outside the chain."""
    if organisation_id == contract.contractor_id:
        return {contract.authority_id, contract.contractor_id}
    row = chain.party_row(contract, organisation_id)
    if row is None:
        return set()
    return {contract.authority_id, contract.contractor_id, *(party.organisation_id for party in row.lineage())}


class Course(models.Model):
    """A course offered under one contract, defined by its owner: the authority, the contractor or a
    subcontractor (a subcontractor's course is for its own people and those below it)."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="training_courses")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("defined by"),
    )
    title = models.CharField(_("course title"), max_length=200)
    summary = models.TextField(_("content summary"), blank=True)
    topics = models.JSONField(_("topics"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "title"]
        constraints = [models.UniqueConstraint(fields=["contract", "title"], name="training_course_title")]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not normalise_title(self.title):
            errors["title"] = _("A course needs a title.")
        elif self.title != normalise_title(self.title):
            errors["title"] = _("The title must be stored normalised (NFKC, trimmed).")
        topic_error = _topic_errors(self.topics)
        if topic_error:
            errors["topics"] = topic_error
        if self.contract_id and self.organisation_id and self.organisation_id != self.contract.authority_id \
                and not chain.is_party(self.contract, self.organisation_id):
            errors["organisation"] = _("A course belongs to the authority or a party of its contract's chain.")
        if errors:
            raise ValidationError(errors)


class Completion(models.Model):
    """One person's result in one course on one day. Never deleted: a wrong record is corrected by a new one."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions",
        verbose_name=_("person"),
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions", verbose_name=_("course"))
    completed_on = models.DateField(_("date completed"))
    passed = models.BooleanField(_("result"), choices=[(True, _("Passed")), (False, _("Not passed"))])
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(  # empty when imported from the command line
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")

    def __str__(self) -> str:
        return f"{self.person} {self.course} {self.completed_on:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        contract = self.course.contract if self.course_id else None
        if contract is not None and self.person_id:
            owners = course_owners(contract, self.person.organisation_id)
            if not owners:
                errors["person"] = _("The person must belong to the contract's contractor or a subcontractor.")
            elif self.course.organisation_id not in owners:
                errors["course"] = _("The person's organisation may not complete this course.")
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = _("The date completed is in the future.")
        if self.corrects_id and self.person_id:
            wrong = self.corrects
            if wrong.person_id != self.person_id or (contract is not None and wrong.course.contract_id != contract.pk):
                errors["corrects"] = _("A correction replaces a record of the same person under the same contract.")
        if errors:
            raise ValidationError(errors)


class TrainingSettings(models.Model):
    """How long a completion counts and which topics everyone must cover, per contract (defaults until changed)."""

    contract = models.OneToOneField("contracts.Contract", on_delete=models.PROTECT, related_name="training_settings")
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"), default=DEFAULT_VALIDITY_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VALIDITY_MONTHS)],
    )
    required_topics = models.JSONField(_("required topics"), default=all_topics)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.validity_months} months, {','.join(self.required_topics)}"

    def clean(self) -> None:
        topic_error = _topic_errors(self.required_topics)
        if topic_error:
            raise ValidationError({"required_topics": topic_error})

"""Training (article 3): who holds valid training, and every change (one transaction, one ledger event).

A person is trained for a contract when, for every topic the contract requires, they passed a course of
that contract covering the topic, on a day no longer ago than the contract's validity period. A wrong
completion is never deleted; a new record that `corrects` it takes its place.

Every party of the contract's chain (the contractor and each subcontractor, article 8) trains its own
people: its responsible person records their completions (or the authority does), and they may complete
the authority's and the contractor's courses, their own organisation's and those of the parties above it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.contracts import chain
from itaku.contracts.models import Contract, Role
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.people.services import structure_people
from itaku.submissions.services import attach
from itaku.training import csv_import
from itaku.training.models import (
    DEFAULT_VALIDITY_MONTHS,
    MAX_VALIDITY_MONTHS,
    TOPIC_CODES,
    TOPICS,
    Completion,
    Course,
    TrainingSettings,
    all_topics,
    course_owners,
    normalise_title,
    ordered_topics,
)
from itaku.validation import user_error

__all__ = [
    "DUE_SOON_DAYS",
    "TOPICS",
    "PersonStatus",
    "TrainingError",
    "add_course",
    "add_months",
    "change_settings",
    "completion_rows",
    "completions_document",
    "courses_for",
    "due_soon",
    "import_completions",
    "missing_topics",
    "people_to_train",
    "record_completion",
    "required_topics",
    "settings_for",
    "status",
    "topic_labels",
    "untrained_since",
]

DUE_SOON_DAYS = 30
_LABELS = {code: (ja, en) for code, ja, en in TOPICS}
_TITLE_MAX = Course._meta.get_field("title").max_length


class TrainingError(UserError):
    """A training step the rules do not allow."""


# Validity -------------------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end: 2026-01-31 + 1 month is 2026-02-28."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(at: dt.date | None) -> dt.date:
    """The calendar day in Japan at `at` (now when None); an aware datetime is converted, a date is kept."""
    if at is None:
        return timezone.localdate()
    if isinstance(at, dt.datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def settings_for(contract: Contract) -> TrainingSettings:
    """The contract's settings; unsaved defaults (12 months, all topics) until the supervisor changes them."""
    found = TrainingSettings.objects.filter(contract=contract).first()
    return found or TrainingSettings(contract=contract, validity_months=DEFAULT_VALIDITY_MONTHS,
                                     required_topics=all_topics())


def required_topics(contract: Contract) -> frozenset[str]:
    """The topic codes everyone who handles this contract's data must have valid training on."""
    return frozenset(settings_for(contract).required_topics)


def topic_labels(codes: Iterable[str]) -> tuple[str, str]:
    """Japanese and English labels of topic codes, in the order of TOPICS."""
    ordered = ordered_topics(codes)
    return "、".join(_LABELS[c][0] for c in ordered), ", ".join(_LABELS[c][1] for c in ordered)


def _still_working(contract: Contract, organisation_id: int, day: dt.date) -> bool:
    """The contractor, or a subcontractor neither revoked nor past its period (nor any party above it):
    one whose people handle data now or will."""
    row = chain.party_row(contract, organisation_id)
    return row is None or all(p.revoked_at is None and day <= p.end for p in row.lineage())


def people_to_train(contract: Contract, organisation: Organisation | None = None) -> list[User]:
    """Who must be trained, per party: the responsible person and workers of its declared structure
    (article 2), or, before it declares one, its holders of those roles on the contract; active logins only.

    `organisation` names one party of the chain; None means every party still working for the contract
    (the contractor first, then each subcontractor not revoked nor past its period).
    """
    if organisation is None:
        day = timezone.localdate()
        return [person for party in chain.parties(contract) if _still_working(contract, party.pk, day)
                for person in people_to_train(contract, party)]
    declared = structure_people(contract, organisation)
    if declared:
        return [person for person in declared if person.is_active]
    return list(
        User.objects.filter(
            organisation=organisation, contract_roles__contract=contract,
            contract_roles__role__in=[Role.RESPONSIBLE, Role.WORKER], is_active=True,
        ).distinct().order_by("username")
    )


def courses_for(contract: Contract, organisation: Organisation) -> QuerySet[Course]:
    """The courses the people of a party may complete (see `course_owners`)."""
    return Course.objects.filter(contract=contract, organisation_id__in=course_owners(contract, organisation.pk))


def untrained_since(person: User, contract: Contract, at: dt.datetime | None = None) -> dt.date | None:
    """The day since which the person has lacked valid training without a break (None: trained now;
    date.min: never trained in a missing topic). Handling data on or after it was handling untrained."""
    missing = missing_topics(person, contract, at)
    if not missing:
        return None
    months = settings_for(contract).validity_months
    lapsed: dict[str, dt.date] = {}
    rows = Completion.objects.filter(course__contract=contract, person=person, passed=True,
                                     corrected_by__isnull=True, completed_on__lte=_day(at))
    for completed_on, topics in rows.values_list("completed_on", "course__topics"):
        for code in set(topics) & missing:
            end = add_months(completed_on, months) + dt.timedelta(days=1)
            lapsed[code] = max(lapsed.get(code, end), end)
    return min(lapsed.get(code, dt.date.min) for code in missing)


@dataclass(frozen=True)
class Cover:
    """The newest valid passed completion for one topic: until when it counts, and which record it is."""

    valid_until: dt.date
    completion: int


def _coverage(contract: Contract, person_ids: Iterable[int], day: dt.date, months: int) -> dict[int, dict[str, Cover]]:
    """person id → topic → the cover that lasts longest on `day` (a completion counts up to its valid_until)."""
    ids = list(person_ids)
    covers: dict[int, dict[str, Cover]] = {pk: {} for pk in ids}
    rows = Completion.objects.filter(
        course__contract=contract, person_id__in=ids, passed=True, corrected_by__isnull=True,
        completed_on__lte=day, completed_on__gte=add_months(day, -months) - dt.timedelta(days=3),
    ).values_list("pk", "person_id", "completed_on", "course__topics")
    for pk, person_id, completed_on, topics in rows:
        until = add_months(completed_on, months)
        if until < day:
            continue
        for code in topics:
            best = covers[person_id].get(code)
            if best is None or (until, pk) > (best.valid_until, best.completion):
                covers[person_id][code] = Cover(until, pk)
    return covers


def missing_topics(person: User, contract: Contract, at: dt.datetime | None = None) -> frozenset[str]:
    """Required topics without a valid passed completion at `at` (now): empty means trained."""
    settings = settings_for(contract)
    covered = _coverage(contract, [person.pk], _day(at), settings.validity_months)[person.pk]
    return frozenset(settings.required_topics) - covered.keys()


def due_soon(
    contract: Contract, people: Iterable[User], within_days: int = DUE_SOON_DAYS, at: dt.datetime | None = None,
) -> list[tuple[User, str, dt.date]]:
    """(person, topic, valid until) where the newest valid completion of a required topic runs out within
    `within_days` of `at`, soonest first. A topic with no valid completion is missing, not due."""
    people = list(people)
    day, settings = _day(at), settings_for(contract)
    covers = _coverage(contract, [p.pk for p in people], day, settings.validity_months)
    limit = day + dt.timedelta(days=within_days)
    found = [
        (person, code, cover.valid_until)
        for person in people for code in ordered_topics(settings.required_topics)
        if (cover := covers[person.pk].get(code)) is not None and cover.valid_until <= limit
    ]
    return sorted(found, key=lambda row: (row[2], row[0].username, TOPIC_CODES.index(row[1])))


@dataclass(frozen=True)
class PersonStatus:
    """One person's training on a contract at one moment."""

    person: User
    missing: tuple[str, ...]
    covers: dict[str, Cover] = field(default_factory=dict)

    @property
    def trained(self) -> bool:
        return not self.missing

    @property
    def valid_until(self) -> dt.date | None:
        """When the first required topic runs out (None while something is missing)."""
        return None if self.missing or not self.covers else min(c.valid_until for c in self.covers.values())


def status(contract: Contract, people: Iterable[User], at: dt.datetime | None = None) -> list[PersonStatus]:
    """Each person's missing topics and covers, for pages, documents and the control."""
    people = list(people)
    settings = settings_for(contract)
    required = ordered_topics(settings.required_topics)
    covers = _coverage(contract, [p.pk for p in people], _day(at), settings.validity_months)
    return [
        PersonStatus(
            person, tuple(c for c in required if c not in covers[person.pk]),
            {c: cover for c, cover in covers[person.pk].items() if c in required},
        )
        for person in people
    ]


def completion_rows(completions: Iterable[Completion], months: int, at: dt.datetime | None = None) -> list[dict]:
    """Completions as plain rows (for pages and the written document), with until when each counts."""
    day = _day(at)
    rows = []
    for c in completions:
        corrected = hasattr(c, "corrected_by")
        until = add_months(c.completed_on, months) if c.passed and not corrected else None
        rows.append({
            "id": c.pk, "person": str(c.person), "username": c.person.username, "course": c.course.title,
            "topics": ordered_topics(c.course.topics), "completed_on": c.completed_on.isoformat(),
            "passed": c.passed, "valid_until": until.isoformat() if until else None,
            "current": until is not None and c.completed_on <= day <= until,
            "corrected": corrected, "corrects": c.corrects_id,
        })
    return rows


def completions_document(
    contract: Contract, at: dt.datetime | None = None, organisation: Organisation | None = None,
) -> dict[str, Any]:
    """The plain data of 研修受講記録一覧: every completion, and each person to train with what they lack;
    of one party's people when `organisation` is given (its part of the chain), else of every party."""
    settings = settings_for(contract)
    completions = (Completion.objects.filter(course__contract=contract)
                   .select_related("person", "course", "corrected_by")
                   .order_by("person__username", "completed_on", "pk"))
    if organisation is not None:
        completions = completions.filter(person__organisation=organisation)
    return {
        "as_of": _day(at).isoformat(),
        "organisation": organisation.name if organisation is not None else None,
        "validity_months": settings.validity_months,
        "required_topics": ordered_topics(settings.required_topics),
        "completions": completion_rows(completions, settings.validity_months, at),
        "people": [
            {"person": str(s.person), "username": s.person.username, "missing": list(s.missing),
             "valid_until": s.valid_until.isoformat() if s.valid_until else None}
            for s in status(contract, people_to_train(contract, organisation), at)
        ],
    }


# Changes ---------------------------------------------------------------------------------------------------

def _articles(contract: Contract) -> list[int]:
    return contract.articles_for("training")


def _require_open(contract: Contract) -> None:
    if contract.status in (Contract.Status.ENDED, Contract.Status.TERMINATED):
        raise TrainingError("終了した契約の研修記録は変更できません。",
                            "The contract has ended; its training records cannot be changed.")


def _check_topics(topics: Iterable[str], what_ja: str, what_en: str) -> list[str]:
    topics = list(topics)
    if not topics or set(topics) - set(TOPIC_CODES):
        raise TrainingError(f"{what_ja}を一つ以上、既定の分野から選んでください。",
                            f"Choose one or more {what_en} from the known topics.")
    return ordered_topics(topics)


def _validated(instance: Any) -> None:
    """Run the model's invariants as a last guard; the services check the same rules bilingually first."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        error = user_error(exc, "入力に誤りがあります", "The input is not valid", type(instance))
        raise TrainingError(error.message_ja, error.message_en) from None


def add_course(
    by: User, contract: Contract, *, title: str, topics: Iterable[str], summary: str = "",
    material: UploadedFile | None = None,
) -> Course:
    """Define a course of the contract, owned by the definer's organisation (the authority or a party of the
    chain: a subcontractor's course is for its own people and those below it); the material is optional."""
    _require_open(contract)
    if by.organisation_id != contract.authority_id and not chain.is_party(contract, by.organisation_id):
        raise TrainingError("講座を定義できるのは契約の当事者（委託者、受託者又は再委託先）だけです。",
                            "Only a party to the contract (the authority, the contractor or a subcontractor) "
                            "can define courses.")
    title = normalise_title(title)
    if not title or len(title) > _TITLE_MAX:
        raise TrainingError(f"講座名は1〜{_TITLE_MAX}文字で入力してください。",
                            f"The course title must have 1 to {_TITLE_MAX} characters.")
    course = Course(contract=contract, organisation_id=by.organisation_id, title=title, summary=summary.strip(),
                    topics=_check_topics(topics, "分野", "topics"), created_by=by)
    with transaction.atomic():
        if Course.objects.filter(contract=contract, title=title).exists():
            raise TrainingError("同じ名称の講座がこの契約に既にあります。",
                                "A course of that title already exists under this contract.")
        _validated(course)
        course.save()
        record("training.course_added", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"course": course.pk, "organisation": course.organisation_id, "topics": course.topics,
                      "material": material is not None})
        if material is not None:
            attach(course, material, by=by, chain=contract.ledger_chain, articles=_articles(contract))
        return course


def record_completion(
    by: User | None, contract: Contract, *, person: User, course: Course, completed_on: dt.date, passed: bool,
    evidence: UploadedFile | None = None, corrects: Completion | None = None,
) -> Completion:
    """Record that a person of a party of the chain completed (or failed) a course of the contract on a day.

    The record is made by the person's own organisation (its responsible person) or by the authority; `by`
    is None only for a system import. `corrects` names a wrong earlier record of the same person; from then
    on only the new one counts.
    """
    _require_open(contract)
    if course.contract_id != contract.pk:
        raise TrainingError("この契約の講座ではありません。", "The course does not belong to this contract.")
    owners = course_owners(contract, person.organisation_id)
    if not owners:
        raise TrainingError("受講者は契約の受託者又は再委託先の従業者でなければなりません。",
                            "The person must belong to the contract's contractor or one of its subcontractors.")
    if by is not None and by.organisation_id not in (person.organisation_id, contract.authority_id):
        raise TrainingError("受講記録を登録できるのは、受講者が所属する組織又は委託者だけです。",
                            "Only the person's own organisation or the authority can record their training.")
    if course.organisation_id not in owners:
        raise TrainingError("この講座は、受講者の組織が受講する講座ではありません（他の再委託先の講座です）。",
                            "The person's organisation may not complete this course (it is another "
                            "subcontractor's own).")
    if completed_on > timezone.localdate():
        raise TrainingError("受講日が未来の日付です。", "The date completed is in the future.")
    with transaction.atomic():
        if corrects is not None:
            corrects = Completion.objects.select_for_update().select_related("course").get(pk=corrects.pk)
            if corrects.person_id != person.pk or corrects.course.contract_id != contract.pk:
                raise TrainingError("訂正できるのは同じ受講者のこの契約の記録だけです。",
                                    "A correction must replace a record of the same person under this contract.")
            if Completion.objects.filter(corrects=corrects).exists():
                raise TrainingError("この記録は既に訂正されています。", "This record has already been corrected.")
        completion = Completion(person=person, course=course, completed_on=completed_on, passed=passed,
                                corrects=corrects, recorded_by=by)
        _validated(completion)
        completion.save()
        record("training.completion_recorded", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"completion": completion.pk, "person": person.pk, "organisation": person.organisation_id,
                      "course": course.pk, "passed": passed,
                      "corrects": corrects.pk if corrects else None, "evidence": evidence is not None})
        if evidence is not None:
            attach(completion, evidence, by=by, chain=contract.ledger_chain, articles=_articles(contract),
                   document_date=completed_on)
        return completion


def change_settings(
    by: User, contract: Contract, *, validity_months: int, required_topics: Iterable[str],
) -> TrainingSettings:
    """The supervisor sets how long a completion counts and which topics are required (no event if unchanged)."""
    _require_open(contract)
    if not 1 <= validity_months <= MAX_VALIDITY_MONTHS:
        raise TrainingError(f"有効期間は1〜{MAX_VALIDITY_MONTHS}か月で指定してください。",
                            f"The validity must be 1 to {MAX_VALIDITY_MONTHS} months.")
    topics = _check_topics(required_topics, "必須の分野", "required topics")
    with transaction.atomic():
        current = (TrainingSettings.objects.select_for_update().filter(contract=contract).first()
                   or settings_for(contract))
        changed = [name for name, value in (("validity_months", validity_months), ("required_topics", topics))
                   if getattr(current, name) != value]
        if not changed:
            return current
        current.validity_months, current.required_topics = validity_months, topics
        _validated(current)
        current.save()
        record("training.settings_changed", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"validity_months": validity_months, "required_topics": topics, "changed": changed})
        return current


def import_completions(
    by: User | None, contract: Contract, data: bytes, *, dry_run: bool = False,
    organisation: Organisation | None = None,
) -> csv_import.ImportReport:
    """Check a CSV of completions of one party's people and, only if every row is valid and this is not a
    dry run, record them all.

    The party is `organisation`, by default the importer's own (the contractor for a system import); only
    its own people are accepted, and only it or the authority may import. The report lists the problems
    (at most 100) with their row and column; rows already recorded are skipped, so the same list can be
    imported again. One ledger event with counts only.
    """
    _require_open(contract)
    if organisation is None:
        mine = by is not None and chain.is_party(contract, by.organisation_id)
        organisation = by.organisation if mine else contract.contractor
    if not chain.is_party(contract, organisation.pk):
        raise TrainingError("取込先の組織が契約の受託者又は再委託先ではありません。",
                            "The organisation is neither the contract's contractor nor one of its subcontractors.")
    if by is not None and by.organisation_id not in (organisation.pk, contract.authority_id):
        raise TrainingError("取り込めるのは自組織の従業者の受講記録だけです。",
                            "Only completions of your own organisation's people can be imported.")
    with transaction.atomic():
        report = csv_import.check(contract, data, today=timezone.localdate(), organisation=organisation)
        if not report.ok or dry_run:
            return report
        created = Completion.objects.bulk_create([
            Completion(person=row.person, course=row.course, completed_on=row.completed_on, passed=row.passed,
                       recorded_by=by)
            for row in report.entries
        ])
        report.imported = len(created)
        record("training.imported", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
               facts={"organisation": organisation.pk, "rows": report.rows, "encoding": report.encoding,
                      "imported": report.imported, "skipped": report.skipped})
        return report

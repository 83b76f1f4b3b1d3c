"""Controls for article 2 (structure) and article 4 (confidentiality pledges)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from itaku.accounts.models import User
from itaku.contracts.models import Contract
from itaku.ledger.services import handling_events, last_event
from itaku.people import services as people
from itaku.provisions.controls import Evidence, Finding, State, control
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission


@control("people.responsible_named", topics=["structure"],
         title_ja="責任者の明確化", title_en="Responsible person named")
def responsible_named(contract: Contract) -> Iterator[Finding]:
    version = people.newest_version(contract)
    if version is None:
        yield Finding(State.VIOLATION, "責任者が定められていません（体制が未作成）。",
                      "No responsible person: the structure has not been declared.")
        return
    yield Finding(State.OK, f"責任者: {version.responsible}（第{version.number}版）",
                  f"Responsible person: {version.responsible} (version {version.number})",
                  (Evidence.object(version),))


@control("people.structure_acknowledged", topics=["structure"],
         title_ja="体制の書面化と受理", title_en="Structure in writing, acknowledged")
def structure_acknowledged(contract: Contract) -> Iterator[Finding]:
    version = people.newest_version(contract)
    if version is None:
        return  # reported by people.responsible_named
    submission = submissions.latest(version, people.STRUCTURE)
    if submission is not None and submissions.accepted(version, people.STRUCTURE) is not None:
        yield Finding(State.OK, f"第{version.number}版の体制届が受理されています。",
                      f"Version {version.number} of the structure is acknowledged.",
                      _event(contract, f"{people.STRUCTURE}.acknowledged"))
    elif submission is not None and submission.is_open:
        yield Finding(State.MISSING, f"第{version.number}版の体制届が受理待ちです。",
                      f"Version {version.number} of the structure awaits acknowledgement.")
    elif submission is not None and submission.status in Submission.REFUSING:
        yield Finding(State.MISSING, f"第{version.number}版の体制届が差し戻されています。",
                      f"Version {version.number} of the structure was returned.")
    else:
        yield Finding(State.MISSING, f"第{version.number}版の体制が提出されていません。",
                      f"Version {version.number} of the structure has not been submitted.")


def _event(contract: Contract, kind: str) -> tuple[Evidence, ...]:
    event = last_event(contract.ledger_chain, kind)
    return (Evidence.event(event),) if event else ()


def _acknowledged_timeline(contract: Contract) -> dict[int, list[tuple[object, set[int]]]]:
    """Per organisation of the chain: (acknowledged at, people) for every acknowledged structure round,
    oldest first. Each party's structure names its own people: one party's acknowledgement says nothing
    about another's."""
    timeline: dict[int, list[tuple[object, set[int]]]] = {}
    for version in people.StructureVersion.objects.filter(structure__contract=contract).select_related("structure"):
        accepted = submissions.rounds(version, people.STRUCTURE).filter(status__in=Submission.ACCEPTING)
        for submission in accepted.exclude(decided_at=None):
            timeline.setdefault(version.structure.organisation_id, []).append(
                (submission.decided_at, version.people_ids()))
    return {org: sorted(entries, key=lambda entry: entry[0]) for org, entries in timeline.items()}


def _outside(entries: list[tuple[object, set[int]]], person: int) -> list[tuple[object, object]]:
    """The intervals [from, to) in which `person` was not in their party's acknowledged structure (None: open)."""
    intervals, since, inside = [], None, False
    for at, ids in entries:
        now_inside = person in ids
        if inside and not now_inside:
            since = at
        elif not inside and now_inside:
            intervals.append((since, at))
        inside = now_inside
    if not inside:
        intervals.append((since, None))
    return intervals


@control("people.handled_within_structure", topics=["structure"],
         title_ja="体制外の者による取扱いの有無", title_en="Only people in the structure handled data")
def handled_within_structure(contract: Contract) -> Iterator[Finding]:
    """Asked of the database: per person who handled data, the first handling event in an interval where they
    were outside their party's acknowledged structure (a few queries, whatever the size of the ledger)."""
    timeline = _acknowledged_timeline(contract)
    events = handling_events(contract.ledger_chain)
    person_ids = set(events.order_by().values_list("facts__person", flat=True).distinct())
    organisation_of = dict(User.objects.filter(pk__in=person_ids - {None}).values_list("pk", "organisation_id"))
    candidates = []
    if None in person_ids:
        candidates.append(events.filter(facts__person__isnull=True).order_by("seq").first())
    for person in person_ids - {None}:
        intervals = _outside(timeline.get(organisation_of.get(person), []), person)
        if not intervals:
            continue
        wanted = Q(pk__in=[])
        for since, until in intervals:
            bounds = {**({"time__gte": since} if since is not None else {}),
                      **({"time__lt": until} if until is not None else {})}
            wanted |= Q(**bounds) if bounds else ~Q(pk__in=[])
        candidates.append(events.filter(facts__person=person).filter(wanted).order_by("seq").first())
    first = min((event for event in candidates if event is not None), key=lambda event: event.seq, default=None)
    if first is not None:
        yield Finding(State.VIOLATION, "受理された体制に記載のない者が個人情報を取り扱いました。",
                      "Someone not in the acknowledged structure handled personal data.",
                      (Evidence.event(first),))


@control("people.pledges", topics=["confidentiality"],
         title_ja="秘密保持の誓約", title_en="Confidentiality pledges")
def pledges(contract: Contract) -> Iterator[Finding]:
    for person in people.structure_people(contract):
        if people.valid_pledge(person) is not None:
            continue
        if handling_events(contract.ledger_chain, person.pk).exists():
            yield Finding(State.VIOLATION, f"{person} が誓約なしに個人情報を取り扱いました。",
                          f"{person} handled personal data without a pledge.",
                          (Evidence.event(handling_events(contract.ledger_chain, person.pk).first()),))
        else:
            yield Finding(State.MISSING, f"{person} の誓約書がありません。", f"No pledge from {person}.")

"""Work locations: record, change, report, decide (one transaction and ledger event each), and the
questions the vault's gate asks: which acknowledged location, if any, does an address belong to.

Each location belongs to one party of the chain (the contractor or a subcontractor, article 8): the party
records, changes and reports its own, and the authority decides on every party's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.models import Contract
from itaku.ledger.services import record
from itaku.lib.era import dual_date
from itaku.lib.errors import UserError
from itaku.places.models import ReportStatus, WorkLocation
from itaku.places.network import contains, parse_address, parse_networks, sorted_networks
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission
from itaku.validation import user_error

KIND = "places.location"
TOPIC = "work_location"
FIELDS = ("name", "address", "room", "networks", "storage", "safeguards")

STATUS_LABELS = {
    ReportStatus.UNREPORTED: ("未届出", "Not yet reported"),
    ReportStatus.SUBMITTED: ("届出済み・確認待ち", "Reported, awaiting acknowledgement"),
    ReportStatus.ACKNOWLEDGED: ("確認済み", "Acknowledged"),
    ReportStatus.CHANGED: ("届出後に変更あり・再届出が必要", "Changed since the report — report again"),
    ReportStatus.RETURNED: ("差戻し・修正して再届出", "Returned — correct it and report again"),
}


class PlacesError(UserError):
    """A work-location step that the rules or the location's state do not allow."""


def _articles(contract: Contract) -> list[int]:
    return contract.articles_for(TOPIC)


def _networks(value: str | Iterable[str]) -> list[str]:
    """Networks as typed (one a line) or as a list, validated, normalised and sorted."""
    text = value if isinstance(value, str) else "\n".join(value)
    return sorted_networks(parse_networks(text))


def _require_open(contract: Contract) -> None:
    """Read the status afresh: the caller's contract object may predate its end."""
    status = Contract.objects.filter(pk=contract.pk).values_list("status", flat=True).get()
    if status in (Contract.Status.ENDED, Contract.Status.TERMINATED):
        raise PlacesError(
            "終了・解除された契約の作業場所は変更できません。",
            "Work locations of an ended or terminated contract cannot be changed.",
        )


def _require_own(by: Any, location: WorkLocation) -> None:
    if by.organisation_id != location.organisation_id:
        raise PlacesError(
            "作業場所を登録・変更・届出できるのは、その作業場所を使う組織だけです。",
            "Only the organisation that uses a work location may record, change or report it.",
        )


def _validated(location: WorkLocation) -> None:
    try:
        location.full_clean()
    except ValidationError as exc:
        error = user_error(exc, "作業場所の内容に誤りがあります", "The work location is not valid", WorkLocation)
        raise PlacesError(error.message_ja, error.message_en) from None


def add_location(
    by: Any, contract: Contract, *, name: str, address: str, room: str = "", networks: str | Iterable[str] = (),
    storage: str, safeguards: str, organisation: Organisation | None = None,
) -> WorkLocation:
    """Record a new work location of `organisation` (a party of the chain, the contractor by default), by one
    of its own people; it still has to be reported."""
    organisation = organisation or contract.contractor
    if not chain.is_party(contract, organisation.pk):
        raise PlacesError(
            "作業場所を登録できるのは、契約の受託者又は再委託先だけです。",
            "Only the contract's contractor or one of its subcontractors can record work locations.",
        )
    with transaction.atomic():
        location = WorkLocation(
            contract=contract, organisation=organisation, name=name.strip(), address=address.strip(),
            room=room.strip(), networks=_networks(networks), storage=storage.strip(), safeguards=safeguards.strip(),
        )
        _require_open(contract)
        _require_own(by, location)
        _validated(location)
        location.save()
        record(
            "places.location_added", chain=contract.ledger_chain, actor=by, articles=_articles(contract),
            facts={"location": location.pk, "organisation": organisation.pk, "networks": len(location.networks)},
        )
        return location


def change_location(by: Any, location: WorkLocation, **changes: Any) -> WorkLocation:
    """Change a location; after an acknowledgement this voids it until the location is reported again.

    Refused while a report awaits the authority's decision: the decision must be about what was reported.
    """
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not fields of a work location: {sorted(unknown)}")
    with transaction.atomic():
        location = WorkLocation.objects.select_for_update().select_related("contract").get(pk=location.pk)
        _require_open(location.contract)
        _require_own(by, location)
        pending = submissions.latest(location, KIND)
        if pending is not None and pending.is_open:
            raise PlacesError(
                "届出が確認待ちのため変更できません。監督職員の確認または差戻しを待ってください。",
                "The report awaits the authority's decision; wait for it to be acknowledged or returned.",
            )
        changed = []
        for field, value in changes.items():
            value = _networks(value) if field == "networks" else value.strip()
            if getattr(location, field) != value:
                setattr(location, field, value)
                changed.append(field)
        if not changed:
            return location
        _validated(location)
        location.save()
        record(
            "places.location_changed", chain=location.contract.ledger_chain, actor=by,
            articles=_articles(location.contract),
            facts={"location": location.pk, "organisation": location.organisation_id, "fields": sorted(changed)},
        )
        return location


def report_location(by: Any, location: WorkLocation) -> Submission:
    """Report the location to the authority (作業場所届); refused when nothing changed since its acknowledgement."""
    with transaction.atomic():
        location = WorkLocation.objects.select_for_update().select_related("contract").get(pk=location.pk)
        _require_open(location.contract)
        _require_own(by, location)
        if submissions.accepted(location, KIND) is not None:
            raise PlacesError(
                "この作業場所は確認済みで、その後変更されていません。",
                "This work location is acknowledged and has not changed since.",
            )
        contract = location.contract
        return submissions.submit(location, kind=KIND, by=by, chain=contract.ledger_chain, articles=_articles(contract))


def decide_location(by: Any, location: WorkLocation, *, acknowledge: bool, comment: str = "") -> Submission:
    """The authority acknowledges the reported location, or returns it with a reason."""
    with transaction.atomic():
        location = WorkLocation.objects.select_for_update().select_related("contract").get(pk=location.pk)
        if by.organisation_id != location.contract.authority_id:
            raise PlacesError("作業場所の届出を確認できるのは委託者だけです。",
                              "Only the authority can decide on a work location report.")
        pending = submissions.latest(location, KIND)
        if pending is None or not pending.is_open:
            raise PlacesError("確認待ちの届出がありません。", "There is no report awaiting a decision.")
        status = Submission.Status.ACKNOWLEDGED if acknowledge else Submission.Status.RETURNED
        return submissions.decide(pending, location, by=by, status=status, comment=comment)


# Questions asked by the vault's gate and the controls ----------------------------------------------------


def _locations(contract: Contract, organisation: Organisation | None) -> Iterable[WorkLocation]:
    found = WorkLocation.objects.filter(contract=contract).select_related("organisation")
    return found.filter(organisation=organisation) if organisation is not None else found


def acknowledged_locations(contract: Contract, organisation: Organisation | None = None) -> list[WorkLocation]:
    """Locations acknowledged by the authority and unchanged since (of one organisation, or of all)."""
    return [loc for loc in _locations(contract, organisation) if submissions.accepted(loc, KIND) is not None]


def has_acknowledged_location(contract: Contract, organisation: Organisation | None = None) -> bool:
    return bool(acknowledged_locations(contract, organisation))


def location_for(contract: Contract, address: str, organisation: Organisation | None = None) -> WorkLocation | None:
    """The acknowledged location whose networks hold `address` (the narrowest range wins); None otherwise,
    also for an address that does not parse, so a gate that asks fails closed."""
    try:
        parsed = parse_address(address)
    except ValueError:
        return None
    best: tuple[int, int, WorkLocation] | None = None
    for location in acknowledged_locations(contract, organisation):
        network = contains(location.networks, parsed)
        if network is not None and (best is None or (-network.prefixlen, location.pk) < best[:2]):
            best = (-network.prefixlen, location.pk, location)
    return best[2] if best else None


@dataclass(frozen=True)
class LocationReport:
    """A location with where it stands: its latest round and the acknowledgement still in force, if any."""

    location: WorkLocation
    status: ReportStatus
    latest: Submission | None
    acknowledgement: Submission | None
    ever_acknowledged: bool

    @property
    def voided(self) -> bool:
        """Acknowledged once, but changed since without a new acknowledgement."""
        return self.ever_acknowledged and self.acknowledgement is None


def report_of(location: WorkLocation) -> LocationReport:
    latest = submissions.latest(location, KIND)
    acknowledgement = submissions.accepted(location, KIND)
    ever = submissions.rounds(location, KIND).filter(status__in=Submission.ACCEPTING).exists()
    if latest is None:
        status = ReportStatus.UNREPORTED
    elif latest.is_open:
        status = ReportStatus.SUBMITTED
    elif acknowledgement is not None:
        status = ReportStatus.ACKNOWLEDGED
    elif latest.is_accepted:
        status = ReportStatus.CHANGED
    else:
        status = ReportStatus.RETURNED
    return LocationReport(location, status, latest, acknowledgement, ever)


def reports(contract: Contract, organisation: Organisation | None = None) -> list[LocationReport]:
    return [report_of(location) for location in _locations(contract, organisation)]


def _date(moment: dt.datetime | None) -> str:
    return dual_date(moment) if moment else ""


def report_data(contract: Contract, organisation: Organisation | None = None) -> dict[str, Any]:
    """The plain data of the 作業場所届: every location, grouped by organisation, with where it stands; of
    one party only when `organisation` is given (its group is there even without locations)."""
    organisations: dict[int, dict[str, Any]] = {}
    if organisation is not None:
        organisations[organisation.pk] = {"name": organisation.name, "locations": []}
    for item in reports(contract, organisation):
        location, latest = item.location, item.latest
        group = organisations.setdefault(
            location.organisation_id, {"name": location.organisation.name, "locations": []},
        )
        status_ja, status_en = STATUS_LABELS[item.status]
        group["locations"].append({
            "name": location.name, "address": location.address, "room": location.room,
            "networks": list(location.networks), "storage": location.storage, "safeguards": location.safeguards,
            "status": item.status.value, "status_ja": status_ja, "status_en": status_en,
            "round": latest.round if latest else None,
            "reported": _date(latest.submitted_at if latest else None),
            "decided": _date(latest.decided_at if latest else None),
        })
    return {"organisations": list(organisations.values())}


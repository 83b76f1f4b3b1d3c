"""Structure versions, pledges and departures: each change one transaction with its ledger event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from itaku.accounts.models import Organisation, User
from itaku.contracts import chain
from itaku.contracts.models import Contract, ContractRole
from itaku.ledger.services import record
from itaku.lib.errors import UserError
from itaku.people.models import Pledge, PledgeText, Structure, StructureMember, StructureVersion
from itaku.submissions import services as submissions
from itaku.submissions.models import Submission

STRUCTURE = "people.structure"


def _party(contract: Contract, organisation: Organisation | None) -> Organisation:
    """The party of the chain a step concerns: the contractor unless a subcontractor is named."""
    party = organisation or contract.contractor
    if not chain.is_party(contract, party.pk):
        raise UserError(
            f"{party.name} はこの契約の受託者でも再委託先でもありません。",
            f"{party.name} is neither the contractor nor a subcontractor of this contract.",
        )
    return party


def _acting_for(by: User, party: Organisation) -> None:
    """Only a party's own people declare its structure and publish its pledge text."""
    if by.organisation_id != party.pk:
        raise UserError(
            f"{party.name} の体制・誓約書を扱えるのは、{party.name} の者だけです。",
            f"Only people of {party.name} can act on its structure and pledge text.",
        )


def version_of(contract: Contract, organisation: Organisation, number: int) -> StructureVersion | None:
    """Version `number` of one party's structure (numbers count per party)."""
    return (StructureVersion.objects.filter(structure__contract=contract, structure__organisation=organisation,
                                            number=number).select_related("structure__organisation").first())


def versions_of(contract: Contract, organisation: Organisation | None = None) -> list[StructureVersion]:
    """Every version of one party's structure, newest first."""
    return list(StructureVersion.objects.filter(structure__contract=contract,
                                                structure__organisation=_party(contract, organisation))
                .select_related("responsible").order_by("-number"))


def structure_of(contract: Contract, organisation: Organisation | None = None) -> Structure:
    structure, _ = Structure.objects.get_or_create(contract=contract, organisation=_party(contract, organisation))
    return structure


def newest_version(contract: Contract, organisation: Organisation | None = None) -> StructureVersion | None:
    """The structure as last declared, whether or not it was submitted or acknowledged."""
    return (StructureVersion.objects.filter(structure__contract=contract,
                                            structure__organisation=_party(contract, organisation))
            .select_related("responsible").order_by("-number").first())


def acknowledged_version(contract: Contract, organisation: Organisation | None = None) -> StructureVersion | None:
    """The newest version the authority acknowledged and that has not changed since."""
    versions = StructureVersion.objects.filter(
        structure__contract=contract, structure__organisation=_party(contract, organisation),
    ).order_by("-number")
    for version in versions:
        if submissions.accepted(version, STRUCTURE) is not None:
            return version
    return None


def structure_people(contract: Contract, organisation: Organisation | None = None) -> list[User]:
    """The responsible person and workers of the declared (newest) structure: who must be trained and pledged."""
    version = newest_version(contract, organisation)
    if version is None:
        return []
    return list(User.objects.filter(pk__in=version.people_ids()).order_by("username"))


def save_version(
    by: User, contract: Contract, *, responsible: User, description: str, members: Iterable[tuple[User, str]],
    responsible_scope: str = "", organisation: Organisation | None = None,
) -> StructureVersion:
    """Declare a new version of the party's structure (the contractor's unless a subcontractor is named), by
    one of its own people; the people named must be current members of the party's organisation."""
    party = _party(contract, organisation)
    _acting_for(by, party)
    members = list(members)
    today = timezone.localdate()
    named = [responsible, *(person for person, _ in members)]
    strangers = [p for p in named if p.organisation_id != party.pk]
    if strangers:
        raise UserError(
            "体制には自社の従業者だけを記載できます。", "Only people of the party's own organisation can be named.",
        )
    departed = [p for p in named if p.has_left(today)]
    if departed:
        raise UserError(
            f"退職した者は記載できません: {departed[0]}", f"A person who has left cannot be named: {departed[0]}",
        )
    if len({p.pk for p, _ in members}) != len(members):
        raise UserError("同じ従事者が重複しています。", "A worker is listed twice.")
    if not description.strip():
        raise UserError(
            "管理体制・実施体制を記載してください。", "Describe the management and implementation structure.",
        )
    if any(not duties.strip() for _, duties in members):
        raise UserError("各従事者の業務内容を記載してください。", "State the duties of every worker.")
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=structure_of(contract, party).pk)
        number = (structure.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = StructureVersion.objects.create(
            structure=structure, number=number, responsible=responsible, responsible_scope=responsible_scope.strip(),
            description=description.strip(), created_by=by,
        )
        StructureMember.objects.bulk_create(
            [StructureMember(version=version, person=p, duties=d.strip()) for p, d in members]
        )
        record("people.structure_saved", chain=contract.ledger_chain, actor=by,
               articles=contract.articles_for("structure"),
               facts={"version": version.pk, "number": number, "organisation": party.pk,
                      "responsible": responsible.pk, "workers": len(members)})
        return version


def submit_version(by: User, version: StructureVersion) -> Submission:
    """The party hands its version to the authority; only its own people may."""
    contract = version.structure.contract
    _acting_for(by, version.structure.organisation)
    return submissions.submit(version, kind=STRUCTURE, by=by, chain=contract.ledger_chain,
                              articles=contract.articles_for("structure"))


def decide_version(by: User, version: StructureVersion, *, acknowledge: bool, comment: str = "") -> Submission:
    """The authority acknowledges or returns any party's submitted version."""
    if by.organisation_id != version.structure.contract.authority_id:
        raise UserError("体制届を判断できるのは委託者だけです。", "Only the authority decides on a structure.")
    pending = submissions.latest(version, STRUCTURE)
    if pending is None or not pending.is_open:
        raise UserError("判断待ちの体制届がありません。", "This version is not awaiting a decision.")
    status = Submission.Status.ACKNOWLEDGED if acknowledge else Submission.Status.RETURNED
    return submissions.decide(pending, version, by=by, status=status, comment=comment)


PENALTIES = (
    "個人情報の保護に関する法律第176条（2年以下の拘禁刑又は100万円以下の罰金）及び"
    "第180条（1年以下の拘禁刑又は50万円以下の罰金）に罰則が定められていること"
)


def default_pledge_body(contract: Contract, organisation: Organisation | None = None) -> str:
    """The template for one party's people (the contractor's unless a subcontractor is named): addressed to
    the authority, quotes the contract's confidentiality article and names the statutory penalties."""
    party = _party(contract, organisation)
    employer = party.name
    row = chain.party_row(contract, party.pk)
    if row is not None:
        upstream = Organisation.objects.get(pk=row.upstream_id)
        employer = f"{party.name}（{upstream.name}の再委託先）"
    quoted = ""
    if contract.provisions_id:
        tree = contract.provisions.parsed()
        for number in contract.articles_for("confidentiality"):
            article = tree.article(number)
            paragraphs = "".join(f"\n　{p.text}" for p in article.paragraphs)
            quoted += f"\n\n特記事項 第{number}（{article.heading}）{paragraphs}"
    return (
        f"誓約書\n\n{contract.authority.name}殿\n\n"
        f"私は、{employer}の従業者として、委託業務に従事するにあたり、次のことを誓約します。\n\n"
        "1　業務の履行により直接又は間接に知り得た個人情報を第三者に漏えいし、又は不当な目的に使用しないこと。"
        "業務に従事しなくなった後、退職した後、並びに契約が終了し又は解除された後も同様であること。\n"
        "2　責任者の監督の下、特記事項及び社内規程を遵守し、教育・研修を受けること。\n"
        f"3　{PENALTIES}を理解していること。\n"
        "4　個人情報の漏えい、滅失、き損その他の事故又はそのおそれを知ったときは、直ちに責任者に報告すること。"
        f"{quoted}"
    )


def current_pledge_text(organisation: Organisation) -> PledgeText | None:
    return PledgeText.objects.filter(organisation=organisation).order_by("-number").first()


def publish_pledge_text(by: User | None, organisation: Organisation, body: str) -> PledgeText:
    """A new version of the organisation's pledge text, by one of its people (None: the template, published by
    the system); everyone must accept it again before handling data."""
    if by is not None:
        _acting_for(by, organisation)
    if not body.strip():
        raise UserError("誓約書の本文が空です。", "The pledge text is empty.")
    with transaction.atomic():
        latest = PledgeText.objects.select_for_update().filter(organisation=organisation)
        number = (latest.aggregate(n=Max("number"))["n"] or 0) + 1
        text = PledgeText.objects.create(organisation=organisation, number=number, body=body.strip(), created_by=by)
        record("people.pledge_text_published", actor=by,
               facts={"pledge_text": text.pk, "organisation": organisation.pk, "number": number,
                      "sha256": text.sha256})
        return text


def ensure_pledge_text(contract: Contract, organisation: Organisation | None = None) -> PledgeText:
    """The party's current pledge text, published from the template the first time it is needed."""
    party = _party(contract, organisation)
    return current_pledge_text(party) or publish_pledge_text(None, party, default_pledge_body(contract, party))


def _chains_of(person: User) -> list[Contract]:
    contract_ids = ContractRole.objects.filter(user=person).values_list("contract_id", flat=True)
    return list(Contract.objects.filter(pk__in=contract_ids).order_by("pk"))


def accept_pledge(person: User, contract: Contract) -> Pledge:
    """The person accepts their own organisation's current pledge text; recorded on every contract they hold a
    role on. Only people of a party of the contract's chain pledge under it."""
    if person.organisation_id is None:
        raise UserError("組織に所属していない利用者は誓約できません。", "A user without an organisation cannot pledge.")
    if not chain.is_party(contract, person.organisation_id):
        raise UserError("この契約の受託者又は再委託先の者だけが誓約できます。",
                        "Only people of the contract's contractor or of a subcontractor pledge under it.")
    text = ensure_pledge_text(contract, person.organisation)
    with transaction.atomic():
        if Pledge.objects.filter(person=person, text=text).exists():
            raise UserError("この誓約書には既に同意しています。", "You have already accepted this pledge.")
        pledge = Pledge.objects.create(person=person, text=text, text_sha256=text.sha256, accepted_at=timezone.now())
        for each in _chains_of(person):
            record("people.pledge_accepted", chain=each.ledger_chain, actor=person,
                   articles=each.articles_for("confidentiality"),
                   facts={"pledge": pledge.pk, "person": person.pk, "organisation": person.organisation_id,
                          "text_sha256": text.sha256})
        return pledge


def valid_pledge(person: User) -> Pledge | None:
    """The person's acceptance of their organisation's current pledge text, if any."""
    text = current_pledge_text(person.organisation) if person.organisation_id else None
    if text is None:
        return None
    return Pledge.objects.filter(person=person, text=text).first()


def mark_departure(by: User, contract: Contract, person: User, left_on: dt.date) -> User:
    """The person leaves the organisation: not eligible from that day, listed as a former worker for good.
    Marked by someone of the same organisation, which must be a party of the contract's chain."""
    if not chain.is_party(contract, by.organisation_id):
        raise UserError("退職を記録できるのは、受託者又は再委託先の者だけです。",
                        "Only the contractor or a subcontractor records a departure.")
    if person.organisation_id != by.organisation_id:
        raise UserError(
            "自社の従業者だけを退職扱いにできます。", "Only people of your own organisation can be marked as left.",
        )
    with transaction.atomic():
        person.left_on = left_on
        person.is_active = left_on > timezone.localdate()
        person.save(update_fields=["left_on", "is_active"])
        for each in {*_chains_of(person), contract}:
            record("people.departed", chain=each.ledger_chain, actor=by, articles=each.articles_for("confidentiality"),
                   facts={"person": person.pk, "organisation": person.organisation_id,
                          "left_on": left_on.isoformat()})
        return person


def former_workers(contract: Contract, organisation: Organisation | None = None) -> list[User]:
    """Everyone ever named in this contract's structures (one party's when `organisation` is given, every
    party's otherwise) who has left: the duty of article 4-2 goes on."""
    ids: set[int] = set()
    versions = StructureVersion.objects.filter(structure__contract=contract)
    if organisation is not None:
        versions = versions.filter(structure__organisation=organisation)
    for version in versions:
        ids |= version.people_ids()
    return list(User.objects.filter(pk__in=ids, left_on__isnull=False).order_by("left_on"))


def pledge_data(pledge: Pledge) -> dict[str, Any]:
    """Plain data for the pledge document (誓約書)."""
    return {
        "person": str(pledge.person), "organisation": pledge.person.organisation.name if pledge.person.organisation
        else "", "body": pledge.text.body, "version": pledge.text.number, "sha256": pledge.text_sha256,
        "accepted_at": timezone.localtime(pledge.accepted_at).isoformat(timespec="seconds"),
        "accepted_on": timezone.localtime(pledge.accepted_at).date(),
    }


def structure_data(version: StructureVersion) -> dict[str, Any]:
    """Plain data for the structure notice (体制届)."""
    submission = submissions.latest(version, STRUCTURE)
    return {
        "organisation": version.structure.organisation.name,
        "version": version.number,
        "responsible": str(version.responsible),
        "responsible_scope": version.responsible_scope,
        "description": version.description,
        "members": [{"person": str(m.person), "duties": m.duties} for m in version.members.select_related("person")],
        "submitted_on": timezone.localtime(submission.submitted_at).date() if submission else None,
        "status": submission.get_status_display() if submission else "",
        "status_code": submission.status if submission else "",
        "snapshot_sha256": submission.snapshot_sha256 if submission else "",
    }

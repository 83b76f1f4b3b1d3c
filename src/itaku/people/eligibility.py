"""The one gate: may this person touch this contract's personal data, from this address, now?

Everything that handles data asks `check`; it returns every reason for a refusal (article and message) and
records the refusal in the ledger. `evaluate` gives the same answer without recording, for pages and the CLI.

`check` remembers, per process, that a person was allowed, under the state it was decided in: the person's
and the contract's own fields, the address, the day in Japan, and the `state_hash` of the contract's chain
and of the system chain (`ledger.services.states`). Every change that can withdraw an allowance (structure,
training, pledge and its text, locations, subcontracting, departure) is recorded on one of those chains in
its own transaction, which moves the hash, so the next search asks every question again; searches and
views do not move it. The subcontracting chain's periods and revocations are asked on every call all the
same. A refusal is never remembered.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from itaku.accounts.models import User
from itaku.contracts import chain
from itaku.contracts.models import Contract
from itaku.ledger.models import SYSTEM_CHAIN
from itaku.ledger.services import record, states
from itaku.people import services as people
from itaku.places import services as places
from itaku.training import services as training


@dataclass(frozen=True)
class Reason:
    code: str
    articles: tuple[int, ...]
    message_ja: str
    message_en: str


@dataclass(frozen=True)
class Decision:
    person: int
    contract: int
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person, "contract": self.contract, "allowed": self.allowed,
            "reasons": [{"code": r.code, "articles": list(r.articles), "message": {"ja": r.message_ja,
                                                                                   "en": r.message_en}}
                        for r in self.reasons],
        }


def _topic_labels(codes: frozenset[str]) -> tuple[str, str]:
    labels = [label for label in training.TOPICS if label[0] in codes]
    return "、".join(ja for _, ja, _ in labels), ", ".join(en for *_, en in labels)


def evaluate(person: User, contract: Contract, client_address: str | None, at: dt.datetime | None = None) -> Decision:
    """Every requirement, checked in the order of the articles; `client_address=None` skips only the
    address match (a page listing people), never the need for an acknowledged location."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    reasons: list[Reason] = []

    def refuse(code: str, topic: str, ja: str, en: str) -> None:
        reasons.append(Reason(code, tuple(contract.articles_for(topic)), ja, en))

    if contract.status != Contract.Status.ACTIVE or not (contract.start <= today <= contract.end):
        refuse("contract_inactive", "protection", "契約が有効期間中ではありません。",
               "The contract is not active today.")
    party = person.organisation
    if party is None or not chain.is_party(contract, party.pk):
        refuse("not_a_party", "structure", "契約の受託者又は承認された再委託先の従業者ではありません。",
               "The person belongs neither to the contract's contractor nor to an approved subcontractor.")
        return Decision(person.pk, contract.pk, tuple(reasons))
    if not chain.is_active(contract, party.pk, today):
        refuse("subcontract_inactive", "subcontracting",
               "再委託の承認が取り消され、又は承認された期間外です（上位の再委託を含む）。",
               "The subcontracting approval (or one above it in the chain) is revoked or outside its period.")
    if person.has_left(today) or not person.is_active:
        refuse("departed", "structure", "退職済み又は無効な利用者です。", "The person has left or is deactivated.")
    structure = people.acknowledged_version(contract, party)
    if structure is None:
        refuse("structure_unacknowledged", "structure", "委託者が受理した体制届がありません。",
               "No structure has been acknowledged by the authority.")
    elif person.pk not in structure.people_ids():
        refuse("not_in_structure", "structure", "受理された体制に記載されていません。",
               "The person is not in the acknowledged structure.")
    missing = training.missing_topics(person, contract, at)
    if missing:
        ja, en = _topic_labels(missing)
        refuse("untrained", "training", f"有効な研修の修了がありません（{ja}）。",
               f"No valid training completion ({en}).")
    if people.valid_pledge(person) is None:
        refuse("no_pledge", "confidentiality", "現行の誓約書に同意していません。",
               "The person has not accepted the current confidentiality pledge.")
    # The location the address belongs to is itself acknowledged (`location_for` looks only at those), so
    # when there is one the question whether any location is acknowledged needs no second look.
    address_valid = False
    if client_address is not None:
        try:
            ipaddress.ip_address(client_address)
            address_valid = True
        except ValueError:
            pass
    at_location = address_valid and places.location_for(contract, client_address, party) is not None
    if not at_location and not places.has_acknowledged_location(contract, party):
        refuse("no_location", "work_location", "委託者が受理した作業場所がありません。",
               "No work location has been acknowledged by the authority.")
    elif client_address is not None and not address_valid:
        refuse("address_invalid", "work_location", "接続元アドレスを確認できません。",
               "The client address cannot be determined.")
    elif client_address is not None and not at_location:
        refuse("outside_location", "work_location", "届け出た作業場所の外からの接続です。",
               "The request comes from outside the reported work locations.")
    return Decision(person.pk, contract.pk, tuple(reasons))


_REMEMBERED = 4096  # allowances kept per process, the least recently used forgotten first
_allowed: OrderedDict[tuple[Any, ...], tuple[str, ...]] = OrderedDict()
_allowed_lock = threading.Lock()


def check(person: User, contract: Contract, client_address: str | None, at: dt.datetime | None = None,
          *, purpose_id: int | None = None) -> Decision:
    """The gate itself: evaluates and records every refusal (person, reason codes; never data). An
    allowance decided now is remembered under the state it depends on (see the module's docstring)."""
    key: tuple[Any, ...] | None = None
    if at is None:
        today = timezone.localdate()
        key = (person.pk, person.organisation_id, person.is_active, person.left_on, contract.pk, contract.status,
               contract.start, contract.end, client_address or "", today)
        state = states(contract.ledger_chain, SYSTEM_CHAIN)
        # The subcontracting chain is asked every time (no query for the contractor's people), so that a
        # revocation ends access at once whatever recorded it.
        in_chain = chain.is_active(contract, person.organisation_id, today)
        with _allowed_lock:
            if in_chain and _allowed.get(key) == state:
                _allowed.move_to_end(key)
                return Decision(person.pk, contract.pk)
    decision = evaluate(person, contract, client_address or "", at)
    if decision.allowed and key is not None:
        with _allowed_lock:
            _allowed[key] = state
            _allowed.move_to_end(key)
            while len(_allowed) > _REMEMBERED:
                _allowed.popitem(last=False)
    if not decision.allowed:
        with transaction.atomic():
            record("eligibility.refused", chain=contract.ledger_chain, actor=person,
                   articles=sorted({a for r in decision.reasons for a in r.articles}),
                   facts={"person": person.pk, "reasons": [r.code for r in decision.reasons],
                          "purpose": purpose_id})
    return decision

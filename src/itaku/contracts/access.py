"""The one permission layer: who sees which contract and may do what on it.

A user sees a contract only when their organisation is a party to it (the authority, the contractor or a
subcontractor in its chain) and they hold a role on it; what they may do follows from their roles. Views
fetch through `get_contract`, so a foreign organisation gets 404 (it must not learn the contract exists)
and a party without the right gets 403. A subcontractor sees only its part: its own organisation and the
parties below it (`visible_parties`), never the contract's ledger as a whole.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.models import Contract, ContractRole, Role


class Perm(enum.StrEnum):
    VIEW = "view"
    VIEW_LEDGER = "view_ledger"
    VIEW_CONTROLS = "view_controls"
    MANAGE = "manage"
    DECIDE = "decide"
    SUBMIT = "submit"
    ASSIGN_WORKERS = "assign_workers"
    OVERSEE = "oversee"  # the authority's own records of its oversight (violations register, evidence)


PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SUPERVISOR: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS, Perm.MANAGE, Perm.DECIDE,
                                Perm.OVERSEE}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS, Perm.OVERSEE}),
    Role.RESPONSIBLE: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS, Perm.SUBMIT, Perm.ASSIGN_WORKERS}),
    Role.WORKER: frozenset({Perm.VIEW}),
}


def visible_contracts(user: Any) -> QuerySet[Contract]:
    """Contracts where the user's organisation is a party and the user holds a role."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Contract.objects.none()
    org = user.organisation_id
    party = Q(authority_id=org) | Q(contractor_id=org) | Q(parties__organisation_id=org)
    return Contract.objects.filter(party, roles__user=user).distinct()


def overseen_contracts(user: Any) -> QuerySet[Contract]:
    """The authority's contracts on which the user holds an overseeing role (supervisor or auditor): the
    dashboard's grid. One subquery on the user's roles, no join to de-duplicate, however many contracts."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Contract.objects.none()
    overseeing = ContractRole.objects.filter(user=user, role__in=[Role.SUPERVISOR, Role.AUDITOR])
    return Contract.objects.filter(authority_id=user.organisation_id, pk__in=overseeing.values("contract_id"))


def roles(user: Any, contract: Contract) -> set[str]:
    """The user's roles on the contract, empty unless their organisation is a party."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.organisation_id != contract.authority_id and not chain.is_party(contract, user.organisation_id):
        return set()
    return set(ContractRole.objects.filter(contract=contract, user=user).values_list("role", flat=True))


# The whole contract's ledger names every party's events: a subcontractor sees its own part only.
_NOT_FOR_SUBCONTRACTORS = frozenset({Perm.VIEW_LEDGER})


def is_subcontractor(user: Any, contract: Contract) -> bool:
    return chain.party_row(contract, getattr(user, "organisation_id", None)) is not None


def perms(user: Any, contract: Contract) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles(user, contract):
        granted |= PERMISSIONS[role]
    if granted and is_subcontractor(user, contract):
        granted -= _NOT_FOR_SUBCONTRACTORS
    return frozenset(granted)


def require(user: Any, contract: Contract, perm: Perm) -> None:
    """Raise PermissionDenied unless the user holds `perm` on the contract."""
    if perm not in perms(user, contract):
        raise PermissionDenied


def get_contract(user: Any, pk: int, perm: Perm = Perm.VIEW) -> Contract:
    """Fetch-or-404 for views: invisible → 404, visible without `perm` → 403."""
    contract = visible_contracts(user).select_related("authority", "contractor", "provisions").filter(pk=pk).first()
    if contract is None:
        raise Http404
    require(user, contract, perm)
    return contract


def own_party(user: Any, contract: Contract) -> Organisation | None:
    """The party of the chain the user works for (the contractor or a subcontractor); None for the authority."""
    org = getattr(user, "organisation", None)
    return org if org is not None and chain.is_party(contract, org.pk) else None


def visible_parties(user: Any, contract: Contract) -> list[Organisation]:
    """Whose part of the contract the user may see: the authority and the contractor every party's, a
    subcontractor its own and that of the parties below it."""
    if user.organisation_id in (contract.authority_id, contract.contractor_id):
        return chain.parties(contract)
    return chain.below(contract, user.organisation_id)


def viewed_party(user: Any, contract: Contract, requested: str | None) -> Organisation:
    """The party a page shows (`?party=<organisation id>`): the user's own by default, the contractor for
    the authority; a party the user may not see is not found."""
    visible = visible_parties(user, contract)
    if requested in (None, ""):
        own = own_party(user, contract)
        return own or contract.contractor
    chosen = next((org for org in visible if str(org.pk) == requested), None)
    if chosen is None:
        raise Http404
    return chosen

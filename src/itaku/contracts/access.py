"""The one permission layer: who sees which contract and may do what on it.

A user sees a contract only when their organisation is a party to it and they hold a role on it; what
they may do follows from their roles. Views fetch through `get_contract`, so a foreign organisation
gets 404 (it must not learn the contract exists) and a party without the right gets 403.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from itaku.contracts.models import Contract, ContractRole, Role


class Perm(enum.StrEnum):
    VIEW = "view"
    VIEW_LEDGER = "view_ledger"
    VIEW_CONTROLS = "view_controls"
    MANAGE = "manage"
    DECIDE = "decide"
    SUBMIT = "submit"
    ASSIGN_WORKERS = "assign_workers"


PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SUPERVISOR: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS, Perm.MANAGE, Perm.DECIDE}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS}),
    Role.RESPONSIBLE: frozenset({Perm.VIEW, Perm.VIEW_LEDGER, Perm.VIEW_CONTROLS, Perm.SUBMIT, Perm.ASSIGN_WORKERS}),
    Role.WORKER: frozenset({Perm.VIEW}),
}


def visible_contracts(user: Any) -> QuerySet[Contract]:
    """Contracts where the user's organisation is a party and the user holds a role."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Contract.objects.none()
    party = Q(authority_id=user.organisation_id) | Q(contractor_id=user.organisation_id)
    return Contract.objects.filter(party, roles__user=user).distinct()


def roles(user: Any, contract: Contract) -> set[str]:
    """The user's roles on the contract, empty unless their organisation is a party."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.organisation_id not in (contract.authority_id, contract.contractor_id):
        return set()
    return set(ContractRole.objects.filter(contract=contract, user=user).values_list("role", flat=True))


def perms(user: Any, contract: Contract) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles(user, contract):
        granted |= PERMISSIONS[role]
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

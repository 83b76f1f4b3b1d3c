"""`{% contract_nav contract %}`: the same links to a contract's sections on every page of the contract."""

from __future__ import annotations

from typing import Any

from django import template

from itaku.contracts import sections
from itaku.contracts.access import Perm, perms

register = template.Library()


@register.inclusion_tag("contracts/nav.html", takes_context=True)
def contract_nav(context: dict[str, Any], contract: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "contract": contract, "links": sections.links(user, contract),
        "ledger": Perm.VIEW_LEDGER in perms(user, contract), "current": context["request"].path,
    }

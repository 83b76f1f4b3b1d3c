"""Pages that other apps add to a contract (structure, training …): they register here, contracts never
imports them, and the contract page links to those the user's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from itaku.contracts.access import Perm, is_subcontractor, perms
from itaku.contracts.models import Contract


@dataclass(frozen=True)
class Section:
    url_name: str
    label: str | Promise
    perm: Perm
    order: int
    subcontractors: bool = True


_sections: list[Section] = []


def register(url_name: str, label: str | Promise, *, perm: Perm = Perm.VIEW, order: int = 100,
             subcontractors: bool = True) -> None:
    """Called from an app's AppConfig.ready(); the URL takes the contract's pk as its only argument.
    `subcontractors=False` keeps the link from a subcontractor's people (a step that is the contractor's own)."""
    if any(s.url_name == url_name for s in _sections):
        raise ValueError(f"contract section {url_name} is registered twice")
    _sections.append(Section(url_name, label, perm, order, subcontractors))
    _sections.sort(key=lambda s: (s.order, s.url_name))


def links(user: Any, contract: Contract) -> list[tuple[str | Promise, str]]:
    """(label, url) of every section the user may open on this contract."""
    granted = perms(user, contract)
    below = is_subcontractor(user, contract)
    return [(s.label, reverse(s.url_name, args=[contract.pk])) for s in _sections
            if s.perm in granted and (s.subcontractors or not below)]

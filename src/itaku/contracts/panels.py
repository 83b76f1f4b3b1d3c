"""Blocks that other apps add to the contract page itself (the subcontracting chain …): they register here,
contracts never imports them, and `contracts.views.detail` renders every panel whose context function has
something to show the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from itaku.contracts.models import Contract

# (user, contract) -> the panel template's context, or None when the panel has nothing for this user.
ContextFunction = Callable[[Any, Contract], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    template: str
    context: ContextFunction
    order: int


_panels: list[Panel] = []


def register(template: str, context: ContextFunction, *, order: int = 100) -> None:
    """Called from an app's AppConfig.ready(); the template gets the context function's dict and `contract`."""
    if any(p.template == template for p in _panels):
        raise ValueError(f"contract panel {template} is registered twice")
    _panels.append(Panel(template, context, order))
    _panels.sort(key=lambda p: (p.order, p.template))


def rendered(request: HttpRequest, contract: Contract) -> list[SafeString]:
    """The HTML of every panel for the request's user, in order; a panel whose function returns None is left
    out. The function decides what the user may see, as a view would (`contracts.access`)."""
    found = []
    for panel in _panels:
        context = panel.context(request.user, contract)
        if context is not None:
            # A template's output is already safe (its values were escaped as it rendered).
            found.append(render_to_string(panel.template, {"contract": contract, **context}, request=request))
    return found

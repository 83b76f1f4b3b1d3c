"""The shape of every contract action in a view: call the service, show its refusal, go back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from itaku.contracts.models import Contract
from itaku.lib.errors import UserError


def act(
    request: HttpRequest, contract: Contract, action: Callable[[Contract], object], *, back: str,
    done: str | None = None,
) -> HttpResponse:
    """Run `action`; a UserError becomes a bilingual message on the page `back` leads to, success `done`."""
    try:
        action(contract)
    except UserError as error:
        messages.error(request, f"{error.message_ja} / {error.message_en}")
    else:
        if done:
            messages.success(request, done)
    return redirect(back)


def valid(form: forms.Form, message_ja: str, message_en: str) -> dict[str, Any]:
    """The cleaned data, or a UserError saying what to fix."""
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        raise UserError(f"{message_ja}（{errors}）", f"{message_en} ({errors})")
    return form.cleaned_data

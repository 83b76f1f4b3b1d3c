"""Logins and failed logins go to the system chain of the ledger (ids only, never the typed name)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from itaku.ledger.services import record


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        record("auth.login", actor=user, facts={"user": user.pk})


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            record("auth.logout", actor=user, facts={"user": user.pk})


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    known = get_user_model().objects.filter(username=credentials.get("username", "")).values_list("pk", flat=True)
    with transaction.atomic():
        record("auth.login_failed", facts={"user": known.first()})

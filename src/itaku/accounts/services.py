"""User administration: each change one transaction with its event on the system chain of the ledger."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from itaku.accounts.models import Organisation, User
from itaku.ledger.services import record
from itaku.lib.errors import UserError


def add_organisation(by: Any, *, name: str, kind: str, address: str = "", representative: str = "") -> Organisation:
    """Register an authority, contractor or subcontractor."""
    if kind not in Organisation.Kind.values:
        raise UserError(f"組織の種別が不正です: {kind}", f"Unknown organisation kind: {kind}")
    with transaction.atomic():
        if Organisation.objects.filter(name=name).exists():
            raise UserError(f"同じ名称の組織があります: {name}", f"An organisation of that name exists: {name}")
        organisation = Organisation.objects.create(name=name, kind=kind, address=address, representative=representative)
        record("organisation.added", actor=by, facts={"organisation": organisation.pk, "kind": kind})
        return organisation


def add_user(
    by: Any, *, organisation: Organisation | None, username: str, display_name: str, password: str | None,
    is_demo: bool = False,
) -> User:
    """Create a login for a person of an organisation; the password is checked by Django's validators."""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise UserError("そのユーザー名は使われています。", "That user name is taken.")
        user = User(username=username, display_name=display_name, organisation=organisation, is_demo=is_demo)
        if password is None:
            user.set_unusable_password()
        else:
            if not is_demo:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise UserError("パスワードが要件を満たしません。", " ".join(exc.messages)) from None
            user.set_password(password)
        user.save()
        org_id = organisation.pk if organisation else None
        record("user.added", actor=by, facts={"user": user.pk, "organisation": org_id})
        return user


def set_active(by: Any, user: User, active: bool) -> User:
    """Deactivate (never delete) a person who leaves, or reactivate them; their records stay attributable."""
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        record("user.activated" if active else "user.deactivated", actor=by, facts={"user": user.pk})
        return user

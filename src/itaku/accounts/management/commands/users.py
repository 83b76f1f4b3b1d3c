"""`itaku users`: organisations and logins, without an admin site (every change goes to the ledger)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts import services
from itaku.accounts.models import Organisation, User
from itaku.lib.errors import UserError


class Command(BaseCommand):
    help = "Add organisations and users, deactivate users, list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        org = sub.add_parser("add-organisation", help="register an organisation")
        org.add_argument("name")
        org.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        org.add_argument("--address", default="")
        org.add_argument("--representative", default="")
        add = sub.add_parser("add", help="add a user (the password is asked for)")
        add.add_argument("username")
        add.add_argument("--organisation", required=True)
        add.add_argument("--name", required=True, help="display name, e.g. 山田 花子")
        for name in ("deactivate", "activate"):
            sub.add_parser(name).add_argument("username")
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._dispatch(options)
        except UserError as exc:
            raise CommandError(str(exc)) from None

    def _dispatch(self, options: dict[str, Any]) -> None:
        action = options["action"]
        if action == "add-organisation":
            org = services.add_organisation(None, name=options["name"], kind=options["kind"],
                                            address=options["address"], representative=options["representative"])
            self.stdout.write(f"added {org.kind} {org.name}")
        elif action == "add":
            organisation = Organisation.objects.filter(name=options["organisation"]).first()
            if organisation is None:
                raise UserError("組織が見つかりません。", f"No organisation named {options['organisation']!r}.")
            password = getpass.getpass("Password / パスワード: ")
            user = services.add_user(None, organisation=organisation, username=options["username"],
                                     display_name=options["name"], password=password)
            self.stdout.write(f"added {user.username} ({organisation.name})")
        elif action in ("activate", "deactivate"):
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise UserError("利用者が見つかりません。", f"No user named {options['username']!r}.")
            services.set_active(None, user, action == "activate")
            self.stdout.write(f"{action}d {user.username}")
        else:
            for user in User.objects.select_related("organisation").order_by("organisation__name", "username"):
                state = "" if user.is_active else " (inactive)"
                self.stdout.write(f"{user.organisation or '-'}\t{user.username}\t{user.display_name}{state}")

"""`itaku demo`: load the demo data into an empty database and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from itaku.accounts.models import Organisation, User
from itaku.portal import demo


class Command(BaseCommand):
    help = "Load the demo data (Shinagawa City, contractors, contracts) into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing (but print logins) if data exists")

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists():
            if not options["if_empty"]:
                raise CommandError("the database is not empty / データベースが空ではありません")
            logins = [
                demo.Login(u.username, u.display_name, u.organisation.name, demo.role_of(u.username))
                for u in User.objects.filter(is_demo=True).select_related("organisation").order_by("pk")
            ]
        else:
            logins = demo.load()
            self.stdout.write("デモデータを読み込みました / demo data loaded")
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン / demo logins (password: {demo.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:12} {login.name:10} {login.organisation} {login.role}")
        if not settings.DEMO:
            self.stdout.write("注意: ITAKU_DEMO=1 のときだけデモ用アカウントでログインできます / "
                              "demo accounts log in only with ITAKU_DEMO=1")

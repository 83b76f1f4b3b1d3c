"""User administration and logins: the system chain of the ledger records them, never the typed name."""

from __future__ import annotations

from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import Client, TestCase

from itaku.accounts import services
from itaku.accounts.models import User
from itaku.ledger.models import SYSTEM_CHAIN, Event
from itaku.ledger.services import verify_chain
from itaku.lib.errors import UserError
from tests.base import PASSWORD, make_organisation, make_user


def system_kinds() -> list[str]:
    return list(Event.objects.filter(chain=SYSTEM_CHAIN).order_by("seq").values_list("kind", flat=True))


class UserAdministrationTests(TestCase):
    def setUp(self) -> None:
        self.org = make_organisation("品川区", "authority")

    def test_events_on_the_system_chain(self) -> None:
        user = make_user("yamada", self.org)
        services.set_active(None, user, False)
        self.assertEqual(system_kinds(), ["organisation.added", "user.added", "user.deactivated"])
        self.assertTrue(verify_chain(SYSTEM_CHAIN).ok)
        self.assertNotIn("yamada", str(Event.objects.values_list("facts", flat=True)))

    def test_weak_password_and_duplicates_are_refused(self) -> None:
        with self.assertRaises(UserError):
            services.add_user(None, organisation=self.org, username="a", display_name="a", password="password")
        make_user("b", self.org)
        with self.assertRaises(UserError):
            make_user("b", self.org)
        with self.assertRaises(UserError):
            services.add_organisation(None, name="品川区", kind="authority")
        with self.assertRaises(UserError):
            services.add_organisation(None, name="x", kind="bank")

    def test_deactivated_user_cannot_log_in(self) -> None:
        user = make_user("c", self.org)
        self.assertTrue(Client().login(username="c", password=PASSWORD))
        services.set_active(None, user, False)
        self.assertFalse(Client().login(username="c", password=PASSWORD))


class LoginEventTests(TestCase):
    def test_login_and_failure_are_recorded_without_the_typed_name(self) -> None:
        org = make_organisation("品川区", "authority")
        user = make_user("sato", org)
        client = Client()
        client.post("/accounts/login/", {"username": "sato", "password": PASSWORD})
        client.post("/accounts/logout/")
        Client().post("/accounts/login/", {"username": "sato", "password": "wrong"})
        Client().post("/accounts/login/", {"username": "佐藤花子", "password": "wrong"})
        events = Event.objects.filter(chain=SYSTEM_CHAIN, kind__startswith="auth.").order_by("seq")
        self.assertEqual([e.kind for e in events],
                         ["auth.login", "auth.logout", "auth.login_failed", "auth.login_failed"])
        self.assertEqual(events[2].facts, {"user": user.pk})
        self.assertEqual(events[3].facts, {"user": None})
        self.assertNotIn("佐藤花子", str([e.facts for e in events]))


class CommandTests(TestCase):
    def test_add_organisation_user_and_deactivate(self) -> None:
        call_command("users", "add-organisation", "品川区", "--kind", "authority", stdout=StringIO())
        with mock.patch("getpass.getpass", return_value=PASSWORD):
            call_command("users", "add", "yamada", "--organisation", "品川区", "--name", "山田 花子", stdout=StringIO())
        call_command("users", "deactivate", "yamada", stdout=StringIO())
        self.assertFalse(User.objects.get(username="yamada").is_active)
        out = StringIO()
        call_command("users", "list", stdout=out)
        self.assertIn("山田 花子 (inactive)", out.getvalue())
        with self.assertRaises(CommandError):
            call_command("users", "add", "x", "--organisation", "無い", "--name", "x", stdout=StringIO())

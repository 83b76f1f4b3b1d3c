"""The demo data: loads through the services, verifies, and its accounts work only in demo mode."""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import Client, TestCase, override_settings

from itaku.accounts.models import User
from itaku.contracts.models import Contract
from itaku.ledger.services import chains, verify_chain
from itaku.people.eligibility import evaluate
from itaku.portal import demo


class DemoTests(TestCase):
    def test_loads_once_and_verifies(self) -> None:
        out = StringIO()
        call_command("demo", stdout=out)
        self.assertIn("yamada", out.getvalue())
        self.assertIn(demo.DEMO_PASSWORD, out.getvalue())
        self.assertEqual(Contract.objects.count(), 3)
        self.assertEqual(Contract.objects.filter(status="active").count(), 2)
        self.assertTrue(Contract.objects.filter(title="住民税課税資料のデータ入力業務").exists())
        for key in chains():
            self.assertTrue(verify_chain(key).ok, key)
        with self.assertRaises(CommandError):
            call_command("demo", stdout=StringIO())
        again = StringIO()
        call_command("demo", "--if-empty", stdout=again)
        self.assertIn("tanaka", again.getvalue())
        self.assertEqual(Contract.objects.count(), 3)

    def test_demo_accounts_log_in_only_in_demo_mode(self) -> None:
        demo.load()
        with override_settings(DEMO=False):
            self.assertFalse(Client().login(username="yamada", password=demo.DEMO_PASSWORD))
        with override_settings(DEMO=True):
            client = Client()
            self.assertTrue(client.login(username="yamada", password=demo.DEMO_PASSWORD))
            body = client.get("/").content.decode()
        for number in Contract.objects.values_list("number", flat=True):
            self.assertIn(number, body)


class DemoArticlesTests(TestCase):
    def test_demo_workers_meet_articles_2_to_5_and_15_but_one(self) -> None:
        demo.load()
        suzuki, takahashi = User.objects.get(username="suzuki"), User.objects.get(username="takahashi")
        contract = Contract.objects.get(roles__user=takahashi, status="active")
        self.assertTrue(evaluate(suzuki, contract, "127.0.0.1").allowed)
        self.assertEqual([r.code for r in evaluate(takahashi, contract, "127.0.0.1").reasons], ["untrained"])
        self.assertEqual([r.code for r in evaluate(suzuki, contract, "203.0.113.9").reasons], ["outside_location"])

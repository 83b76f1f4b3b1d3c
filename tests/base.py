"""Base classes: a contract with its parties (owner / colleague / outsider), as in healthchecks."""

from __future__ import annotations

import datetime as dt

from django.test import Client, TestCase, TransactionTestCase
from django.utils import timezone

from itaku.accounts import services as accounts
from itaku.accounts.models import Organisation, User
from itaku.contracts import services as contracts
from itaku.contracts.models import Contract, Role
from itaku.ledger import triggers
from itaku.provisions.services import import_version
from itaku.provisions.topics import shinagawa_text

PASSWORD = "correct horse battery staple"


def make_user(username: str, organisation: Organisation | None) -> User:
    return accounts.add_user(None, organisation=organisation, username=username, display_name=username,
                             password=PASSWORD)


def make_organisation(name: str, kind: str) -> Organisation:
    return accounts.add_organisation(None, name=name, kind=kind)


class World:
    """Two authorities and two contractors; one contract between the first pair, active."""

    def __init__(self, *, activate: bool = True) -> None:
        self.authority = make_organisation("品川区", "authority")
        self.contractor = make_organisation("株式会社テストデータ", "contractor")
        self.foreign_authority = make_organisation("目黒区", "authority")
        self.foreign_contractor = make_organisation("株式会社よそ", "contractor")
        self.supervisor = make_user("supervisor", self.authority)
        self.auditor = make_user("auditor", self.authority)
        self.colleague = make_user("colleague", self.authority)  # same authority, no role on the contract
        self.responsible = make_user("responsible", self.contractor)
        self.worker = make_user("worker", self.contractor)
        self.outsider = make_user("outsider", self.foreign_authority)
        self.foreign_responsible = make_user("foreign_responsible", self.foreign_contractor)
        self.provisions = import_version(self.authority, shinagawa_text().encode(), "shinagawa.txt",
                                         label="標準", by=self.supervisor)
        today = timezone.localdate()
        self.contract = contracts.create_contract(
            self.supervisor, number="品委第2025-0001号", title="住民税課税資料のデータ入力業務",
            contractor=self.contractor, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=300),
            department="税務課", provisions=self.provisions,
        )
        contracts.assign_role(self.supervisor, self.contract, self.auditor, Role.AUDITOR)
        contracts.assign_role(self.supervisor, self.contract, self.responsible, Role.RESPONSIBLE)
        contracts.assign_role(self.responsible, self.contract, self.worker, Role.WORKER)
        if activate:
            contracts.acknowledge_provisions(self.responsible, self.contract)
            contracts.decide_acknowledgement(self.supervisor, self.contract, approve=True)
            self.contract.refresh_from_db()

    def refresh(self) -> Contract:
        self.contract.refresh_from_db()
        return self.contract


class ContractTestCase(TestCase):
    """Every view test starts from the same world and covers the access boundary."""

    activate = True
    # The people of a permission matrix, in the order of its expected statuses.
    ROLES: tuple[str, ...] = ("supervisor", "auditor", "responsible", "worker", "colleague", "outsider")

    def setUp(self) -> None:
        self.world = World(activate=self.activate)
        self.contract = self.world.contract

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def assert_matrix(self, method: str, prefix: str, table: dict[str, tuple[int, ...]], **params: object) -> None:
        """NetBox-style permission matrix: for each path under /contracts/<pk>/<prefix>, the status each of
        ROLES gets; `{name}` in a path is filled from `params`."""
        for path, expected in table.items():
            for role, status in zip(self.ROLES, expected, strict=True):
                url = f"/contracts/{self.contract.pk}/{prefix}{path.format(**params)}"
                response = getattr(self.client_for(getattr(self.world, role)), method)(url)
                self.assertEqual(response.status_code, status, f"{method} {url} as {role}")


class LedgerTransactionTestCase(TransactionTestCase):
    """For tests that need real commits (threads, live servers): the flush between tests may empty the
    append-only ledger table, so the triggers are lifted for the flush alone."""

    def _fixture_teardown(self) -> None:
        with triggers.suspended():
            super()._fixture_teardown()

"""Draft → acknowledged → active → ended/terminated, each step with its ledger event."""

from __future__ import annotations

import datetime as dt

from itaku.contracts import services
from itaku.contracts.models import Contract, Role
from itaku.ledger.models import Event
from itaku.ledger.services import verify_chain
from itaku.lib.errors import UserError
from itaku.provisions.services import import_version
from itaku.provisions.topics import shinagawa_text
from itaku.submissions.models import Submission
from tests.base import ContractTestCase


def kinds(contract: Contract) -> list[str]:
    return list(Event.objects.filter(chain=contract.ledger_chain).order_by("seq").values_list("kind", flat=True))


class DraftTests(ContractTestCase):
    activate = False

    def test_activation_after_acknowledgement(self) -> None:
        services.acknowledge_provisions(self.world.responsible, self.contract)
        services.decide_acknowledgement(self.world.supervisor, self.contract, approve=True)
        self.contract.refresh_from_db()
        self.assertEqual(self.contract.status, Contract.Status.ACTIVE)
        self.assertEqual(kinds(self.contract)[-3:], [
            "contract.provisions.submitted", "contract.provisions.approved", "contract.activated",
        ])
        activated = Event.objects.get(chain=self.contract.ledger_chain, kind="contract.activated")
        self.assertEqual(activated.articles, [1])
        self.assertEqual(activated.actor_org_id, self.world.authority.pk)
        self.assertTrue(verify_chain(self.contract.ledger_chain).ok)

    def test_return_needs_a_reason_and_keeps_the_draft(self) -> None:
        services.acknowledge_provisions(self.world.responsible, self.contract)
        with self.assertRaises(UserError):
            services.decide_acknowledgement(self.world.supervisor, self.contract, approve=False, comment=" ")
        services.decide_acknowledgement(self.world.supervisor, self.contract, approve=False, comment="期間を確認")
        self.contract.refresh_from_db()
        self.assertEqual(self.contract.status, Contract.Status.DRAFT)
        self.assertEqual(kinds(self.contract)[-1], "contract.provisions.returned")
        # A new round can follow.
        again = services.acknowledge_provisions(self.world.responsible, self.contract)
        self.assertEqual(again.round, 2)

    def test_cannot_activate_without_acknowledgement(self) -> None:
        with self.assertRaises(services.ContractError):
            services.decide_acknowledgement(self.world.supervisor, self.contract, approve=True)

    def test_contractor_cannot_approve_its_own_acknowledgement(self) -> None:
        services.acknowledge_provisions(self.world.responsible, self.contract)
        with self.assertRaises(UserError):
            services.decide_acknowledgement(self.world.responsible, self.contract, approve=True)
        self.contract.refresh_from_db()
        self.assertTrue(self.contract.is_draft)

    def test_change_between_submission_and_decision_is_refused(self) -> None:
        services.acknowledge_provisions(self.world.responsible, self.contract)
        Contract.objects.filter(pk=self.contract.pk).update(end=self.contract.end + dt.timedelta(days=90))
        with self.assertRaises(UserError):
            services.decide_acknowledgement(self.world.supervisor, self.contract, approve=True)
        self.assertEqual(Submission.objects.get(kind=services.ACKNOWLEDGEMENT).status, "submitted")

    def test_attach_copies_the_laws(self) -> None:
        contract = services.create_contract(
            self.world.supervisor, number="X-1", title="テスト業務", contractor=self.world.contractor,
            start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
        )
        self.assertEqual(contract.laws, [])
        services.attach_provisions(self.world.supervisor, contract, self.world.provisions)
        contract.refresh_from_db()
        self.assertEqual(len(contract.laws), 4)
        self.assertTrue(contract.handles_my_number)
        self.assertIn("contract.provisions_attached", kinds(contract))


class CreationRulesTests(ContractTestCase):
    def test_contractor_cannot_create(self) -> None:
        with self.assertRaises(services.ContractError):
            services.create_contract(
                self.world.responsible, number="X-2", title="t", contractor=self.world.contractor,
                start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1),
            )

    def test_period_must_be_ordered_and_nothing_is_written(self) -> None:
        before = Event.objects.count()
        with self.assertRaises(services.ContractError):
            services.create_contract(
                self.world.supervisor, number="X-3", title="t", contractor=self.world.contractor,
                start=dt.date(2026, 2, 1), end=dt.date(2026, 1, 1),
            )
        self.assertFalse(Contract.objects.filter(number="X-3").exists())
        self.assertEqual(Event.objects.count(), before)

    def test_foreign_provisions_are_refused(self) -> None:
        other = import_version(self.world.foreign_authority, shinagawa_text().encode(), "x.txt", label="他区")
        with self.assertRaises(services.ContractError):
            services.create_contract(
                self.world.supervisor, number="X-4", title="t", contractor=self.world.contractor,
                start=dt.date(2026, 1, 1), end=dt.date(2026, 2, 1), provisions=other,
            )

    def test_role_side_must_match_the_organisation(self) -> None:
        with self.assertRaises(services.ContractError):
            services.assign_role(self.world.supervisor, self.contract, self.world.worker, Role.SUPERVISOR)
        with self.assertRaises(services.ContractError):
            services.assign_role(self.world.supervisor, self.contract, self.world.outsider, Role.AUDITOR)


class ClosingTests(ContractTestCase):
    def test_end(self) -> None:
        services.end_contract(self.world.supervisor, self.contract)
        self.assertEqual(self.world.refresh().status, Contract.Status.ENDED)
        self.assertEqual(kinds(self.contract)[-1], "contract.ended")

    def test_terminate_needs_a_reason_and_concerns_article_20(self) -> None:
        with self.assertRaises(services.ContractError):
            services.terminate_contract(self.world.supervisor, self.contract, "")
        services.terminate_contract(self.world.supervisor, self.contract, "第9条違反")
        event = Event.objects.filter(chain=self.contract.ledger_chain).order_by("-seq").first()
        self.assertEqual((event.kind, event.articles), ("contract.terminated", [20]))
        self.assertEqual(self.world.refresh().closing_reason, "第9条違反")

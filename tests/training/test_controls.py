"""The control of article 3: every responsible person and worker holds valid training, one state at a time."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.ledger.services import record
from itaku.provisions.controls import State
from itaku.training import services
from tests.training.support import TrainingTestCase, days_ago

CODE = "training.completed"


class TrainingControlTests(TrainingTestCase):
    def _result(self):
        self.contract.refresh_from_db()
        return next(r for r in contracts.evaluate_controls(self.contract) if r.control.code == CODE)

    def _handled(self, person) -> None:
        with transaction.atomic():
            record("data.read", chain=self.contract.ledger_chain, actor=person, facts={"person": person.pk})

    def test_ok_when_everyone_is_trained(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, days_ago(20))
        result = self._result()
        self.assertEqual(result.state, State.OK)
        self.assertEqual(result.articles, (3,))
        self.assertTrue(result.findings[0].evidence[0].ref.startswith(f"ledger:{self.contract.ledger_chain}#"))

    def test_missing_evidence_when_untrained_but_no_data_handled(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        result = self._result()
        self.assertEqual(result.state, State.MISSING)
        [finding] = result.findings
        self.assertIn("worker", finding.message_ja)
        self.assertIn("本件特記事項", finding.message_ja)

    def test_violation_when_untrained_person_handled_data(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self._handled(self.world.worker)
        result = self._result()
        self.assertEqual(result.state, State.VIOLATION)
        finding = next(f for f in result.findings if f.state == State.VIOLATION)
        self.assertIn("worker", finding.message_en)
        self.assertTrue(finding.evidence[0].ref.startswith(f"ledger:{self.contract.ledger_chain}#"))
        self.assertEqual(finding.evidence[0].label, "data.read")

    def test_trained_person_handling_data_is_compliant(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, days_ago(10))
        self._handled(self.world.worker)
        self.assertEqual(self._result().state, State.OK)

    def test_expired_training_counts_as_none(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, days_ago(400))
        self._handled(self.world.worker)
        self.assertEqual(self._result().state, State.VIOLATION)

    def test_lapsed_refresher_without_handling_since_is_overdue(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, days_ago(400))
        result = self._result()
        self.assertEqual(result.state, State.OVERDUE)
        self.assertIn("有効期限が切れています", result.findings[0].message_ja)

    def test_handling_while_trained_then_lapsing_is_overdue_not_a_violation(self) -> None:
        self.complete(self.world.responsible, days_ago(0))
        self.complete(self.world.worker, days_ago(0))
        self._handled(self.world.worker)
        later = timezone.now() + dt.timedelta(days=400)
        with mock.patch("itaku.training.controls.timezone.now", return_value=later), \
                mock.patch("itaku.contracts.controls.timezone.localdate", return_value=later.date()):
            result = self._result()
        states = {f.state for f in result.findings}
        self.assertIn(State.OVERDUE, states)
        self.assertNotIn(State.VIOLATION, states)

    def test_partial_topics_are_not_enough(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, days_ago(10), course=self.add_course("基礎", ["privacy", "security"]))
        result = self._result()
        self.assertEqual(result.state, State.MISSING)
        self.assertIn("本件特記事項、業務", result.findings[0].message_ja)

    def test_due_soon_within_30_days(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        worker_completion = self.complete(self.world.worker, services.add_months(days_ago(-20), -12))
        result = self._result()
        self.assertEqual(result.state, State.DUE_SOON)
        [finding] = result.findings
        self.assertIn("worker", finding.message_ja)
        self.assertEqual(finding.evidence[0].ref, f"training.completion:{worker_completion.pk}")

    def test_refresher_clears_due_soon(self) -> None:
        self.complete(self.world.responsible, days_ago(10))
        self.complete(self.world.worker, services.add_months(days_ago(-20), -12))
        self.complete(self.world.worker, days_ago(0))
        self.assertEqual(self._result().state, State.OK)

    def test_only_required_topics_matter(self) -> None:
        services.change_settings(self.world.supervisor, self.contract, validity_months=12,
                                 required_topics=["privacy"])
        privacy = self.add_course("基礎", ["privacy"])
        self.complete(self.world.responsible, days_ago(1), course=privacy)
        self.complete(self.world.worker, days_ago(1), course=privacy)
        self.assertEqual(self._result().state, State.OK)

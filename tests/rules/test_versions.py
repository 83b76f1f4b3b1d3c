"""Versions, and the one submissions mechanism: submit, acknowledge or return, and a change voids it."""

from __future__ import annotations

import datetime as dt

from itaku.ledger.models import Event
from itaku.ledger.services import verify_chain
from itaku.rules import services
from itaku.rules.errors import RulesError
from itaku.rules.models import RulesVersion
from itaku.submissions import services as submissions
from itaku.submissions.models import Attachment, Submission
from itaku.submissions.services import SubmissionError
from tests.rules.helpers import RulesTestCase


class VersioningTests(RulesTestCase):
    def test_each_upload_is_the_next_version(self) -> None:
        first, second, third = self.new_version("a"), self.new_version("b"), self.new_version("c")
        self.assertEqual([first.number, second.number, third.number], [1, 2, 3])
        numbers = Event.objects.filter(chain=self.contract.ledger_chain, kind="rules.version_uploaded")
        self.assertEqual([e.facts["number"] for e in numbers.order_by("seq")], [1, 2, 3])
        self.assertEqual(services.current_state(self.contract)["newest"], third)
        self.assertTrue(verify_chain(self.contract.ledger_chain).ok)

    def test_an_unchanged_document_is_not_a_new_version(self) -> None:
        self.new_version("same")
        with self.assertRaises(RulesError) as raised:
            self.new_version("same")
        self.assertIn("version 1", raised.exception.message_en)
        self.assertEqual(self.new_version("same", document_date=dt.date(2025, 10, 1)).number, 2)
        self.assertEqual(RulesVersion.objects.count(), 2)
        self.assertEqual(Attachment.objects.count(), 2)

    def test_snapshot_holds_what_an_acknowledgement_is_bound_to(self) -> None:
        version = self.new_version()
        snapshot = version.snapshot()
        self.assertEqual(snapshot["number"], 1)
        self.assertEqual(snapshot["title"], "個人情報保護規程")
        self.assertEqual(snapshot["attachment"]["sha256"], version.attachment.sha256)
        self.assertEqual(snapshot["attachment"]["size"], version.attachment.size)
        self.assertEqual(snapshot["attachment"]["document_date"], "2025-04-01")


class SubmitAndDecideTests(RulesTestCase):
    def test_submit_then_acknowledge(self) -> None:
        version = self.new_version()
        submission = self.submit(version)
        self.assertEqual((submission.kind, submission.round, submission.articles), ("rules.version", 1, [5]))
        state = services.current_state(self.contract)
        self.assertEqual((state["pending"], state["acknowledged"], state["unsubmitted"]), (version, None, None))
        self.acknowledge(version)
        state = services.current_state(self.contract)
        self.assertEqual((state["pending"], state["acknowledged"]), (None, version))
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="rules.")
                     .order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds, ["rules.version_uploaded", "rules.version.submitted", "rules.version.acknowledged"])

    def test_return_needs_a_comment_and_the_version_can_be_submitted_again(self) -> None:
        version = self.new_version()
        self.submit(version)
        with self.assertRaises(SubmissionError):
            self.give_back(version, comment=" ")
        self.give_back(version)
        state = services.current_state(self.contract)
        self.assertEqual((state["returned"], state["acknowledged"]), (version, None))
        self.assertEqual(state["returned_submission"].comment, "第3条の記載が不足しています。")
        self.assertEqual(self.submit(version).round, 2)

    def test_a_new_version_must_be_submitted_again(self) -> None:
        first = self.new_version("v1")
        self.submit(first)
        self.acknowledge(first)
        second = self.new_version("v2")
        state = services.current_state(self.contract)
        self.assertEqual((state["acknowledged"], state["unsubmitted"], state["pending"]), (first, second, None))
        with self.assertRaises(RulesError):
            self.submit(first)
        self.submit(second)
        state = services.current_state(self.contract)
        self.assertEqual((state["acknowledged"], state["pending"], state["unsubmitted"]), (first, second, None))
        self.acknowledge(second)
        self.assertEqual(services.current_state(self.contract)["acknowledged"], second)

    def test_only_the_newest_version_is_submitted(self) -> None:
        first = self.new_version("v1")
        self.new_version("v2")
        with self.assertRaises(RulesError) as raised:
            self.submit(first)
        self.assertIn("newer version", raised.exception.message_en)

    def test_sides_are_kept(self) -> None:
        version = self.new_version()
        with self.assertRaises(RulesError):
            services.submit_version(self.world.supervisor, version)
        self.submit(version)
        with self.assertRaises(RulesError):
            services.decide_version(self.world.responsible, version, acknowledge=True)
        with self.assertRaises(SubmissionError):
            self.submit(version)  # one open round at a time
        self.acknowledge(version)
        with self.assertRaises(RulesError):
            self.acknowledge(version)  # nothing awaits a decision
        with self.assertRaises(RulesError):
            self.submit(version)  # already acknowledged

    def test_through_the_pages(self) -> None:
        version = self.new_version()
        base = f"/contracts/{self.contract.pk}/rules/"
        responsible, supervisor = self.client_for(self.world.responsible), self.client_for(self.world.supervisor)
        self.assertRedirects(responsible.post(f"{base}{version.pk}/submit/"), base)
        response = supervisor.post(f"{base}{version.pk}/decide/", {}, follow=True)
        self.assertContains(response, "A return or rejection needs a reason.")
        supervisor.post(f"{base}{version.pk}/decide/", {"comment": "別紙が必要です。"})
        self.assertEqual(submissions.latest(version, services.KIND).status, Submission.Status.RETURNED)
        self.assertContains(responsible.get(base), "別紙が必要です。")
        responsible.post(f"{base}{version.pk}/submit/")
        supervisor.post(f"{base}{version.pk}/decide/", {"accept": "on"})
        self.assertEqual(services.current_state(self.contract)["acknowledged"], version)
        response = supervisor.post(f"{base}{version.pk}/decide/", {"accept": "on"}, follow=True)
        self.assertContains(response, "awaiting a decision")


class ChangeVoidsTests(RulesTestCase):
    def _acknowledged(self) -> RulesVersion:
        version = self.new_version()
        self.submit(version)
        self.acknowledge(version)
        return version

    def test_a_changed_document_date_voids_the_acknowledgement(self) -> None:
        version = self._acknowledged()
        Attachment.objects.filter(pk=version.attachment_id).update(document_date=dt.date(2024, 1, 1))
        state = services.current_state(self.contract)
        self.assertIsNone(state["acknowledged"])
        self.assertEqual(state["void"], version)
        self.assertIsNone(submissions.accepted(RulesVersion.objects.get(pk=version.pk), services.KIND))

    def test_a_changed_hash_voids_it_and_blocks_a_decision(self) -> None:
        version = self.new_version()
        self.submit(version)
        Attachment.objects.filter(pk=version.attachment_id).update(sha256="0" * 64)
        with self.assertRaises(RulesError):  # the stored file no longer matches what was recorded
            self.acknowledge(RulesVersion.objects.select_related("attachment").get(pk=version.pk))
        self.assertEqual(services.current_state(self.contract)["void"], version)

    def test_a_changed_title_voids_it(self) -> None:
        version = self._acknowledged()
        RulesVersion.objects.filter(pk=version.pk).update(title="別の規程")
        self.assertIsNone(services.current_state(self.contract)["acknowledged"])

"""The one submit/decide mechanism: frozen snapshots, decisions by the other side, voided on change."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.contracts.models import Contract
from itaku.ledger.models import Event
from itaku.submissions import services
from itaku.submissions.models import Submission, snapshot_sha256
from tests.base import ContractTestCase

KIND = "test.review"


class SubmissionTests(ContractTestCase):
    activate = False

    def _submit(self) -> Submission:
        return services.submit(self.contract, kind=KIND, by=self.world.responsible,
                               chain=self.contract.ledger_chain, articles=[2])

    def test_snapshot_is_frozen_with_its_hash(self) -> None:
        submission = self._submit()
        self.assertEqual(submission.snapshot, self.contract.snapshot())
        self.assertEqual(submission.snapshot_sha256, snapshot_sha256(self.contract.snapshot()))
        event = Event.objects.get(chain=self.contract.ledger_chain, kind=f"{KIND}.submitted")
        self.assertEqual(event.facts["snapshot_sha256"], submission.snapshot_sha256)
        self.assertEqual(event.articles, [2])

    def test_one_open_round_at_a_time(self) -> None:
        self._submit()
        with self.assertRaises(services.SubmissionError):
            self._submit()

    def test_acknowledged_holds_until_the_subject_changes(self) -> None:
        submission = self._submit()
        services.decide(submission, self.contract, by=self.world.supervisor, status=Submission.Status.ACKNOWLEDGED)
        self.assertEqual(services.accepted(self.contract, KIND), Submission.objects.get(pk=submission.pk))
        Contract.objects.filter(pk=self.contract.pk).update(title="変更後の業務名")
        self.contract.refresh_from_db()
        self.assertIsNone(services.accepted(self.contract, KIND))

    def test_decided_once(self) -> None:
        submission = self._submit()
        services.decide(submission, self.contract, by=self.world.supervisor, status="approved")
        with self.assertRaises(services.SubmissionError):
            services.decide(submission, self.contract, by=self.world.supervisor, status="rejected", comment="x")

    def test_rejection_needs_a_reason_and_unknown_status_is_refused(self) -> None:
        submission = self._submit()
        with self.assertRaises(services.SubmissionError):
            services.decide(submission, self.contract, by=self.world.supervisor, status="rejected")
        with self.assertRaises(services.SubmissionError):
            services.decide(submission, self.contract, by=self.world.supervisor, status="maybe")
        services.decide(submission, self.contract, by=self.world.supervisor, status="rejected", comment="不足あり")
        self.assertIsNone(services.accepted(self.contract, KIND))

    def test_the_submitting_side_cannot_decide(self) -> None:
        submission = self._submit()
        with self.assertRaises(services.SubmissionError):
            services.decide(submission, self.contract, by=self.world.worker, status="approved")


class AttachmentTests(ContractTestCase):
    def test_hash_size_and_event(self) -> None:
        upload = SimpleUploadedFile("社内規程.pdf", b"%PDF-1.4 rules", content_type="application/pdf")
        attachment = services.attach(self.contract, upload, by=self.world.responsible,
                                     chain=self.contract.ledger_chain, articles=[5])
        self.assertEqual(attachment.size, 14)
        self.assertEqual(len(attachment.sha256), 64)
        self.assertTrue(attachment.intact())
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="attachment.added")
        self.assertEqual(event.facts["sha256"], attachment.sha256)
        self.assertNotIn("社内規程", str(event.facts))
        self.assertIsNotNone(attachment.uploaded_at)
        self.assertIsNone(attachment.document_date)

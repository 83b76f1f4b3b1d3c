"""Reports on request: the supervisor asks with a due date; the responsible person answers with text and
attachments through the submissions mechanism; the supervisor acknowledges or returns."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.reporting import services
from itaku.submissions.models import Submission
from tests.base import ContractTestCase
from tests.reporting.support import ANSWER, QUESTION, answered_request


class RequestTests(ContractTestCase):
    def test_ask_answer_acknowledge(self) -> None:
        asked = answered_request(self.world)
        latest = services.answer_status(asked)
        self.assertEqual(latest.status, Submission.Status.SUBMITTED)
        self.assertEqual(latest.snapshot["answer"], ANSWER)
        self.assertEqual([a["filename"] for a in latest.snapshot["attachments"]], ["作業報告.pdf"])
        services.decide_answer(self.world.supervisor, asked, accept=True)
        self.assertTrue(services.is_answered(asked))
        requested = Event.objects.get(chain=self.contract.ledger_chain, kind="reporting.requested")
        self.assertEqual(requested.facts, {"requested": asked.pk, "due_on": asked.due_on.isoformat()})

    def test_several_attachments(self) -> None:
        asked = services.ask(self.world.supervisor, self.contract, question=QUESTION,
                             due_on=timezone.localdate() + dt.timedelta(days=3))
        files = [SimpleUploadedFile(f"資料{n}.pdf", f"%PDF {n}".encode(), "application/pdf") for n in (1, 2)]
        services.answer(self.world.responsible, asked, text=ANSWER, files=files)
        self.assertEqual(asked.attachments.count(), 2)

    def test_refusals(self) -> None:
        with self.assertRaises(UserError):
            services.ask(self.world.supervisor, self.contract, question=QUESTION,
                         due_on=timezone.localdate() - dt.timedelta(days=1))
        with self.assertRaises(UserError):
            services.ask(self.world.supervisor, self.contract, question=" ", due_on=timezone.localdate())
        with self.assertRaises(UserError):
            services.ask(self.world.responsible, self.contract, question=QUESTION, due_on=timezone.localdate())
        asked = services.ask(self.world.supervisor, self.contract, question=QUESTION, due_on=timezone.localdate())
        with self.assertRaises(UserError):
            services.answer(self.world.worker, asked, text=ANSWER)
        with self.assertRaises(UserError):
            services.answer(self.world.responsible, asked, text="")
        services.answer(self.world.responsible, asked, text=ANSWER)
        with self.assertRaises(UserError):
            services.answer(self.world.responsible, asked, text=ANSWER)

    def test_a_returned_answer_can_be_answered_again(self) -> None:
        asked = answered_request(self.world)
        services.decide_answer(self.world.supervisor, asked, accept=False, comment="添付資料が不足しています。")
        self.assertFalse(services.is_answered(asked))
        again = services.answer(self.world.responsible, asked, text=ANSWER + "追加資料を添付します。")
        self.assertEqual(again.round, 2)

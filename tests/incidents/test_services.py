"""The steps of an incident through its services: the notice, the report, instructions, closure."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from itaku.incidents import services
from itaku.incidents.models import Incident, Notice
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.submissions import services as submissions
from tests.base import ContractTestCase, make_user
from tests.incidents.support import SUMMARY, raised, report, written

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@override_settings(EMAIL_BACKEND=LOCMEM)
class RaiseTests(ContractTestCase):
    def test_the_saved_moment_is_the_notice_to_every_supervisor(self) -> None:
        self.world.supervisor.email = "kanri@city.shinagawa.example"
        self.world.supervisor.save()
        with self.captureOnCommitCallbacks(execute=True):
            incident = raised(self.world)
        self.assertEqual(incident.party, self.world.contractor)
        self.assertEqual(incident.known_on, timezone.localdate())
        notice = Notice.objects.get(incident=incident)
        self.assertEqual(notice.recipient, self.world.supervisor)
        self.assertTrue(notice.emailed)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["kanri@city.shinagawa.example"])
        self.assertIn(incident.code, message.subject)
        self.assertIn(self.contract.number, message.body)
        self.assertNotIn(SUMMARY, message.body)  # the contents stay in itaku
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="incident.suspected")
        self.assertEqual(event.facts["incident"], incident.pk)
        self.assertEqual(event.facts["notified"], 1)
        self.assertNotIn(SUMMARY, str(event.facts))

    def test_no_mail_without_an_address_and_the_notice_is_still_in_the_app(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            incident = raised(self.world)
        self.assertEqual(mail.outbox, [])
        self.assertEqual([n.incident for n in services.unread(self.world.supervisor, self.contract)], [incident])
        services.mark_read(self.world.supervisor, incident)
        self.assertEqual(services.unread(self.world.supervisor, self.contract), [])

    def test_only_the_contractor_side_raises(self) -> None:
        for user in (self.world.supervisor, self.world.auditor, self.world.colleague, self.world.outsider):
            with self.assertRaises(UserError):
                raised(self.world, by=user)
        self.assertEqual(Incident.objects.count(), 0)
        self.assertEqual(raised(self.world, by=self.world.responsible).number, 1)
        self.assertEqual(raised(self.world, by=self.world.worker).number, 2)

    def test_an_empty_notice_is_refused(self) -> None:
        with self.assertRaises(UserError):
            services.raise_incident(self.world.worker, self.contract, kind="suspected", summary="  ")


class ReportTests(ContractTestCase):
    def test_the_report_goes_through_the_submissions_mechanism(self) -> None:
        incident = written(self.world)
        round_ = submissions.latest(incident, services.REPORT_KIND)
        self.assertTrue(round_.is_open)
        self.assertEqual(round_.snapshot["people_count"], 2)
        with self.assertRaises(UserError):  # frozen while the authority decides
            services.save_report(self.world.responsible, incident, people_count=3)
        with self.assertRaises(UserError):
            services.decide_report(self.world.supervisor, incident, accept=False)  # a return needs a reason
        services.decide_report(self.world.supervisor, incident, accept=False, comment="原因を具体的に。")
        services.save_report(self.world.responsible, incident, cause="厚み検知の設定漏れ（手順書に記載なし）")
        services.submit_report(self.world.responsible, incident)
        services.decide_report(self.world.supervisor, incident, accept=True)
        incident.refresh_from_db()
        self.assertIsNotNone(submissions.accepted(incident, services.REPORT_KIND))
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="incident")
                     .values_list("kind", flat=True))
        self.assertIn("incidents.report.acknowledged", kinds)
        self.assertIn("incident.report_saved", kinds)

    def test_a_report_missing_its_main_items_is_refused(self) -> None:
        incident = raised(self.world)
        with self.assertRaises(UserError) as caught:
            services.submit_report(self.world.responsible, incident)
        self.assertIn("cause", caught.exception.message_en)
        self.assertIn("number of people affected", caught.exception.message_en)

    def test_a_worker_cannot_write_the_report(self) -> None:
        incident = raised(self.world)
        with self.assertRaises(UserError):
            services.save_report(self.world.worker, incident, **report())

    def test_dates_after_the_notice_are_refused(self) -> None:
        incident = raised(self.world)
        with self.assertRaises(UserError) as caught:
            services.save_report(self.world.responsible, incident,
                                 found_on=timezone.localdate() + dt.timedelta(days=1))
        self.assertIn("found on", caught.exception.message_en)


class InstructionAndClosureTests(ContractTestCase):
    def test_instruction_answer_and_closure(self) -> None:
        incident = written(self.world)
        instruction = services.issue_instruction(self.world.supervisor, incident, text="影響範囲を報告すること。",
                                                 due_on=timezone.localdate() + dt.timedelta(days=2))
        services.decide_report(self.world.supervisor, incident, accept=True)
        with self.assertRaises(UserError):  # the instruction is not answered
            services.close(self.world.supervisor, incident, note="対応完了")
        services.answer_instruction(self.world.responsible, instruction, answer="影響は2名に限られる。")
        services.decide_answer(self.world.supervisor, instruction, accept=True)
        with self.assertRaises(UserError):
            services.close(self.world.responsible, incident, note="対応完了")
        services.close(self.world.supervisor, incident, note="再発防止策の実施を確認した。")
        incident.refresh_from_db()
        self.assertTrue(incident.is_closed)
        with self.assertRaises(UserError):
            services.issue_instruction(self.world.supervisor, incident, text="追加", due_on=timezone.localdate())

    def test_the_statutory_record_and_the_assessment(self) -> None:
        incident = written(self.world, people_count=150)
        self.assertTrue(services.assess(incident).required)
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=timezone.localdate())
        with self.assertRaises(UserError):
            services.record_statutory(self.world.responsible, incident, people_informed_on=timezone.localdate())
        with self.assertRaises(UserError):
            services.record_statutory(self.world.supervisor, incident,
                                      ppc_final_on=timezone.localdate() + dt.timedelta(days=1))
        self.assertEqual(Event.objects.filter(kind="incident.statutory_recorded").count(), 1)

    def test_strong_encryption_exempts(self) -> None:
        incident = written(self.world, people_count=500, encrypted=True)
        assessment = services.assess(incident)
        self.assertTrue(assessment.triggers)
        self.assertFalse(assessment.required)

    def test_the_authority_s_own_categories_trigger(self) -> None:
        category = services.add_category(self.world.supervisor, self.contract, label="生活保護の受給に関する情報")
        incident = raised(self.world)
        self.assertFalse(services.assess(incident).required)
        services.save_report(self.world.responsible, incident, categories=[category], **report(people_count=1))
        self.assertTrue(services.assess(incident).required)


class SubcontractorTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        from tests.subcontracting.objects import build_chain

        self.chain = build_chain(self.world)

    def test_a_subcontractor_raises_for_itself_and_sees_only_its_own(self) -> None:
        own = raised(self.world, by=self.chain.sub_worker)
        others = raised(self.world, by=self.world.worker)
        self.assertEqual(own.party, self.chain.party.organisation)
        self.assertTrue(services.may_see(self.chain.sub_responsible, own))
        self.assertFalse(services.may_see(self.chain.sub_responsible, others))
        self.assertFalse(services.may_see(self.chain.sibling_responsible, own))
        self.assertTrue(services.may_see(self.world.responsible, own))  # the party above
        self.assertTrue(services.may_see(self.world.supervisor, own))
        self.assertTrue(services.may_report(self.chain.sub_responsible, own))
        self.assertFalse(services.may_report(self.chain.sub_responsible, others))


class VaultLimitTests(ContractTestCase):
    def test_the_vault_s_limit_raises_an_incident_here(self) -> None:
        person = make_user("limit_worker", self.world.contractor)
        incident = services.raise_incident(person, self.contract, kind="suspected", source=Incident.Source.VAULT,
                                           summary="上限超過", facts={"person": person.pk, "dataset": 1})
        self.assertEqual(incident.source, "vault")
        self.assertEqual(Notice.objects.filter(incident=incident).count(), 1)

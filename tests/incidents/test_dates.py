"""Correcting the day an incident became known: only a supervisor, only while open, within the notice and
the written report's dates, with a reason; every deadline and the control follow, one ledger event."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from itaku.contracts.services import evaluate_controls
from itaku.incidents import services, statutory
from itaku.incidents.models import Incident
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.provisions.controls import State
from tests.base import ContractTestCase
from tests.incidents.support import SUMMARY, raised, written

REASON = "通知の前日に受託者から電話で第一報を受けていた。"
KIND = services.DATES_CORRECTED


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


class CorrectDatesTests(ContractTestCase):
    def report_written(self) -> State:
        return next(r.state for r in evaluate_controls(self.contract) if r.control.code == "incidents.report_written")

    def events(self) -> list[Event]:
        return list(Event.objects.filter(chain=self.contract.ledger_chain, kind=KIND))

    def assert_refused(self, incident: Incident, *texts: str, by=None, **changes) -> UserError:
        """Refused with a message holding `texts` (either language); the incident and the ledger untouched."""
        before = (incident.known_on, incident.report_due)
        with self.assertRaises(UserError) as caught:
            services.correct_dates(by or self.world.supervisor, incident, **{"reason": REASON, **changes})
        message = f"{caught.exception.message_ja} / {caught.exception.message_en}"
        for text in texts:
            self.assertIn(text, message)
        incident.refresh_from_db()
        self.assertEqual((incident.known_on, incident.report_due), before)
        self.assertEqual(self.events(), [])
        return caught.exception

    def test_the_deadlines_and_countdowns_follow_the_corrected_day(self) -> None:
        known = days_ago(14)
        incident = written(self.world, people_count=150, occurred_on=days_ago(20), found_on=known)
        self.assertEqual(services.countdowns(incident)[0].due, statutory.report_due(timezone.localdate()))
        services.correct_dates(self.world.supervisor, incident, known_on=known, reason=REASON)
        incident.refresh_from_db()
        self.assertEqual(incident.known_on, known)
        self.assertEqual(incident.report_due, statutory.report_due(known))
        expected = statutory.deadlines(known, unlawful=False)
        self.assertEqual(services.assess(incident).deadlines, expected)
        report, preliminary, final = services.countdowns(incident)
        self.assertEqual(report.due, statutory.report_due(known))
        self.assertEqual((preliminary.due, preliminary.limit), (expected.preliminary_target,
                                                                 expected.preliminary_late_after))
        self.assertTrue(preliminary.late)  # day 5 of a day known two weeks ago has passed
        self.assertEqual(final.due, expected.final_due)
        self.assertEqual(final.days_left, (expected.final_due - timezone.localdate()).days)

    def test_an_explicit_due_date_is_kept(self) -> None:
        incident = raised(self.world)
        due = timezone.localdate() + dt.timedelta(days=10)
        services.correct_dates(self.world.supervisor, incident, known_on=days_ago(1), report_due=due, reason=REASON)
        incident.refresh_from_db()
        self.assertEqual((incident.known_on, incident.report_due), (days_ago(1), due))

    def test_the_control_counts_from_the_corrected_day(self) -> None:
        incident = raised(self.world)
        self.assertEqual(self.report_written(), State.DUE_SOON)
        services.correct_dates(self.world.supervisor, incident, known_on=days_ago(14), reason=REASON)
        self.assertEqual(self.report_written(), State.OVERDUE)

    def test_one_ledger_event_with_the_dates_and_the_reason_only(self) -> None:
        incident = written(self.world, occurred_on=days_ago(5), found_on=days_ago(3))
        old_due = incident.report_due
        services.correct_dates(self.world.supervisor, incident, known_on=days_ago(3), reason=f"  {REASON} ")
        [event] = self.events()
        self.assertEqual(event.actor_id, self.world.supervisor.pk)
        [correction] = incident.date_corrections.all()
        self.assertEqual(event.facts, {  # the reason is free text: bound by its digest, kept out of the ledger
            "incident": incident.pk, "number": incident.code, "correction": correction.pk,
            "reason_sha256": hashlib.sha256(REASON.encode()).hexdigest(),
            "known_on_before": timezone.localdate().isoformat(), "known_on_after": days_ago(3).isoformat(),
            "report_due_before": old_due.isoformat(), "report_due_after": statutory.report_due(days_ago(3)).isoformat(),
        })
        for value in (SUMMARY, incident.what_happened, incident.data_items, incident.cause, REASON):
            self.assertNotIn(value, str(event.facts))
        [shown] = services.date_corrections(incident)
        self.assertEqual((shown.known_on_before, shown.known_on_after, shown.reason),
                         (timezone.localdate(), days_ago(3), REASON))

    def test_a_reason_with_personal_data_is_refused_without_repeating_it(self) -> None:
        incident = raised(self.world)
        error = self.assert_refused(incident, "電話番号", "a phone number", known_on=days_ago(1),
                                    reason="対象者（090-1234-5678）から区に電話があった。")
        self.assertNotIn("090-1234-5678", str(error))

    def test_only_a_supervisor_of_the_contract_corrects(self) -> None:
        incident = raised(self.world)
        for user in (self.world.auditor, self.world.responsible, self.world.worker, self.world.colleague,
                     self.world.outsider, self.world.foreign_responsible):
            self.assert_refused(incident, "Only a supervisor", by=user, known_on=days_ago(1))

    def test_a_closed_incident_is_refused(self) -> None:
        incident = written(self.world)
        services.decide_report(self.world.supervisor, incident, accept=True)
        services.close(self.world.supervisor, incident, note="再発防止策の実施を確認した。")
        incident.refresh_from_db()
        self.assert_refused(incident, "この事故は終結しています。", "This incident is closed.", known_on=days_ago(1))

    def test_a_day_after_the_notice_is_refused(self) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        self.assert_refused(raised(self.world), "事故を知った日", "Known on", tomorrow.isoformat(),
                            "after the day of the notice", known_on=tomorrow)

    def test_a_day_before_it_occurred_is_refused(self) -> None:
        incident = written(self.world, occurred_on=days_ago(2), found_on=days_ago(1))
        self.assert_refused(incident, "事故を知った日", "発生日", "Known on", days_ago(2).isoformat(),
                            "before the day it occurred", known_on=days_ago(5))

    def test_a_due_date_before_the_day_known_is_refused(self) -> None:
        self.assert_refused(raised(self.world), "事故報告書の提出期限", "Written report due",
                            "before the day it became known", known_on=days_ago(3), report_due=days_ago(4))

    def test_a_missing_reason_is_refused(self) -> None:
        self.assert_refused(raised(self.world), "訂正の理由を入力してください", "Enter the reason",
                            known_on=days_ago(1), reason="   ")

    def test_unchanged_dates_are_refused(self) -> None:
        incident = raised(self.world)
        self.assert_refused(incident, "The dates are unchanged", known_on=incident.known_on)

    def test_a_day_after_a_recorded_ppc_report_is_refused(self) -> None:
        incident = written(self.world, people_count=150, occurred_on=days_ago(20), found_on=days_ago(14))
        services.correct_dates(self.world.supervisor, incident, known_on=days_ago(14), reason=REASON)
        services.record_statutory(self.world.supervisor, incident, ppc_preliminary_on=days_ago(10))
        with self.assertRaises(UserError) as caught:
            services.correct_dates(self.world.supervisor, incident, known_on=days_ago(5), reason=REASON)
        self.assertIn("preliminary report to the PPC", caught.exception.message_en)
        incident.refresh_from_db()
        self.assertEqual(incident.known_on, days_ago(14))


class CorrectDatesPageTests(ContractTestCase):
    def url(self, incident: Incident, path: str = "") -> str:
        return f"/contracts/{self.contract.pk}/incidents/{incident.pk}/{path}"

    def test_the_supervisor_corrects_on_the_page_and_the_deadline_shown_moves(self) -> None:
        incident = raised(self.world)
        client = self.client_for(self.world.supervisor)
        known = days_ago(14)
        shown = f"<dd>{statutory.report_due(known).isoformat()}</dd>"
        page = client.get(self.url(incident)).content.decode()
        self.assertIn(self.url(incident, "dates/"), page)
        self.assertNotIn(shown, page)
        response = client.post(self.url(incident, "dates/"), {"known_on": known.isoformat(), "reason": REASON},
                               follow=True)
        self.assertRedirects(response, self.url(incident))
        self.assertIn(shown, response.content.decode())
        # the contractor's side sees the correction and its reason (its deadline moved)
        page = self.client_for(self.world.responsible).get(self.url(incident)).content.decode()
        self.assertIn(shown, page)
        self.assertIn(f"{timezone.localdate().isoformat()} → {known.isoformat()}", page)
        self.assertIn(REASON, page)
        incident.refresh_from_db()
        self.assertEqual(incident.known_on, known)

    def test_the_contractor_side_sees_the_dates_but_no_form_and_is_refused(self) -> None:
        incident = raised(self.world)
        for user in (self.world.responsible, self.world.worker):
            client = self.client_for(user)
            page = client.get(self.url(incident)).content.decode()
            self.assertIn(incident.report_due.isoformat(), page)
            self.assertNotIn(self.url(incident, "dates/"), page)
            response = client.post(self.url(incident, "dates/"), {"known_on": days_ago(1).isoformat(),
                                                                   "reason": REASON})
            self.assertEqual(response.status_code, 403)
        incident.refresh_from_db()
        self.assertEqual(incident.known_on, timezone.localdate())
        self.assertFalse(Event.objects.filter(kind=KIND).exists())

    def test_a_refusal_is_shown_in_both_languages_naming_the_field(self) -> None:
        incident = raised(self.world)
        client = self.client_for(self.world.supervisor)
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        body = client.post(self.url(incident, "dates/"), {"known_on": tomorrow, "reason": REASON},
                           follow=True).content.decode()
        self.assertIn(f"事故を知った日（{tomorrow}）は、通知の日", body)
        self.assertIn(f"Known on ({tomorrow}) cannot be after the day of the notice", body)
        body = client.post(self.url(incident, "dates/"), {"known_on": days_ago(1).isoformat()},
                           follow=True).content.decode()
        self.assertIn("日付の訂正に誤りがあります", body)
        self.assertIn("The correction is not valid", body)
        self.assertIn("reason:", body)
        incident.refresh_from_db()
        self.assertEqual(incident.known_on, timezone.localdate())

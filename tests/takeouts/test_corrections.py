"""Correcting a recorded time out or time back: by the party's responsible person only, with a reason, within
the invariants of the check-out and check-in; one ledger event; the register and the controls follow."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from django.utils import timezone
from openpyxl import load_workbook

from itaku.ledger.models import Event
from itaku.provisions.controls import State
from itaku.takeouts import services
from itaku.takeouts.models import TakeOut, TimeCorrection
from itaku.takeouts.services import TakeOutError
from tests.subcontracting.chain import add_subcontractor
from tests.takeouts.factory import out
from tests.takeouts.test_controls import PERMITTED, RETURNED, TakeOutControlTestCase, result
from tests.takeouts.test_register_pdf import pdf_text

OUT, BACK = TimeCorrection.Time.OUT, TimeCorrection.Time.BACK
REASON = "日付の入力誤り（12日を21日と入力）"


def ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


class CorrectionTestCase(TakeOutControlTestCase):
    def back(self, *, out_days: int, back_days: int, in_days: float) -> TakeOut:
        """Out `out_days` ago, due back in `back_days`, checked in `in_days` ago."""
        takeout = self.past(out_days=out_days, back_days=back_days)
        return services.check_in(self.world.responsible, takeout, at=ago(days=in_days))

    def correct(self, takeout: TakeOut, time: str, at: dt.datetime, *, by=None, reason: str = REASON):
        return services.correct_time(by or self.world.responsible, takeout, time=time, at=at, reason=reason)

    def assert_unchanged(self, takeout: TakeOut) -> None:
        before = (takeout.checked_out_at, takeout.checked_in_at)
        takeout.refresh_from_db()
        self.assertEqual((takeout.checked_out_at, takeout.checked_in_at), before)
        self.assertFalse(TimeCorrection.objects.exists())
        self.assertFalse(Event.objects.filter(kind="takeout.corrected").exists())


class CorrectTests(CorrectionTestCase):
    def test_the_responsible_person_corrects_the_time_back_with_one_ledger_event(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        old, new = takeout.checked_in_at, ago(days=2)
        correction = self.correct(takeout, BACK, new)
        takeout.refresh_from_db()
        self.assertEqual(takeout.checked_in_at, new)
        self.assertEqual((correction.old, correction.new, correction.reason), (old, new, REASON))
        self.assertEqual(correction.corrected_by, self.world.responsible)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="takeout.corrected")
        self.assertEqual(event.actor_id, self.world.responsible.pk)
        self.assertEqual(event.articles, [14])
        self.assertEqual(event.facts["takeout"], takeout.pk)
        self.assertEqual(event.facts["correction"], correction.pk)
        self.assertEqual(event.facts["time"], "back")
        self.assertEqual(dt.datetime.fromisoformat(event.facts["old"]), old)
        self.assertEqual(dt.datetime.fromisoformat(event.facts["new"]), new)
        self.assertEqual(event.facts["reason_sha256"], hashlib.sha256(REASON.encode()).hexdigest())
        self.assertNotIn("入力誤り", str(event.facts))  # free text stays out of the ledger, bound by its digest

    def test_the_time_out_is_corrected_after_the_approval(self) -> None:
        takeout = self.past(out_days=3, back_days=2)
        self.correct(takeout, OUT, ago(days=3, hours=2))
        takeout.refresh_from_db()
        self.assertLess(abs(takeout.checked_out_at - ago(days=3, hours=2)), dt.timedelta(seconds=5))
        approved_at = services.approval(takeout).decided_at
        with self.assertRaises(TakeOutError) as caught:
            self.correct(takeout, OUT, approved_at - dt.timedelta(minutes=1))
        self.assertIn("after the responsible person's approval", caught.exception.message_en)
        self.assertIn("承認", caught.exception.message_ja)
        self.assertEqual(TimeCorrection.objects.count(), 1)

    def test_only_the_responsible_person_of_the_party(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        sub = add_subcontractor(self.world)
        for person in (self.world.worker, self.world.supervisor, self.world.auditor, sub.responsible,
                       self.world.foreign_responsible):
            with self.assertRaises(TakeOutError, msg=str(person)) as caught:
                self.correct(takeout, BACK, ago(days=2), by=person)
            self.assertIn("responsible person of the party", caught.exception.message_en)
        self.assert_unchanged(takeout)

    def test_a_reason_is_required(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        for reason in ("", "　 \n"):
            with self.assertRaises(TakeOutError) as caught:
                self.correct(takeout, BACK, ago(days=2), reason=reason)
            self.assertIn("reason", caught.exception.message_en)
            self.assertIn("理由", caught.exception.message_ja)
        with self.assertRaises(TakeOutError):
            self.correct(takeout, BACK, ago(days=2), reason="あ" * 301)
        self.assert_unchanged(takeout)

    def test_the_time_back_never_before_the_time_out(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        with self.assertRaises(TakeOutError) as caught:
            self.correct(takeout, BACK, takeout.checked_out_at - dt.timedelta(minutes=1))
        self.assertIn("after the time out", caught.exception.message_en)
        with self.assertRaises(TakeOutError) as caught:
            self.correct(takeout, OUT, takeout.checked_in_at + dt.timedelta(minutes=1))
        self.assertIn("before the time back", caught.exception.message_en)
        self.assert_unchanged(takeout)

    def test_never_in_the_future(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        for time in (OUT, BACK):
            with self.assertRaises(TakeOutError) as caught:
                self.correct(takeout, time, timezone.now() + dt.timedelta(hours=1))
            self.assertIn("not later than now", caught.exception.message_en)
        self.assert_unchanged(takeout)

    def test_only_a_recorded_time_and_only_a_change(self) -> None:
        takeout = self.past(out_days=3, back_days=2)
        with self.assertRaises(TakeOutError) as caught:  # not checked in yet
            self.correct(takeout, BACK, ago(days=1))
        self.assertIn("Only a recorded time", caught.exception.message_en)
        with self.assertRaises(TakeOutError):
            self.correct(takeout, OUT, takeout.checked_out_at)
        with self.assertRaises(TakeOutError):
            self.correct(takeout, "due", ago(days=1))
        self.assert_unchanged(takeout)


class ControlsFollowTests(CorrectionTestCase):
    def test_a_late_time_back_corrected_to_its_real_time_clears_the_overdue(self) -> None:
        # due back 1 day ago; the return two days ago was entered as half a day ago
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        found = result(self.contract, RETURNED)
        self.assertIs(found.state, State.OVERDUE)
        self.assertIn(takeout.code, found.findings[0].message_ja)
        self.assertIn("came back", found.findings[0].message_en)
        self.correct(takeout, BACK, ago(days=2))
        self.assertIs(result(self.contract, RETURNED).state, State.OK)

    def test_a_time_back_corrected_past_its_due_time_is_overdue_with_the_correction_as_evidence(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=2)
        self.assertIs(result(self.contract, RETURNED).state, State.OK)
        self.correct(takeout, BACK, ago(hours=2))
        found = result(self.contract, RETURNED)
        self.assertIs(found.state, State.OVERDUE)
        labels = [e.label for e in found.findings[0].evidence]
        self.assertEqual(labels, [takeout.code, "takeout.checked_in", "takeout.corrected"])

    def test_the_destination_control_judges_the_corrected_time_out(self) -> None:
        takeout = self.past(out_days=3, back_days=2)
        type(takeout.destination).objects.filter(pk=takeout.destination_id).update(retired_at=ago(days=2))
        self.assertIs(result(self.contract, PERMITTED).state, State.OK)
        self.correct(takeout, OUT, ago(days=1))  # it really left after the place was retired
        found = result(self.contract, PERMITTED)
        self.assertIs(found.state, State.VIOLATION)
        self.assertIn("takeout.corrected", [e.label for e in found.findings[0].evidence])


class RegisterShowsTests(CorrectionTestCase):
    def test_the_xlsx_and_pdf_registers_show_the_correction_and_its_reason(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        untouched = out(self.world, to=self.office)
        old = timezone.localtime(takeout.checked_in_at)
        self.correct(takeout, BACK, ago(days=2))
        client = self.client_for(self.world.supervisor)
        base = f"/contracts/{self.contract.pk}/takeouts/"
        sheet = load_workbook(io.BytesIO(client.get(base + "register.xlsx").content)).active
        rows = list(sheet.iter_rows(values_only=True))
        lines = {row[0]: dict(zip(rows[1], row, strict=True)) for row in rows[2:]}
        note = lines[takeout.code]["日時の訂正"]
        self.assertIn("返却日時", note)
        self.assertIn(f"{old:%Y/%m/%d %H:%M}→", note)
        self.assertIn(REASON, note)
        self.assertIn(str(self.world.responsible), note)
        self.assertIsNone(lines[untouched.code]["日時の訂正"])
        text = pdf_text(client.get(base + "register.pdf").content)
        for expected in ("（訂正）", "日時の訂正", "返却日時", REASON, f"{old:%H:%M}"):
            self.assertIn(expected, text)
        self.assertEqual(text.count("（訂正）"), 1)

    def test_the_pages_mark_the_corrected_time(self) -> None:
        takeout = self.back(out_days=4, back_days=-1, in_days=0.5)
        client = self.client_for(self.world.worker)
        base = f"/contracts/{self.contract.pk}/takeouts/"
        self.assertNotIn('class="tag corrected"', client.get(base).content.decode())
        self.correct(takeout, BACK, ago(days=2))
        self.assertEqual(client.get(base).content.decode().count('class="tag corrected"'), 1)
        detail = client.get(f"{base}{takeout.pk}/").content.decode()
        self.assertIn(REASON, detail)
        self.assertNotIn(f"{base}{takeout.pk}/correct/", detail)  # the worker sees it, cannot correct

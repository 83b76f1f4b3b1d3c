"""The controls of article 14, each with compliant and violating scenarios."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.provisions.controls import Finding, Result, State, articles_for, registered
from itaku.submissions.models import Submission
from itaku.takeouts import services
from itaku.takeouts.models import Destination
from tests.base import ContractTestCase
from tests.takeouts.factory import approved, destination, out, request

PERMITTED = "takeouts.permitted_destinations"
RETURNED = "takeouts.returned"


def result(contract, code: str) -> Result:
    """One control as the contract's evaluation runs it (the others need not be ready)."""
    ctl = next(c for c in registered() if c.code == code)
    findings = tuple(ctl.check(contract)) or (Finding(State.OK, "問題ありません。", "No findings."),)
    return Result(ctl, articles_for(ctl.topics, contract.provisions.topics_by_article()), findings)


class TakeOutControlTestCase(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.office = destination(self.world)
        # permitted since last month, so that take-outs may be dated in the past
        Destination.objects.filter(pk=self.office.pk).update(permitted_from=timezone.now() - dt.timedelta(days=30))

    def past(self, *, out_days: int, back_days: int):
        now = timezone.now()
        takeout = approved(self.world, to=self.office, out_at=now - dt.timedelta(days=out_days),
                           back_by=now + dt.timedelta(days=back_days))
        # approved when it was planned, before it left
        Submission.objects.filter(kind=services.KIND, subject_id=takeout.pk).update(
            submitted_at=now - dt.timedelta(days=out_days + 2), decided_at=now - dt.timedelta(days=out_days + 1))
        return services.check_out(self.world.worker, takeout, at=now - dt.timedelta(days=out_days))


class PermittedDestinationTests(TakeOutControlTestCase):
    def test_nothing_to_check_without_take_outs(self) -> None:
        self.assertEqual(result(self.contract, PERMITTED).findings[0].message_en, "No findings.")
        request(self.world, to=self.office)  # requested, not out: nothing left yet
        self.assertEqual(result(self.contract, PERMITTED).findings[0].message_en, "No findings.")

    def test_compliant_when_every_take_out_left_for_a_permitted_place(self) -> None:
        out(self.world, to=self.office)
        self.past(out_days=3, back_days=-1)
        found = result(self.contract, PERMITTED)
        self.assertIs(found.state, State.OK)
        self.assertIn("2", found.findings[0].message_en)

    def test_retiring_a_destination_later_does_not_spoil_the_past(self) -> None:
        self.past(out_days=3, back_days=2)
        services.retire_destination(self.world.supervisor, self.office)
        self.assertIs(result(self.contract, PERMITTED).state, State.OK)

    def test_violation_when_the_time_out_precedes_the_permission(self) -> None:
        new = destination(self.world, name="株式会社データセンター東京", kind=Destination.Kind.DATA_CENTRE)
        takeout = approved(self.world, to=new)
        # entered afterwards: the items actually left two hours before the place was permitted
        services.check_out(self.world.worker, takeout, at=timezone.now() - dt.timedelta(hours=2))
        found = result(self.contract, PERMITTED)
        self.assertIs(found.state, State.VIOLATION)
        finding = found.findings[0]
        self.assertIn(takeout.code, finding.message_ja)
        self.assertIn("データセンター", finding.message_ja)
        self.assertIn(f"takeouts.takeout:{takeout.pk}", [e.ref for e in finding.evidence])
        self.assertIn("takeout.checked_out", [e.label for e in finding.evidence])

    def test_violation_when_the_time_out_follows_the_retirement(self) -> None:
        takeout = approved(self.world, to=self.office)
        services.check_out(self.world.worker, takeout)
        Destination.objects.filter(pk=self.office.pk).update(retired_at=timezone.now() - dt.timedelta(hours=1))
        self.assertIs(result(self.contract, PERMITTED).state, State.VIOLATION)

    def test_violation_when_the_items_left_before_the_approval(self) -> None:
        takeout = approved(self.world, to=self.office)
        services.check_out(self.world.worker, takeout, at=timezone.now() - dt.timedelta(days=1))
        found = result(self.contract, PERMITTED)
        self.assertIs(found.state, State.VIOLATION)
        self.assertIn("before the responsible person's approval", found.findings[0].message_en)

    def test_the_articles_are_the_contracts_article_14(self) -> None:
        self.assertEqual(result(self.contract, PERMITTED).articles, (14,))


class ReturnedTests(TakeOutControlTestCase):
    def test_compliant_when_out_within_its_time_or_back(self) -> None:
        self.past(out_days=1, back_days=5)
        back = self.past(out_days=4, back_days=-2)
        services.check_in(self.world.responsible, back, at=timezone.now() - dt.timedelta(days=3))
        found = result(self.contract, RETURNED)
        self.assertIs(found.state, State.OK)
        self.assertIn("1 take-outs out, 1 back", found.findings[0].message_en)

    def test_overdue_when_not_back_by_its_time(self) -> None:
        late = self.past(out_days=3, back_days=-1)
        found = result(self.contract, RETURNED)
        self.assertIs(found.state, State.OVERDUE)
        self.assertIn(late.code, found.findings[0].message_ja)
        self.assertIn("is not back", found.findings[0].message_en)
        services.check_in(self.world.responsible, late)
        found = result(self.contract, RETURNED)  # back now, but after its expected time: that stays on record
        self.assertIs(found.state, State.OVERDUE)
        self.assertIn("came back", found.findings[0].message_en)
        self.assertIn("takeout.checked_in", [e.label for e in found.findings[0].evidence])

    def test_due_soon_when_due_back_today_or_tomorrow(self) -> None:
        soon = self.past(out_days=1, back_days=0)
        type(soon).objects.filter(pk=soon.pk).update(back_by=timezone.now() + dt.timedelta(hours=2))
        self.assertIs(result(self.contract, RETURNED).state, State.DUE_SOON)

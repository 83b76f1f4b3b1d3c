"""Destinations, requests, approval, check-out and check-in, each with its ledger event and its refusals."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.places import services as places
from itaku.submissions.models import Submission
from itaku.takeouts import services
from itaku.takeouts.models import Destination, TakeOut
from itaku.takeouts.services import Status, TakeOutError
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.places.factory import acknowledged, add
from tests.subcontracting.chain import add_subcontractor
from tests.takeouts.factory import approved, destination, out, request
from tests.vault.test_import import FIELDS


class DestinationTests(ContractTestCase):
    def test_the_supervisor_permits_and_retires_with_ledger_events(self) -> None:
        office = destination(self.world)
        self.assertIn(office, services.permitted_destinations(self.contract))
        services.retire_destination(self.world.supervisor, office)
        self.assertNotIn(office, services.permitted_destinations(self.contract))
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="takeout.destination")
                     .values_list("kind", flat=True))
        self.assertEqual(kinds, ["takeout.destination_added", "takeout.destination_retired"])
        with self.assertRaises(TakeOutError):
            services.retire_destination(self.world.supervisor, office)

    def test_only_a_supervisor(self) -> None:
        for person in (self.world.auditor, self.world.responsible, self.world.worker, self.world.outsider):
            with self.assertRaises(TakeOutError):
                services.add_destination(person, self.contract, name="倉庫", kind=Destination.Kind.OTHER)
        with self.assertRaises(TakeOutError):
            services.retire_destination(self.world.responsible, destination(self.world))

    def test_a_name_is_required(self) -> None:
        with self.assertRaises(TakeOutError) as caught:
            services.add_destination(self.world.supervisor, self.contract, name=" ", kind=Destination.Kind.OTHER)
        self.assertIn("name", caught.exception.message_en.lower())


class RequestTests(ContractTestCase):
    def test_request_is_submitted_and_recorded(self) -> None:
        takeout = request(self.world)
        self.assertEqual(takeout.code, "持出-0001")
        self.assertIs(services.status(takeout), Status.SUBMITTED)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="takeout.requested")
        self.assertEqual(event.facts["takeout"], takeout.pk)
        self.assertNotIn("課税資料", str(event.facts))  # the items' description stays out of the ledger
        self.assertTrue(Event.objects.filter(kind="takeouts.takeout.submitted", facts__submission__isnull=False,
                                             chain=self.contract.ledger_chain).exists())

    def test_a_retired_destination_is_refused(self) -> None:
        office = destination(self.world)
        services.retire_destination(self.world.supervisor, office)
        with self.assertRaises(TakeOutError) as caught:
            request(self.world, to=office)
        self.assertIn("permits or designates", caught.exception.message_en)
        self.assertFalse(TakeOut.objects.exists())

    def test_another_contracts_destination_is_refused(self) -> None:
        other = Destination.objects.create(contract=self.contract, name="x", kind="other",
                                           permitted_from=timezone.now() + dt.timedelta(days=1),
                                           added_by=self.world.supervisor)
        with self.assertRaises(TakeOutError):
            request(self.world, to=other)  # not yet permitted

    def test_the_origin_must_be_acknowledged(self) -> None:
        with self.assertRaises(TakeOutError) as caught:
            request(self.world, origin=add(self.world))
        self.assertIn("acknowledged", caught.exception.message_en)

    def test_the_authority_cannot_request(self) -> None:
        with self.assertRaises(TakeOutError):
            request(self.world, by=self.world.supervisor)

    def test_back_must_follow_out(self) -> None:
        now = timezone.now()
        with self.assertRaises(TakeOutError) as caught:
            request(self.world, out_at=now + dt.timedelta(days=2), back_by=now + dt.timedelta(days=1))
        self.assertIn("back", caught.exception.message_en)

    def test_a_dataset_must_be_named_for_its_data(self) -> None:
        with self.assertRaises(TakeOutError):
            request(self.world, source=TakeOut.Source.DATASET)
        dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                 source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"], expected_rows=100)
        takeout = request(self.world, source=TakeOut.Source.DATASET, dataset=dataset, medium=TakeOut.Medium.LAPTOP)
        self.assertEqual(takeout.dataset, dataset)

    def test_the_carrier_must_be_of_the_party(self) -> None:
        with self.assertRaises(TakeOutError):
            request(self.world, carrier=self.world.auditor)


class ApprovalTests(ContractTestCase):
    def test_the_responsible_person_approves_through_submissions(self) -> None:
        takeout = approved(self.world)
        self.assertIs(services.status(takeout), Status.APPROVED)
        held = services.approval(takeout)
        self.assertEqual(held.decided_by, self.world.responsible)
        self.assertTrue(Event.objects.filter(chain=self.contract.ledger_chain,
                                             kind="takeouts.takeout.approved").exists())

    def test_nobody_else_decides(self) -> None:
        takeout = request(self.world)
        for person in (self.world.supervisor, self.world.worker, self.world.auditor):
            with self.assertRaises(TakeOutError):
                services.decide(person, takeout, approve=True)

    def test_nobody_approves_their_own_request(self) -> None:
        takeout = request(self.world, by=self.world.responsible)
        with self.assertRaises(TakeOutError) as caught:
            services.decide(self.world.responsible, takeout, approve=True)
        self.assertIn("submitted", caught.exception.message_en)

    def test_no_approval_once_the_destination_is_retired(self) -> None:
        takeout = request(self.world)
        services.retire_destination(self.world.supervisor, takeout.destination)
        with self.assertRaises(TakeOutError):
            services.decide(self.world.responsible, takeout, approve=True)

    def test_a_return_needs_a_reason_and_can_be_submitted_again(self) -> None:
        takeout = request(self.world)
        with self.assertRaises(UserError):
            services.decide(self.world.responsible, takeout, approve=False)
        services.decide(self.world.responsible, takeout, approve=False, comment="目的を具体的に")
        self.assertIs(services.status(takeout), Status.RETURNED)
        services.resubmit(self.world.worker, takeout)
        self.assertIs(services.status(takeout), Status.SUBMITTED)
        self.assertEqual(Submission.objects.filter(kind=services.KIND).count(), 2)


class CheckTests(ContractTestCase):
    def test_out_and_back(self) -> None:
        takeout = out(self.world)
        self.assertIs(services.status(takeout), Status.OUT)
        takeout = services.check_in(self.world.responsible, takeout)
        self.assertIs(services.status(takeout), Status.BACK)
        self.assertEqual(takeout.checked_in_by, self.world.responsible)
        kinds = set(Event.objects.filter(chain=self.contract.ledger_chain).values_list("kind", flat=True))
        self.assertTrue({"takeout.checked_out", "takeout.checked_in"} <= kinds)

    def test_not_before_approval(self) -> None:
        takeout = request(self.world)
        with self.assertRaises(TakeOutError) as caught:
            services.check_out(self.world.worker, takeout)
        self.assertIn("approved", caught.exception.message_en)

    def test_not_to_a_destination_retired_since_the_approval(self) -> None:
        takeout = approved(self.world)
        services.retire_destination(self.world.supervisor, takeout.destination)
        with self.assertRaises(TakeOutError):
            services.check_out(self.world.worker, takeout)

    def test_only_the_carrier_or_the_responsible_person_checks_out(self) -> None:
        takeout = approved(self.world, carrier=self.world.responsible)
        with self.assertRaises(TakeOutError):
            services.check_out(self.world.worker, takeout)
        services.check_out(self.world.responsible, takeout)

    def test_not_in_the_future_and_not_twice(self) -> None:
        takeout = approved(self.world)
        with self.assertRaises(TakeOutError):
            services.check_out(self.world.worker, takeout, at=timezone.now() + dt.timedelta(hours=1))
        services.check_out(self.world.worker, takeout)
        with self.assertRaises(TakeOutError):
            services.check_out(self.world.worker, takeout)
        with self.assertRaises(TakeOutError):
            services.check_in(self.world.supervisor, takeout)
        services.check_in(self.world.worker, takeout)
        with self.assertRaises(TakeOutError):
            services.check_in(self.world.worker, takeout)

    def test_no_check_in_before_the_check_out(self) -> None:
        with self.assertRaises(TakeOutError):
            services.check_in(self.world.worker, approved(self.world))


class SubcontractorTests(ContractTestCase):
    def test_a_subcontractor_takes_out_its_own_part_approved_by_its_own_responsible_person(self) -> None:
        sub = add_subcontractor(self.world)
        location = places.add_location(sub.responsible, self.contract, organisation=sub.organisation,
                                       name="下請作業室", address="東京都品川区", networks="198.51.100.0/24",
                                       storage="施錠書庫", safeguards="入退室管理")
        places.report_location(sub.responsible, location)
        places.decide_location(self.world.supervisor, location, acknowledge=True)
        takeout = request(self.world, by=sub.worker, origin=location, carrier=sub.worker)
        self.assertEqual(takeout.party, sub.organisation)
        with self.assertRaises(TakeOutError):
            services.decide(self.world.responsible, takeout, approve=True)  # not the contractor's to approve
        services.decide(sub.responsible, takeout, approve=True)
        self.assertIs(services.status(takeout), Status.APPROVED)

    def test_a_subcontractor_cannot_use_the_contractors_location(self) -> None:
        sub = add_subcontractor(self.world)
        with self.assertRaises(TakeOutError):
            request(self.world, by=sub.worker, origin=acknowledged(self.world), carrier=sub.worker)

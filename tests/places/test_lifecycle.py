"""A work location from record to acknowledgement, and how a change voids the acknowledgement."""

from __future__ import annotations

from itaku.contracts import services as contracts
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.places import services
from itaku.places.models import ReportStatus, WorkLocation
from itaku.submissions.models import snapshot_sha256
from tests.base import ContractTestCase
from tests.places.factory import FIELDS, acknowledged, add


class LifecycleTests(ContractTestCase):
    def events(self, kind: str) -> list[Event]:
        return list(Event.objects.filter(chain=self.contract.ledger_chain, kind=kind).order_by("seq"))

    def test_add_records_the_location_and_its_event(self) -> None:
        location = add(self.world, networks=" 2001:db8:1::/48\n192.0.2.0/24 \n")
        self.assertEqual(location.organisation, self.world.contractor)
        self.assertEqual(location.networks, ["192.0.2.0/24", "2001:db8:1::/48"])
        [event] = self.events("places.location_added")
        self.assertEqual(event.facts, {"location": location.pk, "organisation": self.world.contractor.pk,
                                       "networks": 2})
        self.assertEqual(event.articles, [15])
        self.assertEqual(services.report_of(location).status, ReportStatus.UNREPORTED)

    def test_bad_input_leaves_nothing_behind(self) -> None:
        with self.assertRaises(UserError) as caught:
            add(self.world, networks="192.0.2.0/24\n10.0.0.5/24")
        self.assertIn("line 2", caught.exception.message_en)
        with self.assertRaises(UserError) as caught:
            add(self.world, storage="  ")
        self.assertIn("where data is stored", caught.exception.message_en)
        self.assertFalse(WorkLocation.objects.exists())
        self.assertEqual(self.events("places.location_added"), [])

    def test_only_the_contractor_records_its_locations(self) -> None:
        with self.assertRaises(UserError):
            services.add_location(self.world.supervisor, self.contract, **FIELDS)
        with self.assertRaises(UserError):
            services.add_location(self.world.foreign_responsible, self.contract, **FIELDS,
                                  organisation=self.world.foreign_contractor)
        self.assertFalse(WorkLocation.objects.exists())

    def test_report_then_acknowledge(self) -> None:
        location = add(self.world)
        submission = services.report_location(self.world.responsible, location)
        self.assertEqual(submission.snapshot, location.snapshot())
        self.assertEqual(services.report_of(location).status, ReportStatus.SUBMITTED)
        self.assertFalse(services.has_acknowledged_location(self.contract))
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        report = services.report_of(location)
        self.assertEqual(report.status, ReportStatus.ACKNOWLEDGED)
        self.assertEqual(report.acknowledgement.pk, submission.pk)
        self.assertEqual(services.acknowledged_locations(self.contract), [location])
        [submitted] = self.events("places.location.submitted")
        [acknowledged_event] = self.events("places.location.acknowledged")
        self.assertEqual(submitted.facts["snapshot_sha256"], snapshot_sha256(location.snapshot()))
        self.assertEqual(acknowledged_event.articles, [15])

    def test_snapshot_covers_every_field_and_ignores_network_order(self) -> None:
        location = add(self.world)
        self.assertEqual(set(location.snapshot()), {"contract", "organisation", "name", "address", "room",
                                                    "networks", "storage", "safeguards"})
        reordered = WorkLocation.objects.get(pk=location.pk)
        reordered.networks = list(reversed(reordered.networks))
        self.assertEqual(reordered.snapshot(), location.snapshot())

    def test_return_needs_a_reason_and_the_location_can_be_corrected(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        with self.assertRaises(UserError):
            services.decide_location(self.world.supervisor, location, acknowledge=False)
        services.decide_location(self.world.supervisor, location, acknowledge=False, comment="部屋番号を記載して")
        report = services.report_of(location)
        self.assertEqual(report.status, ReportStatus.RETURNED)
        self.assertEqual(report.latest.comment, "部屋番号を記載して")
        services.change_location(self.world.responsible, location, room="3F 302")
        second = services.report_location(self.world.responsible, location)
        self.assertEqual(second.round, 2)

    def test_only_the_authority_decides(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        for user in (self.world.responsible, self.world.worker, self.world.outsider):
            with self.assertRaises(UserError):
                services.decide_location(user, location, acknowledge=True)
        self.assertEqual(services.report_of(location).status, ReportStatus.SUBMITTED)

    def test_no_decision_without_an_open_report(self) -> None:
        location = add(self.world)
        with self.assertRaises(UserError):
            services.decide_location(self.world.supervisor, location, acknowledge=True)


class ChangeTests(ContractTestCase):
    def test_change_after_acknowledgement_voids_it_until_reported_again(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, safeguards="入退室管理と監視カメラ",
                                 networks="192.0.2.0/25\n2001:db8:1::/48")
        location.refresh_from_db()
        report = services.report_of(location)
        self.assertEqual(report.status, ReportStatus.CHANGED)
        self.assertTrue(report.voided)
        self.assertEqual(services.acknowledged_locations(self.contract), [])
        self.assertIsNone(services.location_for(self.contract, "192.0.2.5"))
        event = Event.objects.filter(chain=self.contract.ledger_chain, kind="places.location_changed").get()
        self.assertEqual(event.facts, {"location": location.pk, "organisation": self.world.contractor.pk,
                                       "fields": ["networks", "safeguards"]})
        self.assertNotIn("監視カメラ", str(event.facts))  # free text never goes to the ledger
        services.report_location(self.world.responsible, location)
        services.decide_location(self.world.supervisor, location, acknowledge=True)
        self.assertEqual(services.report_of(location).status, ReportStatus.ACKNOWLEDGED)
        self.assertEqual(services.location_for(self.contract, "192.0.2.5"), location)

    def test_every_field_counts_as_a_change(self) -> None:
        location = acknowledged(self.world)
        for field, value in (("name", "別館"), ("address", "東京都品川区大井1-14-1"), ("room", "B1"),
                             ("storage", "保管庫のみ"), ("safeguards", "施錠"), ("networks", "198.51.100.0/24")):
            original = getattr(location, field)
            services.change_location(self.world.responsible, location, **{field: value})
            location.refresh_from_db()
            self.assertIsNone(services.report_of(location).acknowledgement, field)
            services.change_location(self.world.responsible, location,
                                     **{field: "\n".join(original) if field == "networks" else original})
            location.refresh_from_db()
            self.assertIsNotNone(services.report_of(location).acknowledgement, field)

    def test_an_unchanged_edit_records_nothing(self) -> None:
        location = acknowledged(self.world)
        services.change_location(self.world.responsible, location, **FIELDS)
        self.assertFalse(Event.objects.filter(kind="places.location_changed").exists())
        self.assertEqual(services.report_of(location).status, ReportStatus.ACKNOWLEDGED)

    def test_no_change_while_a_report_awaits_its_decision(self) -> None:
        location = add(self.world)
        services.report_location(self.world.responsible, location)
        with self.assertRaises(UserError) as caught:
            services.change_location(self.world.responsible, location, room="B1")
        self.assertIn("awaits", caught.exception.message_en)
        location.refresh_from_db()
        self.assertEqual(location.room, FIELDS["room"])
        services.decide_location(self.world.supervisor, location, acknowledge=True)  # still decidable

    def test_an_acknowledged_unchanged_location_is_not_reported_again(self) -> None:
        location = acknowledged(self.world)
        with self.assertRaises(UserError):
            services.report_location(self.world.responsible, location)

    def test_bad_networks_in_a_change_leave_the_location_as_it_was(self) -> None:
        location = acknowledged(self.world)
        with self.assertRaises(UserError):
            services.change_location(self.world.responsible, location, name="別館", networks="0.0.0.0/0")
        location.refresh_from_db()
        self.assertEqual(location.name, FIELDS["name"])
        self.assertEqual(services.report_of(location).status, ReportStatus.ACKNOWLEDGED)

    def test_only_its_organisation_changes_a_location(self) -> None:
        location = add(self.world)
        for user in (self.world.supervisor, self.world.foreign_responsible):
            with self.assertRaises(UserError):
                services.change_location(user, location, room="B1")
            with self.assertRaises(UserError):
                services.report_location(user, location)

    def test_nothing_changes_after_the_contract_ends(self) -> None:
        location = acknowledged(self.world)
        contracts.end_contract(self.world.supervisor, self.contract)
        with self.assertRaises(UserError):
            services.change_location(self.world.responsible, location, room="B1")
        with self.assertRaises(UserError):
            add(self.world, name="別館")

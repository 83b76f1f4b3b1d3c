"""The gate's questions: which acknowledged location, if any, an address comes from."""

from __future__ import annotations

from itaku.contracts import services as contracts
from itaku.places import services
from tests.base import ContractTestCase
from tests.places.factory import acknowledged, add


class LocationForTests(ContractTestCase):
    def test_matches_ipv4_and_ipv6_inside_the_ranges(self) -> None:
        office = acknowledged(self.world, networks="192.0.2.0/24\n2001:db8:1::/48")
        self.assertEqual(services.location_for(self.contract, "192.0.2.200"), office)
        self.assertEqual(services.location_for(self.contract, "2001:db8:1:ffff::9"), office)
        self.assertEqual(services.location_for(self.contract, "::ffff:192.0.2.1"), office)
        self.assertIsNone(services.location_for(self.contract, "192.0.3.1"))
        self.assertIsNone(services.location_for(self.contract, "2001:db8:2::1"))

    def test_an_unparseable_address_matches_nothing(self) -> None:
        acknowledged(self.world, networks="192.0.2.0/24")
        for address in ("", "unknown", "192.0.2.0/24", "192.0.2.1, 192.0.2.2"):
            self.assertIsNone(services.location_for(self.contract, address), address)

    def test_only_acknowledged_locations_count(self) -> None:
        add(self.world, networks="192.0.2.0/24")
        reported = add(self.world, name="別館", networks="198.51.100.0/24")
        services.report_location(self.world.responsible, reported)
        self.assertIsNone(services.location_for(self.contract, "192.0.2.1"))
        self.assertIsNone(services.location_for(self.contract, "198.51.100.1"))
        self.assertFalse(services.has_acknowledged_location(self.contract))

    def test_the_narrowest_range_wins(self) -> None:
        campus = acknowledged(self.world, name="本社", networks="10.0.0.0/8")
        room = acknowledged(self.world, name="301室", networks="10.20.30.0/24")
        self.assertEqual(services.location_for(self.contract, "10.20.30.4"), room)
        self.assertEqual(services.location_for(self.contract, "10.20.31.4"), campus)
        self.assertEqual(services.acknowledged_locations(self.contract), [campus, room])

    def test_per_organisation(self) -> None:
        office = acknowledged(self.world, networks="192.0.2.0/24")
        contractor, foreign = self.world.contractor, self.world.foreign_contractor
        self.assertTrue(services.has_acknowledged_location(self.contract, contractor))
        self.assertFalse(services.has_acknowledged_location(self.contract, foreign))
        self.assertEqual(services.location_for(self.contract, "192.0.2.1", contractor), office)
        self.assertIsNone(services.location_for(self.contract, "192.0.2.1", foreign))
        self.assertEqual(services.acknowledged_locations(self.contract, foreign), [])

    def test_another_contracts_locations_do_not_count(self) -> None:
        acknowledged(self.world, networks="192.0.2.0/24")
        second = contracts.create_contract(
            self.world.supervisor, number="品委第2025-0002号", title="別業務", contractor=self.world.contractor,
            start=self.contract.start, end=self.contract.end, provisions=self.world.provisions,
        )
        self.assertIsNone(services.location_for(second, "192.0.2.1"))
        self.assertFalse(services.has_acknowledged_location(second))

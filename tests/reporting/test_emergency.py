"""The emergency report procedure (article 17-2): both sides' contacts in the order to call and the channels;
each change a ledger event that names ids, never a phone number or e-mail address."""

from __future__ import annotations

from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.reporting import services
from tests.base import ContractTestCase
from tests.reporting.support import both_sides


class EmergencyTests(ContractTestCase):
    def test_contacts_in_the_order_to_call(self) -> None:
        both_sides(self.world)
        contacts = services.emergency_contacts(self.contract)
        self.assertEqual([(c["order"], c["side"], c["name"]) for c in contacts],
                         [(1, "contractor", "受託 太郎"), (2, "authority", "品川 花子")])
        self.assertEqual(contacts[0]["phone"], "03-1234-5678")
        self.assertIn("まず電話", services.emergency_channels(self.contract))

    def test_the_ledger_holds_no_phone_number_or_email(self) -> None:
        both_sides(self.world)
        contact = services.procedure_of(self.contract).contacts.get(order=1)
        contact_id = contact.pk
        services.remove_contact(self.world.responsible, contact)
        events = Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="reporting.emergency")
        self.assertEqual(events.count(), 4)
        for event in events:
            text = event.facts_json
            for value in ("03-1234-5678", "taro@example.jp", "hanako@example.jp", "受託 太郎", "まず電話"):
                self.assertNotIn(value, text)
        removed = events.get(kind="reporting.emergency_contact_removed")
        self.assertEqual(removed.facts["contact"], contact_id)

    def test_refusals(self) -> None:
        with self.assertRaises(UserError):
            services.add_contact(self.world.worker, self.contract, name="x", organisation="y", phone="1")
        with self.assertRaises(UserError):  # neither phone nor e-mail
            services.add_contact(self.world.responsible, self.contract, name="受託 太郎", organisation="株式会社")
        services.add_contact(self.world.responsible, self.contract, name="受託 太郎", organisation="株式会社",
                             phone="03-0000-0000", order=1)
        with self.assertRaises(UserError):  # the place is taken
            services.add_contact(self.world.supervisor, self.contract, name="品川 花子", organisation="品川区",
                                 phone="03-1111-1111", order=1)
        theirs = services.procedure_of(self.contract).contacts.get()
        with self.assertRaises(UserError):  # the other side's contact
            services.remove_contact(self.world.supervisor, theirs)

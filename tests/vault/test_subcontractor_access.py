"""Data for a subcontractor (article 8) in the data path: its people search and view only what was shared
with their organisation, only while every party above it is active and holds its own share, and change
nothing; a refusal is a ledger event without values."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from itaku.contracts.models import Party
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.places import services as places
from itaku.vault import access, copies, disposal, returns, sharing
from itaku.vault.models import Dataset, Record, Share
from itaku.vault.services import create_dataset, import_file
from tests.people.helpers import INSIDE
from tests.subcontracting.chain import Sub, add_subcontractor
from tests.subcontracting.gates import SUB_INSIDE, SUB_NETWORK, pass_gates
from tests.vault.test_access import VaultTestCase
from tests.vault.test_import import FIELDS, csv_bytes


def make_sub_eligible(world, sub: Sub, network: str = SUB_NETWORK) -> None:
    """The subcontractor through its gates (its people are then admitted; what they may touch is its share's
    to say)."""
    pass_gates(world, sub.organisation, sub.responsible, [sub.worker], network)


class SubcontractorTestCase(VaultTestCase):
    """The world's 31 records; a subcontractor with an eligible worker, shared two fields of five records."""

    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)
        make_sub_eligible(self.world, self.sub)
        self.records = list(Record.objects.filter(dataset=self.dataset).order_by("pk").values_list("pk", flat=True))
        self.sato = self.records[-1]  # 佐藤　太郎, the last row imported
        self.shared_records = [*self.records[:4], self.sato]
        self.outside_record = self.records[10]
        self.share = self._share(self.sub.party, ["氏名", "氏名カナ"], self.shared_records)

    def _share(self, party: Party, names: list[str], records: list[int] | None, by=None) -> Share:
        return sharing.share(by or self.world.responsible, self.dataset, party,
                             self.dataset.fields.filter(name__in=names), records)

    def _refusals(self, reason: str) -> int:
        return Event.objects.filter(kind="data.refused", facts__reason=reason).count()


class WithinTheShareTests(SubcontractorTestCase):
    def test_the_sub_worker_searches_and_views_within_the_share(self) -> None:
        worker = self.sub.worker
        found = access.search(worker, self.dataset, self.purpose, SUB_INSIDE, self.kana, "サトウ タロウ")
        self.assertEqual([f.record for f in found], [self.sato])
        self.assertEqual(found[0].values, {"氏名": "佐藤　太郎", "氏名カナ": "ｻﾄｳ ﾀﾛｳ"})
        # 30 records hold 髙橋 﨑子; four of them are shared, and only shared records are candidates at all.
        found = access.search(worker, self.dataset, self.purpose, SUB_INSIDE, self.name, "髙橋﨑子")
        self.assertEqual([f.record for f in found], self.shared_records[:4])
        searched = Event.objects.filter(kind="data.searched", actor=worker).order_by("-seq").first()
        self.assertEqual(searched.facts["matches"], 4)
        self.assertIn(searched.facts["candidates"], (4, 5))  # the blind index may collide, within the share
        shown = access.view(worker, self.dataset, self.purpose, SUB_INSIDE, self.sato)
        self.assertEqual(shown.values, {"氏名": "佐藤　太郎", "氏名カナ": "ｻﾄｳ ﾀﾛｳ"})
        viewed = Event.objects.get(kind="data.viewed", actor=worker)
        self.assertEqual(viewed.facts["fields"], ["氏名", "氏名カナ"])
        self.assertEqual(viewed.facts["records"], [self.sato])
        self.assertNotIn("佐藤", str(viewed.facts))

    def test_a_share_of_every_record_finds_them_all_with_the_shared_fields(self) -> None:
        self._share(self.sub.party, ["氏名", "郵便番号"], None)
        found = access.search(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.name, "髙橋﨑子")
        self.assertEqual(len(found), 30)
        self.assertEqual({tuple(f.values) for f in found}, {("氏名", "郵便番号")})

    def test_the_contractor_still_handles_everything(self) -> None:
        self.assertIs(sharing.grant(self.dataset, self.contract.contractor_id), sharing.EVERYTHING)
        found = access.search(self.world.worker, self.dataset, self.purpose, INSIDE, self.name, "髙橋﨑子")
        self.assertEqual(len(found), 30)
        shown = access.view(self.world.worker, self.dataset, self.purpose, INSIDE, self.outside_record)
        self.assertEqual(len(shown.values), len(FIELDS))
        self.assertIn("個人番号", Event.objects.get(kind="data.viewed").facts["fields"])

    def test_a_second_level_party_gets_what_its_parent_passed_on(self) -> None:
        second = add_subcontractor(self.world, name="株式会社孫請入力", parent=self.sub.party)
        make_sub_eligible(self.world, second, network="198.18.0.0/24")
        sharing.share(self.sub.responsible, self.dataset, second.party, self.dataset.fields.filter(name="氏名カナ"),
                      [self.sato])
        found = access.search(second.worker, self.dataset, self.purpose, "198.18.0.5", self.kana, "ｻﾄｳ ﾀﾛｳ")
        self.assertEqual([(f.record, f.values) for f in found], [(self.sato, {"氏名カナ": "ｻﾄｳ ﾀﾛｳ"})])


class OutsideTheShareTests(SubcontractorTestCase):
    def test_a_dataset_never_shared_is_refused_and_recorded(self) -> None:
        other = create_dataset(self.world.supervisor, self.contract, name="口座情報", source=Dataset.Source.ENTRUSTED,
                               fields=FIELDS, purposes=["口座振替"], expected_rows=10)
        purpose = other.purposes.get()
        kana = other.fields.get(name="氏名カナ")
        with self.assertRaises(access.AccessRefused) as caught:
            access.search(self.sub.worker, other, purpose, SUB_INSIDE, kana, "サトウ")
        self.assertIn("共有されていません", caught.exception.message_ja)
        self.assertIn("not shared", caught.exception.message_en)
        with self.assertRaises(access.AccessRefused):
            access.view(self.sub.worker, other, purpose, SUB_INSIDE, self.sato)
        self.assertEqual(self._refusals("not_shared"), 2)
        refused = Event.objects.filter(kind="data.refused", facts__reason="not_shared").first()
        self.assertEqual(refused.facts, {"person": self.sub.worker.pk, "dataset": other.pk, "reason": "not_shared"})
        self.assertFalse(Event.objects.filter(kind__in=["data.searched", "data.viewed"]).exists())

    def test_a_field_outside_the_share_cannot_be_searched(self) -> None:
        number = self.dataset.fields.get(name="宛名番号")
        with self.assertRaises(access.AccessRefused) as caught:
            access.search(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, number, "10099")
        self.assertIn("not shared", caught.exception.message_en)
        refused = Event.objects.get(kind="data.refused", facts__reason="field_not_shared")
        self.assertEqual(refused.facts["field"], "宛名番号")
        self.assertFalse(Event.objects.filter(kind="data.searched").exists())

    def test_a_record_outside_the_share_is_not_found(self) -> None:
        with self.assertRaises(UserError) as caught:
            access.view(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.outside_record)
        self.assertEqual(caught.exception.message_en, "No such record.")
        found = access.search(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.name, "髙橋﨑子")
        self.assertNotIn(self.outside_record, [f.record for f in found])
        self.assertFalse(Event.objects.filter(kind="data.viewed").exists())

    def test_the_gate_and_the_purpose_come_first(self) -> None:
        with self.assertRaises(access.AccessRefused) as caught:
            access.search(self.sub.worker, self.dataset, self.purpose, INSIDE, self.kana, "サトウ")
        self.assertEqual([r.code for r in caught.exception.reasons], ["outside_location"])
        with self.assertRaises(access.AccessRefused):
            access.view(self.sub.worker, self.dataset, None, SUB_INSIDE, self.sato)
        self.assertEqual(self._refusals("no_purpose"), 1)

    def test_a_subcontractor_changes_nothing(self) -> None:
        values = {"宛名番号": "5001", "氏名": "鈴木 一郎", "氏名カナ": "スズキ イチロウ", "生年月日": "1990-01-02",
                  "性別": "男", "郵便番号": "140-0001", "住所": "品川区北品川1-1", "電話番号": "03-1111-2222",
                  "個人番号": "123456789018", "備考": ""}
        self._share(self.sub.party, [f.name for f in FIELDS], None)  # even a share of everything
        before = Record.objects.count()
        with self.assertRaises(access.AccessRefused):
            access.add_record(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, values)
        with self.assertRaises(access.AccessRefused):
            access.correct_record(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.sato, values)
        self.assertEqual(Record.objects.count(), before)
        self.assertEqual(self._refusals("contractor_only"), 2)
        self.assertFalse(Event.objects.filter(kind__in=["data.added", "data.corrected"]).exists())


class RevocationTests(SubcontractorTestCase):
    """`grant` is asked on every call: the next search or view after a revocation or withdrawal is refused."""

    def _search(self, person, address: str = SUB_INSIDE) -> list[access.Found]:
        return access.search(person, self.dataset, self.purpose, address, self.kana, "ｻﾄｳ ﾀﾛｳ")

    def test_revoking_the_party_stops_the_next_search_and_view(self) -> None:
        self.assertEqual(len(self._search(self.sub.worker)), 1)
        Party.objects.filter(pk=self.sub.party.pk).update(revoked_at=timezone.now())
        with self.assertRaises(access.AccessRefused) as caught:
            self._search(self.sub.worker)
        self.assertIn("subcontract_inactive", [r.code for r in caught.exception.reasons])
        with self.assertRaises(access.AccessRefused):
            access.view(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.sato)
        self.assertIsNone(sharing.grant(self.dataset, self.sub.organisation.pk))

    def test_the_end_of_the_period_stops_access(self) -> None:
        Party.objects.filter(pk=self.sub.party.pk).update(end=timezone.localdate() - dt.timedelta(days=1))
        with self.assertRaises(access.AccessRefused):
            self._search(self.sub.worker)

    def test_withdrawing_the_share_stops_the_next_search(self) -> None:
        self.assertEqual(len(self._search(self.sub.worker)), 1)
        sharing.withdraw(self.world.responsible, self.share)
        with self.assertRaises(access.AccessRefused):
            self._search(self.sub.worker)
        self.assertEqual(self._refusals("not_shared"), 1)

    def test_narrowing_the_share_applies_at_once(self) -> None:
        self._share(self.sub.party, ["氏名カナ"], [self.sato])
        found = self._search(self.sub.worker)
        self.assertEqual(found[0].values, {"氏名カナ": "ｻﾄｳ ﾀﾛｳ"})
        with self.assertRaises(access.AccessRefused):
            access.search(self.sub.worker, self.dataset, self.purpose, SUB_INSIDE, self.name, "佐藤太郎")


class SecondLevelRevocationTests(SubcontractorTestCase):
    """A second-level party loses access with its parent: the parent's approval or share, never its own."""

    def setUp(self) -> None:
        super().setUp()
        self.second = add_subcontractor(self.world, name="株式会社孫請入力", parent=self.sub.party)
        make_sub_eligible(self.world, self.second, network="198.18.0.0/24")
        sharing.share(self.sub.responsible, self.dataset, self.second.party,
                      self.dataset.fields.filter(name="氏名カナ"), [self.sato])

    def _search(self) -> list[access.Found]:
        return access.search(self.second.worker, self.dataset, self.purpose, "198.18.0.5", self.kana, "ｻﾄｳ ﾀﾛｳ")

    def test_revoking_only_the_parent_stops_the_child(self) -> None:
        self.assertEqual(len(self._search()), 1)
        Party.objects.filter(pk=self.sub.party.pk).update(revoked_at=timezone.now())
        self.assertIsNone(Party.objects.get(pk=self.second.party.pk).revoked_at)
        with self.assertRaises(access.AccessRefused) as caught:
            self._search()
        self.assertIn("subcontract_inactive", [r.code for r in caught.exception.reasons])
        with self.assertRaises(access.AccessRefused):
            access.view(self.second.worker, self.dataset, self.purpose, "198.18.0.5", self.sato)

    def test_withdrawing_only_the_parents_share_stops_the_child(self) -> None:
        self.assertEqual(len(self._search()), 1)
        sharing.withdraw(self.world.responsible, self.share)
        self.assertTrue(Share.objects.filter(party=self.second.party, withdrawn_at=None).exists())
        with self.assertRaises(access.AccessRefused) as caught:
            self._search()
        self.assertEqual(caught.exception.reasons, ())  # the gate admits; the share says no
        with self.assertRaises(access.AccessRefused):
            access.view(self.second.worker, self.dataset, self.purpose, "198.18.0.5", self.sato)
        self.assertEqual(self._refusals("not_shared"), 2)


class NothingLeavesThroughASubcontractorTests(SubcontractorTestCase):
    """Import, copies, the return and disposal are the contractor's: the services refuse a subcontractor's
    responsible person, whatever its role on the contract."""

    def test_the_services_refuse_the_subcontractor(self) -> None:
        location = places.acknowledged_locations(self.contract, self.sub.organisation)[0]
        with self.assertRaises(UserError):
            copies.request_copy(self.sub.responsible, self.dataset, purpose=self.purpose,
                                fields=list(self.dataset.fields.all()[:2]), medium="USB", holder=self.sub.responsible,
                                place=location, destroy_by=timezone.localdate() + dt.timedelta(days=7))
        with self.assertRaises(UserError):
            returns.build_return(self.sub.responsible, self.contract)
        disposal.instruct_disposal(self.world.supervisor, self.dataset)
        with self.assertRaises(UserError):
            disposal.dispose(self.sub.responsible, self.dataset, place="再委託先", person_in_charge="下請")
        with self.assertRaises(UserError):
            import_file(self.sub.responsible, self.dataset, io.BytesIO(csv_bytes(1)))
        self.dataset.refresh_from_db()
        self.assertFalse(self.dataset.is_disposed)
        self.assertEqual(Record.objects.filter(dataset=self.dataset).count(), 31)

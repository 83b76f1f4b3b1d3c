"""Articles 7 and 11: the purpose notice of collected data and the handover of entrusted data."""

from __future__ import annotations

import datetime as dt

from itaku.contracts.services import evaluate_controls
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.provisions.controls import State
from itaku.vault import collection
from itaku.vault.models import Dataset
from itaku.vault.services import FieldSpec, create_dataset
from tests.vault.test_access import VaultTestCase


def state(contract) -> State:
    contract.refresh_from_db()
    return next(r for r in evaluate_controls(contract) if r.control.code == "vault.records_accounted").state


class HandoverTests(VaultTestCase):
    def test_entrusted_records_need_a_handover(self) -> None:
        self.assertEqual(state(self.contract), State.VIOLATION)
        collection.record_handover(self.world.responsible, self.dataset, received_on=dt.date(2026, 4, 1),
                                   received_from="品川区 税務課", medium="暗号化USBメモリ", count=10)
        self.assertEqual(state(self.contract), State.MISSING)  # 31 records, 10 accounted for
        collection.record_handover(self.world.responsible, self.dataset, received_on=dt.date(2026, 4, 2),
                                   received_from="品川区 税務課", medium="暗号化USBメモリ", count=21)
        self.assertEqual(state(self.contract), State.OK)
        event = Event.objects.filter(kind="vault.handover_recorded").first()
        self.assertNotIn("税務課", str(event.facts))

    def test_only_the_contractor_records_it(self) -> None:
        with self.assertRaises(UserError):
            collection.record_handover(self.world.supervisor, self.dataset, received_on=dt.date(2026, 4, 1),
                                       received_from="区", medium="紙", count=1)


class NoticeTests(VaultTestCase):
    def test_versions_and_only_for_collected_data(self) -> None:
        with self.assertRaises(UserError):
            collection.publish_notice(self.world.responsible, self.dataset, "目的")
        collected = create_dataset(self.world.responsible, self.contract, name="アンケート回答",
                                   source=Dataset.Source.COLLECTED, fields=[FieldSpec("氏名", "text")],
                                   purposes=["満足度調査"])
        first = collection.publish_notice(self.world.responsible, collected, "満足度調査のために利用します。")
        second = collection.publish_notice(self.world.responsible, collected, "改訂した文面")
        self.assertEqual((first.version, second.version), (1, 2))
        self.assertNotEqual(first.sha256, second.sha256)

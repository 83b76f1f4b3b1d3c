"""The figures of a periodic report come from the contract's real ledger of the period, counted by kind and
by declared purpose, with the ledger head at the end of the period."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import transaction
from django.utils import timezone

from itaku.ledger.models import Event
from itaku.ledger.services import record
from itaku.reporting import periods
from itaku.reporting.compile import compile_figures
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import ContractTestCase
from tests.reporting.support import previous_month, start_months_back
from tests.vault.test_import import FIELDS


class CompileTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contract = start_months_back(self.world, 2)
        self.dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                      source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税", "督促"],
                                      expected_rows=100)
        self.tax, self.reminder = self.dataset.purposes.order_by("pk")
        self.last_month = previous_month()

    def _record(self, kind: str, at: dt.datetime | None = None, **facts) -> Event:
        with transaction.atomic():
            if at is None:
                return record(kind, chain=self.contract.ledger_chain, actor=self.world.worker, facts=facts)
            with mock.patch("itaku.ledger.services.timezone.now", return_value=at):
                return record(kind, chain=self.contract.ledger_chain, actor=self.world.worker, facts=facts)

    def _in_last_month(self, day: int, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.last_month.start.replace(day=day), dt.time(hour)))

    def _section(self, figures, code):
        return next(s for s in figures["sections"] if s["code"] == code)

    def test_counts_by_kind_and_purpose_within_the_period(self) -> None:
        inside = self._in_last_month(3)
        for _ in range(3):
            self._record("data.searched", inside, person=self.world.worker.pk, purpose=self.tax.pk)
        self._record("data.viewed", inside, person=self.world.worker.pk, purpose=self.tax.pk)
        self._record("data.viewed", inside, person=self.world.worker.pk, purpose=self.reminder.pk)
        self._record("eligibility.refused", inside, person=self.world.worker.pk)
        self._record("vault.copy_requested", inside, request=1)
        self._record("incident.suspected", inside, incident=1)
        self._record("people.structure_saved", inside, version=1)
        last = self._record("subcontracting.item_added", self._in_last_month(self.last_month.end.day, 23), item=1)
        self._record("data.searched", person=self.world.worker.pk, purpose=self.tax.pk)  # this month: not counted

        figures = compile_figures(self.contract, self.last_month)

        self.assertEqual(figures["events"], 10)
        self.assertEqual(self._section(figures, "access")["total"], 5)
        self.assertEqual(self._section(figures, "eligibility")["rows"], [
            {"kind": "eligibility.refused", "label_ja": "取扱資格がなく拒否", "count": 1}])
        self.assertEqual(self._section(figures, "copies")["total"], 1)
        self.assertEqual(self._section(figures, "incidents")["total"], 1)
        self.assertEqual(self._section(figures, "structure")["total"], 1)
        self.assertEqual(self._section(figures, "subcontracting")["total"], 1)
        self.assertEqual(self._section(figures, "takeouts")["total"], 0)
        self.assertEqual(figures["accesses"], [
            {"purpose": self.tax.pk, "title": "課税", "dataset": "住民基本台帳抜粋", "searched": 3, "viewed": 1},
            {"purpose": self.reminder.pk, "title": "督促", "dataset": "住民基本台帳抜粋", "searched": 0, "viewed": 1},
        ])
        self.assertEqual(figures["ledger_head"]["seq"], last.seq)
        self.assertEqual(figures["ledger_head"]["hash"], last.hash)
        self.assertEqual(figures["from"], self.last_month.start.isoformat())

    def test_the_period_is_clipped_to_the_contract(self) -> None:
        year = periods.containing(self.contract.start, periods.YEARLY)
        figures = compile_figures(self.contract, year)
        self.assertEqual(figures["from"], self.contract.start.isoformat())
        self.assertEqual(figures["to"], min(year.end, self.contract.end).isoformat())

    def test_open_findings_and_people_are_reported(self) -> None:
        figures = compile_figures(self.contract, self.last_month)
        codes = {f["control"] for f in figures["open_findings"]}
        self.assertIn("reporting.emergency_procedure", codes)  # nothing set up yet
        self.assertEqual(figures["people"]["in_structure"], 0)
        self.assertGreaterEqual(figures["people"]["to_train"], 1)

    def test_a_period_without_events_has_the_head_before_it(self) -> None:
        # the setup's events are all of this month; the contract's first month holds none
        figures = compile_figures(self.contract, periods.containing(self.contract.start, periods.MONTHLY))
        self.assertEqual(figures["events"], 0)
        self.assertEqual(figures["ledger_head"], {"seq": 0, "hash": "", "time": ""})

"""Article 8's controls, each with compliant and violating scenarios."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from itaku.contracts.models import Role
from itaku.contracts.services import evaluate_controls
from itaku.ledger.services import record
from itaku.people import services as people
from itaku.provisions.controls import Result, State
from itaku.subcontracting import services as subcontracting
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import PASSWORD, ContractTestCase
from tests.people.helpers import make_eligible
from tests.subcontracting.chain import add_subcontractor
from tests.subcontracting.gates import pass_gates
from tests.subcontracting.support import approved, items, party_of
from tests.vault.test_import import FIELDS


def result(contract, code: str) -> Result:
    return next(r for r in evaluate_controls(contract) if r.control.code == code)


def on(day: dt.date):
    """Move the clock of the controls and services to `day`."""
    return mock.patch.object(timezone, "localdate", return_value=day)


class SubcontractingControlTestCase(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                      source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"],
                                      expected_rows=100)
        self.name_field = self.dataset.fields.get(name="氏名")
        self.request = approved(self.world, self.world.responsible, [(self.dataset, [self.name_field])])
        self.party = party_of(self.request)
        self.sub_worker = subcontracting.add_person(
            self.world.responsible, self.contract, self.party, username="sub_worker", display_name="下請 従事者",
            password=PASSWORD, role=Role.WORKER)

    def handled(self, person, fields=("氏名",)) -> None:
        """What the vault records when a person views a record (the vault's own tests cover that it does)."""
        with transaction.atomic():
            record("data.viewed", chain=self.contract.ledger_chain, actor=person,
                   facts={"person": person.pk, "purpose": 1, "dataset": self.dataset.pk, "records": [1],
                          "fields": list(fields)})


class ApprovedHandlingTests(SubcontractingControlTestCase):
    def test_handling_within_the_approval_is_ok(self) -> None:
        self.handled(self.sub_worker)
        self.assertEqual(result(self.contract, "subcontracting.approved_handling").state, State.OK)

    def test_handling_after_the_revocation_is_a_violation(self) -> None:
        subcontracting.revoke(self.world.supervisor, self.request, "監督に応じないため。")
        self.handled(self.sub_worker)
        found = result(self.contract, "subcontracting.approved_handling")
        self.assertEqual(found.state, State.VIOLATION)
        self.assertIn(self.party.organisation.name, found.findings[0].message_ja)

    def test_handling_of_fields_not_approved_is_a_violation(self) -> None:
        self.handled(self.sub_worker, fields=("氏名", "個人番号"))
        found = result(self.contract, "subcontracting.approved_handling")
        self.assertEqual(found.state, State.VIOLATION)
        self.assertIn("個人番号", found.findings[0].message_ja)

    def test_handling_by_a_subcontractor_never_approved_is_a_violation(self) -> None:
        stray = add_subcontractor(self.world, "株式会社無承認")  # in the chain without any request
        self.handled(stray.worker)
        self.assertEqual(result(self.contract, "subcontracting.approved_handling").state, State.VIOLATION)

    def test_handling_outside_the_period_is_a_violation(self) -> None:
        with on(self.request.end + dt.timedelta(days=1)), \
                mock.patch.object(timezone, "now", return_value=timezone.now() + dt.timedelta(days=400)):
            self.handled(self.sub_worker)
            self.assertEqual(result(self.contract, "subcontracting.approved_handling").state, State.VIOLATION)

    def test_without_subcontracting_it_is_ok(self) -> None:
        subcontracting.revoke(self.world.supervisor, self.request, "不要になったため。")
        self.handled(self.world.worker)  # the contractor's own handling is not article 8's business
        self.assertEqual(result(self.contract, "subcontracting.approved_handling").state, State.OK)


class SupervisionControlTests(SubcontractingControlTestCase):
    def test_supervision_within_the_declared_frequency_is_ok(self) -> None:
        subcontracting.record_supervision(self.world.responsible, self.contract, self.party,
                                          held_on=timezone.localdate(), method="on_site", findings="不備なし。")
        self.assertEqual(result(self.contract, "subcontracting.supervision").state, State.OK)

    def test_supervision_overdue_against_the_declared_frequency(self) -> None:
        due = subcontracting.next_supervision_due(self.party)
        with on(due - dt.timedelta(days=3)):
            self.assertEqual(result(self.contract, "subcontracting.supervision").state, State.DUE_SOON)
        with on(due + dt.timedelta(days=1)):
            found = result(self.contract, "subcontracting.supervision")
        self.assertEqual(found.state, State.OVERDUE)
        self.assertIn(self.party.organisation.name, found.findings[0].message_ja)

    def test_findings_not_followed_up_show_on_the_contract(self) -> None:
        today = timezone.localdate()
        done = subcontracting.record_supervision(
            self.world.responsible, self.contract, self.party, held_on=today, method="documents",
            findings="作業記録に記入漏れ。", issue_found=True)
        self.assertEqual(result(self.contract, "subcontracting.supervision").state, State.MISSING)
        subcontracting.resolve_supervision(self.world.responsible, self.contract, done, resolved_on=today,
                                           follow_up="記入を徹底させ、再確認した。")
        self.assertEqual(result(self.contract, "subcontracting.supervision").state, State.OK)


class ReportControlTests(SubcontractingControlTestCase):
    def test_a_report_delivered_in_time_is_ok(self) -> None:
        asked = subcontracting.ask_report(self.world.supervisor, self.contract, self.party, question="作業状況",
                                          due_on=timezone.localdate() + dt.timedelta(days=10))
        self.assertEqual(result(self.contract, "subcontracting.reports").state, State.OK)
        subcontracting.deliver_report(self.world.responsible, self.contract, asked, answer="計画どおり。")
        with on(asked.due_on + dt.timedelta(days=5)):
            self.assertEqual(result(self.contract, "subcontracting.reports").state, State.OK)

    def test_a_report_not_delivered_is_overdue(self) -> None:
        asked = subcontracting.ask_report(self.world.supervisor, self.contract, self.party, question="作業状況",
                                          due_on=timezone.localdate() + dt.timedelta(days=2))
        self.assertEqual(result(self.contract, "subcontracting.reports").state, State.DUE_SOON)
        with on(asked.due_on + dt.timedelta(days=1)):
            self.assertEqual(result(self.contract, "subcontracting.reports").state, State.OVERDUE)


class GateControlTests(SubcontractingControlTestCase):
    def test_an_approved_subcontractor_without_its_gates_is_missing_evidence(self) -> None:
        found = result(self.contract, "subcontracting.gates")
        self.assertEqual(found.state, State.MISSING)
        for label in ("体制の受理", "研修の修了", "誓約書", "社内規程の受理", "作業場所の確認"):
            self.assertIn(label, found.findings[0].message_ja)

    def test_handling_without_the_gates_is_a_violation(self) -> None:
        self.handled(self.sub_worker)
        self.assertEqual(result(self.contract, "subcontracting.gates").state, State.VIOLATION)

    def test_a_subcontractor_through_every_gate_is_ok(self) -> None:
        sub_responsible = subcontracting.add_person(
            self.world.responsible, self.contract, self.party, username="sub_resp", display_name="下請 責任者",
            password=PASSWORD, role=Role.RESPONSIBLE)
        pass_gates(self.world, self.party.organisation, sub_responsible, [self.sub_worker])
        self.handled(self.sub_worker)
        self.assertEqual(result(self.contract, "subcontracting.gates").state, State.OK)


class SubcontractOnFileTests(SubcontractingControlTestCase):
    def test_an_approval_without_the_subcontract_is_missing_evidence(self) -> None:
        self.assertEqual(result(self.contract, "subcontracting.subcontract_on_file").state, State.MISSING)

    def test_the_draft_subcontract_on_file_is_ok(self) -> None:
        request = subcontracting.save_request(
            self.world.responsible, self.contract, items(self.world, "株式会社契約あり"), [],
            draft_subcontract=SimpleUploadedFile("再委託契約書案.pdf", b"%PDF-1.4 draft", "application/pdf"))
        subcontracting.submit_request(self.world.responsible, request)
        subcontracting.decide(self.world.supervisor, request, approve=True)
        subcontracting.revoke(self.world.supervisor, self.request, "契約書の提出がないため。")
        self.assertEqual(result(self.contract, "subcontracting.subcontract_on_file").state, State.OK)


class EveryPartyOwnGatesTests(SubcontractingControlTestCase):
    """Articles 2 and 15's handling controls look at the handler's own party, never at another's."""

    def setUp(self) -> None:
        super().setUp()
        make_eligible(self.world)  # the contractor's structure and location are acknowledged
        self.sub_responsible = subcontracting.add_person(
            self.world.responsible, self.contract, self.party, username="sub_resp", display_name="下請 責任者",
            password=PASSWORD, role=Role.RESPONSIBLE)

    def test_a_subcontractor_worker_outside_its_own_structure_is_a_violation(self) -> None:
        version = people.save_version(self.sub_responsible, self.contract, responsible=self.sub_responsible,
                                      organisation=self.party.organisation, description="再委託先の体制", members=[])
        people.submit_version(self.sub_responsible, version)
        people.decide_version(self.world.supervisor, version, acknowledge=True)
        self.handled(self.world.worker)  # the contractor's worker: in the contractor's structure
        self.assertEqual(result(self.contract, "people.handled_within_structure").state, State.OK)
        self.handled(self.sub_worker)  # not in its party's structure, though the contractor's is acknowledged
        self.assertEqual(result(self.contract, "people.handled_within_structure").state, State.VIOLATION)

    def test_a_subcontractor_handling_before_its_own_location_is_acknowledged(self) -> None:
        self.handled(self.world.worker)
        self.assertEqual(result(self.contract, "places.before_handling").state, State.OK)
        self.handled(self.sub_worker)
        found = result(self.contract, "places.before_handling")
        self.assertEqual(found.state, State.VIOLATION)
        self.assertIn(self.party.organisation.name, found.findings[0].message_ja)

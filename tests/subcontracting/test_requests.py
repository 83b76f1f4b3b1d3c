"""The request of article 8-1 and its approval, at every level of the chain (paragraph 5)."""

from __future__ import annotations

import datetime as dt

from itaku.accounts.models import Organisation
from itaku.contracts import chain
from itaku.contracts.models import Party, Role
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.subcontracting import services as subcontracting
from itaku.subcontracting.models import Request
from itaku.submissions import services as submissions
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset
from tests.base import PASSWORD, ContractTestCase
from tests.subcontracting.support import approved, items, party_of
from tests.vault.test_import import FIELDS

Status = subcontracting.Status


class RequestTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                      source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"],
                                      expected_rows=100)
        self.name_kana = list(self.dataset.fields.filter(name__in=["氏名", "氏名カナ"]))

    def _new(self, **changes) -> Request:
        return subcontracting.save_request(self.world.responsible, self.contract, items(self.world, **changes),
                                           [(self.dataset, self.name_kana)])

    def test_rejected_with_reason_then_resubmitted_and_approved(self) -> None:
        request = self._new()
        self.assertEqual(subcontracting.status(request), Status.DRAFT)
        subcontracting.submit_request(self.world.responsible, request)
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)
        with self.assertRaises(UserError):  # a rejection needs its reasons
            subcontracting.decide(self.world.supervisor, request, approve=False)
        subcontracting.decide(self.world.supervisor, request, approve=False, comment="監督方法が具体的でない。")
        self.assertEqual(subcontracting.status(request), Status.REJECTED)
        self.assertFalse(Party.objects.exists())
        request = subcontracting.save_request(
            self.world.responsible, self.contract,
            items(self.world, supervision_method="毎月の立入確認と作業記録の確認。", supervision_months=1),
            [(self.dataset, self.name_kana)], request=request)
        subcontracting.submit_request(self.world.responsible, request)
        subcontracting.decide(self.world.supervisor, request, approve=True)
        request.refresh_from_db()
        self.assertEqual(subcontracting.status(request), Status.APPROVED)
        self.assertTrue(subcontracting.in_force(request))
        party = party_of(request)
        self.assertEqual(party.organisation.kind, Organisation.Kind.SUBCONTRACTOR)
        self.assertEqual(party.organisation.representative, "代表取締役 下請 一郎")
        self.assertEqual((party.start, party.end, party.level), (request.start, request.end, 1))
        kinds = list(Event.objects.filter(chain=self.contract.ledger_chain, kind__startswith="subcontracting.")
                     .order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds, [
            "subcontracting.request_saved", "subcontracting.request.submitted", "subcontracting.request.rejected",
            "subcontracting.request_saved", "subcontracting.request.submitted", "subcontracting.request.approved",
            "subcontracting.party_entered",
        ])
        rounds = list(submissions.rounds(request, subcontracting.REQUEST).order_by("round"))
        self.assertEqual(rounds[0].comment, "監督方法が具体的でない。")
        self.assertEqual(rounds[1].snapshot["supervision"]["months"], 1)

    def test_approval_holds_for_the_items_as_submitted(self) -> None:
        request = approved(self.world, self.world.responsible, [(self.dataset, self.name_kana)])
        with self.assertRaises(UserError):
            subcontracting.save_request(self.world.responsible, self.contract, items(self.world, work="別の業務"),
                                        [(self.dataset, self.name_kana)], request=request)
        change = subcontracting.change_request(self.world.responsible, request)
        self.assertEqual((change.work, change.replaces_id, subcontracting.status(change)),
                         (request.work, request.pk, Status.DRAFT))
        change = subcontracting.save_request(
            self.world.responsible, self.contract, items(self.world, end=self.contract.end),
            [(self.dataset, self.name_kana[:1])], request=change)
        subcontracting.submit_request(self.world.responsible, change)
        subcontracting.decide(self.world.supervisor, change, approve=True)
        request.refresh_from_db()
        change.refresh_from_db()
        self.assertEqual(subcontracting.status(request), Status.SUPERSEDED)
        self.assertEqual(change.party_id, request.party_id)
        self.assertEqual(party_of(change).end, self.contract.end)
        self.assertEqual(subcontracting.current_request(party_of(change)), change)

    def test_a_second_request_for_an_approved_subcontractor_must_be_a_change(self) -> None:
        approved(self.world, self.world.responsible)
        request = self._new()
        subcontracting.submit_request(self.world.responsible, request)
        with self.assertRaises(UserError):
            subcontracting.decide(self.world.supervisor, request, approve=True)
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)  # the failed approval left nothing

    def test_subsidiary_is_a_subcontractor_like_any_other(self) -> None:
        request = approved(self.world, self.world.responsible, name="株式会社テストデータ・サービス", subsidiary=True)
        round_ = submissions.latest(request, subcontracting.REQUEST)
        self.assertTrue(round_.snapshot["subcontractor"]["subsidiary"])
        self.assertTrue(chain.is_active(self.contract, party_of(request).organisation_id))

    def test_items_are_required_and_the_period_lies_within_the_contract(self) -> None:
        with self.assertRaises(UserError) as refused:
            self._new(necessity=" ")
        self.assertIn("why it is necessary", refused.exception.message_en)  # names the field and why
        self.assertIn("article 8", refused.exception.message_en)
        self.assertIn("再委託承認申請", refused.exception.message_ja)
        with self.assertRaises(UserError) as refused:
            self._new(end=self.contract.end + dt.timedelta(days=1))
        self.assertIn("contract's period", refused.exception.message_en)
        with self.assertRaises(UserError):
            self._new(name=self.contract.contractor.name)
        self.assertFalse(Request.objects.exists())

    def test_the_authority_adds_items_every_request_must_answer(self) -> None:
        item = subcontracting.add_item(self.world.supervisor, self.contract, "再委託先の情報セキュリティ認証の有無")
        with self.assertRaises(UserError) as refused:
            self._new()
        self.assertIn("再委託先の情報セキュリティ認証の有無", refused.exception.message_ja)
        request = subcontracting.save_request(
            self.world.responsible, self.contract, items(self.world, extra={str(item.pk): "ISMS 認証取得済み"}), [])
        self.assertEqual(request.snapshot()["extra"], [{"item": item.label, "answer": "ISMS 認証取得済み"}])
        with self.assertRaises(UserError):
            subcontracting.add_item(self.world.responsible, self.contract, "受託者は追加できない")

    def test_only_the_responsible_person_requests_and_only_the_supervisor_decides(self) -> None:
        with self.assertRaises(UserError):
            subcontracting.save_request(self.world.worker, self.contract, items(self.world), [])
        request = self._new()
        with self.assertRaises(UserError):
            subcontracting.submit_request(self.world.worker, request)
        subcontracting.submit_request(self.world.responsible, request)
        for person in (self.world.responsible, self.world.auditor):
            with self.assertRaises(UserError):
                subcontracting.decide(person, request, approve=True)
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)

    def test_a_party_cannot_ask_for_fields_it_cannot_handle_itself(self) -> None:
        first = approved(self.world, self.world.responsible, [(self.dataset, self.name_kana)])
        sub_responsible = subcontracting.add_person(
            self.world.responsible, self.contract, party_of(first), username="sub_resp", display_name="下請 責任者",
            password=PASSWORD, role=Role.RESPONSIBLE)
        with self.assertRaises(UserError):  # nothing has been shared with the subcontractor yet
            subcontracting.save_request(sub_responsible, self.contract, items(self.world, "株式会社孫請"),
                                        [(self.dataset, self.name_kana)])
        subcontracting.share(self.world.responsible, self.contract, party_of(first), self.dataset,
                             self.name_kana[:1], None)
        with self.assertRaises(UserError):  # only 氏名 was shared, not 氏名カナ
            subcontracting.save_request(sub_responsible, self.contract, items(self.world, "株式会社孫請"),
                                        [(self.dataset, self.name_kana)])
        subcontracting.save_request(sub_responsible, self.contract, items(self.world, "株式会社孫請"),
                                    [(self.dataset, self.name_kana[:1])])


class ChainTests(ContractTestCase):
    """Paragraph 5: a further level goes to the requester's own contractor, then to the authority."""

    def setUp(self) -> None:
        super().setUp()
        self.first = approved(self.world, self.world.responsible)
        self.sub_responsible = subcontracting.add_person(
            self.world.responsible, self.contract, party_of(self.first), username="sub_resp",
            display_name="下請 責任者", password=PASSWORD, role=Role.RESPONSIBLE)

    def test_second_level_needs_the_contractors_consent_and_the_authoritys_approval(self) -> None:
        request = subcontracting.save_request(self.sub_responsible, self.contract, items(self.world, "株式会社孫請"),
                                              [])
        self.assertEqual((request.level, request.needs_consent, request.upstream_id),
                         (2, True, self.contract.contractor_id))
        subcontracting.submit_request(self.sub_responsible, request)
        self.assertEqual(subcontracting.status(request), Status.AWAITING_CONSENT)
        with self.assertRaises(UserError):  # the authority cannot consent in the contractor's place
            subcontracting.consent(self.world.supervisor, request, approve=True)
        with self.assertRaises(UserError):  # nor approve before the contractor consented
            subcontracting.decide(self.world.supervisor, request, approve=True)
        subcontracting.consent(self.world.responsible, request, approve=False, comment="自社で対応する。")
        self.assertEqual(subcontracting.status(request), Status.CONSENT_REFUSED)
        subcontracting.submit_request(self.sub_responsible, request)
        subcontracting.consent(self.world.responsible, request, approve=True)
        self.assertEqual(subcontracting.status(request), Status.SUBMITTED)
        subcontracting.decide(self.world.supervisor, request, approve=True)
        request.refresh_from_db()
        second = party_of(request)
        self.assertEqual((second.level, second.parent_id), (2, self.first.party_id))

    def test_revoking_a_level_takes_every_level_below_out_at_once(self) -> None:
        second = approved(self.world, self.sub_responsible, name="株式会社孫請", consenting=self.world.responsible)
        third_responsible = subcontracting.add_person(
            self.sub_responsible, self.contract, party_of(second), username="sub2_resp", display_name="孫請 責任者",
            password=PASSWORD, role=Role.RESPONSIBLE)
        third = approved(self.world, third_responsible, name="株式会社曾孫請", consenting=self.sub_responsible)
        self.assertEqual(party_of(third).level, 3)
        orgs = [party_of(r).organisation_id for r in (self.first, second, third)]
        self.assertTrue(all(chain.is_active(self.contract, org) for org in orgs))
        with self.assertRaises(UserError):
            subcontracting.revoke(self.world.supervisor, self.first, " ")
        subcontracting.revoke(self.world.supervisor, self.first, "再委託先で事故が発生したため。")
        self.assertFalse(any(chain.is_active(self.contract, org) for org in orgs))
        self.first.refresh_from_db()
        self.assertEqual(subcontracting.status(self.first), Status.REVOKED)
        event = Event.objects.filter(kind="subcontracting.revoked").get()
        self.assertEqual(event.facts["below"], orgs[1:])
        with self.assertRaises(UserError):  # a revoked subcontractor cannot pass work on
            subcontracting.save_request(third_responsible, self.contract, items(self.world, "株式会社玄孫請"), [])

    def test_the_end_of_the_period_ends_access(self) -> None:
        party = party_of(self.first)
        self.assertTrue(party.active_on(self.first.end))
        self.assertFalse(party.active_on(self.first.end + dt.timedelta(days=1)))
        self.assertFalse(chain.is_active(self.contract, party.organisation_id, self.first.end + dt.timedelta(days=1)))
        self.assertEqual(subcontracting.status(self.first, self.first.end + dt.timedelta(days=1)), Status.ENDED)

    def test_people_of_an_approved_subcontractor(self) -> None:
        worker = subcontracting.add_person(self.sub_responsible, self.contract, party_of(self.first),
                                           username="sub_worker", display_name="下請 従事者", password=PASSWORD,
                                           role=Role.WORKER)
        self.assertEqual(worker.organisation_id, party_of(self.first).organisation_id)
        with self.assertRaises(UserError):  # a worker does not make logins
            subcontracting.add_person(worker, self.contract, party_of(self.first), username="x", display_name="x",
                                      password=PASSWORD, role=Role.WORKER)
        with self.assertRaises(UserError):  # nor does a subcontractor for the contractor's own organisation
            subcontracting.add_person(self.sub_responsible, self.contract, party_of(self.first), username="y",
                                      display_name="y", password=PASSWORD, role="supervisor")


class SupervisionAndReportTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = approved(self.world, self.world.responsible, supervision_months=1)
        self.party = party_of(self.request)

    def test_supervision_is_due_at_the_declared_frequency(self) -> None:
        self.assertEqual(subcontracting.next_supervision_due(self.party),
                         subcontracting._add_months(self.request.start, 1))
        today = dt.date.today()
        subcontracting.record_supervision(self.world.responsible, self.contract, self.party, held_on=today,
                                          method="on_site", findings="施錠管理に不備なし。")
        self.assertEqual(subcontracting.next_supervision_due(self.party), subcontracting._add_months(today, 1))
        with self.assertRaises(UserError):  # the subcontractor does not supervise itself
            subcontracting.record_supervision(self.world.supervisor, self.contract, self.party, held_on=today,
                                              method="report", findings="x")

    def test_a_requested_report_is_delivered_and_acknowledged(self) -> None:
        due = dt.date.today() + dt.timedelta(days=7)
        asked = subcontracting.ask_report(self.world.supervisor, self.contract, self.party,
                                          question="再委託先の作業状況を報告すること。", due_on=due)
        self.assertIsNone(subcontracting.delivered_on(asked))
        subcontracting.deliver_report(self.world.responsible, self.contract, asked, answer="作業は計画どおり。")
        self.assertEqual(subcontracting.delivered_on(asked), dt.date.today())
        subcontracting.acknowledge_report(self.world.supervisor, self.contract, asked, accept=True)
        with self.assertRaises(UserError):
            subcontracting.deliver_report(self.world.responsible, self.contract, asked, answer="二度目")

"""Who may open and do what on the inspection pages: the contract's roles, the first subcontractor's
responsible person and worker, and its sibling's responsible person. The contractor sees the inspections
of itself and of its chain; a subcontractor only those of itself."""

from __future__ import annotations

from itaku.inspections import services as inspections
from tests.base import ContractTestCase
from tests.inspections.support import in_days, item_of, schedule, upload
from tests.subcontracting.objects import build_chain


class InspectionMatrixTests(ContractTestCase):
    ROLES = (*ContractTestCase.ROLES, "sub_responsible", "sub_worker", "sibling_responsible")

    def setUp(self) -> None:
        super().setUp()
        self.chain = build_chain(self.world)
        for name in ("sub_responsible", "sub_worker", "sibling_responsible"):
            setattr(self.world, name, getattr(self.chain, name))
        self.own = schedule(self.world)
        self.sub = schedule(self.world, party=self.chain.party.organisation)
        report = inspections.request_report(self.world.supervisor, self.contract, self.own, question="報告すること。",
                                            due_on=in_days(5))
        inspections.deliver_report(self.world.responsible, self.contract, report, answer="報告します。",
                                   attachment=upload())
        report.refresh_from_db()
        instruction = inspections.issue_instruction(self.world.supervisor, self.contract, self.own,
                                                    text="是正すること。", due_on=in_days(5))
        sub_instruction = inspections.issue_instruction(self.world.supervisor, self.contract, self.sub,
                                                        text="是正すること。", due_on=in_days(5))
        self.params = {"c": self.own.pk, "s": self.sub.pk, "ci": item_of(self.own, 16).pk, "r": report.pk,
                       "a": report.attachment_id, "i": instruction.pk, "si": sub_instruction.pk}

    #                       sup  aud  resp work  col  out  subR subW sibR
    GET = {
        "": (200, 200, 200, 403, 404, 404, 200, 403, 200),
        "{c}/": (200, 200, 200, 403, 404, 404, 404, 403, 404),
        "{s}/": (200, 200, 200, 403, 404, 404, 200, 403, 404),
        "{c}/report.pdf": (200, 200, 200, 403, 404, 404, 404, 403, 404),
        "{s}/report.pdf": (200, 200, 200, 403, 404, 404, 200, 403, 404),
        "files/{a}/": (200, 200, 200, 403, 404, 404, 404, 403, 404),
    }
    POST = {
        "new/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "{c}/items/{ci}/": (302, 302, 403, 403, 404, 404, 404, 403, 404),
        "{c}/refresh/": (302, 302, 403, 403, 404, 404, 404, 403, 404),
        "{c}/close/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "{c}/reports/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "{c}/instructions/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "{c}/reports/{r}/deliver/": (403, 403, 302, 403, 404, 404, 404, 403, 404),
        "{c}/reports/{r}/acknowledge/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
        "{c}/instructions/{i}/answer/": (403, 403, 302, 403, 404, 404, 404, 403, 404),
        "{s}/instructions/{si}/answer/": (403, 403, 403, 403, 404, 404, 302, 403, 404),
        "{c}/instructions/{i}/close/": (302, 403, 403, 403, 404, 404, 403, 403, 403),
    }

    def test_get(self) -> None:
        self.assert_matrix("get", "inspections/", self.GET, **self.params)

    def test_post(self) -> None:
        self.assert_matrix("post", "inspections/", self.POST, **self.params)

    def test_lists_show_the_inspections_of_the_parties_seen(self) -> None:
        url = f"/contracts/{self.contract.pk}/inspections/"
        own = f"/inspections/{self.own.pk}/"
        sub = f"/inspections/{self.sub.pk}/"
        for who, sees in (("supervisor", {own, sub}), ("responsible", {own, sub}), ("sub_responsible", {sub}),
                          ("sibling_responsible", set())):
            body = self.client_for(getattr(self.world, who)).get(url).content.decode()
            self.assertEqual({link for link in (own, sub) if link in body}, sees, who)

    def test_only_the_authority_sees_what_the_controls_show(self) -> None:
        url = f"/contracts/{self.contract.pk}/inspections/{self.sub.pk}/"
        self.assertContains(self.client_for(self.world.auditor).get(url), "inspections.findings")
        for who in ("responsible", "sub_responsible"):
            self.assertNotContains(self.client_for(getattr(self.world, who)).get(url), "inspections.findings")

"""Training for every party of the chain (articles 3 and 8): a subcontractor trains its own people, sees
its own part (and the parts below it) and never the contractor's people's records."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from itaku.ledger.models import Event
from itaku.submissions.models import Attachment
from itaku.training import services
from itaku.training.models import Completion
from tests.subcontracting.chain import add_subcontractor
from tests.training.support import ALL, TrainingTestCase, csv_bytes, days_ago
from tests.training.test_document import text_of

HEADER = ["ユーザー名", "氏名", "講座", "受講日", "結果"]


def evidence_of(completion: Completion) -> int:
    return Attachment.objects.get(subject_type=ContentType.objects.get_for_model(Completion),
                                  subject_id=completion.pk).pk


class SubcontractorTrainingTests(TrainingTestCase):
    """`self.course` is the contractor's; the subcontractor's people may complete it."""

    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)

    def record(self, by, person, course=None, **extra) -> Completion:
        return services.record_completion(by, self.contract, person=person, course=course or self.course,
                                          completed_on=days_ago(2), passed=True, **extra)

    def test_the_subcontractors_responsible_person_trains_its_worker(self) -> None:
        self.assertEqual(services.missing_topics(self.sub.worker, self.contract), frozenset(ALL))
        completion = self.record(self.sub.responsible, self.sub.worker)
        self.assertEqual(services.missing_topics(self.sub.worker, self.contract), frozenset())
        event = Event.objects.filter(chain=self.contract.ledger_chain, kind="training.completion_recorded").get()
        facts = event.facts
        self.assertEqual((event.actor_id, facts["person"], facts["organisation"], facts["completion"]),
                         (self.sub.responsible.pk, self.sub.worker.pk, self.sub.organisation.pk, completion.pk))

    def test_a_party_records_only_its_own_peoples_training(self) -> None:
        for by, person in ((self.sub.responsible, self.world.worker), (self.world.responsible, self.sub.worker)):
            with self.assertRaises(services.TrainingError) as caught:
                self.record(by, person)
            self.assertIn("受講者が所属する組織", caught.exception.message_ja)
        self.assertFalse(Completion.objects.exists())
        self.assertFalse(Event.objects.filter(kind="training.completion_recorded").exists())
        self.record(self.world.supervisor, self.sub.worker)  # the authority may record anyone's

    def test_own_courses_are_for_the_own_people_and_those_below(self) -> None:
        below = add_subcontractor(self.world, name="株式会社孫請", parent=self.sub.party)
        sibling = add_subcontractor(self.world, name="株式会社別下請")
        own = services.add_course(self.sub.responsible, self.contract, title="下請社内研修", topics=["work"])
        self.assertEqual(own.organisation, self.sub.organisation)
        self.record(self.sub.responsible, self.sub.worker, course=own)
        self.record(below.responsible, below.worker, course=own)
        for by, person in ((self.world.responsible, self.world.worker), (sibling.responsible, sibling.worker)):
            with self.assertRaises(services.TrainingError):
                self.record(by, person, course=own)
        self.assertEqual(set(services.courses_for(self.contract, sibling.organisation)), {self.course})
        self.assertEqual(set(services.courses_for(self.contract, below.organisation)), {self.course, own})

    def test_people_to_train_per_party_and_for_the_whole_chain(self) -> None:
        sub_people = [self.sub.responsible, self.sub.worker]
        self.assertEqual(services.people_to_train(self.contract, self.sub.organisation), sub_people)
        self.assertEqual(services.people_to_train(self.contract, self.world.contractor),
                         [self.world.responsible, self.world.worker])
        self.assertEqual(services.people_to_train(self.contract),
                         [self.world.responsible, self.world.worker, *sub_people])

    def test_csv_import_takes_only_the_importing_partys_people(self) -> None:
        good = csv_bytes([HEADER, [self.sub.worker.username, "", "個人情報保護研修", "2025-04-01", "修了"]])
        report = services.import_completions(self.sub.responsible, self.contract, good)
        self.assertEqual((report.ok, report.imported), (True, 1))
        self.assertEqual(Completion.objects.get().person, self.sub.worker)
        event = Event.objects.get(chain=self.contract.ledger_chain, kind="training.imported")
        self.assertEqual(event.facts["organisation"], self.sub.organisation.pk)

        stranger = csv_bytes([HEADER, ["worker", "", "個人情報保護研修", "2025-04-02", "修了"]])
        report = services.import_completions(self.sub.responsible, self.contract, stranger)
        self.assertEqual([str(e) for e in report.errors],
                         ["2行目「ユーザー名」: この再委託先の利用者ではありません"
                          "（取り込めるのは自組織の従業者だけです）。 / Row 2, column “ユーザー名”: "
                          "not a user of this subcontractor (only its own people can be imported)."])
        with self.assertRaises(services.TrainingError):
            services.import_completions(self.sub.responsible, self.contract, stranger,
                                        organisation=self.world.contractor)
        self.assertEqual(Completion.objects.count(), 1)

    def test_csv_import_refuses_another_subcontractors_course(self) -> None:
        sibling = add_subcontractor(self.world, name="株式会社別下請")
        services.add_course(sibling.responsible, self.contract, title="別下請の研修", topics=["work"])
        data = csv_bytes([HEADER, [self.sub.worker.username, "", "別下請の研修", "2025-04-01", "修了"]])
        report = services.import_completions(self.sub.responsible, self.contract, data)
        self.assertFalse(report.ok)
        self.assertIn("他の再委託先の講座", str(report.errors[0]))
        self.assertFalse(Completion.objects.exists())

    def test_the_command_imports_for_the_party_of_by(self) -> None:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "sub.csv"
        row = [self.sub.worker.username, "", "個人情報保護研修", "令和7年4月1日", "修了"]
        path.write_bytes(csv_bytes([HEADER, row], "cp932"))
        out = StringIO()
        call_command("training", "import", self.contract.number, str(path), "--by", self.sub.responsible.username,
                     stdout=out)
        self.assertIn("imported: 1", out.getvalue())
        self.assertEqual(Completion.objects.get().recorded_by, self.sub.responsible)


class SubcontractorPageTests(TrainingTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sub = add_subcontractor(self.world)
        self.contractors = services.record_completion(
            self.world.responsible, self.contract, person=self.world.worker, course=self.course,
            completed_on=days_ago(3), passed=True, evidence=SimpleUploadedFile("c.pdf", b"contractor's"))
        self.subs = services.record_completion(
            self.sub.responsible, self.contract, person=self.sub.worker, course=self.course,
            completed_on=days_ago(3), passed=True, evidence=SimpleUploadedFile("s.pdf", b"sub's"))

    def url(self, path: str = "", party=None) -> str:
        query = f"?party={party.pk}" if party is not None else ""
        return f"/contracts/{self.contract.pk}/training/{path}{query}"

    def test_a_subcontractor_sees_its_own_part_only(self) -> None:
        client = self.client_for(self.sub.responsible)
        response = client.get(self.url())
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertIn(f"<small>{self.sub.worker.username}</small>", body)
        self.assertNotIn("<small>worker</small>", body)
        self.assertNotIn("<small>responsible</small>", body)
        self.assertEqual([row["id"] for row in response.context["completions"]], [self.subs.pk])
        for path in ("", "completions.pdf"):
            self.assertEqual(client.get(self.url(path, self.world.contractor)).status_code, 404, path)
        self.assertEqual(client.get(self.url(f"files/{evidence_of(self.contractors)}/")).status_code, 404)
        self.assertEqual(client.get(self.url(f"files/{evidence_of(self.subs)}/")).status_code, 200)
        pdf = text_of(client.get(self.url("completions.pdf")).content)
        self.assertIn(f"({self.sub.worker.username})", pdf)
        self.assertNotIn("(worker)", pdf)

    def test_the_contractor_and_the_authority_see_the_subcontractors_part(self) -> None:
        for user in (self.world.responsible, self.world.supervisor):
            client = self.client_for(user)
            own = client.get(self.url())
            self.assertIn('name="party"', own.content.decode())  # the switch: there are two parties
            self.assertEqual([row["id"] for row in own.context["completions"]], [self.contractors.pk])
            response = client.get(self.url(party=self.sub.organisation))
            self.assertEqual([row["id"] for row in response.context["completions"]], [self.subs.pk], user)
            self.assertIn(f"<small>{self.sub.responsible.username}</small>", response.content.decode())
            self.assertEqual(client.get(self.url(f"files/{evidence_of(self.subs)}/")).status_code, 200)
            pdf = text_of(client.get(self.url("completions.pdf", self.sub.organisation)).content)
            self.assertIn(self.sub.organisation.name, pdf)
            self.assertIn(f"({self.sub.worker.username})", pdf)
            self.assertNotIn("(worker)", pdf)

    def test_the_completion_form_offers_the_own_people_only(self) -> None:
        form = self.client_for(self.sub.responsible).get(self.url()).context["completion_form"]
        self.assertEqual(set(form.fields["person"].queryset), {self.sub.responsible, self.sub.worker})
        self.assertIsNone(self.client_for(self.world.responsible).get(
            self.url(party=self.sub.organisation)).context["completion_form"])

    def test_a_subcontractor_cannot_record_the_contractors_people(self) -> None:
        client = self.client_for(self.sub.responsible)
        response = client.post(self.url("completions/add/"), {
            "person": self.world.worker.pk, "course": self.course.pk, "completed_on": days_ago(1).isoformat(),
            "result": "failed",
        }, follow=True)
        self.assertContains(response, "受講記録の入力に誤りがあります")
        self.assertEqual(Completion.objects.filter(person=self.world.worker).count(), 1)
        response = client.post(self.url("completions/add/"), {
            "person": self.sub.worker.pk, "course": self.course.pk, "completed_on": days_ago(1).isoformat(),
            "result": "passed",
        })
        self.assertRedirects(response, self.url())
        self.assertEqual(Completion.objects.filter(person=self.sub.worker).count(), 2)

    def test_the_import_page_takes_the_own_people_only(self) -> None:
        client = self.client_for(self.sub.responsible)
        data = csv_bytes([HEADER, ["worker", "", "個人情報保護研修", "2025-04-01", "修了"]])
        response = client.post(self.url("import/"), {"file": SimpleUploadedFile("x.csv", data)})
        self.assertContains(response, "この再委託先の利用者ではありません")
        self.assertEqual(Completion.objects.count(), 2)
        self.assertContains(client.get(self.url("import/")), self.sub.organisation.name)

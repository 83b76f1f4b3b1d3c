"""Courses and completions through the services: their rules, attachments and ledger events."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from itaku.contracts import services as contracts
from itaku.ledger.models import Event
from itaku.submissions.models import Attachment
from itaku.training import services
from itaku.training.models import Completion, Course
from tests.training.support import ALL, TrainingTestCase, days_ago, today


def events(contract, kind: str) -> list[Event]:
    return list(Event.objects.filter(chain=contract.ledger_chain, kind=kind).order_by("seq"))


class CourseTests(TrainingTestCase):
    def test_added_with_owner_topics_material_and_event(self) -> None:
        material = SimpleUploadedFile("研修資料.pdf", b"%PDF-1.4 slides", content_type="application/pdf")
        course = services.add_course(self.world.supervisor, self.contract, title="　ＳＥＣ研修 ",
                                     topics=["work", "security"], summary="標的型メール", material=material)
        self.assertEqual(course.title, "SEC研修")
        self.assertEqual(course.organisation, self.world.authority)
        self.assertEqual(course.topics, ["security", "work"])
        attachment = Attachment.objects.get(subject_type=ContentType.objects.get_for_model(Course),
                                            subject_id=course.pk)
        self.assertTrue(attachment.intact())
        event = events(self.contract, "training.course_added")[-1]
        self.assertEqual(event.facts, {"course": course.pk, "organisation": self.world.authority.pk,
                                       "topics": ["security", "work"], "material": True})
        self.assertEqual(event.articles, [3])
        self.assertNotIn("SEC", event.facts_json)  # titles are typed text: not in the ledger

    def test_title_unique_per_contract_after_normalising(self) -> None:
        with self.assertRaises(services.TrainingError):
            self.add_course("個人情報保護研修 ", ALL)
        with self.assertRaises(services.TrainingError):
            self.add_course("  ", ALL)

    def test_topics_must_be_known_and_present(self) -> None:
        for topics in ([], ["privacy", "cooking"]):
            with self.assertRaises(services.TrainingError):
                self.add_course("新しい研修", topics)
        self.assertFalse(Course.objects.filter(title="新しい研修").exists())

    def test_only_parties_define_courses(self) -> None:
        with self.assertRaises(services.TrainingError):
            services.add_course(self.world.outsider, self.contract, title="よその研修", topics=ALL)

    def test_an_ended_contract_takes_no_changes(self) -> None:
        contracts.end_contract(self.world.supervisor, self.contract)
        self.contract.refresh_from_db()
        with self.assertRaises(services.TrainingError):
            self.add_course("終了後の研修", ALL)
        with self.assertRaises(services.TrainingError):
            self.complete(self.world.worker, days_ago(1))
        with self.assertRaises(services.TrainingError):
            services.import_completions(self.world.responsible, self.contract, b"a,b\r\n")
        with self.assertRaises(services.TrainingError):
            services.change_settings(self.world.supervisor, self.contract, validity_months=6, required_topics=ALL)


class CompletionTests(TrainingTestCase):
    def test_recorded_with_evidence_and_event(self) -> None:
        evidence = SimpleUploadedFile("修了証.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
        completion = services.record_completion(
            self.world.responsible, self.contract, person=self.world.worker, course=self.course,
            completed_on=days_ago(2), passed=True, evidence=evidence,
        )
        attachment = Attachment.objects.get(subject_type=ContentType.objects.get_for_model(Completion),
                                            subject_id=completion.pk)
        self.assertEqual(attachment.document_date, days_ago(2))
        event = events(self.contract, "training.completion_recorded")[-1]
        self.assertEqual(event.facts, {"completion": completion.pk, "person": self.world.worker.pk,
                                       "organisation": self.world.contractor.pk, "course": self.course.pk,
                                       "passed": True, "corrects": None, "evidence": True})
        self.assertEqual(event.actor_id, self.world.responsible.pk)

    def test_person_must_belong_to_the_contractor(self) -> None:
        for person in (self.world.supervisor, self.world.foreign_responsible):
            with self.assertRaises(services.TrainingError):
                self.complete(person, days_ago(1))
        self.assertFalse(Completion.objects.exists())

    def test_course_of_another_contract_is_refused(self) -> None:
        other = contracts.create_contract(
            self.world.supervisor, number="X-2", title="別", contractor=self.world.contractor,
            start=self.contract.start, end=self.contract.end, provisions=self.world.provisions,
        )
        course = services.add_course(self.world.supervisor, other, title="別契約の研修", topics=ALL)
        with self.assertRaises(services.TrainingError):
            self.complete(self.world.worker, days_ago(1), course=course)

    def test_no_future_dates(self) -> None:
        with self.assertRaises(services.TrainingError):
            self.complete(self.world.worker, today() + dt.timedelta(days=1))
        self.complete(self.world.worker, today())

    def test_a_correction_replaces_once_and_only_the_same_persons_record(self) -> None:
        wrong = self.complete(self.world.worker, days_ago(3))
        with self.assertRaises(services.TrainingError):
            self.complete(self.world.responsible, days_ago(3), corrects=wrong)
        fixed = self.complete(self.world.worker, days_ago(4), corrects=wrong)
        self.assertEqual(fixed.corrects, wrong)
        with self.assertRaises(services.TrainingError):
            self.complete(self.world.worker, days_ago(4), corrects=wrong)
        self.assertEqual(events(self.contract, "training.completion_recorded")[-1].facts["corrects"], wrong.pk)
        self.assertEqual(Completion.objects.count(), 2)  # nothing deleted


class SettingsTests(TrainingTestCase):
    def test_created_on_first_change_with_event(self) -> None:
        settings = services.change_settings(self.world.supervisor, self.contract, validity_months=24,
                                            required_topics=["work", "privacy"])
        self.assertIsNotNone(settings.pk)
        self.assertEqual(settings.required_topics, ["privacy", "work"])
        event = events(self.contract, "training.settings_changed")[-1]
        self.assertEqual(event.facts, {"validity_months": 24, "required_topics": ["privacy", "work"],
                                       "changed": ["validity_months", "required_topics"]})

    def test_unchanged_settings_write_nothing(self) -> None:
        services.change_settings(self.world.supervisor, self.contract, validity_months=12, required_topics=ALL)
        self.assertEqual(events(self.contract, "training.settings_changed"), [])

    def test_bounds(self) -> None:
        for months, topics in ((0, ALL), (61, ALL), (12, []), (12, ["nap"])):
            with self.assertRaises(services.TrainingError):
                services.change_settings(self.world.supervisor, self.contract, validity_months=months,
                                         required_topics=topics)
        self.assertIsNone(services.settings_for(self.contract).pk)

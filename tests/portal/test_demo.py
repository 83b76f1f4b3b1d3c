"""The demo data: loads through the services, verifies, and its accounts work only in demo mode."""

from __future__ import annotations

import io
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import Client, TestCase, override_settings

from itaku.accounts.models import User
from itaku.contracts.models import Contract
from itaku.contracts.services import evaluate_controls
from itaku.incidents import services as incidents
from itaku.incidents.models import Incident, Publication
from itaku.ledger.services import chains, verify_chain
from itaku.people.eligibility import evaluate
from itaku.portal import demo
from itaku.provisions.controls import State
from itaku.vault import sharing
from itaku.vault.collection import records_accounted
from itaku.vault.models import Dataset, Handover, Record
from itaku.vault.services import import_file


class DemoTests(TestCase):
    def test_loads_once_and_verifies(self) -> None:
        out = StringIO()
        call_command("demo", stdout=out)
        self.assertIn("yamada", out.getvalue())
        self.assertIn(demo.DEMO_PASSWORD, out.getvalue())
        self.assertEqual(Contract.objects.count(), 3)
        self.assertEqual(Contract.objects.filter(status="active").count(), 2)
        self.assertTrue(Contract.objects.filter(title="住民税課税資料のデータ入力業務").exists())
        for key in chains():
            self.assertTrue(verify_chain(key).ok, key)
        with self.assertRaises(CommandError):
            call_command("demo", stdout=StringIO())
        again = StringIO()
        call_command("demo", "--if-empty", stdout=again)
        self.assertIn("tanaka", again.getvalue())
        self.assertEqual(Contract.objects.count(), 3)

    def test_demo_accounts_log_in_only_in_demo_mode(self) -> None:
        demo.load()
        with override_settings(DEMO=False):
            self.assertFalse(Client().login(username="yamada", password=demo.DEMO_PASSWORD))
        with override_settings(DEMO=True):
            client = Client()
            self.assertTrue(client.login(username="yamada", password=demo.DEMO_PASSWORD))
            body = client.get("/").content.decode()
        for number in Contract.objects.values_list("number", flat=True):
            self.assertIn(number, body)


class DemoArticlesTests(TestCase):
    def test_demo_workers_meet_articles_2_to_5_and_15_but_one(self) -> None:
        demo.load()
        suzuki, takahashi = User.objects.get(username="suzuki"), User.objects.get(username="takahashi")
        contract = Contract.objects.get(roles__user=takahashi, status="active")
        self.assertTrue(evaluate(suzuki, contract, "127.0.0.1").allowed)
        self.assertEqual([r.code for r in evaluate(takahashi, contract, "127.0.0.1").reasons], ["untrained"])
        self.assertEqual([r.code for r in evaluate(suzuki, contract, "203.0.113.9").reasons], ["outside_location"])


class DemoSubcontractingTests(TestCase):
    def test_the_subcontractor_passed_its_gates_and_holds_a_share(self) -> None:
        demo.load()
        matsumoto = User.objects.get(username="matsumoto")
        dataset = Dataset.objects.get(name="住民基本台帳抜粋")
        contract = dataset.contract
        self.assertTrue(evaluate(matsumoto, contract, "127.0.0.1").allowed)
        self.assertEqual(sharing.grant(dataset, matsumoto.organisation_id).fields,
                         frozenset({"宛名番号", "氏名", "氏名カナ", "住所"}))
        results = {r.control.code: r.state for r in evaluate_controls(contract)}
        for code in ("subcontracting.gates", "subcontracting.approved_handling", "subcontracting.supervision"):
            self.assertEqual(results[code], State.OK, code)


class DemoOversightTests(TestCase):
    def test_destinations_reports_and_emergency_contacts_are_set(self) -> None:
        demo.load()
        for contract in Contract.objects.filter(status="active"):
            results = {r.control.code: r.state for r in evaluate_controls(contract)}
            self.assertEqual(results["reporting.emergency_procedure"], State.OK, contract.number)
            self.assertTrue(contract.takeout_destinations.exists())
            self.assertTrue(contract.inspections.exists())
        response = Client().get("/published/")  # the public page of the demo, without login
        self.assertEqual(response.status_code, 200)


@override_settings(DEMO=True)  # the demo accounts log in only in demo mode
class DemoIncidentsTests(TestCase):
    def setUp(self) -> None:
        demo.load()
        self.supervisor = Client()
        self.supervisor.force_login(User.objects.get(username="yamada"))

    def page(self, incident: Incident) -> str:
        response = self.supervisor.get(f"/contracts/{incident.contract_id}/incidents/{incident.pk}/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_an_open_suspected_incident_with_its_report_begun(self) -> None:
        incident = Incident.objects.get(kind=Incident.Kind.SUSPECTED)
        self.assertEqual(incident.raised_by.username, "suzuki")
        self.assertEqual(incident.contract.title, "住民税課税資料のデータ入力業務")
        self.assertFalse(incident.is_closed)
        self.assertTrue(incident.what_happened and incident.data_items and incident.containment)
        self.assertIsNone(incident.people_count)  # partly filled: not yet submittable
        self.assertIsNone(incidents.submissions.latest(incident, incidents.REPORT_KIND))
        self.assertIn(incident.summary, self.page(incident))

    def test_a_closed_incident_reported_instructed_answered_and_published(self) -> None:
        incident = Incident.objects.get(kind=Incident.Kind.OCCURRED)
        self.assertEqual(incident.contract.contractor.name, "株式会社品川情報処理センター")
        self.assertEqual(incident.raised_by.username, "watanabe")
        self.assertTrue(incident.is_closed)
        self.assertIsNotNone(incidents.submissions.accepted(incident, incidents.REPORT_KIND))
        self.assertEqual([incidents.answered(i) for i in incident.instructions.all()], [True])
        self.assertIsNotNone(incident.people_informed_on)
        publication = Publication.objects.get()
        self.assertEqual((publication.incident, publication.title), (incident, demo.PUBLISHED_TITLE))
        self.assertIn(demo.PUBLISHED_TITLE, self.page(incident))
        results = {r.control.code: r.state for r in evaluate_controls(incident.contract)}
        for code in ("incidents.report_written", "incidents.publication_clean"):
            self.assertEqual(results[code], State.OK, code)

    def test_the_public_page_and_feed_show_the_publication_without_login(self) -> None:
        for url in ("/published/", "/published/feed/"):
            response = Client().get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn(demo.PUBLISHED_TITLE, response.content.decode(), url)


class DemoDatasetTests(TestCase):
    def test_the_juki_extract_is_specific_handed_over_and_accounted_for(self) -> None:
        demo.load()
        dataset = Dataset.objects.get(name="住民基本台帳抜粋")
        self.assertEqual(dataset.contract.contractor.name, "株式会社東京データサービス")
        self.assertEqual(dataset.contract.status, "active")
        self.assertEqual(dataset.source, Dataset.Source.ENTRUSTED)
        self.assertTrue(dataset.is_specific)
        self.assertEqual(list(dataset.fields.filter(searchable=True).values_list("name", flat=True)),
                         ["氏名", "氏名カナ"])
        held = Record.objects.filter(dataset=dataset).count()
        self.assertEqual(held, demo.JUKI_ROWS)
        self.assertEqual(sum(Handover.objects.filter(dataset=dataset).values_list("count", flat=True)), held)
        self.assertEqual(list(records_accounted(dataset.contract)), [])

    def test_the_sample_file_is_cp932_and_imports_cleanly(self) -> None:
        demo.load()
        dataset = Dataset.objects.get(name="住民基本台帳抜粋")
        data = demo.JUKI_SAMPLE.read_bytes()
        data.decode("cp932")
        with self.assertRaises(UnicodeDecodeError):
            data.decode("utf-8")
        tanaka = User.objects.get(username="tanaka")
        report = import_file(tanaka, dataset, io.BytesIO(data))
        self.assertTrue(report.ok, [str(e) for e in report.errors])
        self.assertEqual((report.encoding, report.imported), ("cp932", 20))
        # 20 records more than the handovers account for: the control asks for the handover of the new file.
        self.assertEqual([f.state for f in records_accounted(dataset.contract)], ["missing_evidence"])

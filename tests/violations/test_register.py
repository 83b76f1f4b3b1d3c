"""Article 20: the violations register, the authority's decisions, its control and the evidence package."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from unittest import mock

from django.utils import timezone
from pypdf import PdfReader

from itaku.contracts.services import evaluate_controls
from itaku.ledger import chain as canonical
from itaku.ledger.models import Event
from itaku.lib.errors import UserError
from itaku.provisions.controls import State
from itaku.vault.models import Dataset
from itaku.vault.services import create_dataset, import_file
from itaku.violations import services
from itaku.violations.models import Decision, Violation
from tests.base import ContractTestCase
from tests.people.helpers import declare_structure
from tests.rules.helpers import RulesTestCase
from tests.vault.test_import import FIELDS, HEADER, ROW


def state(contract, code: str) -> State:
    return next(r for r in evaluate_controls(contract) if r.control.code == code).state


class RegisterTests(ContractTestCase):
    def test_violations_are_recorded_once_and_noted_when_no_longer_found(self) -> None:
        found = services.current_violations(self.contract)
        self.assertIn("people.responsible_named", [f.control for f in found])
        rows = services.refresh(self.world.supervisor, self.contract)
        self.assertEqual(len(rows), len(found))
        services.refresh(self.world.auditor, self.contract)  # the same violations: nothing new
        self.assertEqual(Violation.objects.count(), len(found))
        self.assertEqual(Event.objects.filter(kind="violations.recorded").count(), len(found))
        declare_structure(self.world)  # the responsible person is named now
        services.refresh(self.world.supervisor, self.contract)
        named = Violation.objects.get(control="people.responsible_named")
        self.assertIsNotNone(named.cleared_at)
        self.assertTrue(Event.objects.filter(kind="violations.no_longer_found", facts__violation=named.pk).exists())
        with self.assertRaises(UserError):
            services.refresh(self.world.responsible, self.contract)  # the authority's register

    def test_the_authority_decides_with_reasons(self) -> None:
        violation = services.refresh(self.world.supervisor, self.contract)[0]
        with self.assertRaises(UserError):
            services.decide(self.world.supervisor, violation, kind="instruction", reason=" ")
        with self.assertRaises(UserError):
            services.decide(self.world.auditor, violation, kind="dismissed", reason="軽微")
        services.decide(self.world.supervisor, violation, kind="instruction", reason="体制届を7日以内に提出すること。")
        self.assertEqual(violation.decision.kind, Decision.Kind.INSTRUCTION)
        event = Event.objects.get(kind="violations.decided")
        self.assertEqual(event.facts["kind"], "instruction")
        self.assertNotIn("体制届", json.dumps(event.facts, ensure_ascii=False))


class DecidedControlTests(ContractTestCase):
    def test_an_undecided_violation_is_missing_evidence_and_a_decided_one_ok(self) -> None:
        self.assertEqual(state(self.contract, "violations.decided"), State.OK)  # nothing recorded yet
        rows = services.refresh(self.world.supervisor, self.contract)
        self.assertEqual(state(self.contract, "violations.decided"), State.MISSING)
        for row in rows:
            services.decide(self.world.supervisor, row, kind="dismissed", reason="契約開始直後のため")
        self.assertEqual(state(self.contract, "violations.decided"), State.OK)

    def test_an_instruction_not_followed_in_time_is_overdue(self) -> None:
        for row in services.refresh(self.world.supervisor, self.contract):
            services.decide(self.world.supervisor, row, kind="instruction", reason="是正すること")
        self.assertEqual(state(self.contract, "violations.decided"), State.OK)
        later = timezone.now() + dt.timedelta(days=31)
        with mock.patch.object(timezone, "now", return_value=later):
            self.assertEqual(state(self.contract, "violations.decided"), State.OVERDUE)


class EvidencePackageTests(RulesTestCase):
    def test_the_package_holds_the_register_documents_and_a_verifiable_ledger_without_personal_data(self) -> None:
        self.submit(self.new_version("rules of the contractor"))
        dataset = create_dataset(self.world.supervisor, self.contract, name="住民基本台帳抜粋",
                                 source=Dataset.Source.ENTRUSTED, fields=FIELDS, purposes=["課税"], expected_rows=10)
        import_file(self.world.responsible, dataset, io.BytesIO((HEADER + ROW.format(n=1)).encode("cp932")))
        today = timezone.localdate()
        data, digest = services.evidence_package(self.world.auditor, self.contract, self.contract.start, today)
        self.assertEqual(hashlib.sha256(data).hexdigest(), digest)
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
        for name, entry in manifest["files"].items():
            self.assertEqual(hashlib.sha256(archive.read(name)).hexdigest(), entry["sha256"], name)
        self.assertTrue(manifest["chain_ok"])
        register = json.loads(archive.read("register.json"))
        self.assertIn("people.responsible_named", [r["control"] for r in register])
        self.assertTrue(archive.read("register.csv").startswith(b"\xef\xbb\xbf"))
        self.assertTrue(archive.read("register.pdf").startswith(b"%PDF"))
        documents = [name for name in archive.namelist() if name.startswith("documents/")]
        self.assertTrue(any(name.endswith("rules.pdf") for name in documents), documents)
        lines = archive.read("ledger.jsonl").splitlines()
        self.assertGreater(len(lines), 5)
        for line in lines:  # every event recomputes to its hash
            event = json.loads(line)
            recorded = event.pop("hash")
            self.assertEqual(canonical.event_hash(event), recorded)
        whole = b"".join(archive.read(name) for name in archive.namelist())
        for value in ("髙橋".encode(), b"123456789018", b"03-3777-1111"):
            self.assertNotIn(value, whole)
        self.assertTrue(Event.objects.filter(kind="violations.evidence_package", facts__sha256=digest).exists())

    def test_a_period_that_ends_before_it_starts_is_refused(self) -> None:
        with self.assertRaises(UserError):
            services.evidence_package(self.world.supervisor, self.contract, timezone.localdate(),
                                      timezone.localdate() - dt.timedelta(days=1))


class PageTests(ContractTestCase):
    def test_permission_matrix(self) -> None:
        self.assert_matrix("get", "violations/", {"": (200, 200, 403, 403, 404, 404)})
        self.assert_matrix("post", "violations/", {"refresh/": (302, 302, 403, 403, 404, 404)})
        violation = Violation.objects.first()
        self.assert_matrix("post", "violations/", {"{v}/decide/": (302, 403, 403, 403, 404, 404)}, v=violation.pk)

    def test_the_supervisor_records_and_decides_through_the_page(self) -> None:
        client = self.client_for(self.world.supervisor)
        page = client.get(f"/contracts/{self.contract.pk}/violations/").content.decode()
        self.assertIn("people.responsible_named", page)
        client.post(f"/contracts/{self.contract.pk}/violations/refresh/")
        violation = Violation.objects.get(control="people.responsible_named")
        client.post(f"/contracts/{self.contract.pk}/violations/{violation.pk}/decide/",
                    {"kind": "termination", "reason": "是正指示に従わないため契約を解除する。"})
        self.assertEqual(violation.decision.kind, Decision.Kind.TERMINATION)
        response = client.post(f"/contracts/{self.contract.pk}/violations/evidence.zip",
                               {"start": self.contract.start.isoformat(), "end": timezone.localdate().isoformat()})
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn("register.json", zipfile.ZipFile(io.BytesIO(response.content)).namelist())


class RegisterDocumentTests(ContractTestCase):
    def test_the_register_pdf_names_each_violation_and_its_decision(self) -> None:
        violation = services.refresh(self.world.supervisor, self.contract)[0]
        services.decide(self.world.supervisor, violation, kind="instruction", reason="体制届を提出すること。")
        response = self.client_for(self.world.auditor).get(f"/contracts/{self.contract.pk}/violations/register.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        text = "".join(text.split())
        for expected in ("違反等記録簿", self.contract.number, violation.control, "指示", "体制届を提出すること。"):
            self.assertIn(expected, text)
        self.assertEqual(self.client_for(self.world.responsible).get(
            f"/contracts/{self.contract.pk}/violations/register.pdf").status_code, 403)

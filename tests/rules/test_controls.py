"""The article 5 control: each state with a compliant and a violating scenario, and its evidence."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from itaku.contracts import services as contracts
from itaku.provisions.controls import Result, State
from itaku.rules import controls
from itaku.rules.models import RulesVersion
from itaku.submissions.models import Attachment
from tests.rules.helpers import RulesTestCase

CODE = "rules.submitted"


class RulesControlTests(RulesTestCase):
    def result(self) -> Result:
        self.contract.refresh_from_db()
        return next(r for r in contracts.evaluate_controls(self.contract) if r.control.code == CODE)

    def states(self) -> list[State]:
        return [f.state for f in self.result().findings]

    def _age(self, version: RulesVersion, days: int) -> None:
        RulesVersion.objects.filter(pk=version.pk).update(created=timezone.now() - dt.timedelta(days=days))

    def _acknowledged(self, text: str = "v1") -> RulesVersion:
        version = self.new_version(text)
        self.submit(version)
        self.acknowledge(version)
        return version

    def test_compliant_acknowledged_and_nothing_newer(self) -> None:
        self._acknowledged()
        result = self.result()
        self.assertEqual(result.state, State.OK)
        self.assertEqual(result.articles, (5,))
        self.assertEqual(result.findings[0].evidence[0].label, "rules.version.acknowledged")
        self.assertTrue(result.findings[0].evidence[0].ref.startswith(f"ledger:{self.contract.ledger_chain}#"))

    def test_missing_when_nothing_was_handed_in(self) -> None:
        self.assertEqual(self.result().state, State.MISSING)

    def test_missing_while_pending_acknowledgement(self) -> None:
        self.submit(self.new_version())
        result = self.result()
        self.assertEqual(result.state, State.MISSING)
        self.assertEqual(self.states(), [State.MISSING])
        self.assertIn("pending acknowledgement", result.findings[0].message_en)
        self.assertEqual(result.findings[0].evidence[0].label, "rules.version.submitted")

    def test_missing_when_returned(self) -> None:
        version = self.new_version()
        self.submit(version)
        self.give_back(version)
        self.assertEqual(self.states(), [State.MISSING, State.MISSING])
        self.assertIn("returned", self.result().findings[1].message_en)

    def test_new_version_is_due_soon_with_its_deadline(self) -> None:
        self._acknowledged()
        newer = self.new_version("v2")
        self._age(newer, 3)
        deadline = timezone.localdate() + dt.timedelta(days=11)
        result = self.result()
        self.assertEqual(result.state, State.DUE_SOON)
        self.assertEqual(self.states(), [State.OK, State.DUE_SOON])
        self.assertIn(f"{deadline:%Y-%m-%d}", result.findings[1].message_en)
        self.assertIn(f"{deadline:%Y-%m-%d}", result.findings[1].message_ja)
        self.assertEqual(result.findings[1].evidence[0].label, "rules.version_uploaded")

    def test_violation_when_a_new_version_is_not_submitted_within_14_days(self) -> None:
        self._acknowledged()
        self._age(self.new_version("v2"), 15)
        result = self.result()
        self.assertEqual(result.state, State.VIOLATION)
        self.assertIn("was not submitted by the deadline", result.findings[1].message_en)

    def test_submitting_in_time_clears_it(self) -> None:
        self._acknowledged()
        newer = self.new_version("v2")
        self._age(newer, 13)
        self.submit(newer)
        self.assertEqual(self.states(), [State.OK, State.MISSING])

    def test_the_deadline_runs_from_the_first_unsubmitted_upload(self) -> None:
        self._acknowledged()
        self._age(self.new_version("v2"), 20)
        self.new_version("v3")  # a further change does not restart the clock
        self.assertEqual(self.result().state, State.VIOLATION)

    def test_deadline_day_is_still_in_time(self) -> None:
        version = self.new_version()
        uploaded = timezone.localdate(version.created)
        on_the_day = list(controls.findings(self.contract, uploaded + dt.timedelta(days=14)))
        day_after = list(controls.findings(self.contract, uploaded + dt.timedelta(days=15)))
        self.assertEqual([f.state for f in on_the_day], [State.MISSING, State.DUE_SOON])
        self.assertEqual([f.state for f in day_after], [State.MISSING, State.VIOLATION])

    def test_change_after_acknowledgement_is_a_violation(self) -> None:
        version = self._acknowledged()
        self.assertEqual(self.result().state, State.OK)
        Attachment.objects.filter(pk=version.attachment_id).update(sha256="f" * 64)
        result = self.result()
        self.assertEqual(result.state, State.VIOLATION)
        self.assertIn("void", result.findings[-1].message_en)
        self.assertEqual(result.findings[-1].evidence[0].ref, f"rules.rulesversion:{version.pk}")

    def test_an_older_acknowledgement_still_counts_when_a_newer_one_is_void(self) -> None:
        first = self._acknowledged("v1")
        second = self.new_version("v2")
        self.submit(second)
        self.acknowledge(second)
        Attachment.objects.filter(pk=second.attachment_id).update(document_date=dt.date(2020, 1, 1))
        self.assertEqual(self.states(), [State.OK, State.VIOLATION])
        self.assertIn(f"Version {first.number} was acknowledged", self.result().findings[0].message_en)


class ControlsCommandTests(RulesTestCase):
    def test_json_names_article_5(self) -> None:
        out = StringIO()
        call_command("controls", self.contract.number, "--json", stdout=out)
        result = next(r for r in json.loads(out.getvalue()) if r["control"] == CODE)
        self.assertEqual((result["state"], result["articles"]), ("missing_evidence", [5]))

    def test_contract_page_shows_it_to_the_authority(self) -> None:
        body = self.client_for(self.world.supervisor).get(f"/contracts/{self.contract.pk}/").content.decode()
        self.assertIn("社内規程の提出と受理", body)

"""`itaku report CONTRACT --period … -o FILE.pdf`: the PDF of one period, its path printed; a bilingual
refusal (non-zero exit) for an unknown contract or a bad period."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from itaku.reporting import services
from tests.base import ContractTestCase
from tests.reporting.support import pdf_text, previous_month, start_months_back, submitted_report


class CliTests(ContractTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contract = start_months_back(self.world, 2)
        self.folder = Path(tempfile.mkdtemp(prefix="itaku-report-"))

    def run_report(self, *args: str) -> str:
        out = io.StringIO()
        call_command("report", *args, stdout=out)
        return out.getvalue().strip()

    def test_renders_the_submitted_report(self) -> None:
        period = previous_month()
        report = submitted_report(self.world, period)
        target = self.folder / "report.pdf"
        printed = self.run_report(self.contract.number, "--period", period.label, "-o", str(target))
        self.assertEqual(printed, str(target))
        text = pdf_text(target.read_bytes())
        for expected in ("個人情報取扱状況報告書", self.contract.number, period.label,
                         services.report_status(report).snapshot_sha256, "特記事項なし。", "提出済み"):
            self.assertIn(expected, text)

    def test_quarter_and_fiscal_year_compile_now(self) -> None:
        for label in (services.periods.containing(self.contract.start, "quarterly").label,
                      services.periods.containing(self.contract.start, "yearly").label):
            target = self.folder / f"{label}.pdf"
            self.run_report(self.contract.number, "--period", label, "-o", str(target))
            self.assertIn("未提出", pdf_text(target.read_bytes()))

    def test_bad_contract_or_period(self) -> None:
        target = str(self.folder / "x.pdf")
        with self.assertRaises(CommandError) as caught:
            self.run_report("品委第9999-9999号", "--period", "2026-10", "-o", target)
        self.assertIn("見つかりません", str(caught.exception))
        self.assertIn("no contract", str(caught.exception))
        for label in ("2026-13", "2026-Q5", "October"):
            with self.assertRaises(CommandError) as caught:
                self.run_report(self.contract.number, "--period", label, "-o", target)
            self.assertIn("期間", str(caught.exception))
            self.assertIn("Bad period", str(caught.exception))
        with self.assertRaises(CommandError) as caught:
            self.run_report(self.contract.number, "--period", "2001-04", "-o", target)
        self.assertIn("outside the contract's term", str(caught.exception))
        self.assertFalse(Path(target).exists())

"""What the reporting tests share: a contract whose term starts months back, so that periods have ended."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from itaku.contracts.models import Contract
from itaku.reporting import periods, services
from itaku.reporting.models import PeriodicReport

QUESTION = "委託業務における個人情報の取扱状況を報告すること。"
ANSWER = "本年度の作業は計画どおり実施しています。"


def previous_month(day: dt.date | None = None) -> periods.Period:
    """The month before the one `day` (today) falls in."""
    first = (day or timezone.localdate()).replace(day=1)
    return periods.containing(first - dt.timedelta(days=1), periods.MONTHLY)


def start_months_back(world, months: int) -> Contract:
    """Move the contract's start to the first day of the month `months` months before this one."""
    start = timezone.localdate().replace(day=1)
    for _ in range(months):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    Contract.objects.filter(pk=world.contract.pk).update(start=start)
    return world.refresh()


def submitted_report(world, period: periods.Period | None = None) -> PeriodicReport:
    """A monthly schedule and the previous month's report compiled, remarked and submitted."""
    period = period or previous_month()
    if services.schedule_of(world.contract) is None:
        services.set_schedule(world.supervisor, world.contract, frequency=periods.MONTHLY)
    report = services.compile_report(world.responsible, world.contract, period)
    services.save_remarks(world.responsible, report, "特記事項なし。")
    report.refresh_from_db()
    services.submit_report(world.responsible, report)
    return report


def answered_request(world):
    asked = services.ask(world.supervisor, world.contract, question=QUESTION,
                         due_on=timezone.localdate() + dt.timedelta(days=14))
    upload = SimpleUploadedFile("作業報告.pdf", b"%PDF-1.4 report", "application/pdf")
    services.answer(world.responsible, asked, text=ANSWER, files=[upload])
    return asked


def both_sides(world) -> None:
    """The emergency procedure complete: a contact on each side and the channels."""
    services.add_contact(world.responsible, world.contract, name="受託 太郎", organisation="株式会社テストデータ",
                         role="責任者", phone="03-1234-5678", email="taro@example.jp")
    services.add_contact(world.supervisor, world.contract, name="品川 花子", organisation="品川区税務課",
                         role="監督職員", phone="03-5742-0000", email="hanako@example.jp")
    services.save_channels(world.responsible, world.contract, "まず電話、次に電子メール。書面は翌営業日までに提出。")


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    return squash("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
